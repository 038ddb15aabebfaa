// @ts-check
// The extension's side of the wire protocol (shared/protocol/PROTOCOL.md).
// The Go types are the source of truth; test/protocol.test.js decodes every
// example in shared/protocol/testdata/ with this module so the two sides
// cannot drift.

export const VERSION = 1;
export const DEFAULT_PORT = 7734;
export const CLIENT = { name: 'calmreply', version: '0.1.0' };

/** Messages the extension sends. */
export const CLIENT_TYPES = Object.freeze([
  'pair', 'auth', 'ping', 'analyze_page', 'set_state', 'redraft', 'get_settings', 'save_settings',
  'list_inbox', 'list_sources', 'add_source', 'remove_source', 'catch_up', 'fetch_result', 'get_stats',
]);

/** Messages the agent sends. */
export const AGENT_TYPES = Object.freeze([
  'paired', 'hello', 'pong', 'page_result', 'ack', 'draft', 'settings', 'inbox', 'sources', 'events',
  'event', 'fetch_page', 'stats', 'error',
]);

/** The answer type of each request the extension makes. */
export const ANSWER = Object.freeze({
  pair: 'paired',
  auth: 'hello',
  ping: 'pong',
  analyze_page: 'page_result',
  set_state: 'ack',
  redraft: 'draft',
  get_settings: 'settings',
  save_settings: 'settings',
  list_inbox: 'inbox',
  list_sources: 'sources',
  add_source: 'sources',
  remove_source: 'sources',
  catch_up: 'events',
  get_stats: 'stats',
});

/**
 * Requests that record what the seller did or typed: kept in storage until the
 * agent acknowledges them, and re-sent after a reconnect, so nothing is lost.
 */
export const DURABLE = Object.freeze(new Set(['set_state', 'save_settings']));

/** Error codes the extension decides by. */
export const CODES = Object.freeze({
  VERSION_MISMATCH: 'VERSION_MISMATCH',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  BAD_PAIRING_CODE: 'BAD_PAIRING_CODE',
  PAIRING_LOCKED: 'PAIRING_LOCKED',
  BAD_MESSAGE: 'BAD_MESSAGE',
  TOO_LARGE: 'TOO_LARGE',
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  NOT_FOUND: 'NOT_FOUND',
  NO_SCRAPER: 'NO_SCRAPER',
  MARKUP_CHANGED: 'MARKUP_CHANGED',
  LOGIN_WALL: 'LOGIN_WALL',
  CAPTCHA: 'CAPTCHA',
  NO_REVIEWS: 'NO_REVIEWS',
  BAD_SOURCE: 'BAD_SOURCE',
  STORE_FAILED: 'STORE_FAILED',
  INTERNAL: 'INTERNAL',
  // Extension-side conditions, never on the wire.
  NOT_PAIRED: 'NOT_PAIRED',
  OFFLINE: 'OFFLINE',
  TIMEOUT: 'TIMEOUT',
});

/** Page-level errors that mean "calmreply does not understand this page any more". */
export const PAGE_NOT_UNDERSTOOD = Object.freeze(
  new Set(['MARKUP_CHANGED', 'NO_REVIEWS', 'NO_SCRAPER', 'LOGIN_WALL', 'CAPTCHA']),
);

/** WebSocket close codes with a meaning (PROTOCOL.md). */
export const CLOSE = Object.freeze({ UNAUTHENTICATED: 4401, VIOLATION: 4400, VERSION: 4409, SHUTDOWN: 1001 });

/** Limits the agent enforces; the extension splits its batches to stay below them. */
export const LIMITS = Object.freeze({ maxMessageBytes: 4 << 20, maxItems: 500, maxItemBytes: 256 << 10 });

/**
 * Fields of each payload that the extension reads. The protocol test checks
 * them against the golden examples: if the agent renames one, the test fails.
 * @type {Readonly<Record<string, string[]>>}
 */
export const READS = Object.freeze({
  paired: ['token'],
  hello: ['version', 'agent_version', 'profiles', 'last_seq'],
  page_result: ['url', 'platform', 'page_kind', 'results'],
  draft: ['key', 'review', 'analysis', 'draft', 'deadline', 'notices', 'state'],
  inbox: ['items', 'open'],
  sources: ['sources'],
  events: ['events', 'last_seq'],
  event: ['seq', 'kind', 'at'],
  fetch_page: ['url'],
  stats: ['platforms'],
  error: ['code', 'message'],
  settings: ['shop_name', 'contact', 'tone', 'offers'],
});

/** Fields read from each review result (page_result.results[], inbox.items[], draft). */
export const RESULT_READS = Object.freeze({
  review: ['platform', 'id', 'author', 'rating', 'date', 'text', 'shop_reply'],
  analysis: ['lang', 'kind', 'topics', 'action', 'reasons'],
  draft: ['lang', 'reply', 'private_message', 'note', 'variant'],
  deadline: ['due', 'kind', 'reason'],
  notice: ['code', 'text'],
});

/**
 * Builds a message.
 * @param {string} type
 * @param {string | undefined} id
 * @param {unknown} data
 */
export function encode(type, id, data) {
  if (!CLIENT_TYPES.includes(type)) throw new Error(`protocol: cannot send unknown type ${type}`);
  /** @type {{type: string, id?: string, data: unknown}} */
  const m = { type, data: data ?? {} };
  if (id) m.id = id;
  return JSON.stringify(m);
}

/**
 * Parses a message from the agent: an object with a known type, an optional
 * string id and an object payload. Throws with a reason otherwise.
 * @param {string} text
 * @returns {{type: string, id?: string, data: any}}
 */
export function decode(text) {
  /** @type {any} */
  let m;
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw new Error(`protocol: not JSON: ${/** @type {Error} */ (e).message}`);
  }
  if (!m || typeof m !== 'object' || Array.isArray(m)) throw new Error('protocol: message is not an object');
  if (typeof m.type !== 'string' || !AGENT_TYPES.includes(m.type)) {
    throw new Error(`protocol: unknown message type ${JSON.stringify(m.type)}`);
  }
  if (m.id !== undefined && typeof m.id !== 'string') throw new Error('protocol: id is not a string');
  if (m.data === undefined || m.data === null) m.data = {};
  if (typeof m.data !== 'object' || Array.isArray(m.data)) throw new Error(`protocol: ${m.type} data is not an object`);
  return m;
}

/** An error answer or an extension-side failure, with a stable code. */
export class AgentError extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.name = 'AgentError';
    this.code = code;
  }
}
