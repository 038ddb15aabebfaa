// @ts-check
// Finding and filling a platform's reply box, generically, from the profile's
// ReplyBox (or a box the seller pointed at once). We fill and fire the events
// frameworks listen to; we never press send.

import { modeOf, rememberKey } from '../lib/selector.js';

const api = /** @type {typeof chrome} */ (/** @type {any} */ (globalThis).browser ?? globalThis.chrome);
const OPEN_WAIT_MS = 2500;

/**
 * @typedef {{open?: string, input: string, mode: string, events: string[], submit?: string}} ReplyBox
 */

/** @param {Element} el */
function visible(el) {
  return el.getClientRects().length > 0;
}

/**
 * @param {Element} review
 * @param {string} selector
 */
function lookup(review, selector) {
  try {
    return review.querySelector(selector) ?? document.querySelector(selector);
  } catch {
    return null; // a stored selector the engine rejects
  }
}

/**
 * Waits until one of the selectors finds a visible element.
 * @param {Element} review
 * @param {string[]} selectors
 * @returns {Promise<{el: Element, selector: string} | null>}
 */
function waitFor(review, selectors) {
  return new Promise((resolve) => {
    const start = Date.now();
    const tick = () => {
      const hit = firstVisible(review, selectors);
      if (hit || Date.now() - start > OPEN_WAIT_MS) return resolve(hit);
      setTimeout(tick, 60);
    };
    tick();
  });
}

/** @param {Element} review @param {string[]} selectors */
function firstVisible(review, selectors) {
  for (const selector of selectors) {
    const el = lookup(review, selector);
    if (el && visible(el)) return { el, selector };
  }
  return null;
}

/**
 * The remembered box for this site and page, if the seller pointed at one.
 * @param {string} pageName
 * @param {Promise<Record<string, any>>} [stored] storage.local's answer for the key, when already asked (loader.js)
 * @returns {Promise<{selector: string, mode: string} | null>}
 */
export async function remembered(pageName, stored) {
  const key = rememberKey(location.hostname, pageName);
  const got = await (stored ?? api.storage.local.get(key));
  const box = /** @type {{selector?: unknown, mode?: unknown} | undefined} */ (got[key]);
  return typeof box?.selector === 'string' && typeof box.mode === 'string' ? { selector: box.selector, mode: box.mode } : null;
}

/**
 * @param {string} pageName
 * @param {{selector: string, mode: string}} box
 */
export async function remember(pageName, box) {
  await api.storage.local.set({ [rememberKey(location.hostname, pageName)]: box });
}

/**
 * Finds (opening it if needed) the reply box for one review element: the box
 * the seller pointed at on this site, else the profile's; inside the review
 * element first, then in the document (dialogs render outside it).
 * @param {Element} review
 * @param {ReplyBox | undefined} profileBox
 * @param {string} pageName
 * @returns {Promise<{el: Element, mode: string, events: string[]} | null>}
 */
export async function findBox(review, profileBox, pageName) {
  const mem = await remembered(pageName);
  /** @type {string[]} */
  const selectors = [mem?.selector, profileBox?.input].filter((s) => !!s).map(String);
  const events = profileBox?.events ?? ['input', 'change'];
  const modeFor = (/** @type {{el: Element, selector: string}} */ hit) =>
    (mem && hit.selector === mem.selector ? mem.mode : profileBox?.mode) || modeOf(hit.el);
  let hit = firstVisible(review, selectors);
  if (!hit && profileBox?.open) {
    const opener = review.querySelector(profileBox.open);
    if (opener instanceof HTMLElement) {
      opener.click(); // the platform's own "Respond" button: reveals the box, posts nothing
      hit = await waitFor(review, selectors);
    }
  }
  return hit ? { el: hit.el, mode: modeFor(hit), events } : null;
}

/** @param {string} s */
function normalize(s) {
  return (s ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * Puts text into the box the way a typing user would, so frameworks (React,
 * Vue, editors built on contenteditable) register it. Never submits.
 * @param {Element} el
 * @param {string} text
 * @param {string} mode
 * @param {string[]} events
 */
export function fill(el, text, mode, events) {
  if (el instanceof HTMLElement) {
    el.scrollIntoView({ block: 'center' });
    el.focus();
  }
  let inputFired = false;
  if (mode === 'textarea' && (el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement)) {
    // The prototype's setter, not el.value: frameworks that track the value on
    // the instance then see a change and fire their own onChange.
    const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
    const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
    if (setter) setter.call(el, text);
    else el.value = text;
  } else {
    const sel = window.getSelection();
    const range = document.createRange();
    range.selectNodeContents(el);
    sel?.removeAllRanges();
    sel?.addRange(range);
    // execCommand goes through the editor's own input handling where it
    // exists (and fires beforeinput/input itself); lines become line breaks.
    const lines = text.split('\n');
    let ok = true;
    lines.forEach((line, i) => {
      if (i > 0) ok = document.execCommand('insertLineBreak') && ok;
      if (line) ok = document.execCommand('insertText', false, line) && ok;
    });
    inputFired = ok;
    if (!ok || normalize(/** @type {HTMLElement} */ (el).innerText) !== normalize(text)) {
      el.dispatchEvent(new InputEvent('beforeinput', { inputType: 'insertText', data: text, bubbles: true, cancelable: true, composed: true }));
      el.replaceChildren(...lines.flatMap((line, i) => (i > 0 ? [document.createElement('br'), line] : [line])));
      inputFired = false;
    }
  }
  for (const type of events) {
    if (type === 'submit') continue; // never, whatever a profile says
    if (type === 'input' && inputFired) continue;
    const ev = type === 'input'
      ? new InputEvent('input', { inputType: 'insertText', data: text, bubbles: true, composed: true })
      : new Event(type, { bubbles: true });
    el.dispatchEvent(ev);
  }
}
