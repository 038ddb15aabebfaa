// Classic content script (MV3 content scripts cannot be modules). It decides
// whether this URL is a page of a platform the agent knows, and only then
// loads the module that does the work, so unrelated pages on the same hosts
// (most of google.com) cost one storage read and nothing else. Single-page
// apps (Google Maps) change the URL without a load: re-check when it changes.
//
// Speed: loading main.js and its imports takes longer than the agent needs
// for a page, so on a page the cached profiles (storage.local, written by the
// worker at each hello) already match, the loader sends the reviews it finds
// to the agent first and loads the module while the agent works; main.js
// adopts those requests. The worker's own match stays the authority.
(() => {
  // The clock for scripts/e2e/perf.mjs starts here; the mark itself is only
  // set on pages we work on, so unrelated pages see nothing of us.
  const t0 = performance.now();
  const api = globalThis.browser ?? globalThis.chrome;
  /** Reviews per analyze_page: the agent answers each request whole, so
   * several small ones let the first cards show while it reads the rest. */
  const CHUNK_ITEMS = 20;
  const CHUNK_BYTES = 1 << 20;
  /** lib/protocol.js LIMITS.maxItemBytes: the agent refuses larger elements. */
  const MAX_ITEM_BYTES = 256 << 10;
  let lastHref = '';
  let started = false;

  // The rules of lib/match.js (compile, matchPage, readId), restated because
  // a classic script cannot import it; main.js adopts the keys read here.
  /** @param {string} pattern */
  function compile(pattern) {
    const ci = pattern.startsWith('(?i)');
    try {
      return new RegExp(ci ? pattern.slice(4) : pattern, ci ? 'i' : '');
    } catch {
      return null;
    }
  }

  /** @param {any[]} profiles @param {string} url */
  function matchPage(profiles, url) {
    for (const p of Array.isArray(profiles) ? profiles : []) {
      for (const page of p?.pages ?? []) {
        if ((page.match ?? []).some((/** @type {string} */ m) => compile(m)?.test(url))) return page;
      }
    }
    return null;
  }

  /** @param {Element} el @param {{selector?: string, attr: string, pattern?: string} | undefined} rule */
  function readId(el, rule) {
    if (!rule || !rule.attr) return '';
    const raw = (rule.selector ? el.querySelector(rule.selector) : el)?.getAttribute(rule.attr) ?? '';
    if (!raw || !rule.pattern) return raw.trim();
    const m = compile(rule.pattern)?.exec(raw);
    return (m?.[1] ?? m?.[0] ?? '').trim();
  }

  /** @param {string} type @param {any} data */
  async function send(type, data) {
    const res = await api.runtime.sendMessage({ type, data });
    if (!res?.ok) throw Object.assign(new Error(res?.message ?? 'no answer'), { code: res?.code ?? 'INTERNAL' });
    return res.data;
  }

  /**
   * The first pass: finds the review elements and sends them in chunks, all
   * at once. Each answer resolves (never rejects) to {keys, res} or {keys, error}.
   * @param {{review: string, id?: any}} page
   */
  function firstPass(page) {
    let found = [];
    try {
      found = document.querySelectorAll(page.review);
    } catch {
      found = [];
    }
    /** @type {{el: Element, key: string, sig: string, html: string}[]} */
    const items = [];
    const seen = new Set();
    let n = 0;
    for (const el of found) {
      if (el.closest('calmreply-card')) continue;
      const key = readId(el, page.id) || `cr-first-${++n}`;
      if (seen.has(key)) continue; // a repeated id: main.js's scan decides, as for any later element
      seen.add(key);
      items.push({ el, key, sig: (el.textContent ?? '').replace(/\s+/g, ' ').trim(), html: el.outerHTML });
    }
    const chunks = [];
    let cur = [];
    let bytes = 0;
    for (const it of items) {
      if (it.html.length > MAX_ITEM_BYTES) continue;
      if (cur.length >= CHUNK_ITEMS || (cur.length && bytes + it.html.length > CHUNK_BYTES)) {
        chunks.push(cur);
        cur = [];
        bytes = 0;
      }
      cur.push(it);
      bytes += it.html.length;
    }
    if (cur.length) chunks.push(cur);
    const url = location.href;
    const pageLang = document.documentElement.lang || '';
    const answers = chunks.map((chunk) => {
      const keys = chunk.map((it) => it.key);
      return send('analyze_page', { url, page_lang: pageLang, items: chunk.map((it) => ({ key: it.key, html: it.html })) })
        .then((res) => ({ keys, res }), (error) => ({ keys, error }));
    });
    for (const it of items) it.html = ''; // sent; main.js needs only the element, key and signature
    return { found: found.length, items, answers };
  }

  async function check() {
    if (started || location.href === lastHref) return;
    lastHref = location.href;
    let page = null;
    try {
      page = matchPage((await api.storage.local.get('profiles')).profiles, location.href);
    } catch {
      page = null;
    }
    let first = null;
    let mod = null;
    if (page) {
      started = true;
      performance.mark('calmreply:start', { startTime: t0 });
      first = firstPass(page);
      mod = import(api.runtime.getURL('content/main.js'));
      mod.catch(() => {}); // reported below if the worker confirms the page
    }
    let res;
    try {
      res = await api.runtime.sendMessage({ type: 'match', url: location.href });
    } catch {
      started = false;
      return; // extension reloaded or worker unavailable: try again on the next URL change
    }
    if (!res || !res.ok || !res.data.match) {
      started = false;
      return;
    }
    if (!started) {
      started = true;
      performance.mark('calmreply:start', { startTime: t0 });
    }
    // A page the cache did not know (profiles changed since): main.js scans it.
    const m = await (mod ?? import(api.runtime.getURL('content/main.js')));
    m.start(res.data, first);
  }

  check();
  setInterval(check, 2000);
})();
