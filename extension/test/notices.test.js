import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTranslator } from '../lib/i18n.js';
import { KNOWN, noticeText, policyNotices } from '../lib/notices.js';
import { en, messages } from './helpers.js';

const etsy = { platform: 'etsy', policy: { reply_max_rating: 3, reply_locks_review: true, review_window_days: 100 } };
const NOW = Date.parse('2026-11-20T12:00:00Z');

test('notices are worded from their code', () => {
  const cases = [
    [{ code: 'reply_locks_review', days_left: 63, text: 'x' },
      'Replying now stops the buyer from updating this review; 63 days left to solve it privately first.'],
    [{ code: 'reply_locks_review', text: 'x' }, 'Replying now stops the buyer from updating this review: solve it privately first if you can.'],
    [{ code: 'no_reply_above_rating', text: 'x' }, 'Etsy lets shops answer only reviews of 3 stars or fewer; write to the buyer privately instead.'],
    [{ code: 'reply_locks_review', days_left: 0, text: 'x' }, 'The buyer can no longer change this review, so a public reply costs nothing more.'],
    [{ code: 'cannot_delete', text: 'x' }, 'Sellers cannot delete reviews here; only a review that breaks the rules can be reported.'],
    [{ code: 'something_new', text: 'The agent says so.' }, 'The agent says so.'],
  ];
  for (const [n, want] of cases) assert.equal(noticeText(/** @type {any} */ (n), etsy, en), want);
});

test('every known code has a wording in every locale', () => {
  for (const lang of ['en', 'de', 'nl', 'sv']) {
    const m = messages(lang);
    for (const code of KNOWN) assert.ok(`notice_${code}` in m, `${lang}: notice_${code}`);
  }
  const de = makeTranslator(messages('de'));
  assert.match(noticeText({ code: 'reply_locks_review', days_left: 5, text: '' }, etsy, de), /noch 5 Tage/);
});

test('policyNotices derives the platform rules', () => {
  const cases = [
    { review: { rating: 2, date: '2026-09-22' }, want: [{ code: 'reply_locks_review', days_left: 41 }] },
    { review: { rating: 3, date: null }, want: [{ code: 'reply_locks_review' }] },
    { review: { rating: 5, date: '2026-11-01' }, want: [{ code: 'no_reply_above_rating' }] },
    { review: { rating: 1, date: '2026-01-01' }, want: [{ code: 'reply_locks_review', days_left: 0 }] },
    { review: { rating: 2, date: '2026-11-01', shop_reply: 'Thanks' }, want: [] },
  ];
  for (const c of cases) {
    const got = policyNotices(etsy.policy, c.review, NOW).map(({ code, days_left }) => (days_left === undefined ? { code } : { code, days_left }));
    assert.deepEqual(got, c.want, JSON.stringify(c.review));
  }
  assert.deepEqual(policyNotices({}, { rating: 1 }, NOW), []);
});
