// @ts-check
// The generic content script: finds review elements with the profile the
// agent sent, has the agent analyse them, and shows a card on each. It knows
// nothing about any site beyond the profile.

import { t } from '../lib/i18n.js';
import { readId } from '../lib/match.js';
import { LIMITS, PAGE_NOT_UNDERSTOOD } from '../lib/protocol.js';
import { isEditable, modeOf, selectorFor } from '../lib/selector.js';
import { Card, HOST_TAG, errorCard } from './card.js';
import { fill, findBox, remember, remembered } from './replybox.js';
import { NOTICE_CSS } from './styles.js';

const api = /** @type {typeof chrome} */ (/** @type {any} */ (globalThis).browser ?? globalThis.chrome);

/** Reviews per analyze_page, sent together (see loader.js for the size). */
const CHUNK_ITEMS = 50;
const CHUNK_BYTES = 1 << 20;
const RESCAN_MS = 400;
/** Time for a page that renders reviews late before we say we do not understand it. */
const EMPTY_GRACE_MS = 3000;

/**
 * @param {string} type
 * @param {any} data
 */
async function send(type, data) {
  const res = await api.runtime.sendMessage({ type, data });
  if (!res?.ok) throw Object.assign(new Error(res?.message ?? 'no answer'), { code: res?.code ?? 'INTERNAL' });
  return res.data;
}

/** @param {string} s */
function signature(s) {
  return s.replace(/\s+/g, ' ').trim();
}

/**
 * What loader.js sent before this module loaded: the elements with their keys
 * and text signatures, and the answers, each {keys, res} or {keys, error}.
 * @typedef {{el: Element, key: string, sig: string}} FirstItem
 * @typedef {{keys: string[], res?: any, error?: any}} Answer
 * @typedef {{found: number, items: FirstItem[], answers: Promise<Answer>[], box?: Promise<Record<string, any>>}} FirstPass
 */

class Controller {
  /** @param {import('./card.js').PageMatch} match */
  constructor(match) {
    this.match = match;
    this.page = match.page;
    /** @type {WeakMap<Element, string>} generated keys for elements without an id */
    this.generated = new WeakMap();
    /** @type {WeakMap<Element, string>} keys loader.js gave in its first pass */
    this.adopted = new WeakMap();
    this.counter = 0;
    /** @type {Map<string, string>} key -> text signature last sent */
    this.sent = new Map();
    /** @type {Map<string, Element>} key -> element */
    this.elements = new Map();
    /** @type {Map<string, Card>} */
    this.cards = new Map();
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.timer = null;
    this.started = Date.now();
    this.seenAny = false;
    /** @type {{selector: string, mode: string} | null} */
    this.pointed = null;
    /** Settles once `pointed` is read. It decides Insert only on pages whose
     * profile has no reply box; cards elsewhere do not wait for it. */
    this.ready = Promise.resolve();
  }

  /** @param {FirstPass | null} first */
  run(first) {
    this.ready = remembered(this.page.name, first?.box).then((p) => { this.pointed = p; }, () => {});
    if (first) this.adopt(first);
    this.scan();
    new MutationObserver((records) => {
      // Our own cards live in shadow roots; only the host insertions show up here.
      if (records.every((r) => [...r.addedNodes].every((n) => n.nodeName === HOST_TAG.toUpperCase()))) return;
      this.schedule();
    }).observe(document.documentElement, { childList: true, subtree: true, characterData: true });
    setTimeout(() => this.checkEmpty(), EMPTY_GRACE_MS);
    setInterval(() => this.cards.forEach((c) => c.tick()), 60_000);
  }

  /** @param {FirstPass} first */
  adopt(first) {
    for (const it of first.items) {
      this.adopted.set(it.el, it.key);
      this.elements.set(it.key, it.el);
      this.sent.set(it.key, it.sig);
    }
    for (const a of first.answers) this.receive(a);
  }

  schedule() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.scan();
    }, RESCAN_MS);
  }

  /** @param {Element} el */
  keyOf(el) {
    const id = this.adopted.get(el) || readId(el, this.page.id);
    if (id) return id;
    let k = this.generated.get(el);
    if (!k) {
      k = `cr-${++this.counter}`;
      this.generated.set(el, k);
    }
    return k;
  }

  scan() {
    /** @type {NodeListOf<Element> | Element[]} */
    let found = [];
    try {
      found = document.querySelectorAll(this.page.review);
    } catch {
      found = [];
    }
    /** @type {{key: string, html: string}[]} */
    const items = [];
    for (const el of found) {
      if (el.closest(HOST_TAG)) continue;
      const key = this.keyOf(el);
      this.elements.set(key, el);
      const card = this.cards.get(key);
      if (card && card.review !== el) card.review = el;
      card?.reattach();
      const sig = signature(el.textContent ?? '');
      if (this.sent.get(key) === sig) continue;
      this.sent.set(key, sig);
      const html = el.outerHTML;
      if (html.length > LIMITS.maxItemBytes) continue; // the agent would refuse it; nothing sensible to show
      items.push({ key, html });
    }
    if (found.length) {
      this.seenAny = true;
      pageNotice(null);
    }
    if (items.length) this.analyze(items);
  }

  checkEmpty() {
    if (!this.seenAny) pageNotice(t('pageNotUnderstood'));
  }

  /**
   * Sends the items in chunks, all at once; each chunk's cards are drawn as
   * its answer arrives.
   * @param {{key: string, html: string}[]} items
   */
  analyze(items) {
    const chunks = [];
    let cur = [];
    let bytes = 0;
    for (const it of items) {
      if (cur.length >= CHUNK_ITEMS || (cur.length && bytes + it.html.length > CHUNK_BYTES)) {
        chunks.push(cur);
        cur = [];
        bytes = 0;
      }
      cur.push(it);
      bytes += it.html.length;
    }
    if (cur.length) chunks.push(cur);
    const pageLang = document.documentElement.lang || '';
    for (const chunk of chunks) {
      const keys = chunk.map((it) => it.key);
      this.receive(send('analyze_page', { url: location.href, page_lang: pageLang, items: chunk })
        .then((res) => ({ keys, res }), (error) => ({ keys, error })));
    }
  }

  /** @param {Promise<Answer>} answer */
  async receive(answer) {
    const { keys, res, error } = await answer;
    if (error) {
      // Forget what failed so the next scan tries again.
      for (const k of keys) this.sent.delete(k);
      this.failed(error);
      return;
    }
    if (!this.page.reply_box) await this.ready;
    for (const r of res.results ?? []) this.show(r);
    for (const e of res.errors ?? []) this.showError(e.key, e.error);
    performance.mark('calmreply:badges'); // this answer's cards are drawn (scripts/e2e/perf.mjs)
  }

  /** @param {{code?: string, message: string}} e */
  failed(e) {
    if (e.code && PAGE_NOT_UNDERSTOOD.has(e.code)) pageNotice(t('pageNotUnderstood'));
    else if (e.code === 'NOT_PAIRED' || e.code === 'UNAUTHENTICATED') pageNotice(t('pageNotPaired'));
    else if (e.code === 'OFFLINE' || e.code === 'TIMEOUT') pageNotice(t('pageOffline'));
    else pageNotice(t('statusError', [e.message]));
  }

  /** @param {any} result */
  show(result) {
    const key = result.key ?? result.review?.id;
    const el = this.elements.get(key);
    if (!el) return;
    const canInsert = !!this.page.reply_box || !!this.pointed;
    let card = this.cards.get(key);
    if (card) {
      card.canInsert = canInsert;
      card.update(result);
    } else {
      card = new Card(el, result, this.match, this.actions(), canInsert);
      this.cards.set(key, card);
    }
    // The seller inserted our draft earlier and the page now shows the shop's reply.
    if (result.state === 'inserted' && this.page.existing_reply && el.querySelector(this.page.existing_reply)) {
      this.setState(card, 'replied');
    }
  }

  /**
   * @param {string} key
   * @param {{code: string, message: string}} error
   */
  showError(key, error) {
    const el = this.elements.get(key);
    if (!el || this.cards.has(key)) return;
    el.querySelector(`:scope > ${HOST_TAG}[data-calmreply-error]`)?.remove();
    errorCard(el, error);
  }

  /** @returns {import('./card.js').Actions} */
  actions() {
    return {
      insert: (card) => this.insert(card),
      copy: (card, which) => this.copy(card, which),
      redraft: (card) => this.redraft(card),
      point: (card) => this.point(card),
    };
  }

  /** @param {Card} card */
  async insert(card) {
    const text = card.draftText();
    if (!text) return;
    if (!card.replyAllowed) return card.status(t('statusNotAllowed'), true);
    const box = await findBox(card.review, this.page.reply_box, this.page.name);
    if (!box) {
      card.status(t('statusNoReplyBox'), true);
      card.offerPoint();
      return;
    }
    fill(box.el, text, box.mode, box.events);
    card.status(t('statusInserted'));
    this.setState(card, 'inserted');
  }

  /** @param {Card} card @param {string} state */
  setState(card, state) {
    const r = card.result?.review;
    if (!r?.id) return;
    send('set_state', { platform: r.platform, review_id: r.id, state }).catch(() => {
      // Kept in the worker's outbox and re-sent after reconnecting.
    });
  }

  /** @param {Card} card @param {'reply' | 'private'} which */
  async copy(card, which) {
    const area = which === 'private' ? card.privateEl : card.draftEl;
    if (!area) return;
    try {
      await navigator.clipboard.writeText(area.value);
      card.status(t('statusCopied'));
    } catch {
      area.focus();
      area.select();
      const ok = document.execCommand('copy');
      card.status(ok ? t('statusCopied') : t('statusCopyFailed'), !ok);
    }
  }

  /** @param {Card} card */
  async redraft(card) {
    const r = card.result?.review;
    if (!r?.id) return;
    card.status(t('statusWorking'));
    try {
      const next = await send('redraft', { platform: r.platform, review_id: r.id, variant: (card.result.draft?.variant ?? 0) + 1 });
      card.update({ ...next, key: card.result.key ?? next.key });
    } catch (e) {
      card.status(t('statusError', [/** @type {Error} */ (e).message]), true);
    }
  }

  /**
   * "Point at the reply box": the next click on an editable element is the
   * reply box for this site and page, remembered from now on.
   * @param {Card} card
   */
  point(card) {
    card.status(t('statusPointPrompt'));
    /** @param {MouseEvent} ev */
    const onClick = async (ev) => {
      const target = /** @type {Element} */ (ev.composedPath()[0]);
      if (!(target instanceof Element) || target.closest(HOST_TAG) || target.tagName === HOST_TAG.toUpperCase()) return;
      document.removeEventListener('click', onClick, true);
      document.removeEventListener('keydown', onKey, true);
      if (!isEditable(target)) {
        card.status(t('statusPointNotEditable'), true);
        return;
      }
      this.pointed = { selector: selectorFor(target, document), mode: modeOf(target) };
      await remember(this.page.name, this.pointed);
      card.status(t('statusPointSaved', [location.hostname]));
      fill(target, card.draftText(), this.pointed.mode, this.page.reply_box?.events ?? ['input', 'change']);
      this.setState(card, 'inserted');
    };
    /** @param {KeyboardEvent} ev */
    const onKey = (ev) => {
      if (ev.key !== 'Escape') return;
      document.removeEventListener('click', onClick, true);
      document.removeEventListener('keydown', onKey, true);
      card.status('');
    };
    // Capture phase, registered after this click has finished dispatching.
    setTimeout(() => {
      document.addEventListener('click', onClick, true);
      document.addEventListener('keydown', onKey, true);
    }, 0);
  }
}

/** @type {HTMLElement | null} */
let noticeHost = null;

/**
 * Shows (or, with null, removes) the page-level notice.
 * @param {string | null} text
 */
function pageNotice(text) {
  if (!text) {
    noticeHost?.remove();
    noticeHost = null;
    return;
  }
  if (!noticeHost) {
    noticeHost = document.createElement('calmreply-page-notice');
    noticeHost.attachShadow({ mode: 'open' });
  }
  const root = /** @type {ShadowRoot} */ (noticeHost.shadowRoot);
  const style = document.createElement('style');
  style.textContent = NOTICE_CSS;
  const box = document.createElement('div');
  box.className = 'box';
  box.setAttribute('role', 'status');
  const msg = document.createElement('span');
  msg.setAttribute('data-part', 'message');
  msg.textContent = text;
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = t('dismiss');
  close.addEventListener('click', () => pageNotice(null));
  box.append(msg, close);
  root.replaceChildren(style, box);
  if (!noticeHost.isConnected) document.documentElement.append(noticeHost);
}

/**
 * Entry point, called by loader.js once this URL matched a page profile.
 * @param {{match: import('./card.js').PageMatch, status: string | Promise<string>}} info
 *   status: the worker's, or a promise of it when the loader matched from its cache
 * @param {FirstPass | null} [first] what the loader already sent
 */
export function start(info, first = null) {
  Promise.resolve(info.status).then((status) => {
    if (status === 'unpaired') pageNotice(t('pageNotPaired'));
  });
  new Controller(info.match).run(first);
}
