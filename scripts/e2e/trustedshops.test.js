// Issue 3 (Trusted Shops): the public profile and the eTrusted review inbox
// (contenteditable reply box), lazily added cards and a redesigned profile,
// on the repository's fixtures served under the real URLs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, count, emulateReveal, fixture, platformSuite, readCard, waitForCards } from './harness.js';

const TS = (/** @type {string} */ f) => fixture('scrapers', 'trustedshops', 'testdata', f);
const PROFILE_URL = 'https://www.trustedshops.de/bewertung/info_X0123456789ABCDEF0123456789ABCDEF.html';
const BROKEN_URL = 'https://www.trustedshops.de/bewertung/info_XFEDCBA9876543210FEDCBA9876543210.html';
const INBOX_URL = 'https://app.etrusted.com/etrusted/reviews/inbox?channel=chl-1';

/** @type {Awaited<ReturnType<typeof platformSuite>>} */
let suite;
/** @type {Awaited<ReturnType<typeof platformSuite>>['browser']} */
let browser;

before(async () => {
  suite = await platformSuite({
    routes: [
      [/^https:\/\/www\.trustedshops\.de\/bewertung\/info_X0123/, TS('profile_de.html')],
      [/^https:\/\/www\.trustedshops\.de\/bewertung\/info_XFEDC/, TS('err_markup_changed.html')],
      [/^https:\/\/app\.etrusted\.com\/etrusted\/reviews\/inbox/, TS('inbox.html')],
      [/^https:\/\/(www\.trustedshops\.de|app\.etrusted\.com)\//, null],
    ],
    // eTrusted's own script opens the editor under the clicked review.
    prepare: (context) => emulateReveal(context, {
      host: 'app.etrusted.com', open: '[data-testid="reply-button"]', scope: '[data-testid="review-list-item"]',
      reveal: '[data-testid="reply-editor"]',
    }),
    brokenUrl: BROKEN_URL,
  });
  browser = suite.browser;
});

after(async () => {
  await suite?.close();
});

test('public profile: a badge on every review, and on reviews loaded later', async () => {
  const page = await browser.context.newPage();
  await page.goto(PROFILE_URL);
  const n = await count(page, '[data-testid="review-card"]');
  assert.ok(n >= 3, `fixture has ${n} cards`);
  await waitForCards(page, n);
  const kinds = await page.evaluate(() => [...document.querySelectorAll('calmreply-card')]
    .map((h) => h.shadowRoot?.querySelector('[data-part="kind"]')?.textContent));
  assert.ok(kinds.every(Boolean), `every card has a kind: ${kinds}`);

  const card = fs.readFileSync(TS('fragment_card.html'), 'utf8');
  const id = /\sid="review-([^"]+)"/.exec(card)?.[1];
  assert.ok(id, 'fragment has a review id');
  await page.evaluate((h) => {
    const last = [...document.querySelectorAll('[data-testid="review-card"]')].pop();
    last?.insertAdjacentHTML('afterend', h);
  }, card.replaceAll(id, 'late-loaded-0001'));
  await waitForCards(page, n + 1);
  assert.ok((await readCard(page, '#review-late-loaded-0001 calmreply-card'))?.kind, 'late card has a badge');
  await page.screenshot({ path: path.join(ARTIFACTS, 'trustedshops-profile.png'), fullPage: true });
  await page.close();
});

test('eTrusted inbox: rule notices; Insert fills the contenteditable editor and submits nothing', async () => {
  const page = await browser.context.newPage();
  await page.goto(INBOX_URL);
  const n = await count(page, '[data-testid="review-list-item"]');
  await waitForCards(page, n);
  const sel = '[data-review-id="rev-11111111-2222-4333-8444-000000000101"]';
  const card = await readCard(page, `${sel} calmreply-card`);
  assert.ok(card?.draft, `1-star review has a draft: ${JSON.stringify(card)}`);
  assert.ok(card.codes.includes('moderated') || card.codes.includes('cannot_delete'), `rule notices: ${JSON.stringify(card.notices)}`);
  assert.ok(card.notices.some((t) => /reported|report|stays visible/i.test(t ?? '')), JSON.stringify(card.notices));

  await page.locator(`${sel} calmreply-card [data-act="insert"]`).click();
  const editor = page.locator(`${sel} [data-testid="reply-editor"] [contenteditable="true"]`);
  await editor.waitFor({ state: 'visible' });
  await page.waitForFunction(() => /** @type {any} */ (window).__calmreplySpy.inputs.length > 0);
  assert.equal((await editor.innerText()).trim(), card.draft.trim(), 'the editor holds the draft, line breaks included');
  const spy = await page.evaluate(() => /** @type {any} */ (window).__calmreplySpy);
  assert.ok(spy.inputs.length > 0, 'input event seen');
  assert.equal(spy.submits, 0, 'no form submitted');
  assert.equal(spy.submitClicks, 0, 'publish never clicked');
  assert.deepEqual(suite.posts, []);
  await page.screenshot({ path: path.join(ARTIFACTS, 'trustedshops-inbox.png'), fullPage: true });
  await page.close();
});

test('a redesigned profile shows the notice', async () => {
  const page = await suite.brokenPage;
  const notice = page.locator('calmreply-page-notice [data-part="message"]');
  await notice.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match((await notice.textContent()) ?? '', /does not understand this page any more/);
  await page.close();
});
