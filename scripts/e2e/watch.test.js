// Issue 6: the agent watches an Etsy seller page through the extension. The
// extension loads the page in the seller's session (here: a fixture under
// Etsy's URL), the agent stores the new reviews and pushes them, and the
// extension raises ONE notification, sets the toolbar badge to the open count
// and lists the reviews in the inbox, most urgent first.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ARTIFACTS, buildAgent, daysAgo, fixture, launch, pair, serveFixtures, startAgent } from './harness.js';

const SELLER_URL = 'https://www.etsy.com/your/shops/me/reviews';

/** @type {Awaited<ReturnType<typeof startAgent>>} */
let agent;
/** @type {Awaited<ReturnType<typeof launch>>} */
let browser;

before(async () => {
  agent = await startAgent(buildAgent());
  browser = await launch();
  await serveFixtures(browser.context, [
    [/^https:\/\/www\.etsy\.com\/your\/shops\/me\/reviews/, fixture('scrapers', 'etsy', 'testdata', 'seller_reviews.html'),
      (html) => html.replace('datetime="2024-06-02"', `datetime="${daysAgo(2)}"`)],
    [/^https:\/\/www\.etsy\.com\//, null],
  ]);
  await pair(browser.context, browser.id, agent);
  // Spy on notifications inside the service worker; the real API still runs.
  await browser.sw.evaluate(() => {
    const g = /** @type {any} */ (globalThis);
    g.__notes = [];
    const real = chrome.notifications.create.bind(chrome.notifications);
    chrome.notifications.create = /** @type {any} */ ((id, opts) => {
      g.__notes.push({ id, title: opts.title, message: opts.message });
      return real(id, opts);
    });
  });
});

after(async () => {
  await browser?.context.close();
  await agent?.stop();
});

/** Polls the worker until fn returns a truthy value. */
async function inWorker(fn, what, timeout = 30_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await browser.sw.evaluate(fn);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

test('a watched Etsy page is fetched by the extension, announced once, counted on the badge and listed by urgency', async () => {
  const options = await browser.context.newPage();
  await options.goto(`chrome-extension://${browser.id}/options/options.html`);
  await options.fill('#source-url', SELLER_URL);
  await options.click('#source-form button[type=submit]');
  await options.locator('#sources a', { hasText: SELLER_URL }).waitFor();

  const notes = await inWorker(() => {
    const n = /** @type {any} */ (globalThis).__notes;
    return n.length ? n : null;
  }, 'a notification');
  await sleep(2500); // longer than the worker's batching window: a storm would show up here
  const all = await browser.sw.evaluate(() => /** @type {any} */ (globalThis).__notes);
  assert.equal(all.filter((n) => n.id === 'calmreply-new').length, 1, `one notification for the batch: ${JSON.stringify(all)}`);
  assert.match(notes[0].title, /review/i);

  // The source's state is visible: last success set, no error.
  await options.reload();
  const info = await options.locator('#sources tr').first().textContent();
  assert.doesNotMatch(info ?? '', /Last read: never/, `source state: ${info}`);

  // The page was read without leaving a tab open in front of the seller.
  const open = browser.context.pages().map((p) => p.url());
  assert.ok(!open.some((u) => u.startsWith('https://www.etsy.com/')), `no Etsy tab left open: ${open}`);

  // Badge = open reviews according to the agent.
  const badge = await inWorker(async () => (await chrome.action.getBadgeText({})) || null, 'a badge');
  const inbox = await options.evaluate(() => chrome.runtime.sendMessage({ type: 'list_inbox', data: { state: 'open', limit: 1 } }));
  assert.ok(inbox.ok, JSON.stringify(inbox));
  assert.equal(badge, String(inbox.data.open), 'badge shows the open count');
  assert.ok(inbox.data.open >= 1);

  // Inbox: most urgent first.
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${browser.id}/inbox/inbox.html`);
  await page.locator('#items li').first().waitFor();
  const items = await page.evaluate(() => [...document.querySelectorAll('#items li')].map((li) => ({
    id: /** @type {HTMLElement} */ (li).dataset.reviewId,
    level: /** @type {HTMLElement} */ (li).dataset.level ?? null,
    deadline: li.querySelector('.deadline')?.textContent ?? null,
  })));
  assert.ok(items.length >= 1, 'inbox lists the reviews');
  const all2 = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'list_inbox', data: { limit: 200 } }));
  const due = new Map(all2.data.items.map((it) => [it.review.id, it.deadline?.due ? Date.parse(it.deadline.due) : Infinity]));
  const order = items.map((it) => due.get(it.id));
  assert.deepEqual(order, [...order].sort((a, b) => a - b), `inbox sorted by deadline: ${JSON.stringify(items)}`);
  assert.ok(items.some((it) => it.id === '6300000201'), 'the 2-star review is in the inbox');
  await page.screenshot({ path: path.join(ARTIFACTS, 'inbox.png'), fullPage: true });
});
