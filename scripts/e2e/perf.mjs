// Browser timings for scripts/bench (issue 7): the real agent and the real
// extension in headless Chromium, an Etsy shop page of 10, 100 and 500
// reviews (the repository's reconstructed fixture, repeated with fresh ids),
// 20 loads each. For every load it records the time from the content
// script's start to the last badge drawn, and the content script's time on
// the page's main thread: V8's sampling profiler (0.1 ms) runs during the
// load, and every sample whose stack holds a frame of the extension's code
// counts (its DOM calls and any layout it forces included; the page's later
// style and layout, which --verbose shows, not). CDP's ScriptDuration does
// not see content scripts, which run in their own world.
//
// "Start" is the content script's performance.mark('calmreply:start') (set
// with the time the loader began, once it knows the page is one of ours) and
// "last badge" its last performance.mark('calmreply:badges'), set after each
// answer's badges are drawn. Without those marks (an older extension) the
// figure runs from DOMContentLoaded (content scripts run at document_idle,
// after it) to the observer below seeing the last badge: an upper bound.
//
// The pages come from a local HTTPS server that Chromium reaches for
// www.etsy.com (--host-resolver-rules; every other name fails to resolve, so
// nothing leaves the machine), not from Playwright's request routing, which
// intercepts requests for a decision in this process while a route is set
// (it reported the extension's module loads too); a seller's browser has no
// such hop. The difference in the import's time was within this machine's
// noise (0-20 ms).
//
// --verbose prints each run's calmreply:* marks (one 'badges' per answer) and
// the page's script, layout, style and task time.
//
//   node scripts/e2e/perf.mjs [--out FILE] [--runs 20] [--sizes 10,100,500] [--verbose]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildAgent, fixture, launch, pair, startAgent, tempDir } from './harness.js';

const { values: opt } = parseArgs({
  options: {
    out: { type: 'string', default: '' },
    runs: { type: 'string', default: '20' },
    sizes: { type: 'string', default: '10,100,500' },
    verbose: { type: 'boolean', default: false },
  },
});
const RUNS = Number(opt.runs);
const SIZES = opt.sizes.split(',').map(Number);

const template = fs.readFileSync(fixture('scrapers', 'etsy', 'testdata', 'shop_reviews_de.html'), 'utf8');
const items = [...template.matchAll(/<li data-region="review"[\s\S]*?<\/li>/g)].map((m) => m[0]);
if (items.length === 0) throw new Error('shop_reviews_de.html: no review elements found');
const listStart = template.indexOf('<ul class="reviews-list');
const listEnd = template.indexOf('</ul>', listStart);

let nextID = 9100000000;
/** A shop page of n reviews, each with a fresh id (a first visit). @param {number} n */
function page(n) {
  const lis = [];
  for (let i = 0; i < n; i++) {
    lis.push(items[i % items.length].replace(/data-review-region="\d+"/, `data-review-region="${nextID++}"`));
  }
  const open = template.slice(listStart, template.indexOf('>', listStart) + 1);
  return template.slice(0, listStart) + open + lis.join('') + template.slice(listEnd);
}

// Runs in the page before anything else: notes when each card's kind badge
// first shows, looking into the cards' open shadow roots. It starts watching
// at DOMContentLoaded (the content script runs after it), so the page's own
// parsing does not run it for every node and add to the script time.
function observer() {
  const badged = new WeakSet();
  const state = { badges: 0, last: 0 };
  Object.defineProperty(window, '__calmreplyPerf', { value: state });
  const check = (/** @type {Element} */ card) => {
    if (badged.has(card)) return;
    const kind = card.shadowRoot?.querySelector('[data-part="kind"]');
    if (kind && kind.textContent) {
      badged.add(card);
      state.badges++;
      state.last = performance.now();
    }
  };
  const watch = (/** @type {Element} */ card) => {
    check(card);
    if (card.shadowRoot && !badged.has(card)) {
      new MutationObserver(() => check(card)).observe(card.shadowRoot, { childList: true, subtree: true, characterData: true });
    }
  };
  const start = () => {
    document.querySelectorAll('calmreply-card').forEach(watch);
    new MutationObserver((records) => {
      for (const r of records) {
        for (const n of r.addedNodes) {
          if (!(n instanceof Element)) continue;
          if (n.localName === 'calmreply-card') watch(n);
          else n.querySelectorAll?.('calmreply-card').forEach(watch);
        }
      }
    }).observe(document, { childList: true, subtree: true });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
  else start();
}

/**
 * Milliseconds of a CPU profile spent with the extension's code on the stack.
 * @param {{nodes: {id: number, callFrame: {url: string}, children?: number[]}[], samples: number[], timeDeltas: number[]}} profile
 * @param {string} origin chrome-extension://<id>/
 */
function extensionMs(profile, origin) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  /** @type {Map<number, number>} */
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** @type {Map<number, boolean>} */
  const ours = new Map();
  /** @param {number} id @returns {boolean} */
  const isOurs = (id) => {
    let v = ours.get(id);
    if (v === undefined) {
      const up = parent.get(id);
      v = Boolean(byId.get(id)?.callFrame.url.startsWith(origin)) || (up !== undefined && isOurs(up));
      ours.set(id, v);
    }
    return v;
  };
  let us = 0;
  profile.samples.forEach((id, i) => {
    if (isOurs(id)) us += profile.timeDeltas[i];
  });
  return us / 1000;
}

/** @param {number[]} xs @param {number} p */
function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** @type {Map<string, string>} URL -> the generated page */
const pages = new Map();

/** Serves `pages` over HTTPS with a throwaway self-signed certificate for www.etsy.com. */
async function pageServer() {
  const dir = tempDir('calmreply-perf-tls-');
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=www.etsy.com', '-addext', 'subjectAltName=DNS:www.etsy.com'], { stdio: 'ignore' });
  const srv = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
    const html = pages.get(`https://www.etsy.com${req.url}`);
    res.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html ?? '<!DOCTYPE html><title>Not found</title>');
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(undefined)));
  return srv;
}

const server = await pageServer();
const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
const agent = await startAgent(buildAgent());
const browser = await launch([
  `--host-resolver-rules=MAP www.etsy.com 127.0.0.1:${port}, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1`,
  '--ignore-certificate-errors',
]);
try {
  await browser.context.addInitScript(observer);
  await pair(browser.context, browser.id, agent);

  /** @type {Record<string, {p50_ms: number, p95_ms: number, main_thread_ms: number}>} */
  const sizes = {};
  let startKind = 'domcontentloaded';
  for (const n of SIZES) {
    const times = [];
    const script = [];
    for (let run = 0; run < RUNS + 1; run++) { // run 0 warms up
      const url = `https://www.etsy.com/de/shop/PerfShop/reviews?n=${n}&run=${run}`;
      pages.set(url, page(n));
      const tab = await browser.context.newPage();
      const cdp = await browser.context.newCDPSession(tab);
      await cdp.send('Performance.enable');
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
      await tab.goto(url);
      await tab.waitForFunction((want) => /** @type {any} */ (window).__calmreplyPerf?.badges >= want, n, { timeout: 60_000, polling: 50 });
      const t = await tab.evaluate(() => {
        const mark = performance.getEntriesByName('calmreply:start')[0];
        const start = mark?.startTime
          ?? /** @type {PerformanceNavigationTiming} */ (performance.getEntriesByType('navigation')[0]).domContentLoadedEventEnd;
        // The content script marks each answer's badges once drawn; the last
        // mark is the last badge. The observer's time is the fallback.
        const drawn = performance.getEntriesByName('calmreply:badges').at(-1);
        const end = drawn?.startTime ?? /** @type {any} */ (window).__calmreplyPerf.last;
        const steps = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('calmreply:'))
          .map((m) => `${m.name.slice('calmreply:'.length)}@${(m.startTime - start).toFixed(1)}`).join(' ');
        return { ms: end - start, mark: Boolean(mark && drawn), steps };
      });
      startKind = t.mark ? 'mark' : 'domcontentloaded';
      const { profile } = await cdp.send('Profiler.stop');
      const scriptMs = extensionMs(profile, `chrome-extension://${browser.id}/`);
      const { metrics } = await cdp.send('Performance.getMetrics');
      if (opt.verbose) {
        const durations = metrics.filter((/** @type {any} */ m) => /^(Script|Layout|RecalcStyle|Task)Duration$/.test(m.name))
          .map((/** @type {any} */ m) => `${m.name.replace('Duration', '')} ${(m.value * 1000).toFixed(1)}`).join(', ');
        console.error(`perf: ${n} reviews, run ${run}: ${t.steps}; content script ${scriptMs.toFixed(1)}, page ${durations} ms`);
      }
      await tab.close();
      pages.delete(url);
      if (run === 0) continue;
      times.push(t.ms);
      script.push(scriptMs);
    }
    sizes[String(n)] = {
      p50_ms: round(percentile(times, 50)),
      p95_ms: round(percentile(times, 95)),
      main_thread_ms: round(percentile(script, 50)),
    };
    console.error(`perf: ${n} reviews: ${startKind} -> last badge p50 ${sizes[n].p50_ms} ms, p95 ${sizes[n].p95_ms} ms; script ${sizes[n].main_thread_ms} ms`);
  }
  const out = JSON.stringify({ runs: RUNS, start: startKind, sizes }, null, 2);
  if (opt.out) {
    fs.mkdirSync(path.dirname(path.resolve(opt.out)), { recursive: true });
    fs.writeFileSync(opt.out, out + '\n');
  } else {
    console.log(out);
  }
} finally {
  await browser.context.close();
  await agent.stop();
  server.close();
}

/** @param {number} x */
function round(x) {
  return Math.round(x * 10) / 10;
}
