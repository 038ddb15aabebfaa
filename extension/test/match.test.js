import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { compile, matchPage, readId } from '../lib/match.js';
import { FakeElement, REPO } from './helpers.js';

const hello = JSON.parse(fs.readFileSync(path.join(REPO, 'shared/protocol/testdata/hello.json'), 'utf8'));
const profiles = [
  ...hello.data.profiles,
  {
    platform: 'etsy-seller',
    pages: [{ name: 'seller_reviews', match: ['^https://www\\.etsy\\.com/(?:[a-z]{2}(?:-[a-z]{2})?/)?your/shops/me/reviews'],
      hosts: [], review: '[data-review-id]', id: { attr: 'data-review-id' } }],
    policy: {},
  },
  {
    platform: 'google',
    pages: [{ name: 'maps', match: ['(?i)^https://www\\.google\\.[a-z.]+/maps/place/'], hosts: [], review: 'div[data-review-id]',
      id: { attr: 'data-review-id' } }],
    policy: {},
  },
];

test('matchPage finds the page of a URL', () => {
  const cases = [
    ['https://www.etsy.com/shop/Tonwerk/reviews', 'etsy', 'shop_reviews'],
    ['https://www.etsy.com/de/shop/Tonwerk?ref=x', 'etsy', 'shop_reviews'],
    ['https://www.etsy.com/your/shops/me/reviews', 'etsy-seller', 'seller_reviews'],
    ['https://www.etsy.com/nl/your/shops/me/reviews?page=2', 'etsy-seller', 'seller_reviews'],
    ['https://WWW.GOOGLE.DE/maps/place/Caf%C3%A9', 'google', 'maps'],
    ['https://www.etsy.com/cart', null, null],
    ['https://evil.example/https://www.etsy.com/shop/x', null, null],
    ['http://www.etsy.com/shop/Tonwerk', null, null],
  ];
  for (const [url, platform, page] of cases) {
    const m = matchPage(profiles, /** @type {string} */ (url));
    assert.equal(m?.platform ?? null, platform, url ?? '');
    assert.equal(m?.page.name ?? null, page, url ?? '');
  }
});

test('matchPage tolerates missing profiles and bad patterns', () => {
  assert.equal(matchPage(null, 'https://www.etsy.com/shop/x'), null);
  assert.equal(compile('(unclosed'), null);
  assert.equal(matchPage([{ platform: 'x', pages: [{ match: ['(unclosed'] }] }], 'https://x'), null);
});

test('readId follows the id rule', () => {
  const el = new FakeElement('div', { 'data-review-region': ' 123 ' }, [
    new FakeElement('a', { 'data-href': '/reviews/987654?x=1', permalink: '' }),
  ]);
  const cases = [
    [{ attr: 'data-review-region' }, '123'],
    [{ selector: '[data-href]', attr: 'data-href', pattern: '/reviews/(\\d+)' }, '987654'],
    [{ selector: '[data-href]', attr: 'data-href', pattern: 'nomatch(\\d+)' }, ''],
    [{ attr: 'data-missing' }, ''],
    [undefined, ''],
  ];
  for (const [rule, want] of cases) {
    assert.equal(readId(/** @type {any} */ (el), /** @type {any} */ (rule)), want, JSON.stringify(rule));
  }
});
