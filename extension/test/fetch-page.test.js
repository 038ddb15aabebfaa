// fetch_page tells a real review page from the bot checks and sign-in forms
// that also answer 200, using the Etsy test pages of the scraper.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { looksBlocked } from '../background/fetch-page.js';
import { REPO } from './helpers.js';

const page = (/** @type {string} */ f) => fs.readFileSync(path.join(REPO, 'scrapers', 'etsy', 'testdata', f), 'utf8');

test('bot checks and sign-in forms are told apart from review pages', () => {
  const cases = [
    { file: 'err_captcha_datadome.html', blocked: true },
    { file: 'err_signin.html', blocked: true },
    { file: 'seller_reviews.html', blocked: false },
    { file: 'shop_reviews_de.html', blocked: false },
    { file: 'listing_reviews_sv.html', blocked: false },
    { file: 'err_no_reviews.html', blocked: false },
  ];
  for (const c of cases) assert.equal(looksBlocked(page(c.file)), c.blocked, c.file);
});
