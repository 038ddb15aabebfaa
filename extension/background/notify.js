// @ts-check
// Pushed events: new reviews become ONE desktop notification per batch (a
// page of twenty new reviews is one message, not twenty), and the toolbar
// badge shows how many reviews still need an answer. Events are numbered; the
// last seen number is stored so a restarted worker neither repeats nor skips.

import { api } from '../lib/browser.js';
import { t } from '../lib/i18n.js';

const BATCH_MS = 1500;
/** Actions that need the seller to write something. */
const NEEDS_ANSWER = new Set(['reply_now', 'answer', 'decline']);

export class Notifier {
  /** @param {{refreshBadge: () => Promise<void>}} deps */
  constructor(deps) {
    this.deps = deps;
    /** @type {any[]} */
    this.batch = [];
    /** @type {string[]} */
    this.errors = [];
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.timer = null;
    /** Serialises lastSeq read-modify-write across overlapping deliveries. */
    this.chain = Promise.resolve();
    /** @type {any[]} events waiting for the next pass of the chain */
    this.incoming = [];
  }

  /**
   * Takes events from a push or a catch_up; ignores any already seen. A page
   * of new reviews arrives as one pushed event per review: those that come
   * while a pass is reading or writing lastSeq wait for one next pass rather
   * than a storage round trip each, which the page's other answers queue behind.
   * @param {any[]} events
   */
  take(events) {
    const queued = this.incoming.length > 0; // a pass is queued and has not started: it takes these too
    this.incoming.push(...events);
    if (queued) return this.chain;
    this.chain = this.chain.then(async () => {
      const events = this.incoming.splice(0);
      const { lastSeq = 0 } = await api.storage.local.get('lastSeq');
      let seen = Number(lastSeq) || 0;
      for (const ev of [...events].sort((a, b) => a.seq - b.seq)) {
        if (!(ev.seq > seen)) continue;
        seen = ev.seq;
        if (ev.kind === 'new_review' && ev.review && needsAnswer(ev.review)) this.batch.push(ev.review);
        if (ev.kind === 'source_error' && ev.error) this.errors.push(`${ev.source ?? ''}: ${ev.error}`);
      }
      await api.storage.local.set({ lastSeq: seen });
      this.schedule();
    }).catch((e) => console.warn('calmreply: events', e));
    return this.chain;
  }

  schedule() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), BATCH_MS);
  }

  async flush() {
    this.timer = null;
    const batch = this.batch.splice(0);
    const errors = this.errors.splice(0);
    if (batch.length === 1) {
      const r = batch[0].review ?? {};
      const who = [r.author ?? '', r.rating ? `${r.rating}★` : ''].filter(Boolean).join(' ');
      await show('calmreply-new', t('notifyNewOne', [t('platform_' + r.platform), who || r.id]), snippet(r.text));
    } else if (batch.length > 1) {
      const lines = batch.slice(0, 3).map((b) => snippet(b.review?.text, 60)).join('\n');
      await show('calmreply-new', t('notifyNewMany', [batch.length]), lines);
    }
    if (errors.length) await show('calmreply-source', t('notifySourceError', [errors[0]]), '');
    await this.deps.refreshBadge().catch(() => {});
  }
}

/** @param {any} result */
export function needsAnswer(result) {
  return (result.state ?? 'open') === 'open' && NEEDS_ANSWER.has(result.analysis?.action);
}

/** @param {string | undefined} text @param {number} [max] */
function snippet(text, max = 140) {
  const s = (text ?? '').replace(/\s+/g, ' ').trim();
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** @param {string} id @param {string} title @param {string} message */
async function show(id, title, message) {
  await api.notifications.create(id, {
    type: 'basic',
    iconUrl: api.runtime.getURL('icons/icon-128.png'),
    title,
    message: message || title,
  });
}
