// fetch_page tells a real review page from the bot checks and sign-in forms
// that also answer 200, using the Etsy test pages of the scraper, and judges
// what it sees of the background tab that loads a page for the agent.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { judgeTab, looksBlocked } from '../background/fetch-page.js';
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

test('one look at a background tab: loaded, wait, reload, failed or stalled', () => {
  const origin = 'https://www.etsy.com';
  const page = `${origin}/de/shop/Tonwerk/reviews`;
  /** @type {import('../background/fetch-page.js').Look} */
  const base = { status: 'loading', url: '', doc: null, origin, ageMs: 500, stallMs: 10_000, interactiveMs: 0, reloaded: false };
  const cases = [
    { name: 'just opened, nothing committed', look: {}, want: 'wait' },
    { name: 'tab status complete on the page', look: { status: 'complete', url: page }, want: 'ready' },
    { name: 'status complete missed, the document says complete', look: { doc: { state: 'complete', origin } }, want: 'ready' },
    { name: 'url not visible yet, the document is ours and complete', look: { url: '', doc: { state: 'complete', origin } }, want: 'ready' },
    { name: 'parsed, a subresource still loading', look: { doc: { state: 'interactive', origin }, interactiveMs: 1_000 }, want: 'wait' },
    { name: 'parsed long ago, a subresource never ends', look: { doc: { state: 'interactive', origin }, interactiveMs: 3_000 }, want: 'ready' },
    { name: 'our document still streaming after the stall limit', look: { doc: { state: 'loading', origin }, ageMs: 20_000 }, want: 'wait' },
    { name: 'complete on another origin is not the page', look: { status: 'complete', url: 'https://www.etsy.com.evil.test/x', doc: null, origin }, want: 'wait' },
    { name: 'another origin\'s document complete', look: { status: 'complete', doc: { state: 'complete', origin: 'null' } }, want: 'wait' },
    { name: 'no document of the page by the stall limit', look: { ageMs: 10_000 }, want: 'stalled' },
    { name: 'the last tab waits until the deadline', look: { ageMs: 25_000, stallMs: Infinity }, want: 'wait' },
    { name: 'no renderer, just opened', look: { status: 'unloaded', ageMs: 1_000 }, want: 'wait' },
    { name: 'no renderer for two seconds', look: { status: 'unloaded', ageMs: 2_000 }, want: 'stalled' },
    { name: 'the browser\'s error page', look: { status: 'complete', url: page, doc: 'error-page' }, want: 'reload' },
    { name: 'error page still shown while reloading', look: { doc: 'error-page', reloaded: true }, want: 'wait' },
    { name: 'error page again after the reload', look: { status: 'complete', url: page, doc: 'error-page', reloaded: true }, want: 'failed' },
  ];
  for (const c of cases) assert.equal(judgeTab({ ...base, ...c.look }), c.want, c.name);
});
