// content/loader.js is a classic script, so it restates lib/match.js's rules
// and lib/selector.js's key for a remembered reply box. These tests keep them
// in step: the loader runs in a bare context (where it starts nothing) and
// its pure parts are compared with the modules'.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import vm from 'node:vm';
import { matchPage, readId } from '../lib/match.js';
import { rememberKey } from '../lib/selector.js';
import { EXT, FakeElement, REPO } from './helpers.js';

const loader = vm.runInNewContext(fs.readFileSync(path.join(EXT, 'content', 'loader.js'), 'utf8'), {
  performance: { now: () => 0 },
});

const hello = JSON.parse(fs.readFileSync(path.join(REPO, 'shared/protocol/testdata/hello.json'), 'utf8'));
const profiles = [
  ...hello.data.profiles,
  {
    platform: 'google',
    pages: [{ name: 'maps', match: ['(?i)^https://www\\.google\\.[a-z.]+/maps/place/'], review: 'div[data-review-id]',
      id: { attr: 'data-review-id' } }],
    policy: { reply_max_bytes: 4096 },
  },
  { platform: 'broken', pages: [{ name: 'x', match: ['(unclosed', '^https://broken\\.example/'], review: 'li' }] },
];

test('the loader matches URLs as lib/match.js does', () => {
  const urls = [
    'https://www.etsy.com/shop/Tonwerk/reviews',
    'https://www.etsy.com/de/shop/Tonwerk?ref=x',
    'https://www.etsy.com/your/shops/me/reviews',
    'https://WWW.GOOGLE.DE/maps/place/Caf%C3%A9',
    'https://www.google.de/search?q=cafe',
    'https://www.etsy.com/cart',
    'https://evil.example/https://www.etsy.com/shop/x',
    'https://broken.example/page',
  ];
  for (const url of urls) {
    const want = matchPage(profiles, url);
    const got = loader.matchPage(profiles, url);
    assert.equal(got?.platform ?? null, want?.platform ?? null, url);
    assert.equal(got?.page ?? null, want?.page ?? null, url);
    // (objects the loader makes come from its own context: compare by value)
    assert.equal(JSON.stringify(got?.policy ?? null), JSON.stringify(want?.policy ?? null), url);
  }
  for (const none of [null, undefined, {}, [{}], [{ pages: [{}] }]]) {
    assert.equal(loader.matchPage(none, 'https://www.etsy.com/shop/x'), null, JSON.stringify(none));
  }
});

test('the loader reads review ids as lib/match.js does', () => {
  const el = new FakeElement('div', { 'data-review-region': ' 123 ' }, [
    new FakeElement('a', { 'data-href': '/reviews/987654?x=1' }),
  ]);
  const rules = [
    { attr: 'data-review-region' },
    { selector: '[data-href]', attr: 'data-href', pattern: '/reviews/(\\d+)' },
    { selector: '[data-href]', attr: 'data-href', pattern: '(?i)/REVIEWS/\\d+' },
    { selector: '[data-href]', attr: 'data-href', pattern: 'nomatch(\\d+)' },
    { selector: '[data-href]', attr: 'data-href', pattern: '(unclosed' },
    { selector: '.absent', attr: 'data-href' },
    { attr: 'data-missing' },
    { attr: '' },
    undefined,
  ];
  for (const rule of rules) {
    assert.equal(loader.readId(el, rule), readId(/** @type {any} */ (el), rule), JSON.stringify(rule));
  }
});

test('the loader reads the remembered reply box under the key replybox.js looks up', () => {
  for (const [host, page] of [['www.etsy.com', 'seller_reviews'], ['business.google.com', 'reviews'], ['', '']]) {
    assert.equal(loader.rememberKey(host, page), rememberKey(host, page));
  }
});
