// Issue 2 and 3 (Etsy): the real agent and the real extension in headless
// Chromium, with the repository's Etsy fixtures served under Etsy's URLs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, daysAgo, fixture, platformSuite, readCard, waitForCards } from './harness.js';

const ETSY = (/** @type {string} */ f) => fixture('scrapers', 'etsy', 'testdata', f);
const SELLER_URL = 'https://www.etsy.com/your/shops/me/reviews';
const SHOP_URL = 'https://www.etsy.com/de/shop/Tonwerk/reviews';

/** @type {Awaited<ReturnType<typeof platformSuite>>} */
let suite;
/** @type {Awaited<ReturnType<typeof platformSuite>>['browser']} */
let browser;
/** @type {import('playwright-core').Page} an extension page, to ask the worker like the inbox does */
let extPage;

before(async () => {
  suite = await platformSuite({
    routes: [
      // The 2-star review moves to 37 days ago, so Etsy's 100-day window has 63 days left today.
      [/^https:\/\/www\.etsy\.com\/your\/shops\/me\/reviews/, ETSY('seller_reviews.html'),
        (html) => html.replace('datetime="2024-06-02"', `datetime="${daysAgo(37)}"`)],
      // A seller page whose reply box the profile no longer finds (Etsy renamed the field).
      [/^https:\/\/www\.etsy\.com\/nl\/your\/shops\/me\/reviews/, ETSY('seller_reviews.html'),
        (html) => html.replaceAll('name="response"', 'name="reply-text"')],
      [/^https:\/\/www\.etsy\.com\/de\/shop\/Tonwerk/, ETSY('shop_reviews_de.html')],
      [/^https:\/\/www\.etsy\.com\/shop\/Redesigned/, ETSY('err_markup_changed.html')],
      [/^https:\/\/www\.etsy\.com\/shop\/Unrated/, ETSY('err_review_without_rating.html')],
      [/^https:\/\/www\.etsy\.com\//, null],
    ],
    // The fixture is static HTML; on the live page Etsy's own script reveals the
    // response form when "Respond" is clicked. Stand in for that script.
    prepare: (context) => context.addInitScript(() => {
      if (!location.pathname.includes('/your/shops/me/reviews')) return;
      document.addEventListener('click', (e) => {
        const btn = /** @type {Element} */ (e.target).closest?.('[data-review-action="respond"]');
        if (!btn) return;
        btn.setAttribute('aria-expanded', 'true');
        btn.parentElement?.querySelector('.response-form')?.removeAttribute('hidden');
      });
    }),
    brokenUrl: 'https://www.etsy.com/shop/Redesigned/reviews',
  });
  ({ browser, extPage } = suite);
});

after(async () => {
  await suite?.close();
});

test('the pinned extension id is the one the agent allows', () => {
  assert.equal(browser.id, 'ibggbgjdiobedfnopdpeknhhjdmakkok');
});

test('seller page: badge, draft, rule warning and deadline on every review; Insert fills the box and submits nothing', async () => {
  const page = await browser.context.newPage();
  await page.goto(SELLER_URL);
  const reviews = await page.locator('[data-review-id]').count();
  assert.equal(reviews, 3, 'fixture has three reviews');
  await waitForCards(page, reviews);

  for (const id of ['6300000201', '6300000202', '6300000203']) {
    const card = await readCard(page, `[data-review-id="${id}"] calmreply-card`);
    assert.ok(card, `review ${id} has no overlay`);
    assert.ok(card.kind, `review ${id}: no kind badge`);
    assert.equal(card.lang, 'EN', `review ${id}: language badge`);
  }

  const low = await readCard(page, '[data-review-id="6300000201"] calmreply-card');
  assert.ok(low?.draft && low.draft.length > 20, `2-star review: draft missing: ${JSON.stringify(low)}`);
  assert.ok(low.actions.includes('insert') && low.actions.includes('copy') && low.actions.includes('redraft'), `actions: ${low.actions}`);
  assert.ok(
    low.notices.some((n) => /stops the buyer from updating this review; 6[34] days left to solve it privately first/.test(n ?? '')),
    `2-star Etsy review shows the reply-locks-review warning; notices: ${JSON.stringify(low.notices)}`,
  );
  assert.ok(low.deadline, '2-star review shows a deadline');
  assert.match(low.deadline.text ?? '', /^(due in|overdue by) \d/);
  assert.match(low.deadline.cls, /\b(overdue|soon|ok)\b/);
  assert.notEqual(low.deadline.color, 'rgb(0, 0, 0)', 'deadline is coloured');

  const high = await readCard(page, '[data-review-id="6300000203"] calmreply-card');
  assert.ok(!high?.actions.includes('insert'), 'no Insert on a 5-star Etsy review');
  assert.ok(high?.notices.some((n) => /only reviews of 3 stars or fewer/.test(n ?? '')), `5-star notice: ${JSON.stringify(high?.notices)}`);

  // Insert: opens the reply box with the platform's own button, fills it, fires input.
  await page.locator('[data-review-id="6300000201"] calmreply-card [data-act="insert"]').click();
  const box = page.locator('[data-review-id="6300000201"] textarea[name="response"]');
  await box.waitFor({ state: 'visible' });
  await page.waitForFunction(() => /** @type {any} */ (window).__calmreplySpy.inputs.length > 0);
  const draftNow = await page.locator('[data-review-id="6300000201"] calmreply-card [data-part="draft"]').inputValue();
  assert.equal(await box.inputValue(), draftNow, 'reply box holds the draft');
  const spy = await page.evaluate(() => /** @type {any} */ (window).__calmreplySpy);
  assert.ok(spy.inputs.some((i) => i.name === 'response' && i.value === draftNow), `input event seen: ${JSON.stringify(spy.inputs)}`);
  assert.ok(spy.changes > 0, 'change event seen');
  assert.equal(spy.submits, 0, 'no form was submitted');
  assert.equal(spy.submitClicks, 0, 'the post button was never clicked');
  assert.deepEqual(suite.posts, [], 'no POST left the page');
  const status = await readCard(page, '[data-review-id="6300000201"] calmreply-card');
  assert.match(status?.status ?? '', /post it yourself/);

  // Copy works, or says how to copy by hand.
  await page.locator('[data-review-id="6300000201"] calmreply-card [data-act="copy"]').click();
  await page.waitForFunction(() => !!document.querySelector('[data-review-id="6300000201"] calmreply-card')?.shadowRoot
    ?.querySelector('[data-part="status"]')?.textContent?.match(/Cop/));

  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.locator('[data-review-id="6300000201"]').screenshot({ path: path.join(ARTIFACTS, 'etsy-overlay.png') });
  await page.screenshot({ path: path.join(ARTIFACTS, 'etsy-seller-page.png'), fullPage: true });
  await page.close();
});

test('Another wording gives a different draft; the private message is one click away', async () => {
  const page = await browser.context.newPage();
  await page.goto(SELLER_URL);
  await waitForCards(page, 3);
  const card = '[data-review-id="6300000201"] calmreply-card';
  const before = await readCard(page, card);
  await page.locator(`${card} [data-act="redraft"]`).click();
  await page.waitForFunction(([sel, old]) => {
    const v = /** @type {HTMLTextAreaElement | null} */ (document.querySelector(sel)?.shadowRoot?.querySelector('[data-part="draft"]'))?.value;
    return v && v !== old;
  }, [card, before?.draft]);
  const after = await readCard(page, card);
  assert.ok(after?.draft && after.draft !== before?.draft, 'a different wording');
  assert.ok(after.actions.includes('insert'), 'still insertable');

  await page.locator(`${card} [data-act="private"]`).click();
  const priv = page.locator(`${card} [data-part="private"]`);
  await priv.waitFor({ state: 'visible' });
  assert.ok(((await priv.inputValue()) ?? '').length > 20, 'the private message draft is shown');
  await page.close();
});

test('when the reply box is not found, the seller points at it once and it is remembered', async () => {
  const page = await browser.context.newPage();
  await page.goto('https://www.etsy.com/nl/your/shops/me/reviews');
  await waitForCards(page, 3);
  const card = '[data-review-id="6300000201"] calmreply-card';
  await page.locator(`${card} [data-act="insert"]`).click();
  await page.locator(`${card} [data-act="point"]`).waitFor({ timeout: 10_000 });
  assert.match((await readCard(page, card))?.status ?? '', /No reply box found/);

  await page.locator(`${card} [data-act="point"]`).click();
  await page.locator(`${card} [data-part="status"]`, { hasText: 'click the reply box' }).waitFor();
  const box = page.locator('[data-review-id="6300000201"] textarea[name="reply-text"]');
  await box.click();
  await page.locator(`${card} [data-part="status"]`, { hasText: 'Remembered' }).waitFor();
  const draft = (await readCard(page, card))?.draft;
  assert.equal(await box.inputValue(), draft, 'the pointed box got the draft');

  // From now on Insert finds it by itself, also after a reload.
  await page.reload();
  await waitForCards(page, 3);
  await page.locator(`${card} [data-act="insert"]`).click();
  await page.locator(`${card} [data-part="status"]`, { hasText: 'post it yourself' }).waitFor({ timeout: 10_000 });
  assert.equal(await box.inputValue(), (await readCard(page, card))?.draft);
  const spy = await page.evaluate(() => /** @type {any} */ (window).__calmreplySpy);
  assert.equal(spy.submits + spy.submitClicks, 0, 'nothing submitted');
  await page.close();
});

test('inserted, then the page shows the shop reply: the review counts as replied', async () => {
  const page = await browser.context.newPage();
  await page.goto(SELLER_URL);
  await waitForCards(page, 3);
  const card = '[data-review-id="6300000201"] calmreply-card';
  await page.locator(`${card} [data-act="insert"]`).click();
  await page.locator(`${card} [data-part="status"]`, { hasText: 'post it yourself' }).waitFor();
  // The seller posts it on Etsy; the page now shows the shop's reply under the review.
  await page.evaluate(() => {
    const region = document.querySelector('[data-review-id="6300000201"] [data-region="response"]');
    region?.insertAdjacentHTML('beforeend', '<div class="shop-response"><h3 data-response-heading>Your response</h3>' +
      '<p data-response-text>So sorry about the corner, Tom. A new print is on its way.</p></div>');
  });
  await page.locator(`${card} [data-part="replied"]`).waitFor({ timeout: 10_000 });
  const end = Date.now() + 10_000;
  let state = '';
  while (Date.now() < end) {
    const res = await extPage.evaluate(() => chrome.runtime.sendMessage({ type: 'list_inbox', data: { platform: 'etsy', limit: 50 } }));
    state = res.data?.items?.find((/** @type {any} */ it) => it.review.id === '6300000201')?.state ?? '';
    if (state === 'replied') break;
    await page.waitForTimeout(200);
  }
  assert.equal(state, 'replied');
  assert.ok(!(await readCard(page, card))?.actions.includes('insert'), 'no Insert once answered');
  await page.close();
});

test('public shop page: every review gets a badge, reviews loaded later too', async () => {
  const page = await browser.context.newPage();
  await page.goto(SHOP_URL);
  const n = await page.locator('[data-review-region]').count();
  assert.ok(n >= 3, `fixture has ${n} reviews`);
  await waitForCards(page, n);
  for (let i = 0; i < n; i++) {
    const card = await readCard(page, `[data-review-region] >> nth=${i}`.replace(' >> nth=' + i, `:nth-of-type(${i + 1}) calmreply-card`));
    // nth-of-type over siblings is fragile across layouts; fall back to index.
    const c = card ?? (await page.evaluate((k) => !!document.querySelectorAll('[data-review-region]')[k].querySelector('calmreply-card'), i));
    assert.ok(c, `review ${i} has no overlay`);
  }
  const langs = await page.evaluate(() => [...document.querySelectorAll('calmreply-card')]
    .map((h) => h.shadowRoot?.querySelector('[data-part="lang"]')?.textContent));
  assert.ok(langs.every(Boolean), `every card names a language: ${langs}`);
  assert.ok(langs.includes('DE'), `German reviews detected: ${langs}`);

  // The page loads more reviews (Etsy's pagination inserts review HTML): they get their overlay too.
  const more = fs.readFileSync(ETSY('fragment_review.html'), 'utf8').replace(/4100000002/g, '4199999991');
  await page.evaluate((html) => {
    const first = document.querySelector('[data-review-region]');
    first?.parentElement?.insertAdjacentHTML('beforeend', html);
  }, more);
  await waitForCards(page, n + 1);
  const late = await readCard(page, '[data-review-region="4199999991"] calmreply-card');
  assert.ok(late?.kind, 'the lazily added review has a badge');
  await page.screenshot({ path: path.join(ARTIFACTS, 'etsy-shop-page.png'), fullPage: true });
  await page.close();
});

test('a page whose markup no longer matches shows the notice', async () => {
  const page = await suite.brokenPage;
  const notice = page.locator('calmreply-page-notice [data-part="message"]');
  await notice.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match((await notice.textContent()) ?? '', /does not understand this page any more/);
  await page.close();
});

test('a review the agent cannot read says so on the review', async () => {
  const page = await browser.context.newPage();
  await page.goto('https://www.etsy.com/shop/Unrated/reviews');
  const itemError = page.locator('[data-review-region] calmreply-card [data-part="item-error"]');
  await itemError.waitFor({ state: 'visible', timeout: 10_000 });
  assert.equal(await itemError.textContent(), 'calmreply could not read this review (MARKUP_CHANGED).');
  await page.close();
});
