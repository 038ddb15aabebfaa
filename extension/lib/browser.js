// @ts-check
// The one place that knows which browser we run in. Firefox exposes the
// promise-based `browser` namespace; Chromium's MV3 `chrome` returns promises
// too, so the rest of the code calls `api.*` and awaits.

/** @type {typeof chrome} */
export const api = /** @type {any} */ (globalThis).browser ?? globalThis.chrome;

/** @returns {'firefox' | 'chromium'} */
export function browserName() {
  return typeof (/** @type {any} */ (globalThis).browser) !== 'undefined' ? 'firefox' : 'chromium';
}
