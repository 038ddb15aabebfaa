// @ts-check
// Extension pages (popup, options, inbox) talk to the service worker, which
// owns the agent connection.

import { api } from './browser.js';

/**
 * Sends a request through the worker; throws an Error with .code on failure.
 * @param {string} type
 * @param {any} [data]
 */
export async function ask(type, data = {}) {
  const res = await api.runtime.sendMessage({ type, data });
  if (!res?.ok) throw Object.assign(new Error(res?.message ?? 'no answer from the extension'), { code: res?.code ?? 'INTERNAL' });
  return res.data;
}
