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

const TAB_TIMEOUT_MS = 30_000;
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
  /** @type {number | undefined} */
  let tabId;
  try {
    // Opened straight at the page. A tab opened blank and navigated after
    // sometimes never finished its second load while a debugger was attached
    // to new tabs (the browser tests: 3 hangs in 15 such loads, 0 in 36 this way).
    const tab = await api.tabs.create({ url, active: false });
    tabId = tab.id;
    if (tabId === undefined) throw new Error('no tab');
    const origin = new URL(url).origin;
    await loaded(tabId, origin, true);
    let html;
    try {
      html = await readTab(tabId);
    } catch (e) {
      // The browser's own error page (a network hiccup): one reload is cheap.
      if (!/error page/i.test(/** @type {Error} */ (e).message)) throw e;
      const again = loaded(tabId, origin, false);
      await api.tabs.reload(tabId);
      await again;
      html = await readTab(tabId);
    }
    if (!html || looksBlocked(html)) return { url, status: 0, error: t('fetchOpenOnce') };
    return sized(url, 200, html);
  } catch (e) {
    return { url, status: 0, error: `${t('fetchOpenOnce')} (${/** @type {Error} */ (e).message})` };
  } finally {
    if (tabId !== undefined) api.tabs.remove(tabId).catch(() => {});
  }
}

/** The rendered page, as the seller's browser shows it. @param {number} tabId */
async function readTab(tabId) {
  const [res] = await api.scripting.executeScript({
    target: { tabId },
    func: () => '<!DOCTYPE html>\n' + document.documentElement.outerHTML,
  });
  return String(res?.result ?? '');
}

/**
 * Resolves when the tab has finished loading a page of the given origin.
 * @param {number} tabId
 * @param {string} origin
 * @param {boolean} maybeDone the load may already be over (listening began after the tab was created)
 */
function loaded(tabId, origin, maybeDone) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      api.tabs.onUpdated.removeListener(listener);
      reject(new Error('page did not finish loading'));
    }, TAB_TIMEOUT_MS);
    /** @param {number} id @param {{status?: string}} info @param {{url?: string}} tab */
    function listener(id, info, tab) {
      if (id !== tabId || info.status !== 'complete' || !(tab.url ?? '').startsWith(origin)) return;
      clearTimeout(timer);
      api.tabs.onUpdated.removeListener(listener);
      resolve(undefined);
    }
    api.tabs.onUpdated.addListener(listener);
    if (maybeDone) {
      api.tabs.get(tabId).then((tab) => {
        if (tab.status === 'complete') listener(tabId, { status: 'complete' }, tab);
      }, () => {});
    }
  });
}
