// The four locales carry the same keys and placeholders, and every key the
// code and pages use exists.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { makeTranslator } from '../lib/i18n.js';
import { EXT, messages } from './helpers.js';

const LANGS = ['en', 'de', 'nl', 'sv'];

test('all locales have the same keys', () => {
  const en = Object.keys(messages('en')).sort();
  for (const lang of LANGS) {
    assert.deepEqual(Object.keys(messages(lang)).sort(), en, `${lang} differs from en`);
  }
});

test('placeholders match across locales and no message is empty', () => {
  const en = messages('en');
  for (const lang of LANGS) {
    const m = messages(lang);
    for (const [key, entry] of Object.entries(m)) {
      assert.ok(entry.message.trim(), `${lang}.${key} is empty`);
      const used = [...entry.message.matchAll(/\$(\w+)\$/g)].map((x) => x[1]).sort();
      const declared = Object.keys(entry.placeholders ?? {}).sort();
      assert.deepEqual(used, declared, `${lang}.${key}: placeholders used vs declared`);
      assert.deepEqual(declared, Object.keys(en[key].placeholders ?? {}).sort(), `${lang}.${key}: placeholders differ from en`);
    }
  }
});

/** Every source file of the extension, recursively, except tests. */
function sources(dir = EXT) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return ['test', '_locales', 'node_modules'].includes(d.name) ? [] : sources(p);
    return /\.(js|html|json)$/.test(d.name) ? [p] : [];
  });
}

test('every literal key used in code and pages exists in en', () => {
  const en = messages('en');
  const missing = [];
  for (const file of sources()) {
    const text = fs.readFileSync(file, 'utf8');
    const keys = [
      ...[...text.matchAll(/\bt\('([A-Za-z0-9_]+)'\s*[,)]/g)].map((m) => m[1]),
      ...[...text.matchAll(/data-i18n(?:-title|-placeholder)?="([A-Za-z0-9_]+)"/g)].map((m) => m[1]),
      ...[...text.matchAll(/__MSG_([A-Za-z0-9_]+)__/g)].map((m) => m[1]),
    ];
    for (const k of keys) if (!(k in en)) missing.push(`${path.relative(EXT, file)}: ${k}`);
  }
  assert.deepEqual(missing, []);
});

test('keys built from protocol values exist for every value', () => {
  const en = messages('en');
  const kinds = ['praise', 'complaint', 'question', 'troll', 'abusive', 'extortion', 'spam'];
  const topics = ['delivery', 'damaged', 'defect', 'quality', 'wrong_item', 'not_as_described', 'price', 'service', 'refund'];
  const states = ['open', 'drafted', 'inserted', 'replied', 'ignored'];
  const statuses = ['connected', 'connecting', 'offline', 'unpaired', 'unauthorized'];
  const want = [
    ...kinds.map((k) => 'kind_' + k), ...topics.map((k) => 'topic_' + k), ...states.map((k) => 'state_' + k),
    ...statuses.map((k) => 'popupStatus_' + k), 'platform_etsy', 'platform_google', 'platform_trustedshops',
  ];
  for (const k of want) assert.ok(k in en, k);
});

test('the Go model has no kind, topic or state the locales miss', () => {
  const src = fs.readFileSync(path.join(EXT, '..', 'shared', 'review', 'review.go'), 'utf8');
  const en = messages('en');
  const block = (/** @type {string} */ type) => [...src.matchAll(new RegExp(`\\w+\\s+${type}\\s*=\\s*"([a-z_]+)"`, 'g'))].map((m) => m[1]);
  for (const k of block('Kind')) assert.ok(`kind_${k}` in en, `kind_${k}`);
  for (const k of block('Topic')) assert.ok(`topic_${k}` in en, `topic_${k}`);
  for (const k of block('State')) assert.ok(`state_${k}` in en, `state_${k}`);
});

test('translator fills placeholders like chrome.i18n', () => {
  const tr = makeTranslator({
    a: { message: 'due in $p1$', placeholders: { p1: { content: '$1' } } },
    b: { message: 'costs $$5' },
  });
  assert.equal(tr('a', ['3 days']), 'due in 3 days');
  assert.equal(tr('b'), 'costs $5');
  assert.equal(tr('missing'), '');
});
