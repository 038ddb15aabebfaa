// @ts-check
// fetch_page: the agent asks for a watched page that only the seller's own
// browser session can read (behind a login or bot protection). First a
// credentialed fetch from the worker; when that is refused or answers a bot
// check, a background tab (never the active one) loads the page and we read
// its rendered HTML; failing both, the agent is told to have the seller open
// the page once.

import { api } from '../lib/browser.js';
import { t } from '../lib/i18n.js';
import { LIMITS } from '../lib/protocol.js';

/** The whole background-tab path, both tabs; the agent waits longer (monitor.ExtensionTimeout). */
export const TAB_TIMEOUT_MS = 30_000;
/** A tab that has not even parsed the page by then is replaced by a fresh one. */
const TAB_STALL_MS = 10_000;
/** Tabs tried for one page, the last one until TAB_TIMEOUT_MS. */
const MAX_TABS = 3;
/** A tab without a renderer ('unloaded') this long after opening is replaced at once. */
const UNLOADED_GRACE_MS = 2_000;
/** Between looks at the tab; tabs.onUpdated wakes the wait sooner. */
const TAB_POLL_MS = 250;
/** A parsed page still waiting for subresources is read after this long. */
const INTERACTIVE_GRACE_MS = 3_000;
/** One tabs.get or script injection into the tab. */
const PROBE_TIMEOUT_MS = 2_000;
/** Room for the envelope around the HTML inside the agent's 4 MiB frame limit. */
const MAX_HTML = LIMITS.maxMessageBytes - 64 * 1024;

/**
 * Bot-check and login pages come back 200 too; their HTML gives them away.
 * @param {string} html
 */
export function looksBlocked(html) {
  return /captcha-delivery\.com|geo\.captcha|datadome|g-recaptcha|cf-challenge|<title>\s*(?:Sign in|Anmelden|Log in)\b/i.test(
    html.slice(0, 20_000),
  );
}

/**
 * @param {string} url
 * @returns {Promise<{url: string, status: number, html?: string, error?: string}>}
 */
export async function fetchPage(url) {
  try {
    const r = await fetch(url, { credentials: 'include', redirect: 'follow', cache: 'no-store' });
    if (r.ok) {
      const html = await r.text();
      if (!looksBlocked(html)) return sized(url, r.status, html);
    }
  } catch {
    // network refusal or CORS-free failure: the tab path below decides
  }
  return viaTab(url);
}

/** @param {string} url @param {number} status @param {string} html */
function sized(url, status, html) {
  if (new TextEncoder().encode(html).length > MAX_HTML) {
    return { url, status, error: 'page too large to send to the agent' };
  }
  return { url, status, html };
}

/** @param {string} url */
async function viaTab(url) {
  const origin = new URL(url).origin;
  const deadline = Date.now() + TAB_TIMEOUT_MS;
  let why = 'page did not finish loading';
  // Tabs open straight at the page: opened blank and navigated after, they
  // stalled 'unloaded' in about one load of three under Playwright's
  // debugger (never without it). A tab that never shows the page (no
  // renderer, or a request that never answers) is not waited out: a fresh
  // tab gets the time that is left.
  for (let attempt = 1; attempt <= MAX_TABS && Date.now() < deadline; attempt++) {
    const last = attempt === MAX_TABS;
    /** @type {number | undefined} */
    let tabId;
    try {
      const tab = await api.tabs.create({ url, active: false });
      tabId = tab.id;
      if (tabId === undefined) throw new Error('no tab');
      await whenLoaded(tabId, origin, deadline, last ? Infinity : TAB_STALL_MS);
      // A renderer that does not answer now will not; a fresh tab may.
      const html = await bounded(readTab(tabId), PROBE_TIMEOUT_MS * 2, 'the page did not answer')
        .catch((e) => { throw new Stalled(e.message); });
      if (!html || looksBlocked(html)) return { url, status: 0, error: t('fetchOpenOnce') };
      return sized(url, 200, html);
    } catch (e) {
      why = /** @type {Error} */ (e).message;
      if (!(e instanceof Stalled)) break;
    } finally {
      if (tabId !== undefined) api.tabs.remove(tabId).catch(() => {});
    }
  }
  return { url, status: 0, error: `${t('fetchOpenOnce')} (${why})` };
}

/** The rendered page, as the seller's browser shows it. @param {number} tabId */
async function readTab(tabId) {
  const [res] = await api.scripting.executeScript({
    target: { tabId },
    injectImmediately: true, // the page is loaded or parsed by now; do not wait for idle
    func: () => '<!DOCTYPE html>\n' + document.documentElement.outerHTML,
  });
  return String(res?.result ?? '');
}

/** The tab never showed the page; a fresh tab may. */
class Stalled extends Error {}

/**
 * @typedef {object} Look one look at the background tab
 * @property {string} [status] tabs.Tab status: loading, complete or unloaded (no renderer)
 * @property {string} [url] the tab's URL; empty until the page is committed, and for hosts we may not read
 * @property {{state: string, origin: string} | 'error-page' | null} doc the document's own word, null when unreadable
 * @property {string} origin the origin the page must be on
 * @property {number} ageMs since the tab was opened or reloaded
 * @property {number} stallMs how long the tab may take to show the page at all (Infinity: until the deadline)
 * @property {number} interactiveMs how long the document has been parsed but still loading
 * @property {boolean} reloaded the tab has been reloaded once already
 */

/**
 * What one look at the tab says. Any of three signals means loaded: the tab's
 * status, the document's own readyState (the status and its tabs.onUpdated
 * event can lag or go missing), or a document parsed a while ago whose last
 * subresources (a slow image or tracker) never end. A tab that has not shown
 * a document of the page by stallMs, or has no renderer, is stalled.
 * @param {Look} look
 * @returns {'ready' | 'wait' | 'reload' | 'failed' | 'stalled'}
 */
export function judgeTab(look) {
  const { doc, origin } = look;
  if (doc === 'error-page') {
    if (!look.reloaded) return 'reload';
    // The old error page shows until the reload's own load ends.
    return look.status === 'complete' ? 'failed' : 'wait';
  }
  const ours = doc?.origin === origin;
  if (ours && doc?.state === 'complete') return 'ready';
  if (look.status === 'complete' && originOf(look.url) === origin) return 'ready';
  if (ours && doc?.state === 'interactive' && look.interactiveMs >= INTERACTIVE_GRACE_MS) return 'ready';
  if (ours) return 'wait';
  if (look.status === 'unloaded' && look.ageMs >= UNLOADED_GRACE_MS) return 'stalled';
  return look.ageMs >= look.stallMs ? 'stalled' : 'wait';
}

/** @param {string | undefined} url */
function originOf(url) {
  try {
    return new URL(url ?? '').origin;
  } catch {
    return ''; // hidden or not yet committed
  }
}

/**
 * Resolves when the tab shows a loaded page of the given origin. Looks at the
 * tab every TAB_POLL_MS and whenever tabs.onUpdated reports a change to it,
 * so a missed or late event costs one poll, not the whole timeout. Throws
 * Stalled when the tab shows no document of the page by stallMs.
 * @param {number} tabId
 * @param {string} origin
 * @param {number} deadline
 * @param {number} stallMs
 */
async function whenLoaded(tabId, origin, deadline, stallMs) {
  const wake = waker(tabId);
  try {
    let since = Date.now();
    let interactiveAt = 0;
    let reloaded = false;
    for (;;) {
      const tab = await bounded(api.tabs.get(tabId), PROBE_TIMEOUT_MS, 'the tab did not answer');
      const doc = await probe(tabId);
      const now = Date.now();
      const parsed = doc && doc !== 'error-page' && doc.origin === origin && doc.state === 'interactive';
      interactiveAt = parsed ? interactiveAt || now : 0;
      const verdict = judgeTab({
        status: tab.status, url: tab.url, doc, origin, reloaded, stallMs,
        ageMs: now - since, interactiveMs: interactiveAt ? now - interactiveAt : 0,
      });
      switch (verdict) {
        case 'ready':
          return;
        case 'reload': // the browser's own error page (a network hiccup): one reload is cheap
          reloaded = true;
          since = Date.now();
          await api.tabs.reload(tabId);
          continue;
        case 'failed':
          throw new Error('the browser could not load the page');
        case 'stalled':
          throw new Stalled(`the tab did not load the page (${tab.status ?? 'no status'})`);
      }
      if (now >= deadline) throw new Error('page did not finish loading');
      await wake(Math.min(TAB_POLL_MS, deadline - now));
    }
  } finally {
    wake.stop();
  }
}

/**
 * The document's readyState and origin, 'error-page' for the browser's own
 * error page, null while it cannot be read (not committed yet, another
 * origin's document, or a renderer that does not answer).
 * @param {number} tabId
 * @returns {Promise<{state: string, origin: string} | 'error-page' | null>}
 */
async function probe(tabId) {
  try {
    const [res] = await bounded(api.scripting.executeScript({
      target: { tabId },
      injectImmediately: true,
      func: () => ({ state: document.readyState, origin: location.origin }),
    }), PROBE_TIMEOUT_MS, 'no answer');
    const r = res?.result;
    return r && typeof r.state === 'string' && typeof r.origin === 'string' ? r : null;
  } catch (e) {
    return /error page/i.test(/** @type {Error} */ (e).message) ? 'error-page' : null;
  }
}

/**
 * A sleep that tabs.onUpdated for the tab cuts short; one listener for the
 * whole wait.
 * @param {number} tabId
 */
function waker(tabId) {
  /** @type {(() => void) | null} */
  let kick = null;
  /** @param {number} id */
  const listener = (id) => { if (id === tabId) kick?.(); };
  api.tabs.onUpdated.addListener(listener);
  /** @param {number} ms */
  const wake = (ms) => new Promise((resolve) => {
    const timer = setTimeout(() => { kick = null; resolve(undefined); }, ms);
    kick = () => { clearTimeout(timer); kick = null; resolve(undefined); };
  });
  return Object.assign(wake, { stop: () => api.tabs.onUpdated.removeListener(listener) });
}

/**
 * A browser call that may never settle (a renderer held by a debugger does
 * not answer script injection) gets a time limit.
 * @template T
 * @param {Promise<T>} p
 * @param {number} ms
 * @param {string} what the error's message when time runs out
 * @returns {Promise<T>}
 */
function bounded(p, ms, what) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(what)), ms); });
  return /** @type {Promise<T>} */ (Promise.race([p, late]).finally(() => clearTimeout(timer)));
}
