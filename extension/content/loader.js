// Classic content script (MV3 content scripts cannot be modules). It decides
// whether this URL is a page of a platform the agent knows, from the site
// profiles the worker keeps in storage.local (written at each hello), and
// only then loads the module that does the work, so unrelated pages on the
// same hosts (most of google.com) cost one storage read and do not even wake
// the worker. Without cached profiles it asks the worker, which connects to
// get them. Single-page apps (Google Maps) change the URL without a load:
// re-check when it changes.
//
// Speed: loading main.js and its imports takes longer than the agent needs
// for a page, so on a matched page the loader sends the reviews it finds to
// the agent first and loads the module while the agent works; main.js adopts
// those requests.
(() => {
  // The clock for scripts/e2e/perf.mjs starts here; the mark itself is only
  // set on pages we work on, so unrelated pages see nothing of us.
  const t0 = performance.now();
  const api = globalThis.browser ?? globalThis.chrome;
  /** Reviews per analyze_page. The agent answers each request whole, so
   * several let the first cards show while it reads the rest; but each also
   * costs a synced write in the agent and a trip through the worker, and
   * chunks of 20 brought the last card 40-200 ms later than chunks of 50. */
  const CHUNK_ITEMS = 50;
  const CHUNK_BYTES = 1 << 20;
  /** lib/protocol.js LIMITS.maxItemBytes: the agent refuses larger elements. */
  const MAX_ITEM_BYTES = 256 << 10;
  let lastHref = '';
  let started = false;

  // The rules of lib/match.js (compile, matchPage, readId), restated because
  // a classic script cannot import it; main.js adopts the keys read here.
  /** @type {Map<string, RegExp | null>} */
  const compiled = new Map();

  /** @param {string} pattern */
  function compile(pattern) {
    if (compiled.has(pattern)) return compiled.get(pattern) ?? null;
    const ci = pattern.startsWith('(?i)');
    let re = null;
    try {
      re = new RegExp(ci ? pattern.slice(4) : pattern, ci ? 'i' : '');
    } catch {
      re = null;
    }
    compiled.set(pattern, re);
    return re;
  }

  /** @param {any[]} profiles @param {string} url */
  function matchPage(profiles, url) {
    for (const p of Array.isArray(profiles) ? profiles : []) {
      for (const page of p?.pages ?? []) {
        if ((page.match ?? []).some((/** @type {string} */ m) => compile(m)?.test(url))) {
          return { platform: p.platform, policy: p.policy ?? {}, page };
        }
      }
    }
    return null;
  }

  /** lib/selector.js rememberKey: where a reply box the seller pointed at is kept. */
  function rememberKey(/** @type {string} */ hostname, /** @type {string} */ pageName) {
    return `replybox:${hostname}:${pageName}`;
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
   * @param {{name: string, review: string, id?: any}} page
   */
  function firstPass(page) {
    let found = [];
    try {
      found = document.querySelectorAll(page.review);
    } catch {
      found = [];
    }
    const url = location.href;
    const pageLang = document.documentElement.lang || '';
    /** @type {Promise<{keys: string[], res?: any, error?: any}>[]} */
    const answers = [];
    /** @type {{key: string, html: string}[]} */
    let chunk = [];
    let bytes = 0;
    // Each chunk goes out as soon as it is full, so the agent starts on it
    // while the rest of the page is serialised.
    const flush = () => {
      if (!chunk.length) return;
      const items = chunk;
      const keys = items.map((it) => it.key);
      answers.push(send('analyze_page', { url, page_lang: pageLang, items }).then((res) => ({ keys, res }), (error) => ({ keys, error })));
      chunk = [];
      bytes = 0;
    };
    /** @type {{el: Element, key: string, sig: string}[]} */
    const items = [];
    const seen = new Set();
    let n = 0;
    for (const el of found) {
      if (el.closest('calmreply-card')) continue;
      const key = readId(el, page.id) || `cr-first-${++n}`;
      if (seen.has(key)) continue; // a repeated id: main.js's scan decides, as for any later element
      seen.add(key);
      items.push({ el, key, sig: '' });
      const html = el.outerHTML;
      if (html.length > MAX_ITEM_BYTES) continue;
      if (chunk.length >= CHUNK_ITEMS || (chunk.length && bytes + html.length > CHUNK_BYTES)) flush();
      chunk.push({ key, html });
      bytes += html.length;
    }
    flush();
    // The text signatures (main.js re-sends an element whose text changed) after the sends.
    for (const it of items) it.sig = (it.el.textContent ?? '').replace(/\s+/g, ' ').trim();
    // Read now rather than after the import: on pages without a profile reply
    // box, a remembered one decides whether cards offer Insert.
    const box = api.storage.local.get(rememberKey(location.hostname, page.name));
    box.catch(() => {});
    return { found: found.length, items, answers, box };
  }

  /** Asks the worker whether this URL is one of ours, and whether we are paired. */
  async function ask() {
    const res = await api.runtime.sendMessage({ type: 'match', url: location.href });
    if (!res || !res.ok) throw new Error(res?.message ?? 'no answer');
    return res.data;
  }

  // One import: requesting main.js's modules all at once (tried) blocked this
  // thread 15-25 ms in the import() calls and finished no sooner.
  const main = () => import(api.runtime.getURL('content/main.js'));

  async function check() {
    if (started || location.href === lastHref) return;
    lastHref = location.href;
    let profiles = null;
    try {
      ({ profiles } = await api.storage.local.get('profiles'));
    } catch {
      profiles = null;
    }
    const cached = matchPage(profiles, location.href);
    // The worker would answer from these same profiles: no need to wake it.
    if (!cached && Array.isArray(profiles) && profiles.length) return;
    if (cached) {
      // The worker's answer (same profiles, from the same hello) only says
      // whether we are paired; nothing waits for it.
      started = true;
      performance.mark('calmreply:start', { startTime: t0 });
      const first = firstPass(cached.page);
      const mod = main();
      const status = ask().then((d) => d.status, () => '');
      // The first chrome.i18n.getMessage in a page fetches the extension's
      // strings from the browser, synchronously: pay it now, while the thread
      // would wait for the modules and the agent anyway, not at the first card.
      api.i18n?.getMessage('extName');
      (await mod).start({ match: cached, status }, first);
      return;
    }
    let info;
    try {
      info = await ask();
    } catch {
      return; // extension reloaded or worker unavailable: try again on the next URL change
    }
    if (!info.match) return;
    started = true;
    performance.mark('calmreply:start', { startTime: t0 });
    (await main()).start(info);
  }

  // Outside a browser (test/loader.test.js runs this file in a bare context)
  // nothing starts; the pure parts are the script's value.
  if (api?.runtime?.id) {
    check();
    setInterval(check, 2000);
  }
  return { compile, matchPage, readId, rememberKey };
})();
