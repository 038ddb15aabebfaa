// Issue 3 (Google): Maps place page, the owner's Business Profile reviews page,
// lazily loaded cards and a redesigned page, on the repository's Google fixtures
// served under Google's URLs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, count, emulateReveal, fixture, platformSuite, readCard, waitForCards } from './harness.js';

const G = (/** @type {string} */ f) => fixture('scrapers', 'google', 'testdata', f);
const MAPS_URL = 'https://www.google.de/maps/place/Caf%C3%A9+Sonne/@52.52,13.40,17z/data=!4m8!3m7';
const BUSINESS_URL = 'https://business.google.com/reviews';
const MAPS_CARD = 'div[data-review-id][aria-label], div.jftiEf[data-review-id]';

/** @type {Awaited<ReturnType<typeof platformSuite>>} */
let suite;
/** @type {Awaited<ReturnType<typeof platformSuite>>['browser']} */
let browser;

before(async () => {
  suite = await platformSuite({
    routes: [
      [/^https:\/\/www\.google\.de\/maps\/place\/Caf/, G('maps_place_de.html')],
      [/^https:\/\/www\.google\.de\/maps\/place\/Redesigned/, G('err_markup_changed.html')],
      [/^https:\/\/business\.google\.com\/reviews/, G('business_reviews_en.html')],
      [/^https:\/\/(www|business)\.google\./, null],
    ],
    // Google's own script opens the shared reply dialog; the fixture is static.
    prepare: (context) => emulateReveal(context, { host: 'business.google.com', open: '[data-reply-button]', reveal: '[role="dialog"]' }),
    brokenUrl: 'https://www.google.de/maps/place/Redesigned',
  });
  browser = suite.browser;
});

after(async () => {
  await suite?.close();
});

test('Maps place page: a badge on every review card, and on cards loaded later', async () => {
  const page = await browser.context.newPage();
  await page.goto(MAPS_URL);
  const n = await count(page, MAPS_CARD);
  assert.ok(n >= 4, `fixture has ${n} cards`);
  await waitForCards(page, n);
  const cards = await page.evaluate(() => [...document.querySelectorAll('calmreply-card')].map((h) => ({
    kind: h.shadowRoot?.querySelector('[data-part="kind"]')?.textContent,
    lang: h.shadowRoot?.querySelector('[data-part="lang"]')?.textContent,
  })));
  assert.ok(cards.every((c) => c.kind && c.lang), `every card has kind and language: ${JSON.stringify(cards)}`);
  const langs = new Set(cards.map((c) => c.lang));
  assert.ok(langs.size >= 2, `reviews in several languages are told apart: ${[...langs]}`);

  // Maps loads more cards as the panel scrolls.
  const html = fs.readFileSync(G('maps_card_fragment_nl.html'), 'utf8').replaceAll('ChZDSUhNMG9nS0VJQ0FnSURubDA2EAE', 'ChZLateLoadedCardForTheTest01');
  await page.evaluate((h) => {
    const last = [...document.querySelectorAll('div[data-review-id][aria-label], div.jftiEf[data-review-id]')].pop();
    last?.insertAdjacentHTML('afterend', h);
  }, html);
  await waitForCards(page, n + 1);
  const late = await readCard(page, 'div[data-review-id="ChZLateLoadedCardForTheTest01"] calmreply-card');
  assert.equal(late?.lang, 'NL', `late card: ${JSON.stringify(late)}`);
  await page.screenshot({ path: path.join(ARTIFACTS, 'google-maps.png'), fullPage: true });
  await page.close();
});

test('Business Profile: rule notices, Insert fills the reply dialog and posts nothing', async () => {
  const page = await browser.context.newPage();
  await page.goto(BUSINESS_URL);
  const n = await count(page, MAPS_CARD);
  await waitForCards(page, n);
  const all = await page.evaluate(() => [...document.querySelectorAll('calmreply-card')].map((h) => h.parentElement?.getAttribute('data-review-id')));
  // Pick a review that has a draft and no published reply.
  /** @type {any} */
  let target = null;
  let targetId = '';
  for (const id of all) {
    const c = await readCard(page, `[data-review-id="${id}"] calmreply-card`);
    if (c?.draft && c.actions.includes('insert')) {
      target = c;
      targetId = /** @type {string} */ (id);
      break;
    }
  }
  assert.ok(target, 'some review offers a draft to insert');
  assert.ok(target.codes.includes('moderated'), `Google's moderation rule is shown: ${JSON.stringify(target.notices)}`);
  assert.ok(target.notices.some((t) => /Google checks owner replies/.test(t ?? '')), JSON.stringify(target.notices));

  await page.locator(`[data-review-id="${targetId}"] calmreply-card [data-act="insert"]`).click();
  const box = page.locator('[role="dialog"] textarea');
  await box.waitFor({ state: 'visible' });
  await page.waitForFunction(() => /** @type {any} */ (window).__calmreplySpy.inputs.length > 0);
  assert.equal(await box.inputValue(), target.draft);
  const spy = await page.evaluate(() => /** @type {any} */ (window).__calmreplySpy);
  assert.ok(spy.inputs.some((i) => i.value === target.draft || i.value?.length > 0), 'input event seen');
  assert.equal(spy.submits + spy.submitClicks, 0, 'nothing submitted');
  assert.deepEqual(suite.posts, []);
  await page.screenshot({ path: path.join(ARTIFACTS, 'google-business.png'), fullPage: true });
  await page.close();
});

test('a redesigned Maps page shows the notice', async () => {
  const page = await suite.brokenPage;
  const notice = page.locator('calmreply-page-notice [data-part="message"]');
  await notice.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match((await notice.textContent()) ?? '', /does not understand this page any more/);
  await page.close();
});
