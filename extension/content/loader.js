// Classic content script (MV3 content scripts cannot be modules). It asks the
// service worker whether this URL is a page of a platform the agent knows,
// and only then loads the module that does the work, so unrelated pages on
// the same hosts (most of google.com) cost one message and nothing else.
// Single-page apps (Google Maps) change the URL without a load: re-check
// when it changes.
(() => {
  // The clock for scripts/e2e/perf.mjs starts here; the mark itself is only
  // set on pages we work on, so unrelated pages see nothing of us.
  const t0 = performance.now();
  const api = globalThis.browser ?? globalThis.chrome;
  let lastHref = '';
  let started = false;

  async function check() {
    if (started || location.href === lastHref) return;
    lastHref = location.href;
    let res;
    try {
      res = await api.runtime.sendMessage({ type: 'match', url: location.href });
    } catch {
      return; // extension reloaded or worker unavailable: try again on the next URL change
    }
    if (!res || !res.ok || !res.data.match) return;
    started = true;
    performance.mark('calmreply:start', { startTime: t0 });
    const mod = await import(api.runtime.getURL('content/main.js'));
    mod.start(res.data);
  }

  check();
  setInterval(check, 2000);
})();
