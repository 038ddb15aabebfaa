// @ts-check
// UI strings come from _locales/<lang>/messages.json through chrome.i18n.
// makeTranslator reproduces chrome.i18n's placeholder rules for a loaded
// messages.json, so node tests (and the formatting helpers) can run outside
// the browser with the real strings.

/**
 * @typedef {(key: string, subs?: (string | number)[]) => string} Translator
 */

/**
 * A translator over one parsed messages.json.
 * @param {Record<string, {message: string, placeholders?: Record<string, {content: string}>}>} messages
 * @returns {Translator}
 */
export function makeTranslator(messages) {
  return (key, subs = []) => {
    const entry = messages[key];
    if (!entry) return '';
    const named = entry.placeholders ?? {};
    const fill = (/** @type {string} */ s) => s.replace(/\$(\d)/g, (_, n) => String(subs[Number(n) - 1] ?? ''));
    return entry.message
      .replace(/\$([A-Za-z0-9_@]+)\$/g, (whole, name) => {
        const p = named[name.toLowerCase()] ?? named[name];
        return p ? fill(p.content) : whole;
      })
      .replace(/\$\$/g, '$');
  };
}

/**
 * The browser's translator; the key itself when a string is missing, so a
 * gap is visible rather than blank.
 * @type {Translator}
 */
export function t(key, subs = []) {
  const i18n = /** @type {any} */ (globalThis).chrome?.i18n ?? /** @type {any} */ (globalThis).browser?.i18n;
  const s = i18n?.getMessage(key, subs.map(String));
  return s || key;
}

/**
 * Fills elements marked data-i18n (text), data-i18n-title, data-i18n-placeholder.
 * @param {ParentNode} root
 * @param {Translator} [tr]
 */
export function localize(root, tr = t) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = tr(el.getAttribute('data-i18n') ?? '');
  for (const el of root.querySelectorAll('[data-i18n-title]')) {
    el.setAttribute('title', tr(el.getAttribute('data-i18n-title') ?? ''));
  }
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) {
    el.setAttribute('placeholder', tr(el.getAttribute('data-i18n-placeholder') ?? ''));
  }
}
