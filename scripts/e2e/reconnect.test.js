// The connection survives what happens to it in real use: the agent stops and
// comes back (the worker reconnects with backoff and re-authenticates with the
// stored token, and settings saved meanwhile reach the agent), and the browser
// stops the idle service worker (the next page wakes it, it reconnects lazily).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  buildAgent, fixture, launch, pair, serveFixtures, startAgent, waitForCards,
} from './harness.js';

/** @type {string} */
let bin;
/** @type {Awaited<ReturnType<typeof startAgent>>} */
let agent;
/** @type {Awaited<ReturnType<typeof launch>>} */
let browser;

before(async () => {
  bin = buildAgent();
  agent = await startAgent(bin);
  browser = await launch();
  await serveFixtures(browser.context, [
    [/^https:\/\/www\.etsy\.com\/your\/shops\/me\/reviews/, fixture('scrapers', 'etsy', 'testdata', 'seller_reviews.html')],
    [/^https:\/\/www\.etsy\.com\//, null],
  ]);
  await pair(browser.context, browser.id, agent);
});

after(async () => {
  await browser?.context.close();
  await agent?.stop();
});

/** Asks the worker from an extension page. @param {import('playwright-core').Page} page */
function ask(page, type, data = {}) {
  return page.evaluate(([t, d]) => chrome.runtime.sendMessage({ type: t, data: d }), [type, data]);
}

test('the options page saves the seller settings in the agent and shows them again', async () => {
  const options = await browser.context.newPage();
  await options.goto(`chrome-extension://${browser.id}/options/options.html`);
  await options.locator('#settings-form').waitFor();
  await options.fill('#shop_name', 'Tonwerk');
  await options.fill('#email', 'hallo@tonwerk.example');
  await options.selectOption('#tone', 'informal');
  await options.check('input[name=offer][value=replacement]');
  await options.click('#add-phrase');
  await options.fill('#phrases tr:last-child input[name=lang]', 'de');
  await options.fill('#phrases tr:last-child input[name=key]', 'closing');
  await options.fill('#phrases tr:last-child input[name=text]', 'Herzlich, Anna');
  await options.fill('#tz', 'Europe/Berlin');
  await options.click('#settings-form button[type=submit]');
  await options.locator('#settings-status', { hasText: 'Saved.' }).waitFor();

  const stored = await ask(options, 'get_settings');
  assert.ok(stored.ok, JSON.stringify(stored));
  assert.equal(stored.data.shop_name, 'Tonwerk');
  assert.equal(stored.data.contact.email, 'hallo@tonwerk.example');
  assert.equal(stored.data.tone, 'informal');
  assert.equal(stored.data.offers.replacement, true);
  assert.equal(stored.data.phrases?.de?.closing, 'Herzlich, Anna');
  assert.deepEqual(stored.data.hours, { tz: 'Europe/Berlin', start: '09:00', end: '18:00', days: [1, 2, 3, 4, 5] });

  await options.reload();
  await options.locator('#shop_name').waitFor();
  await options.waitForFunction(() => /** @type {HTMLInputElement} */ (document.querySelector('#shop_name')).value === 'Tonwerk');
  assert.equal(await options.inputValue('#phrases tr:last-child input[name=text]'), 'Herzlich, Anna');
  assert.equal(await options.inputValue('#tone'), 'informal');
  await options.close();
});

test('settings saved while the agent is down reach it once it is back', async () => {
  const options = await browser.context.newPage();
  await options.goto(`chrome-extension://${browser.id}/options/options.html`);
  await options.locator('#settings-form').waitFor();
  await agent.stop();

  await options.fill('#shop_name', 'Papierwerk');
  await options.fill('#signature', 'Lena von Papierwerk');
  await options.click('#settings-form button[type=submit]');
  await options.locator('#settings-status', { hasText: 'as soon as it is running' }).waitFor({ timeout: 10_000 });

  agent = await startAgent(bin, [], { port: agent.port, data: agent.data });
  // No new pairing: the stored token re-authenticates; the outbox is re-sent.
  const end = Date.now() + 30_000;
  let settings = null;
  while (Date.now() < end) {
    const res = await ask(options, 'get_settings');
    if (res.ok && res.data.shop_name === 'Papierwerk') {
      settings = res.data;
      break;
    }
    await sleep(300);
  }
  assert.ok(settings, 'the agent has the settings typed while it was down');
  assert.equal(settings.signature, 'Lena von Papierwerk');
  const status = await ask(options, 'status');
  assert.equal(status.data.status, 'connected');
  await options.close();
});

test('a stopped service worker wakes for the next page and reconnects with its token', async () => {
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  /** @type {string[]} */
  const versions = [];
  /** @type {string[]} */
  const statuses = [];
  cdp.on('ServiceWorker.workerVersionUpdated', (ev) => {
    for (const v of ev.versions) {
      if (v.scriptURL.startsWith(`chrome-extension://${browser.id}/`)) statuses.push(`${v.versionId}:${v.runningStatus}`);
      if (v.scriptURL.startsWith(`chrome-extension://${browser.id}/`) && v.runningStatus === 'running') versions.push(v.versionId);
    }
  });
  await cdp.send('ServiceWorker.enable');
  const end = Date.now() + 5000;
  while (!versions.length && Date.now() < end) await sleep(100);
  assert.ok(versions.length, 'found the running worker');
  await cdp.send('ServiceWorker.stopWorker', { versionId: versions[versions.length - 1] });
  const stopEnd = Date.now() + 5000;
  while (!statuses.some((s) => s.endsWith(':stopped')) && Date.now() < stopEnd) await sleep(100);
  assert.ok(statuses.some((s) => s.endsWith(':stopped')), `the worker stopped: ${statuses}`);

  await page.goto('https://www.etsy.com/your/shops/me/reviews');
  await waitForCards(page, 3);
  assert.ok(statuses.at(-1)?.endsWith(':running'), `the page woke the worker again: ${statuses}`);
  await page.close();
});
