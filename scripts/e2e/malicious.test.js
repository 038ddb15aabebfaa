// Issue 7: a malicious web page, open in the same headless Chromium as the
// paired extension, tries every way a page has to reach the local agent
// (WebSocket, fetch, form POST, image GET, a DNS-rebound name) and gets
// nothing: no open socket, no readable answer, no change to the agent's data.
// The extension keeps working afterwards.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import {
  CHROMIUM, EXTENSION, buildAgent, fixture, pair, serveFixtures, startAgent, tempDir, waitForCards,
} from './harness.js';

const SHOP_URL = 'https://www.etsy.com/de/shop/Tonwerk/reviews';
const REBIND = 'rebind.test';
const BROWSER_GUARDS = 'LocalNetworkAccessChecks,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults,BlockInsecurePrivateNetworkRequests';

/** @type {string | undefined} */
let bin;
/** @type {Awaited<ReturnType<typeof startAgent>>} */
let agent;
/** @type {import('playwright-core').BrowserContext} */
let context;
/** @type {string} */
let extId;

// harness.launch's flags, plus a resolver rule that plays DNS rebinding: the
// attacker's name answers with 127.0.0.1 once its page is loaded.
/** @param {string[]} extra */
async function launchWithRebinding(extra) {
  const ctx = await chromium.launchPersistentContext(tempDir('calmreply-profile-'), {
    executablePath: CHROMIUM,
    headless: false,
    args: [
      '--headless',
      `--disable-extensions-except=${EXTENSION}`,
      `--load-extension=${EXTENSION}`,
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--host-resolver-rules=MAP ${REBIND} 127.0.0.1`,
      '--lang=en-US',
      ...extra,
    ],
    locale: 'en-US',
  });
  let [sw] = ctx.serviceWorkers();
  if (!sw) sw = await ctx.waitForEvent('serviceworker', { timeout: 15_000 });
  return { ctx, id: new URL(sw.url()).host };
}

/**
 * What must not change: the inbox, the sources and the event log's end, read
 * over the agent's WebSocket from an extension page with the paired token
 * (the way the service worker talks to it).
 */
async function agentState() {
  const token = fs.readFileSync(path.join(agent.data, 'token'), 'utf8').trim();
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extId}/popup/popup.html`);
  const state = await page.evaluate(async ({ port, token }) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    /** @type {Map<string, (m: any) => void>} */
    const waiting = new Map();
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      waiting.get(m.id)?.(m);
    };
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
    const call = (/** @type {string} */ type, /** @type {any} */ data) => new Promise((resolve) => {
      const id = `${type}-${Math.random()}`;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ type, id, data }));
    });
    await call('auth', { token, versions: [1], client: { name: 'e2e', version: '0', browser: 'chromium' } });
    const inbox = /** @type {any} */ (await call('list_inbox', {}));
    const sources = /** @type {any} */ (await call('list_sources', {}));
    const events = /** @type {any} */ (await call('catch_up', { after_seq: 2 ** 52 }));
    ws.close();
    return {
      inbox: inbox.data.items.map((/** @type {any} */ i) => `${i.review.platform}/${i.review.id}/${i.state}`).sort(),
      open: inbox.data.open,
      sources: sources.data.sources.map((/** @type {any} */ s) => s.url),
      lastSeq: events.data.last_seq,
    };
  }, { port: agent.port, token });
  await page.close();
  return state;
}

// The attacker's script: every way a page has to reach the agent. It
// records what it could observe in window.__attack.
const ATTACK = `
window.__attack = (async (port, rebind) => {
  const out = { sockets: [], fetches: [], images: [], forms: 0 };
  const routes = ['/ws', '/healthz', '/', '/api', '/ws?token=x'];
  const hosts = ['127.0.0.1:' + port, 'localhost:' + port, '[::1]:' + port, rebind + ':' + port];
  const socket = (url) => new Promise((resolve) => {
    let r = { url, opened: false, messages: 0, error: null };
    let ws;
    try { ws = new WebSocket(url); } catch (e) { r.error = String(e.name || e); return resolve(r); }
    ws.onopen = () => {
      r.opened = true;
      // A page that got this far would try the pairing code and a token.
      ws.send(JSON.stringify({ type: 'pair', id: '1', data: { code: 'AAA-AAA', versions: [1] } }));
    };
    ws.onmessage = () => { r.messages++; };
    ws.onerror = () => { r.error = r.error || 'error'; };
    ws.onclose = (e) => { r.close = e.code; resolve(r); };
    setTimeout(() => resolve(r), 8000);
  });
  for (const h of hosts) out.sockets.push(await socket('ws://' + h + '/ws'));
  for (const h of hosts) {
    for (const route of routes) {
      const base = 'http://' + h + route;
      const tries = [
        ['GET cors', base, {}],
        ['GET no-cors', base, { mode: 'no-cors' }],
        ['POST text/plain', base, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' },
          body: JSON.stringify({ type: 'add_source', id: '1', data: { url: 'https://www.trustedshops.de/bewertung/info_XEVIL.html' } }) }],
        ['POST cors json', base, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"type":"ping"}' }],
      ];
      for (const [how, url, init] of tries) {
        const r = { how, url, readable: false, status: 0, type: null, error: null };
        try {
          const resp = await fetch(url, init);
          r.type = resp.type;
          r.status = resp.status;
          const text = await resp.text();
          r.readable = resp.type !== 'opaque' && text.length > 0;
          r.body = text.slice(0, 80);
        } catch (e) { r.error = String(e.name || e); }
        out.fetches.push(r);
      }
    }
    out.images.push(await new Promise((resolve) => {
      const img = new Image();
      img.onload = () => resolve({ host: h, loaded: true });
      img.onerror = () => resolve({ host: h, loaded: false });
      img.src = 'http://' + h + '/healthz';
      setTimeout(() => resolve({ host: h, loaded: 'timeout' }), 5000);
    }));
    // A form POST in a hidden frame, text/plain so the body looks like JSON.
    const frame = document.createElement('iframe');
    frame.name = 'f' + out.forms;
    frame.style.display = 'none';
    document.body.appendChild(frame);
    const form = document.createElement('form');
    form.method = 'POST';
    form.enctype = 'text/plain';
    form.action = 'http://' + h + '/ws';
    form.target = frame.name;
    const input = document.createElement('input');
    input.name = '{"type":"set_state","id":"1","data":{"platform":"etsy","review_id":"x","state":"ignored"},"x":"';
    input.value = '"}';
    form.appendChild(input);
    document.body.appendChild(form);
    form.submit();
    out.forms++;
  }
  await new Promise((r) => setTimeout(r, 1500)); // let the form posts land
  return out;
})(PORT, REBIND);
`;

/** What the page saw, counted by outcome, for the test log. @param {any} out */
function summary(out) {
  /** @type {Record<string, number>} */
  const seen = {};
  const note = (/** @type {string} */ k) => { seen[k] = (seen[k] ?? 0) + 1; };
  for (const s of out.sockets) note(`ws ${s.url.split('/')[2]}: ${s.opened ? 'OPEN' : `${s.error ?? ''} close ${s.close ?? '-'}`}`);
  for (const f of out.fetches) note(`fetch ${f.how}: ${f.error ?? `${f.type} ${f.status}${f.readable ? ' READ' : ''}`}`);
  for (const i of out.images) note(`img ${i.host}: ${i.loaded}`);
  return Object.entries(seen).map(([k, n]) => `${k} x${n}`).join('; ');
}

/** Opens the Etsy fixture and waits for the overlay: the extension works. */
async function extensionWorks() {
  const page = await context.newPage();
  await page.goto(SHOP_URL);
  const n = await page.locator('[data-review-region]').count();
  assert.ok(n > 0, 'the Etsy fixture has reviews');
  await waitForCards(page, n);
  await page.close();
}

/**
 * One browser, one agent, the attacks.
 * @param {string} name
 * @param {string[]} extraArgs Chromium flags
 * @param {boolean} agentAlone the browser's own local-network guards are off
 */
function suite(name, extraArgs, agentAlone) {
  describe(name, () => {
    before(async () => {
      bin ??= buildAgent();
      agent = await startAgent(bin);
      const b = await launchWithRebinding(extraArgs);
      context = b.ctx;
      extId = b.id;
      const page = `<!DOCTYPE html><title>Win a prize</title><h1>Congratulations</h1>`;
      const attack = ATTACK.replace('PORT', String(agent.port)).replace('REBIND', JSON.stringify(REBIND));
      // Playwright runs the newest matching route first: the fixtures' catch-all
      // (which refuses every unknown host) is registered first so that the
      // attacker's routes below take precedence.
      await serveFixtures(context, [
        [/^https:\/\/www\.etsy\.com\/de\/shop\/Tonwerk/, fixture('scrapers', 'etsy', 'testdata', 'shop_reviews_de.html')],
        [/^https:\/\/www\.etsy\.com\//, null],
      ]);
      // Requests to the rebinding name go out, and the resolver sends them to
      // the agent on 127.0.0.1.
      await context.route(/^http:\/\/rebind\.test:\d+\//, (route) => route.continue());
      // The attacker's pages: a real-looking https origin, a plain http one, and
      // one on the rebinding name (served here, as the attacker's server would
      // before the name flips to 127.0.0.1).
      await context.route(/^(https?:\/\/www\.prize-winner\.example\/|http:\/\/rebind\.test:\d+\/prize\.html)$/, (route) => route.fulfill({
        status: 200, contentType: 'text/html', body: `${page}<script>${attack}</script>`,
      }));
      await pair(context, extId, agent);
    });

    after(async () => {
      await context?.close();
      await agent?.stop();
    });

    for (const url of ['https://www.prize-winner.example/', 'http://www.prize-winner.example/']) {
      test(`a page at ${new URL(url).origin} cannot reach the agent`, async (t) => {
        await extensionWorks();
        const before = await agentState();
        assert.ok(before.inbox.length > 0, 'the extension stored the fixture reviews');

        const page = await context.newPage();
        await page.goto(url);
        const out = await page.evaluate(() => /** @type {any} */ (window).__attack);
        await page.close();
        t.diagnostic(summary(out));

        for (const s of out.sockets) {
          assert.equal(s.opened, false, `WebSocket ${s.url} opened: ${JSON.stringify(s)}`);
          assert.equal(s.messages, 0, `WebSocket ${s.url} got messages`);
        }
        assert.equal(out.sockets.length, 4);
        for (const f of out.fetches) {
          assert.equal(f.readable, false, `${f.how} ${f.url} was readable: ${JSON.stringify(f)}`);
        }
        assert.ok(out.fetches.length >= 80, `${out.fetches.length} fetches tried`);
        for (const i of out.images) assert.notEqual(i.loaded, true, `image from ${i.host} loaded`);
        assert.equal(out.forms, 4);
        if (agentAlone) {
          // Not vacuous: with the browser's guards off, requests do reach the
          // agent (an opaque answer means a response came back).
          assert.ok(out.fetches.some((/** @type {any} */ f) => f.type === 'opaque'), 'no request reached the agent');
        }

        assert.deepEqual(await agentState(), before, 'the page changed the agent\'s data');
        await extensionWorks();
        assert.deepEqual(await agentState(), before, 'the extension re-analysed the same reviews: nothing new');
      });
    }

    test('a DNS-rebound page (its name now resolves to 127.0.0.1) is refused by Host and Origin', async (t) => {
      const before = await agentState();
      const page = await context.newPage();
      await page.goto(`http://${REBIND}:${agent.port}/prize.html`);
      const out = await page.evaluate(() => /** @type {any} */ (window).__attack);
      await page.close();
      t.diagnostic(summary(out));
      const rebound = out.sockets.find((/** @type {any} */ s) => s.url.includes(REBIND));
      assert.equal(rebound.opened, false, `rebound WebSocket opened: ${JSON.stringify(rebound)}`);
      // Same-origin for the page now: its fetches are readable, and all they
      // read is the agent's refusal of the Host.
      const own = out.fetches.filter((/** @type {any} */ f) => f.url.includes(REBIND));
      for (const f of own) {
        if (f.readable) assert.match(f.body, /host not allowed|request target/, `${f.how} ${f.url}: ${f.status} ${f.body}`);
      }
      if (agentAlone) assert.ok(own.some((/** @type {any} */ f) => f.status === 403), 'the rebound requests never reached the agent');
      assert.deepEqual(await agentState(), before);
      await extensionWorks();
    });
  });
}

// As shipped: Chromium's own Local Network Access checks already stop most
// of these before they leave the browser.
suite('Chromium as shipped', [], false);
// Without them (older browsers, other engines): the agent alone refuses.
suite('Chromium without its local-network guards: the agent alone', [`--disable-features=${BROWSER_GUARDS}`], true);
