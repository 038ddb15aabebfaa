// Shared setup for the browser tests: build and start the real agent, launch
// Debian's Chromium with the unpacked extension, pair through the real popup,
// and serve the repository's fixtures under the platforms' real URLs.

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EXTENSION = path.join(REPO, 'extension');
export const ARTIFACTS = path.join(REPO, 'artifacts');
export const CHROMIUM = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => fs.existsSync(p)) ?? '/usr/bin/chromium';

/** A directory removed when the process exits. */
export function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The agent binary: the one scripts/e2e/run built for the whole suite
 * ($CALMREPLY_AGENT), else built here for this file.
 */
export function buildAgent() {
  const prebuilt = process.env.CALMREPLY_AGENT;
  if (prebuilt && fs.existsSync(prebuilt)) return prebuilt;
  const out = path.join(tempDir('calmreply-bin-'), 'agent');
  execFileSync('go', ['build', '-o', out, './agent'], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] });
  return out;
}

/** @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts the agent on a free port with a fresh data dir (or the given ones,
 * to restart an agent); resolves once it has printed its pairing code.
 * @param {string} bin
 * @param {string[]} [extraArgs]
 * @param {{port?: number, data?: string}} [reuse]
 */
export async function startAgent(bin, extraArgs = [], reuse = {}) {
  const port = reuse.port ?? (await freePort());
  const data = reuse.data ?? tempDir('calmreply-data-');
  const proc = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--data', data, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stderr.on('data', (b) => { output += b; });
  const code = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent printed no pairing code within 15 s:\n${output}`)), 15_000);
    proc.stdout.on('data', (b) => {
      output += b;
      const m = /pairing code:\s*([A-Z0-9]{3}-[A-Z0-9]{3})/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on('exit', (c) => reject(new Error(`agent exited with ${c} before printing a pairing code:\n${output}`)));
  });
  proc.removeAllListeners('exit');
  return {
    port, data, code, proc,
    log: () => output,
    stop: () => new Promise((resolve) => {
      if (proc.exitCode !== null) return resolve(undefined);
      proc.once('exit', resolve);
      proc.kill('SIGTERM');
    }),
  };
}

/**
 * Launches headless Chromium with the unpacked extension (flags from
 * shared/notes/browser-testing.md) and finds the extension's id.
 * @param {string[]} [extraArgs] more Chromium flags (perf.mjs maps the platform host to a local server)
 */
export async function launch(extraArgs = []) {
  const userData = tempDir('calmreply-profile-');
  const context = await chromium.launchPersistentContext(userData, {
    executablePath: CHROMIUM,
    headless: false, // plain --headless below: the new headless mode, which runs extensions
    args: [
      '--headless',
      `--disable-extensions-except=${EXTENSION}`,
      `--load-extension=${EXTENSION}`,
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--lang=en-US',
      ...extraArgs,
    ],
    locale: 'en-US',
    viewport: { width: 1100, height: 900 },
  });
  let [sw] = context.serviceWorkers();
  if (!sw) sw = await context.waitForEvent('serviceworker', { timeout: 15_000 });
  const id = new URL(sw.url()).host;
  return { context, sw, id };
}

/**
 * Pairs through the popup page, as a seller would.
 * @param {import('playwright-core').BrowserContext} context
 * @param {string} id
 * @param {{port: number, code: string}} agent
 */
export async function pair(context, id, agent) {
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${id}/popup/popup.html`);
  await popup.locator('#pair-form').waitFor({ state: 'visible' });
  await popup.fill('#port', String(agent.port));
  await popup.fill('#code', agent.code);
  await popup.click('#pair');
  await popup.locator('#pair-result[data-ok]').waitFor({ state: 'attached', timeout: 15_000 });
  const ok = await popup.getAttribute('#pair-result', 'data-ok');
  const text = await popup.textContent('#pair-result');
  if (ok !== 'true') throw new Error(`pairing failed in the popup: ${text}`);
  await popup.locator('#status[data-state="connected"]').waitFor({ state: 'attached', timeout: 10_000 });
  return popup;
}

/**
 * Serves fixture files under real URLs. routes: [RegExp, file path | null,
 * transform?]; the first whose pattern matches the URL answers (null = 404),
 * after the optional transform of the file's text (e.g. moving a date so a
 * review is inside the platform's window today). Every other request from
 * pages is refused so nothing leaves the machine.
 * @param {import('playwright-core').BrowserContext} context
 * @param {[RegExp, string | null, ((html: string) => string)?][]} routes
 */
export async function serveFixtures(context, routes) {
  await context.route(/^https?:\/\//, (route) => {
    const url = route.request().url();
    if (url.startsWith('http://127.0.0.1')) return route.continue();
    for (const [re, file, transform] of routes) {
      if (!re.test(url)) continue;
      if (!file) return route.fulfill({ status: 404, contentType: 'text/html', body: '<!DOCTYPE html><title>Not found</title>' });
      const text = fs.readFileSync(file, 'utf8');
      return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: transform ? transform(text) : text });
    }
    return route.abort('blockedbyclient');
  });
}

/**
 * Installs page-side spies before any page script: input events on editable
 * elements, form submits (prevented and counted), clicks on submit controls.
 * @param {import('playwright-core').BrowserContext} context
 */
export async function installSpies(context) {
  await context.addInitScript(() => {
    const spy = { inputs: /** @type {any[]} */ ([]), changes: 0, submits: 0, submitClicks: 0 };
    Object.defineProperty(window, '__calmreplySpy', { value: spy });
    document.addEventListener('input', (e) => {
      const t = /** @type {any} */ (e.target);
      spy.inputs.push({ name: t?.getAttribute?.('name') ?? t?.tagName, value: t?.value ?? t?.textContent, type: e.type });
    }, true);
    document.addEventListener('change', () => { spy.changes++; }, true);
    document.addEventListener('submit', (e) => { spy.submits++; e.preventDefault(); }, true);
    document.addEventListener('click', (e) => {
      const t = /** @type {any} */ (e.target);
      if (t?.closest?.('button[type=submit], input[type=submit], [data-review-action="submit-response"]')) spy.submitClicks++;
    }, true);
  });
}

/**
 * Waits until n overlay cards are rendered, with a failure that says what
 * the page shows instead.
 * @param {import('playwright-core').Page} page
 * @param {number} n
 */
export async function waitForCards(page, n, timeout = 20_000) {
  try {
    await page.waitForFunction((want) => document.querySelectorAll('calmreply-card').length >= want, n, { timeout });
  } catch (e) {
    const have = await page.evaluate(() => ({
      cards: document.querySelectorAll('calmreply-card').length,
      notice: document.querySelector('calmreply-page-notice')?.shadowRoot?.textContent ?? null,
    }));
    throw new Error(`expected ${n} overlay cards on ${page.url()}, found ${have.cards}; page notice: ${have.notice}`);
  }
}

/** Reads what a card shows, by its part names. @param {import('playwright-core').Page} page @param {string} sel */
export function readCard(page, sel) {
  return page.evaluate((s) => {
    const host = document.querySelector(s);
    const root = host?.shadowRoot;
    if (!root) return null;
    const text = (/** @type {string} */ p) => [...root.querySelectorAll(`[data-part="${p}"]`)].filter((e) => !(/** @type {HTMLElement} */ (e).hidden)).map((e) => e.textContent?.trim());
    const dl = /** @type {HTMLElement | null} */ (root.querySelector('[data-part="deadline"]'));
    return {
      kind: text('kind')[0] ?? null,
      lang: text('lang')[0] ?? null,
      topics: text('topic'),
      notices: text('notice'),
      codes: [...root.querySelectorAll('[data-part="notice"]')].map((e) => e.getAttribute('data-code')),
      note: text('note')[0] ?? null,
      draft: /** @type {HTMLTextAreaElement | null} */ (root.querySelector('[data-part="draft"]'))?.value ?? null,
      deadline: dl && !dl.hidden ? { text: dl.textContent, cls: dl.className, color: getComputedStyle(dl).color } : null,
      actions: [...root.querySelectorAll('[data-act]')].map((b) => b.getAttribute('data-act')),
      status: root.querySelector('[data-part="status"]')?.textContent ?? '',
    };
  }, sel);
}

export function fixture(...parts) {
  return path.join(REPO, ...parts);
}

/** YYYY-MM-DD of the day `days` before today (UTC). @param {number} days */
export function daysAgo(days) {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Stands in for a platform's own script on a static fixture: a click on an
 * element matching `open` reveals the element matching `reveal` (searched in
 * the nearest `scope` ancestor, else the document) by dropping its hidden
 * attribute and display:none.
 * @param {import('playwright-core').BrowserContext} context
 * @param {{host: string, open: string, scope?: string, reveal: string}} rule
 */
export async function emulateReveal(context, rule) {
  await context.addInitScript((r) => {
    if (location.hostname !== r.host) return;
    document.addEventListener('click', (e) => {
      const btn = /** @type {Element} */ (e.target).closest?.(r.open);
      if (!btn) return;
      const scope = r.scope ? btn.closest(r.scope) : null;
      const el = /** @type {HTMLElement | null} */ ((scope ?? document).querySelector(r.reveal));
      if (!el) return;
      el.removeAttribute('hidden');
      el.style.display = 'block';
    });
  }, rule);
}

/** The number of page elements matching a selector. @param {import('playwright-core').Page} page @param {string} sel */
export function count(page, sel) {
  return page.evaluate((s) => document.querySelectorAll(s).length, sel);
}

/**
 * One platform's browser suite, set up the same way for every platform: the
 * real agent, Chromium with the extension, the platform's fixtures served
 * under its real URLs, the page spies, every POST recorded, and the extension
 * paired. `prepare` stands in for the platform's own page script (revealing
 * the reply box); `brokenUrl` is opened at once, so its "does not understand"
 * grace period runs while the other tests do.
 * @param {{routes: Parameters<typeof serveFixtures>[1], prepare?: (context: import('playwright-core').BrowserContext) => Promise<void>, brokenUrl: string}} opts
 */
export async function platformSuite({ routes, prepare, brokenUrl }) {
  const agent = await startAgent(buildAgent());
  const browser = await launch();
  await serveFixtures(browser.context, routes);
  await installSpies(browser.context);
  if (prepare) await prepare(browser.context);
  /** @type {string[]} */
  const posts = [];
  browser.context.on('request', (r) => {
    if (r.method() === 'POST') posts.push(r.url());
  });
  const extPage = await pair(browser.context, browser.id, agent);
  const brokenPage = browser.context.newPage().then(async (p) => {
    await p.goto(brokenUrl);
    return p;
  });
  return {
    agent, browser, posts, extPage, brokenPage,
    async close() {
      await browser.context.close();
      await agent.stop();
    },
  };
}
