import assert from 'node:assert/strict';
import { test } from 'node:test';
import { candidates, isEditable, looksGenerated, modeOf, quote, rememberKey } from '../lib/selector.js';
import { FakeElement } from './helpers.js';

test('candidates prefer stable, purpose-given attributes', () => {
  const cases = [
    [new FakeElement('textarea', { id: 'response-6300000201', name: 'response', class: 'wt-textarea' }), 'textarea[name="response"]'],
    [new FakeElement('div', { contenteditable: 'true', 'aria-label': 'Reply publicly', class: 'x9f3kQ' }), 'div[aria-label="Reply publicly"]'],
    [new FakeElement('textarea', { placeholder: 'Write a reply', 'data-review': '123456' }), 'textarea[placeholder="Write a reply"]'],
    [new FakeElement('textarea', { 'data-qa': 'reply-input' }), 'textarea[data-qa="reply-input"]'],
    [new FakeElement('div', { contenteditable: 'true', class: 'jftiEf9 reply-editor' }), 'div[contenteditable]'],
    [new FakeElement('textarea', { class: 'reply-box big' }), 'textarea.reply-box.big'],
    [new FakeElement('textarea', { id: 'a1b2c3d4e5f6' }), 'textarea'],
  ];
  for (const [el, want] of cases) {
    assert.equal(candidates(/** @type {any} */ (el))[0], want, JSON.stringify(/** @type {any} */ (el).attrs));
  }
});

test('candidates never use per-review ids or generated values', () => {
  const el = new FakeElement('textarea', { id: 'response-6300000201', 'data-review-id': '6300000201', 'aria-label': 'x'.repeat(80) });
  for (const c of candidates(/** @type {any} */ (el))) {
    assert.doesNotMatch(c, /6300000201|#/, c);
  }
  assert.equal(candidates(/** @type {any} */ (el)).at(-1), 'textarea');
});

test('generated-looking values', () => {
  for (const v of ['6300000201', 'c-9f8e7d6c5b', 'jftiEf', 'x'.repeat(61)]) assert.ok(looksGenerated(v), v);
  for (const v of ['response', 'Reply publicly', 'reply-input', 'textbox']) assert.ok(!looksGenerated(v), v);
});

test('quote escapes what CSS needs', () => {
  assert.equal(quote('say "hi"'), '"say \\"hi\\""');
  assert.equal(quote('a\\b'), '"a\\\\b"');
});

test('editable elements and their mode', () => {
  const cases = [
    [new FakeElement('textarea'), true, 'textarea'],
    [new FakeElement('input', { type: 'text' }), true, 'textarea'],
    [new FakeElement('input', { type: 'checkbox' }), false, 'textarea'],
    [new FakeElement('div', { contenteditable: 'true' }), true, 'contenteditable'],
    [new FakeElement('div', { contenteditable: 'false' }), false, 'contenteditable'],
    [new FakeElement('button'), false, 'contenteditable'],
  ];
  for (const [el, editable, mode] of cases) {
    assert.equal(isEditable(/** @type {any} */ (el)), editable, /** @type {any} */ (el).tagName);
    assert.equal(modeOf(/** @type {any} */ (el)), mode, /** @type {any} */ (el).tagName);
  }
});

test('remembered boxes are keyed by host and page', () => {
  assert.equal(rememberKey('www.etsy.com', 'seller_reviews'), 'replybox:www.etsy.com:seller_reviews');
});
