// @ts-check
// Wording of times and counts in the overlay, popup and inbox. Every function
// takes the translator so tests run on the real locale files.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Below this, a deadline is shown as urgent. */
export const SOON_MS = 4 * HOUR;

/**
 * "3 days", "1 h 20 min", "45 min": a duration as a seller reads it. Whole
 * days from two days up, hours and minutes below, never seconds.
 * @param {number} ms non-negative
 * @param {import('./i18n.js').Translator} tr
 */
export function formatDuration(ms, tr) {
  const abs = Math.max(0, ms);
  if (abs >= 2 * DAY) return tr('durDays', [Math.floor(abs / DAY)]);
  if (abs >= DAY) return tr('durOneDay');
  const minutes = Math.floor(abs / MINUTE);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return m === 0 ? tr('durUnderMinute') : tr('durMinutes', [m]);
  if (m === 0) return tr('durHours', [h]);
  return tr('durHoursMinutes', [h, m]);
}

/**
 * A deadline relative to now: text ("due in 1 h 20 min", "overdue by 3 days")
 * and the level that picks its colour.
 * @param {string | null | undefined} due RFC 3339
 * @param {number} now ms since the epoch
 * @param {import('./i18n.js').Translator} tr
 * @returns {{text: string, level: 'overdue' | 'soon' | 'ok'} | null}
 */
export function formatDeadline(due, now, tr) {
  if (!due) return null;
  const at = Date.parse(due);
  if (Number.isNaN(at)) return null;
  const left = at - now;
  if (left < 0) return { text: tr('deadlineOverdue', [formatDuration(-left, tr)]), level: 'overdue' };
  return { text: tr('deadlineDueIn', [formatDuration(left, tr)]), level: left < SOON_MS ? 'soon' : 'ok' };
}

/**
 * "★★☆☆☆" for a rating, "" when there is none.
 * @param {number | null | undefined} rating
 */
export function stars(rating) {
  if (!rating || rating < 1) return '';
  const n = Math.min(5, Math.round(rating));
  return '★'.repeat(n) + '☆'.repeat(5 - n);
}

/**
 * UTF-8 length, which is what Google's 4096 limit counts.
 * @param {string} s
 */
export function utf8Bytes(s) {
  return new TextEncoder().encode(s).length;
}

/**
 * The URL if it is http(s), else "#": review and source URLs come from pages
 * and must never become javascript: or data: links in our own pages.
 * @param {string | null | undefined} u
 */
export function safeHttpUrl(u) {
  try {
    const url = new URL(String(u ?? ''));
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : '#';
  } catch {
    return '#';
  }
}
