import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDeadline, formatDuration, safeHttpUrl, stars, utf8Bytes } from '../lib/format.js';
import { makeTranslator } from '../lib/i18n.js';
import { en, messages } from './helpers.js';

const NOW = Date.parse('2026-11-20T10:00:00Z');
const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;

test('formatDeadline words and colours', () => {
  const cases = [
    { due: NOW + H + 20 * MIN, text: 'due in 1 h 20 min', level: 'soon' },
    { due: NOW - 3 * D, text: 'overdue by 3 days', level: 'overdue' },
    { due: NOW - 3 * D - 5 * H, text: 'overdue by 3 days', level: 'overdue' },
    { due: NOW + 45 * MIN, text: 'due in 45 min', level: 'soon' },
    { due: NOW + 2 * H, text: 'due in 2 h', level: 'soon' },
    { due: NOW + 5 * H, text: 'due in 5 h', level: 'ok' },
    { due: NOW + 30 * H, text: 'due in 1 day', level: 'ok' },
    { due: NOW + 63 * D, text: 'due in 63 days', level: 'ok' },
    { due: NOW + 20 * 1000, text: 'due in less than a minute', level: 'soon' },
    { due: NOW - 10 * MIN, text: 'overdue by 10 min', level: 'overdue' },
  ];
  for (const c of cases) {
    const got = formatDeadline(new Date(c.due).toISOString(), NOW, en);
    assert.deepEqual(got, { text: c.text, level: c.level }, new Date(c.due).toISOString());
  }
});

test('formatDeadline without a deadline', () => {
  assert.equal(formatDeadline(null, NOW, en), null);
  assert.equal(formatDeadline('not a date', NOW, en), null);
});

test('formatDuration in the other locales', () => {
  const cases = [
    ['de', H + 20 * MIN, '1 Std. 20 Min.'],
    ['nl', 3 * D, '3 dagen'],
    ['sv', 2 * H, '2 tim'],
  ];
  for (const [lang, ms, want] of cases) {
    assert.equal(formatDuration(/** @type {number} */ (ms), makeTranslator(messages(/** @type {string} */ (lang)))), want);
  }
  const de = makeTranslator(messages('de'));
  assert.equal(formatDeadline(new Date(NOW - 3 * D).toISOString(), NOW, de)?.text, 'seit 3 Tagen überfällig');
});

test('stars and byte length', () => {
  assert.equal(stars(2), '★★☆☆☆');
  assert.equal(stars(null), '');
  assert.equal(utf8Bytes('Grüße'), 7);
});

test('only http(s) links reach our pages', () => {
  const cases = [
    ['https://www.etsy.com/shop/x#review-1', 'https://www.etsy.com/shop/x#review-1'],
    ['http://127.0.0.1:8080/p', 'http://127.0.0.1:8080/p'],
    ['javascript:alert(1)', '#'],
    ['data:text/html,<script>', '#'],
    ['/relative', '#'],
    [null, '#'],
  ];
  for (const [input, want] of cases) assert.equal(safeHttpUrl(input), want, String(input));
});
