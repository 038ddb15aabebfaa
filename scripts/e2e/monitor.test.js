// Issue 6 in the browser: the agent watches Etsy pages and asks the extension
// to load them in the seller's own session, in the background; the extension
// raises one notification per batch of new reviews, counts open reviews on
// the toolbar badge and lists them in the inbox, most urgent first.
//
// Why not context.route like the other browser tests: Playwright does not see
// requests made by an extension's service worker (its credentialed fetch is
// the main path here), nor the first navigation of a tab the extension opens.
// So Chromium resolves www.etsy.com to a local HTTPS server (self-signed,
// --ignore-certificate-errors) that serves the repository's Etsy fixtures
// under their real URLs and plays Etsy's session: the seller page answers
// only with the seller's cookie. The agent polls every few seconds
// (--poll-interval).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { TAB_TIMEOUT_MS } from '../../extension/background/fetch-page.js';
import {
  ARTIFACTS, CHROMIUM, EXTENSION, buildAgent, daysAgo, fixture, pair, startAgent, tempDir,
} from './harness.js';

const ETSY = (/** @type {string} */ f) => fs.readFileSync(fixture('scrapers', 'etsy', 'testdata', f), 'utf8');
const WATCHED = 'https://www.etsy.com/your/shops/me/reviews';
const GUARDED = 'https://www.etsy.com/de/shop/Tonwerk/reviews';
const SIGNED_OUT = 'https://www.etsy.com/shop/Abgemeldet/reviews';
const STUCK = 'https://www.etsy.com/shop/Haengt/reviews';
const SESSION = 'calmreply-test-session';
const POLL = '3s'; // the agent's pause between polls of a watched page
/** A poll that goes through a background tab: the extension's own limit for the tab path, plus the fetch before it and the agent's parse. */
const TAB_POLL_MS = TAB_TIMEOUT_MS + 15_000;

/**
 * One more review row in the seller page's markup (invented buyer and text).
 * @param {{id: string, rating: number, author: string, date: string, text: string}} r
 */
function row(r) {
  return `<li data-review-id="${r.id}" class="review-row">
      <div class="review-header">
        <span role="img" aria-label="Rating: ${r.rating} out of 5 stars" data-rating-value="${r.rating}"></span>
        <a href="https://www.etsy.com/uk/people/${r.author.toLowerCase()}">${r.author}</a>
        <time datetime="${r.date}">${r.date}</time>
      </div>
      <p data-review-text>${r.text}</p>
      <div data-region="response"></div>
      <div class="review-actions">
        <button type="button" data-review-action="respond" aria-expanded="false">Respond</button>
      </div>
    </li>`;
}

/**
 * The seller page as the watched source shows it: the fixture's three reviews
 * with recent dates, plus a one-star complaint and a question, so that one
 * poll brings several reviews needing an answer, with different deadlines.
 */
function sellerPage() {
  const extra = [
    row({ id: '6300000291', rating: 1, author: 'Greta', date: daysAgo(1),
      text: 'The frame arrived with the glass broken into pieces. Very disappointed, I want my money back.' }),
    row({ id: '6300000292', rating: 3, author: 'Ollie', date: daysAgo(0),
      text: 'Is the A3 print sent rolled in a tube or flat? Can I choose before I order the next one?' }),
  ].join('\n');
  return ETSY('seller_reviews.html')
    .replace('datetime="2024-06-02"', `datetime="${daysAgo(3)}"`)
    .replace('datetime="2024-05-27"', `datetime="${daysAgo(6)}"`)
    .replace('</ul>', `${extra}\n</ul>`);
}

/** @typedef {{path: string, cookie: boolean, dest: string}} Hit */

/**
 * A stand-in for www.etsy.com on loopback HTTPS. Records every request with
 * whether it carried the seller's cookie and what loaded it (sec-fetch-dest:
 * "document" for a tab, "empty" for the worker's fetch).
 */
async function fakeEtsy() {
  const dir = tempDir('calmreply-tls-');
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=www.etsy.com', '-addext', 'subjectAltName=DNS:www.etsy.com'],
  { stdio: 'ignore' });
  /** @type {Hit[]} */
  const hits = [];
  /** Requests left unanswered on purpose, ended when the fake closes. */
  /** @type {import('node:http').ServerResponse[]} */
  const held = [];
  const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://www.etsy.com');
    const cookie = (req.headers.cookie ?? '').includes(`session=${SESSION}`);
    const dest = String(req.headers['sec-fetch-dest'] ?? '');
    hits.push({ path: url.pathname, cookie, dest });
    const send = (/** @type {number} */ status, /** @type {string} */ body) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body);
    };
    if (url.pathname === '/your/shops/me/reviews') {
      // Behind the login: only the seller's session sees the page.
      return send(200, cookie ? sellerPage() : ETSY('err_signin.html'));
    }
    if (url.pathname === '/de/shop/Tonwerk/reviews') {
      // Bot protection that lets a real page load through but not a script's fetch.
      return send(200, dest === 'document' ? ETSY('shop_reviews_de.html') : ETSY('err_captcha_datadome.html'));
    }
    if (url.pathname === '/shop/Abgemeldet/reviews') return send(200, ETSY('err_signin.html'));
    if (url.pathname === '/shop/Haengt/reviews') {
      // Bot protection again, and the first tab's request never gets an answer:
      // the tab stays on its blank start page, as a tab held back by the
      // debugger did in the browser tests.
      if (dest !== 'document') return send(200, ETSY('err_captcha_datadome.html'));
      if (hits.filter((h) => h.path === url.pathname && h.dest === 'document').length === 1) return void held.push(res);
      return send(200, ETSY('shop_reviews_de.html'));
    }
    return send(404, '<!DOCTYPE html><title>Not found</title>');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  const close = () => new Promise((r) => {
    server.close(() => r(undefined));
    for (const res of held) res.destroy();
    server.closeAllConnections();
  });
  return { port, hits, close };
}

/**
 * Chromium with the extension (flags from shared/notes/browser-testing.md),
 * www.etsy.com resolved to the fake and every other name unresolvable, so
 * nothing leaves the machine.
 * @param {number} etsyPort
 */
async function launchWithFakeEtsy(etsyPort) {
  const context = await chromium.launchPersistentContext(tempDir('calmreply-profile-'), {
    executablePath: CHROMIUM,
    headless: false, // plain --headless below: the new headless mode, which runs extensions
    args: [
      '--headless',
      `--disable-extensions-except=${EXTENSION}`,
      `--load-extension=${EXTENSION}`,
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--lang=en-US',
      `--host-resolver-rules=MAP www.etsy.com 127.0.0.1:${etsyPort}, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1`,
      '--ignore-certificate-errors',
    ],
    ignoreHTTPSErrors: true,
    locale: 'en-US',
    viewport: { width: 1100, height: 900 },
  });
  let [sw] = context.serviceWorkers();
  if (!sw) sw = await context.waitForEvent('serviceworker', { timeout: 15_000 });
  return { context, sw, id: new URL(sw.url()).host };
}

/** @type {Awaited<ReturnType<typeof startAgent>>} */
let agent;
/** @type {Awaited<ReturnType<typeof launchWithFakeEtsy>>} */
let browser;
/** @type {Awaited<ReturnType<typeof fakeEtsy>>} */
let etsy;

before(async () => {
  etsy = await fakeEtsy();
  agent = await startAgent(buildAgent(), ['--poll-interval', POLL]);
  browser = await launchWithFakeEtsy(etsy.port);
  // The seller is signed in to Etsy in this browser.
  await browser.context.addCookies([{
    name: 'session', value: SESSION, domain: 'www.etsy.com', path: '/', secure: true, httpOnly: true, sameSite: 'Lax',
  }]);
  await pair(browser.context, browser.id, agent);
  // Record what the worker shows the seller: every notification it creates
  // and every tab it opens, through the real APIs.
  await browser.sw.evaluate(() => {
    const g = /** @type {any} */ (globalThis);
    const api = g.browser ?? g.chrome;
    const spy = { notes: /** @type {any[]} */ ([]), tabs: /** @type {any[]} */ ([]) };
    g.__spy = spy;
    const create = api.notifications.create.bind(api.notifications);
    api.notifications.create = (/** @type {any[]} */ ...a) => {
      const [id, opt] = typeof a[0] === 'string' ? a : ['', a[0]];
      spy.notes.push({ id, title: opt.title, message: opt.message });
      return create(...a);
    };
    const open = api.tabs.create.bind(api.tabs);
    api.tabs.create = (/** @type {any} */ props) => {
      spy.tabs.push(props);
      return open(props);
    };
  });
});

after(async () => {
  await browser?.context.close();
  await agent?.stop();
  await etsy?.close();
});

/** @returns {Promise<{notes: {id: string, title: string, message: string}[], tabs: any[]}>} */
function spy() {
  return browser.sw.evaluate(() => /** @type {any} */ (globalThis).__spy);
}

/** Asks the agent over the worker's own connection. @param {string} type @param {any} [data] @returns {Promise<any>} */
function ask(type, data = {}) {
  return browser.sw.evaluate(([t, d]) => /** @type {any} */ (globalThis).calmreply.agent.request(t, d), [type, data]);
}

/** @returns {Promise<string>} */
function badge() {
  return browser.sw.evaluate(() => chrome.action.getBadgeText({}));
}

/** @param {string} url @returns {Promise<any>} */
async function source(url) {
  return (await ask('list_sources')).sources.find((/** @type {any} */ s) => s.url === url);
}

/** Open tabs other than extension pages. */
function platformTabs() {
  return browser.context.pages().filter((p) => p.url().startsWith('https://'));
}

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls fn until it returns something truthy; the failure shows what it saw
 * last, the fake Etsy's requests and the agent's output.
 * @template T
 * @param {() => Promise<T>} fn
 * @param {string} what
 * @returns {Promise<NonNullable<T>>}
 */
async function until(fn, what, timeout = 20_000) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (last) return /** @type {NonNullable<T>} */ (last);
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}\n`
        + `requests to www.etsy.com: ${JSON.stringify(etsy.hits)}\nagent output:\n${agent.log()}`);
    }
    await sleep(200);
  }
}

/** The Notifier gathers events for 1.5 s before it shows one notification; wait past that. */
const BATCH_WINDOW_MS = 2500;

/** @param {any} it */
const needsAnswer = (it) => it.state === 'open' && ['reply_now', 'answer', 'decline'].includes(it.analysis.action);
/** @param {any} it */
const due = (it) => (it.deadline?.due ? Date.parse(it.deadline.due) : Infinity);

test('a watched seller page is read in the background with the seller\'s session; one notification; badge = open', async () => {
  const options = await browser.context.newPage();
  await options.goto(`chrome-extension://${browser.id}/options/options.html`);
  await options.fill('#source-url', WATCHED);
  await options.click('#source-form button[type=submit]');
  await options.locator('#sources a', { hasText: WATCHED }).waitFor();
  await options.close();

  // The agent wakes on add_source and sends fetch_page; the worker loads the page.
  const src = await until(async () => {
    const s = await source(WATCHED);
    return s?.last_success || s?.last_error ? s : null;
  }, 'the first poll of the seller page');
  assert.equal(src.last_error ?? '', '', 'the first poll succeeded');
  assert.equal(src.fetcher, 'extension');
  const seller = etsy.hits.filter((h) => h.path === '/your/shops/me/reviews');
  assert.ok(seller.length >= 1);
  assert.deepEqual(seller[0], { path: '/your/shops/me/reviews', cookie: true, dest: 'empty' },
    'the worker fetched the page itself, with the seller\'s cookie');
  assert.deepEqual((await spy()).tabs, [], 'no tab was needed');

  const all = await ask('list_inbox', { platform: 'etsy' });
  assert.deepEqual(all.items.map((/** @type {any} */ it) => it.review.id).sort(),
    ['6300000201', '6300000202', '6300000203', '6300000291', '6300000292'], 'every review of the page is stored');

  // One notification for the batch, however many reviews need an answer.
  const needing = all.items.filter(needsAnswer);
  assert.ok(needing.length >= 2, `several new reviews need an answer: ${JSON.stringify(
    all.items.map((/** @type {any} */ i) => [i.review.id, i.state, i.analysis.action]))}`);
  await until(async () => (await spy()).notes.length > 0, 'the notification');
  await sleep(BATCH_WINDOW_MS);
  const { notes } = await spy();
  assert.equal(notes.length, 1, `one notification per batch, not one per review: ${JSON.stringify(notes)}`);
  assert.equal(notes[0].id, 'calmreply-new');
  assert.equal(notes[0].title, `${needing.length} new reviews need an answer`);

  // The toolbar badge counts the open reviews.
  const { open } = await ask('list_inbox', { state: 'open', limit: 1 });
  assert.ok(open >= needing.length, `open count ${open}`);
  await until(async () => (await badge()) === String(open), `badge "${open}" (now "${await badge()}")`);
});

test('the inbox lists open reviews most urgent first; filters by platform, kind and state', async () => {
  const inbox = await browser.context.newPage();
  await inbox.goto(`chrome-extension://${browser.id}/inbox/inbox.html`);
  await inbox.locator('#items li').first().waitFor();
  const ids = () => inbox.$$eval('#items li', (lis) => lis.map((li) => li.dataset.reviewId));

  const open = (await ask('list_inbox', { state: 'open' })).items;
  const byDeadline = [...open].sort((a, b) => due(a) - due(b)).map((it) => it.review.id);
  assert.deepEqual(await ids(), byDeadline, 'open reviews, earliest deadline first');
  const dues = open.map(due).filter(Number.isFinite);
  assert.ok(new Set(dues).size >= 2, `the reviews have different deadlines: ${JSON.stringify(open.map((/** @type {any} */ i) => i.deadline))}`);
  assert.ok(await inbox.locator('#items li').first().locator('.deadline').isVisible(), 'the first item shows its deadline');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await inbox.screenshot({ path: path.join(ARTIFACTS, 'monitor-inbox.png'), fullPage: true });

  /** Sets a filter and waits for the list to show what the agent holds for it. */
  const filter = async (/** @type {Record<string, string>} */ f) => {
    for (const [name, value] of Object.entries(f)) await inbox.selectOption(`select[name=${name}]`, value);
    const query = Object.fromEntries(Object.entries({ state: 'open', ...f }).filter(([, v]) => v));
    const want = (await ask('list_inbox', query)).items;
    const wantIds = [...want].sort((a, b) => due(a) - due(b)).map((it) => it.review.id);
    await until(async () => JSON.stringify(await ids()) === JSON.stringify(wantIds), `the list for ${JSON.stringify(f)}: ${wantIds}`);
    return wantIds;
  };
  assert.deepEqual(await filter({ platform: 'google' }), [], 'no Google reviews');
  assert.ok(await inbox.locator('#empty').isVisible(), 'the empty-list message shows');
  const etsyOpen = await filter({ platform: 'etsy' });
  assert.equal(etsyOpen.length, open.length);
  const complaints = await filter({ kind: 'complaint' });
  assert.ok(complaints.length >= 1 && complaints.length < open.length, `complaints: ${complaints}`);
  const kinds = await inbox.$$eval('#items li .chip:nth-of-type(1)', (els) => els.map((e) => e.textContent));
  assert.ok(kinds.length === complaints.length, `one kind chip per item: ${kinds}`);
  await filter({ kind: '', state: 'replied' });
  await filter({ state: 'open' });
  await inbox.close();
});

test('marking reviews replied or ignored updates the inbox and the badge', async () => {
  const inbox = await browser.context.newPage();
  await inbox.goto(`chrome-extension://${browser.id}/inbox/inbox.html`);
  await inbox.locator('#items li').first().waitFor();
  const ids = () => inbox.$$eval('#items li', (lis) => lis.map((li) => li.dataset.reviewId));
  const before = await ids();
  const open = Number(await badge());
  assert.equal(open, (await ask('list_inbox', { limit: 1 })).open);

  const [first, second] = before;
  await inbox.locator(`#items li[data-review-id="${first}"] button[data-state="replied"]`).click();
  await until(async () => !(await ids()).includes(first), `${first} leaving the open list`);
  await until(async () => (await badge()) === String(open - 1 || ''), `badge ${open - 1}`);
  await inbox.locator(`#items li[data-review-id="${second}"] button[data-state="ignored"]`).click();
  await until(async () => !(await ids()).includes(second), `${second} leaving the open list`);
  await until(async () => (await badge()) === String(open - 2 || ''), `badge ${open - 2}`);
  assert.deepEqual(await ids(), before.slice(2), 'the rest keep their order');

  await inbox.selectOption('select[name=state]', 'replied');
  await until(async () => (await ids()).includes(first), 'the replied list');
  await inbox.selectOption('select[name=state]', 'ignored');
  await until(async () => JSON.stringify(await ids()) === JSON.stringify([second]), 'the ignored list');
  await inbox.close();
});

test('the next poll of the same page announces nothing new', async () => {
  // Requests first: a poll already under way when the test starts may end
  // after `was` is read, so only a success that also follows a new request
  // counts as the next poll.
  const hits = etsy.hits.length;
  const was = (await source(WATCHED)).last_success;
  await until(async () => {
    const s = await source(WATCHED);
    return s.last_success !== was && s.last_success && etsy.hits.length > hits ? s : null;
  }, 'a second poll, after a new request for the page');
  await sleep(BATCH_WINDOW_MS);
  const { notes } = await spy();
  assert.equal(notes.length, 1, `still the one notification: ${JSON.stringify(notes)}`);
  const stored = (await ask('list_inbox', { platform: 'etsy' })).items.map((/** @type {any} */ i) => i.review.id);
  assert.equal(stored.length, 5, 'nothing stored twice');
  const { open } = await ask('list_inbox', { limit: 1 });
  assert.equal(await badge(), String(open || ''));
});

test('bot protection against the worker\'s fetch: a background tab loads the page, then closes', async (t) => {
  const notesBefore = (await spy()).notes.length;
  await ask('add_source', { url: GUARDED });
  // Removed however the test ends, so later tests never see this source's polls.
  t.after(() => ask('remove_source', { url: GUARDED }));
  const src = await until(async () => {
    const s = await source(GUARDED);
    return s?.last_success || s?.last_error ? s : null;
  }, 'the first poll of the guarded shop page', TAB_POLL_MS);
  assert.equal(src.last_error ?? '', '');
  const hits = etsy.hits.filter((h) => h.path === '/de/shop/Tonwerk/reviews').map((h) => h.dest);
  assert.deepEqual(hits.slice(0, 2), ['empty', 'document'], 'the fetch met the bot check, then the tab loaded it');
  const { tabs } = await spy();
  assert.ok(tabs.length >= 1 && tabs.every((t) => t.active === false), `background tabs only: ${JSON.stringify(tabs)}`);
  await until(async () => platformTabs().length === 0, 'the background tab to close');
  const stored = (await ask('list_inbox', { platform: 'etsy' })).items.filter((/** @type {any} */ i) => i.review.id.startsWith('41'));
  assert.ok(stored.length >= 3, `the shop page's reviews are stored: ${stored.length}`);
  await sleep(BATCH_WINDOW_MS);
  assert.ok((await spy()).notes.length <= notesBefore + 1, 'at most one more notification');
});

test('a background tab that never gets its page is replaced by a fresh one within the same poll', async (t) => {
  const tabsBefore = (await spy()).tabs.length;
  await ask('add_source', { url: STUCK });
  t.after(() => ask('remove_source', { url: STUCK }));
  const src = await until(async () => {
    const s = await source(STUCK);
    return s?.last_success || s?.last_error ? s : null;
  }, 'the first poll of the stuck page', TAB_POLL_MS);
  assert.equal(src.last_error ?? '', '', 'the first poll succeeded, through the second tab');
  const hits = etsy.hits.filter((h) => h.path === '/shop/Haengt/reviews').map((h) => h.dest);
  // One fetch, then two tab loads before the next fetch: both tabs served the one poll.
  assert.deepEqual(hits.slice(0, 3), ['empty', 'document', 'document'], 'the fetch, the stuck tab, the fresh tab');
  assert.notEqual(hits[3], 'document', `no third tab: ${hits}`);
  const tabs = (await spy()).tabs.slice(tabsBefore);
  assert.ok(tabs.length >= 2 && tabs.every((tab) => tab.active === false), `background tabs: ${JSON.stringify(tabs)}`);
  await until(async () => platformTabs().length === 0, 'both tabs to close');
});

test('a page that only shows a sign-in form: the source says to open it once, no tab stays open', async (t) => {
  const notesBefore = (await spy()).notes.length;
  await ask('add_source', { url: SIGNED_OUT });
  t.after(() => ask('remove_source', { url: SIGNED_OUT }));
  const src = await until(async () => {
    const s = await source(SIGNED_OUT);
    return s?.last_error ? s : null;
  }, 'the signed-out page to fail', TAB_POLL_MS);
  assert.match(src.last_error, /open this page once/);
  assert.equal(src.last_success, null);
  // This page's notification: earlier tests' sources raised their own under the same id.
  const note = await until(async () => (await spy()).notes.slice(notesBefore)
    .find((n) => n.id === 'calmreply-source' && n.title.includes('Abgemeldet')), 'the source-error notification');
  assert.match(note.title, /could not be read: .*Abgemeldet.*open this page once/, note.title);
  await until(async () => platformTabs().length === 0, 'the background tab to close');
  const options = await browser.context.newPage();
  await options.goto(`chrome-extension://${browser.id}/options/options.html`);
  await options.locator('#sources .error', { hasText: 'open this page once' }).waitFor();
  await options.close();
});
