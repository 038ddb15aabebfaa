// @ts-check
// The inbox across platforms: most urgent first, filters, the draft, a link to
// the review on its platform, state buttons, and the stats pictures.

import { barChart, ratingChart, shareBar } from '../lib/charts.js';
import { formatDeadline, formatDuration, safeHttpUrl, stars } from '../lib/format.js';
import { localize, t } from '../lib/i18n.js';
import { api } from '../lib/browser.js';
import { ask } from '../lib/messaging.js';

const form = /** @type {HTMLFormElement} */ (document.getElementById('filters'));
const list = /** @type {HTMLElement} */ (document.getElementById('items'));

/**
 * @param {string} tag
 * @param {string} [cls]
 * @param {string} [text]
 */
function el(tag, cls = '', text = '') {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
}

/** Most urgent first; reviews without a deadline after those with one. @param {any[]} items */
export function byDeadline(items) {
  const due = (/** @type {any} */ it) => (it.deadline?.due ? Date.parse(it.deadline.due) : Infinity);
  return [...items].sort((a, b) => due(a) - due(b));
}

async function load() {
  const q = Object.fromEntries(new FormData(form).entries());
  const query = Object.fromEntries(Object.entries(q).filter(([, v]) => v));
  const errorEl = /** @type {HTMLElement} */ (document.getElementById('error'));
  try {
    const inbox = await ask('list_inbox', { ...query, limit: 200 });
    render(byDeadline(inbox.items ?? []));
    errorEl.hidden = true;
  } catch (e) {
    errorEl.textContent = /** @type {Error} */ (e).message;
    errorEl.hidden = false;
  }
}

/** @param {any[]} items */
function render(items) {
  list.replaceChildren();
  /** @type {HTMLElement} */ (document.getElementById('empty')).hidden = items.length > 0;
  const now = Date.now();
  for (const it of items) {
    const r = it.review ?? {};
    const li = el('li');
    li.dataset.platform = r.platform;
    li.dataset.reviewId = r.id;
    const dl = formatDeadline(it.deadline?.due, now, t);
    if (dl) li.dataset.level = dl.level;
    const head = el('div', 'head');
    head.append(el('strong', '', t('platform_' + r.platform)), el('span', 'chip', t('kind_' + it.analysis?.kind)));
    if (r.rating) head.append(el('span', '', stars(r.rating)));
    if (r.author) head.append(el('span', '', r.author));
    if (dl) {
      const d = el('span', `chip deadline ${dl.level}`, dl.text);
      d.title = it.deadline.reason ?? '';
      head.append(d);
    }
    head.append(el('span', 'chip', t('state_' + it.state)));
    li.append(head, el('p', 'text', r.text ?? ''));
    if (it.draft?.reply) li.append(el('div', 'draft', it.draft.reply));
    else if (it.draft?.note) li.append(el('div', 'draft muted', it.draft.note));
    const actions = el('div', 'actions');
    const link = /** @type {HTMLAnchorElement} */ (el('a', '', t('inboxOpenReview', [t('platform_' + r.platform)])));
    link.href = safeHttpUrl(r.url);
    link.target = '_blank';
    link.rel = 'noopener';
    actions.append(link);
    for (const [state, label] of [['replied', 'inboxMarkReplied'], ['ignored', 'inboxIgnore']]) {
      const b = el('button', '', t(label));
      b.dataset.state = state;
      b.addEventListener('click', async () => {
        await ask('set_state', { platform: r.platform, review_id: r.id, state }).catch(() => {});
        load();
      });
      actions.append(b);
    }
    li.append(actions);
    list.append(li);
  }
}

async function loadStats() {
  const box = /** @type {HTMLElement} */ (document.getElementById('stats'));
  let stats;
  try {
    stats = await ask('get_stats');
  } catch {
    box.textContent = t('statsNoData');
    return;
  }
  box.replaceChildren();
  for (const p of stats.platforms ?? []) {
    const sec = el('section', 'platform-stats');
    sec.append(el('h3', '', `${t('platform_' + p.platform)} (${p.reviews})`));
    const chart = el('div');
    chart.innerHTML = ratingChart(p.months ?? [], { label: t('statsRating') }); // numbers and escaped text only
    sec.append(el('div', 'muted', t('statsRating')), chart);
    sec.append(el('div', 'muted', t('statsAnswered', [Math.round((p.answered ?? 0) * 100)])));
    const bar = el('div');
    bar.innerHTML = shareBar(p.answered ?? 0, { label: t('statsAnswered', [Math.round((p.answered ?? 0) * 100)]) });
    sec.append(bar);
    const med = p.median_first_answer_hours;
    sec.append(el('div', 'muted', t('statsMedian', [med == null ? t('statsNoData') : formatDuration(med * 3_600_000, t)])));
    box.append(sec);
  }
  const medians = (stats.platforms ?? []).filter((/** @type {any} */ p) => p.median_first_answer_hours != null);
  if (medians.length) {
    const sec = el('section', 'platform-stats');
    sec.append(el('h3', '', t('statsMedianTitle')));
    const chart = el('div');
    chart.innerHTML = barChart(medians.map((/** @type {any} */ p) => ({
      label: t('platform_' + p.platform),
      value: p.median_first_answer_hours,
      text: formatDuration(p.median_first_answer_hours * 3_600_000, t),
    })), { label: t('statsMedianTitle') });
    sec.append(chart);
    box.append(sec);
  }
  if (!stats.platforms?.length) box.textContent = t('statsNoData');
}

form.addEventListener('change', load);
// New events move lastSeq: the list follows without a manual reload.
api.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && changes.lastSeq) load();
});
localize(document);
load();
loadStats();
