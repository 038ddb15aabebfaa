// @ts-check
// Platform-rule notices in the seller's language. The agent sends a stable
// code (and days_left); the wording lives in _locales, and the agent's English
// text is the fallback for a code this build does not know.

/** Codes with a wording in _locales (notice_<code>). */
export const KNOWN = Object.freeze([
  'reply_locks_review',
  'reply_not_allowed',
  'reply_too_long',
  'review_window_closed',
  'quarantine',
  'moderation_delay',
]);

const DAY = 86_400_000;

/**
 * @param {{code: string, days_left?: number | null, text?: string}} n
 * @param {{platform?: string, policy?: Record<string, any>}} ctx
 * @param {import('./i18n.js').Translator} tr
 */
export function noticeText(n, ctx, tr) {
  if (!KNOWN.includes(n.code)) return n.text || n.code;
  const policy = ctx.policy ?? {};
  const platform = tr('platform_' + (ctx.platform ?? '')) || ctx.platform || '';
  switch (n.code) {
    case 'reply_locks_review':
      return typeof n.days_left === 'number' && n.days_left >= 0
        ? tr('notice_reply_locks_review', [n.days_left])
        : tr('notice_reply_locks_review_nodays');
    case 'reply_not_allowed':
      return tr('notice_reply_not_allowed', [platform, policy.reply_max_rating ?? 3]);
    case 'reply_too_long':
      return tr('notice_reply_too_long', [policy.reply_max_bytes || policy.reply_max_chars || '']);
    case 'quarantine':
      return tr('notice_quarantine', [n.days_left ?? policy.quarantine_days ?? '']);
    default:
      return tr('notice_' + n.code) || n.text || n.code;
  }
}

/**
 * The rule notices implied by the platform policy alone, for when the agent
 * sent none (an older agent, or a rule its deadline package does not cover
 * yet). The agent's notices win whenever it sends any.
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
    out.push({ code: 'reply_not_allowed', text: `Shops can answer only reviews of ${policy.reply_max_rating} stars or fewer.` });
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
