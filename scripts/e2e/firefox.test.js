// Firefox smoke test: the same extension folder loads as a Firefox add-on
// (manifest with background scripts, gecko id, a CSP that leaves
// ws://127.0.0.1 alone), pairs with the real agent from its popup page,
// talks to it over ws://127.0.0.1 with a moz-extension:// origin, and puts
// badges on an Etsy fixture served under Etsy's real URL.
//
// Driven by puppeteer-core over WebDriver BiDi (no geckodriver here). Two
// quirks of that route: BiDi may not navigate a tab to a moz-extension://
// page, so the test uses the pairing page the add-on opens on install; and
// puppeteer reports that tab as about:blank, so it is found by asking each
// tab where it is.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { EXTENSION, buildAgent, fixture, startAgent, tempDir } from './harness.js';

const FIREFOX = ['/usr/bin/firefox-esr', '/usr/bin/firefox'].find((p) => fs.existsSync(p));
const GECKO_ID = JSON.parse(fs.readFileSync(`${EXTENSION}/manifest.json`, 'utf8')).browser_specific_settings.gecko.id;
// Firefox gives each install a random origin; a pref pins it so the test knows it.
const UUID = '3f6c2a0e-8d1b-4c57-9e2a-5b7d0c1e9f40';
const SHOP_URL = 'https://www.etsy.com/de/shop/Tonwerk/reviews';

/** @type {import('puppeteer-core')} */
let puppeteer;
try {
  puppeteer = (await import('puppeteer-core')).default;
} catch {
  // reported by the skip below
}
const skip = !FIREFOX ? 'Firefox is not installed (scripts/e2e/run installs firefox-esr from Debian)'
  : !puppeteer ? 'puppeteer-core is not installed (npm ci in scripts/e2e)' : false;

/** @type {Awaited<ReturnType<typeof startAgent>>} */
let agent;
/** @type {import('puppeteer-core').Browser} */
let browser;
/** @type {import('puppeteer-core').Page} */
let popup;

before(async () => {
  if (skip) return;
  agent = await startAgent(buildAgent());
  browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    userDataDir: tempDir('calmreply-firefox-'),
    enableExtensions: [EXTENSION],
    extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: UUID }) },
  });
}, { timeout: 60_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await agent?.stop();
});

/** Finds the tab showing one of our pages; puppeteer's url() says about:blank for it. */
async function extensionTab(timeout = 15_000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    for (const p of await browser.pages()) {
      const href = await p.evaluate(() => location.href).catch(() => '');
      if (href.startsWith(`moz-extension://${UUID}/`)) return { page: p, href };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return null;
}

test('the add-on installs: its background runs and opens the pairing page', { skip }, async () => {
  const tab = await extensionTab();
  assert.ok(tab, `no moz-extension://${UUID}/ page: the manifest was refused or the background did not run`);
  assert.match(tab.href, /\/popup\/popup\.html\?welcome$/);
  popup = tab.page;
});

test('pairs from the popup and connects over ws://127.0.0.1 (moz-extension origin + token)', { skip }, async () => {
  assert.ok(popup, 'the pairing page is open');
  await popup.waitForSelector('#pair-form:not([hidden])', { timeout: 10_000 });
  await popup.$eval('#port', (e, port) => { /** @type {HTMLInputElement} */ (e).value = port; }, String(agent.port));
  await popup.type('#code', agent.code);
  await popup.click('#pair');
  await popup.waitForSelector('#pair-result[data-ok]', { timeout: 15_000 });
  const [ok, text] = await popup.$eval('#pair-result', (e) => [/** @type {HTMLElement} */ (e).dataset.ok, e.textContent]);
  assert.equal(ok, 'true', `pairing failed: ${text}\nagent output:\n${agent.log()}`);
  await popup.waitForSelector('#status[data-state="connected"]', { timeout: 10_000 });
});

test('an Etsy page under its real URL gets a badge on every review', { skip }, async () => {
  assert.ok(popup, 'paired first');
  const page = await browser.newPage();
  // Request interception works over BiDi in Firefox: the fixture answers for
  // Etsy's URL, everything else on the web is refused.
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    const url = req.url();
    if (url.startsWith(SHOP_URL)) {
      req.respond({
        status: 200, contentType: 'text/html; charset=utf-8',
        body: fs.readFileSync(fixture('scrapers', 'etsy', 'testdata', 'shop_reviews_de.html'), 'utf8'),
      });
    } else if (/^https?:\/\//.test(url)) {
      req.abort();
    } else {
      req.continue();
    }
  });
  await page.goto(SHOP_URL);
  const reviews = await page.$$eval('[data-review-region]', (els) => els.length);
  assert.ok(reviews >= 3, `fixture has ${reviews} reviews`);
  await page.waitForFunction((n) => document.querySelectorAll('calmreply-card').length >= n, { timeout: 20_000 }, reviews)
    .catch(async () => {
      const cards = await page.$$eval('calmreply-card', (els) => els.length);
      throw new Error(`expected ${reviews} overlay cards, found ${cards}\nagent output:\n${agent.log()}`);
    });
  const langs = await page.$$eval('calmreply-card', (els) => els.map((h) => h.shadowRoot?.querySelector('[data-part="lang"]')?.textContent ?? null));
  assert.ok(langs.every(Boolean), `every card names a language: ${langs}`);
  assert.ok(langs.includes('DE'), `German reviews detected: ${langs}`);
  const kinds = await page.$$eval('calmreply-card', (els) => els.map((h) => h.shadowRoot?.querySelector('[data-part="kind"]')?.textContent ?? null));
  assert.ok(kinds.every(Boolean), `every card names a kind: ${kinds}`);
  await page.close();
});
