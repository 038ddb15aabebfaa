// @ts-check
// Platform-rule notices in the seller's language. The agent (agent/deadline)
// sends a stable code, days_left where it applies, and English text; the
// wording lives in _locales as notice_<code>, and the agent's text is the
// fallback for a code this build does not know (or whose text is
// platform-specific, such as "moderated").

/** Codes with a wording in _locales (notice_<code>). */
export const KNOWN = Object.freeze([
  'reply_locks_review',
  'no_reply_above_rating',
  'reply_max_bytes',
  'review_window_closed',
  'quarantine',
  'cannot_delete',
  'report_grounds',
]);

const DAY = 86_400_000;

/**
 * @param {{code: string, days_left?: number | null, text?: string}} n
 * @param {{platform?: string, policy?: Record<string, any>, draft?: string}} ctx
 * @param {import('./i18n.js').Translator} tr
 */
export function noticeText(n, ctx, tr) {
  if (!KNOWN.includes(n.code)) return n.text || n.code;
  const policy = ctx.policy ?? {};
  const platform = tr('platform_' + (ctx.platform ?? '')) || ctx.platform || '';
  switch (n.code) {
    case 'reply_locks_review':
      if (n.days_left === 0) return tr('notice_review_window_closed');
      return typeof n.days_left === 'number' && n.days_left > 0
        ? tr('notice_reply_locks_review', [n.days_left])
        : tr('notice_reply_locks_review_nodays');
    case 'no_reply_above_rating':
      return tr('notice_no_reply_above_rating', [platform, policy.reply_max_rating ?? 3]);
    case 'reply_max_bytes':
      return tr('notice_reply_max_bytes', [policy.reply_max_bytes ?? '', new TextEncoder().encode(ctx.draft ?? '').length]);
    case 'quarantine':
      return tr('notice_quarantine', [n.days_left ?? policy.quarantine_days ?? '']);
    case 'report_grounds': {
      if (!policy.report_grounds?.length) return n.text || n.code;
      const s = tr('notice_report_grounds', [policy.report_grounds.join('; ')]);
      return policy.report_help ? `${s} ${policy.report_help}` : s;
    }
    default:
      return tr('notice_' + n.code) || n.text || n.code;
  }
}

/**
 * The rule notices implied by the platform policy alone, for when the agent
 * sent none (an older agent). The agent's notices win whenever it sends any.
 * @param {Record<string, any>} policy
 * @param {{rating?: number | null, date?: string | null, shop_reply?: string | null}} review
 * @param {number} now
 * @returns {{code: string, days_left?: number, text: string}[]}
 */
export function policyNotices(policy, review, now) {
  /** @type {{code: string, days_left?: number, text: string}[]} */
  const out = [];
  if (!policy || !review || review.shop_reply) return out;
  const rating = review.rating ?? 0;
  if (policy.reply_max_rating && rating > policy.reply_max_rating) {
    out.push({ code: 'no_reply_above_rating', text: `Shops can answer only reviews of ${policy.reply_max_rating} stars or fewer.` });
    return out;
  }
  if (policy.reply_locks_review && rating > 0) {
    /** @type {{code: string, days_left?: number, text: string}} */
    const n = { code: 'reply_locks_review', text: 'Replying stops the buyer from updating this review.' };
    if (policy.review_window_days && review.date) {
      const written = Date.parse(review.date + 'T00:00:00Z');
      if (!Number.isNaN(written)) {
        n.days_left = Math.max(0, Math.ceil((written + policy.review_window_days * DAY - now) / DAY));
      }
    }
    out.push(n);
  }
  return out;
}
