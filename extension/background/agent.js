// @ts-check
// The single WebSocket to the local agent, owned by the service worker.
// Lazy: nothing connects until the first request (or a pairing). After that
// the socket is kept: an application ping every 20 s keeps the worker alive
// (Chrome 116+ counts WebSocket traffic as activity), a dropped socket is
// re-opened with backoff, and the paired token re-authenticates it.
// Requests are matched to answers by id; requests made while disconnected
// wait for the connection; durable ones (set_state, save_settings) are also
// kept in storage until acknowledged, so a worker restart does not lose what
// the seller typed.

import { api, browserName } from '../lib/browser.js';
import {
  AgentError, ANSWER, CLIENT, CLOSE, CODES, DEFAULT_PORT, DURABLE, VERSION, decode, encode,
} from '../lib/protocol.js';
import { backoff } from './backoff.js';

const PING_MS = 20_000;
const HELLO_TIMEOUT_MS = 8_000;
/** @type {Record<string, number>} */
const TIMEOUT_MS = { analyze_page: 90_000, redraft: 30_000, default: 15_000 };

/**
 * @typedef {'unpaired' | 'offline' | 'connecting' | 'connected' | 'unauthorized'} Status
 * @typedef {{type: string, data: any, resolve: (v: any) => void, reject: (e: Error) => void,
 *   timer?: ReturnType<typeof setTimeout>, outboxId?: string}} Pending
 */

export class Agent {
  /**
   * @param {{onMessage: (msg: {type: string, id?: string, data: any}) => void,
   *   onHello: (hello: any) => void, onStatus?: (s: Status) => void}} hooks
   */
  constructor(hooks) {
    this.hooks = hooks;
    /** @type {WebSocket | null} */
    this.ws = null;
    /** @type {Status} */
    this.status = 'offline';
    this.authed = false;
    this.attempt = 0;
    this.seq = 0;
    /** @type {Map<string, Pending>} sent, waiting for an answer */
    this.pending = new Map();
    /** @type {Pending[]} waiting for an authenticated socket */
    this.queue = [];
    /** @type {any} */
    this.hello = null;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.retryTimer = null;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.pingTimer = null;
    /** @type {Promise<void> | null} */
    this.connecting = null;
    /** Keep reconnecting once a connection has been wanted. */
    this.wanted = false;
  }

  /** @param {Status} s */
  setStatus(s) {
    if (this.status === s) return;
    this.status = s;
    this.hooks.onStatus?.(s);
  }

  async settings() {
    const { port, token } = await api.storage.local.get(['port', 'token']);
    return { port: Number(port) || DEFAULT_PORT, token: typeof token === 'string' ? token : '' };
  }

  nextId() {
    this.seq += 1;
    return `x${Date.now().toString(36)}-${this.seq}`;
  }

  /**
   * Sends a request and resolves with the answer's data, or rejects with an
   * AgentError (the agent's error code, or NOT_PAIRED / OFFLINE / TIMEOUT).
   * @param {string} type
   * @param {any} [data]
   * @returns {Promise<any>}
   */
  request(type, data = {}) {
    return new Promise((resolve, reject) => {
      /** @type {Pending} */
      const p = { type, data, resolve, reject };
      if (DURABLE.has(type)) {
        p.outboxId = this.nextId();
        this.saveOutbox(p.outboxId, type, data);
      }
      this.queue.push(p);
      this.armTimeout(p);
      this.wanted = true;
      if (this.authed) this.flush();
      else {
        this.ensure().catch((e) => {
          // What the seller typed is safe in the outbox and goes out after the
          // next hello; say so now rather than after the timeout.
          if (!p.outboxId || !this.queue.includes(p)) return;
          this.queue = this.queue.filter((q) => q !== p);
          clearTimeout(p.timer);
          p.reject(new AgentError(e.code === CODES.NOT_PAIRED ? CODES.NOT_PAIRED : CODES.OFFLINE, `${type}: kept, sent when the agent is back`));
        });
      }
    });
  }

  /** @param {Pending} p */
  armTimeout(p) {
    const ms = TIMEOUT_MS[p.type] ?? TIMEOUT_MS.default;
    p.timer = setTimeout(() => {
      this.queue = this.queue.filter((q) => q !== p);
      for (const [id, q] of this.pending) if (q === p) this.pending.delete(id);
      const code = this.status === 'unpaired' ? CODES.NOT_PAIRED : this.authed ? CODES.TIMEOUT : CODES.OFFLINE;
      // A durable request stays in the outbox: it is re-sent on the next connection.
      p.reject(new AgentError(code, `${p.type}: no answer from the agent (${code})`));
    }, ms);
  }

  /** Opens and authenticates the socket if it is not already. */
  async ensure() {
    if (this.authed) return;
    if (!this.connecting) {
      this.connecting = this.open().finally(() => { this.connecting = null; });
    }
    return this.connecting;
  }

  /**
   * Pairs with the code the agent printed. Resolves when the token is stored
   * and hello has arrived.
   * @param {string} code
   */
  async pair(code) {
    this.close();
    this.wanted = true;
    const ws = await this.socket();
    return this.handshake(ws, 'pair', { code: code.trim().toUpperCase(), versions: [VERSION], client: this.client() });
  }

  client() {
    return { ...CLIENT, version: api.runtime.getManifest().version, browser: browserName() };
  }

  async open() {
    const { token } = await this.settings();
    if (!token) {
      this.setStatus('unpaired');
      throw new AgentError(CODES.NOT_PAIRED, 'not paired with the agent yet');
    }
    const ws = await this.socket();
    await this.handshake(ws, 'auth', { token, versions: [VERSION], client: this.client() });
  }

  /** @returns {Promise<WebSocket>} */
  async socket() {
    const { port } = await this.settings();
    this.setStatus('connecting');
    return new Promise((resolve, reject) => {
      let ws;
      try {
        ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      } catch (e) {
        this.setStatus('offline');
        this.scheduleRetry();
        reject(new AgentError(CODES.OFFLINE, String(e)));
        return;
      }
      this.ws = ws;
      ws.onopen = () => resolve(ws);
      ws.onerror = () => {
        if (ws.readyState !== WebSocket.OPEN) reject(new AgentError(CODES.OFFLINE, `agent not reachable on port ${port}`));
      };
      ws.onclose = (ev) => this.closed(ws, ev);
    });
  }

  /**
   * Sends pair or auth and waits for hello (and, for pair, paired first).
   * @param {WebSocket} ws
   * @param {'pair' | 'auth'} type
   * @param {any} data
   */
  handshake(ws, type, data) {
    const id = this.nextId();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new AgentError(CODES.TIMEOUT, 'the agent did not greet us'));
        ws.close();
      }, HELLO_TIMEOUT_MS);
      ws.onmessage = async (ev) => {
        let msg;
        try {
          msg = decode(String(ev.data));
        } catch (e) {
          console.warn('calmreply:', e);
          return;
        }
        switch (msg.type) {
          case 'paired':
            await api.storage.local.set({ token: msg.data.token });
            break;
          case 'hello':
            clearTimeout(timer);
            this.authed = true;
            this.attempt = 0;
            this.hello = msg.data;
            ws.onmessage = (e) => this.received(String(e.data));
            this.startPing();
            this.setStatus('connected');
            this.hooks.onHello(msg.data);
            this.resendOutbox().then(() => this.flush());
            resolve(msg.data);
            break;
          case 'error':
            clearTimeout(timer);
            if ([CODES.UNAUTHENTICATED].includes(msg.data.code)) this.setStatus('unauthorized');
            reject(new AgentError(msg.data.code, msg.data.message));
            break;
          default:
            // Pushed messages cannot arrive before hello; ignore anything else.
        }
      };
      ws.send(encode(type, id, data));
    });
  }

  /** @param {WebSocket} ws @param {CloseEvent} ev */
  closed(ws, ev) {
    if (ws !== this.ws) return;
    this.ws = null;
    this.authed = false;
    this.stopPing();
    // Answers to what was in flight will not come: put it back in the queue.
    for (const p of this.pending.values()) this.queue.push(p);
    this.pending.clear();
    if (ev.code === CLOSE.UNAUTHENTICATED || this.status === 'unauthorized') {
      this.setStatus('unauthorized');
      return; // a new pairing is needed; retrying the same token would not help
    }
    if (ev.code === CLOSE.VERSION) {
      this.setStatus('offline');
      return;
    }
    this.setStatus('offline');
    this.scheduleRetry();
  }

  scheduleRetry() {
    if (!this.wanted || this.retryTimer) return;
    const delay = backoff(this.attempt++);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.ensure().catch(() => this.scheduleRetry());
    }, delay);
  }

  /** Reconnect now (settings changed, or the keepalive alarm found us down). */
  kick() {
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    this.attempt = 0;
    this.wanted = true;
    return this.ensure();
  }

  close() {
    const ws = this.ws;
    this.ws = null;
    this.authed = false;
    this.stopPing();
    if (ws) ws.close(1000);
  }

  startPing() {
    this.stopPing();
    this.pingTimer = setInterval(() => {
      if (this.authed) this.sendRaw('ping', this.nextId(), {});
    }, PING_MS);
  }

  stopPing() {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  /** @param {string} type @param {string | undefined} id @param {any} data */
  sendRaw(type, id, data) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(encode(type, id, data));
    return true;
  }

  flush() {
    while (this.authed && this.queue.length) {
      const p = /** @type {Pending} */ (this.queue.shift());
      const id = p.outboxId ?? this.nextId();
      this.pending.set(id, p);
      if (!this.sendRaw(p.type, id, p.data)) {
        this.pending.delete(id);
        this.queue.unshift(p);
        break;
      }
    }
  }

  /** @param {string} text */
  received(text) {
    let msg;
    try {
      msg = decode(text);
    } catch (e) {
      console.warn('calmreply: dropped a message from the agent:', e);
      return;
    }
    const p = msg.id ? this.pending.get(msg.id) : undefined;
    if (p && (msg.type === 'error' || msg.type === ANSWER[/** @type {keyof typeof ANSWER} */ (p.type)])) {
      this.pending.delete(/** @type {string} */ (msg.id));
      clearTimeout(p.timer);
      if (p.outboxId) this.dropOutbox(p.outboxId);
      if (msg.type === 'error') p.reject(new AgentError(msg.data.code, msg.data.message));
      else p.resolve(msg.data);
      return;
    }
    if (msg.type === 'pong' || (msg.type === 'error' && msg.id)) return; // keepalive answers, stale errors
    this.hooks.onMessage(msg);
  }

  /** Answers an agent request such as fetch_page. @param {string} type @param {string} id @param {any} data */
  reply(type, id, data) {
    return this.sendRaw(type, id, data);
  }

  // The outbox: durable requests survive a worker restart in storage.local.

  /** @returns {Promise<{id: string, type: string, data: any}[]>} */
  async outbox() {
    const { outbox } = await api.storage.local.get('outbox');
    return Array.isArray(outbox) ? outbox : [];
  }

  /** @param {string} id @param {string} type @param {any} data */
  async saveOutbox(id, type, data) {
    const outbox = await this.outbox();
    outbox.push({ id, type, data });
    await api.storage.local.set({ outbox });
  }

  /** @param {string} id */
  async dropOutbox(id) {
    const outbox = await this.outbox();
    await api.storage.local.set({ outbox: outbox.filter((/** @type {{id: string}} */ o) => o.id !== id) });
  }

  /** Re-sends durable requests left from an earlier worker life. */
  async resendOutbox() {
    const outbox = await this.outbox();
    const live = new Set([...this.queue, ...this.pending.values()].map((p) => p.outboxId));
    for (const o of outbox) {
      if (live.has(o.id)) continue;
      /** @type {Pending} */
      const p = { type: o.type, data: o.data, outboxId: o.id, resolve: () => {}, reject: () => {} };
      this.queue.push(p);
    }
  }
}
