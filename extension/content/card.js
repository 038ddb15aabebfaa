// @ts-check
// One review's overlay, rendered in a shadow root attached to a host element
// inside the review element. Everything from the agent or the page is set as
// text, never as HTML.

import { formatDeadline, stars } from '../lib/format.js';
import { t as translate } from '../lib/i18n.js';
import { noticeText, policyNotices } from '../lib/notices.js';
import { CARD_CSS } from './styles.js';

export const HOST_TAG = 'calmreply-card';

/** @type {Map<string, string>} */
const strings = new Map();

/**
 * chrome.i18n.getMessage costs a trip through the extension bindings, and a
 * card asks for about fifteen strings, mostly the same for every card: a
 * page of 100 reviews spent a third of its drawing time there. The UI
 * language does not change while the page is open.
 * @type {import('../lib/i18n.js').Translator}
 */
function t(key, subs = []) {
  const k = subs.length ? `${key}\u0000${subs.join('\u0001')}` : key;
  let s = strings.get(k);
  if (s === undefined) {
    if (strings.size > 5000) strings.clear();
    s = translate(key, subs);
    strings.set(k, s);
  }
  return s;
}

/** Notices that are general reminders rather than a consequence of acting now. */
const MINOR = new Set(['cannot_delete', 'moderated']);

/**
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {(Node | string)[]} [children]
 */
function h(tag, attrs = {}, children = []) {
  const el = document.createElement(tag);
  for (const k in attrs) {
    if (k === 'text') el.textContent = attrs[k];
    else el.setAttribute(k, attrs[k]);
  }
  for (const c of children) el.append(c);
  return el;
}

/** @type {CSSStyleSheet | null | undefined} the cards' one shared sheet; null where adopting fails */
let shared;

/**
 * Styles a card's shadow root: every root adopts one shared stylesheet, so
 * the browser parses and matches one sheet for all cards. Where adopting
 * fails (older Firefox refused sheets made in a content script; Firefox ESR
 * 128 adopts them, checked in the browser test) it returns a <style> for the
 * caller to put in the root.
 * @param {ShadowRoot} root
 * @returns {HTMLStyleElement | null}
 */
function styleRoot(root) {
  if (shared === undefined) {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CARD_CSS);
      root.adoptedStyleSheets = [sheet];
      shared = root.adoptedStyleSheets.length === 1 && sheet.cssRules.length > 0 ? sheet : null;
    } catch {
      shared = null;
    }
    if (shared) return null;
    try {
      root.adoptedStyleSheets = [];
    } catch {
      // nothing adopted
    }
  } else if (shared) {
    root.adoptedStyleSheets = [shared];
    return null;
  }
  return /** @type {HTMLStyleElement} */ (h('style', { text: CARD_CSS }));
}

/**
 * @typedef {{platform: string, policy: Record<string, any>,
 *   page: import('../lib/match.js').Page}} PageMatch
 * @typedef {{insert: (card: Card) => void, copy: (card: Card, which: 'reply' | 'private') => void,
 *   redraft: (card: Card) => void, point: (card: Card) => void}} Actions
 */

export class Card {
  /**
   * @param {Element} review the platform's review element
   * @param {any} result a ReviewResult from the agent
   * @param {PageMatch} match
   * @param {Actions} actions
   * @param {boolean} canInsert a reply box is known (profile or remembered)
   */
  constructor(review, result, match, actions, canInsert) {
    this.review = review;
    this.match = match;
    this.actions = actions;
    this.canInsert = canInsert;
    this.host = document.createElement(HOST_TAG);
    this.host.setAttribute('data-calmreply-key', result.key ?? result.review?.id ?? '');
    this.root = this.host.attachShadow({ mode: 'open' });
    /** @type {HTMLStyleElement | null} */
    this.style = styleRoot(this.root);
    this.update(result);
    review.append(this.host);
  }

  /** Re-attaches the host if the page re-rendered the review without it. */
  reattach() {
    if (!this.host.isConnected || this.host.parentElement !== this.review) this.review.append(this.host);
  }

  /** @param {any} result */
  update(result) {
    this.result = result;
    const r = result.review ?? {};
    const a = result.analysis ?? {};
    const d = result.draft ?? {};
    const policy = this.match.policy ?? {};
    const all = result.notices?.length ? result.notices : policyNotices(policy, r, Date.now());
    // Once the shop has answered, the general reminders are noise.
    const notices = r.shop_reply ? all.filter((/** @type {{code: string}} */ n) => !MINOR.has(n.code)) : all;
    this.replyAllowed = !notices.some((/** @type {{code: string}} */ n) => n.code === 'no_reply_above_rating') && !r.shop_reply;

    const bar = h('div', { class: 'bar' });
    bar.append(h('span', { class: `chip kind kind-${a.kind}`, 'data-part': 'kind', text: t('kind_' + a.kind) }));
    if (a.lang) {
      bar.append(h('span', { class: 'chip lang', 'data-part': 'lang', title: t('langLabel', [a.lang]), text: a.lang.toUpperCase() }));
    }
    if (r.rating) bar.append(h('span', { class: 'chip', 'data-part': 'rating', text: stars(r.rating) }));
    const why = (a.reasons ?? []).join('; ');
    for (const topic of a.topics ?? []) {
      bar.append(h('span', { class: 'chip topic', 'data-part': 'topic', title: t('reasonsLabel', [why]), text: t('topic_' + topic) }));
    }
    if (!a.topics?.length && why) bar.append(h('span', { class: 'chip topic why', 'data-part': 'why', title: t('reasonsLabel', [why]), text: 'i' }));
    this.deadlineEl = h('span', { class: 'chip deadline', 'data-part': 'deadline', title: result.deadline?.reason ?? '' });
    bar.append(this.deadlineEl);
    if (result.state && result.state !== 'open' && !(r.shop_reply && result.state === 'replied')) {
      bar.append(h('span', { class: 'chip state', 'data-part': 'state', text: t('state_' + result.state) }));
    }
    if (r.shop_reply) bar.append(h('span', { class: 'chip state', 'data-part': 'replied', text: t('labelReplied') }));
    this.tick();

    const parts = [bar];
    for (const n of notices) {
      parts.push(h('p', { class: MINOR.has(n.code) ? 'notice minor' : 'notice', 'data-part': 'notice', 'data-code': n.code, text: noticeText(n, { ...this.match, draft: d.reply }, t) }));
    }

    /** @type {HTMLTextAreaElement | null} */
    this.draftEl = null;
    if (d.reply) {
      const id = 'draft';
      parts.push(h('label', { for: id, text: t('labelDraft') }));
      this.draftEl = /** @type {HTMLTextAreaElement} */ (h('textarea', { id, 'data-part': 'draft', lang: d.lang || a.lang || '' }));
      this.draftEl.value = d.reply;
      const lines = d.reply.split('\n').reduce((/** @type {number} */ n, /** @type {string} */ l) => n + Math.max(1, Math.ceil(l.length / 90)), 0);
      this.draftEl.rows = Math.min(14, Math.max(4, lines + 1));
      parts.push(this.draftEl);
    } else {
      const note = h('div', { class: 'note', 'data-part': 'note' }, [h('strong', { text: t('labelNoReply') }), d.note ?? '']);
      const groundsShown = notices.some((/** @type {{code: string}} */ n) => n.code === 'report_grounds');
      if (a.action === 'report' && policy.report_grounds?.length && !groundsShown) {
        note.append(h('div', { 'data-part': 'report', text: t('labelReportGrounds', [policy.report_grounds.join('; ')]) }));
        if (policy.report_help) note.append(h('div', { text: policy.report_help }));
      }
      parts.push(note);
    }

    /** @type {HTMLTextAreaElement | null} */
    this.privateEl = null;
    let privateBox = null;
    if (d.private_message) {
      this.privateEl = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'private', 'data-part': 'private', lang: d.lang || '' }));
      this.privateEl.value = d.private_message;
      this.privateEl.rows = 5;
      const copyPrivate = h('button', { type: 'button', 'data-act': 'copy-private', text: t('btnCopy') });
      copyPrivate.addEventListener('click', () => this.actions.copy(this, 'private'));
      privateBox = h('div', { 'data-part': 'private-box', hidden: '' }, [
        h('label', { for: 'private', text: t('labelPrivate') }), this.privateEl, h('div', { class: 'actions' }, [copyPrivate]),
      ]);
    }

    const actions = h('div', { class: 'actions' });
    if (d.reply) {
      if (this.canInsert && this.replyAllowed) actions.append(this.button('insert', t('btnInsert'), 'primary', () => this.actions.insert(this)));
      actions.append(this.button('copy', t('btnCopy'), '', () => this.actions.copy(this, 'reply')));
    }
    actions.append(this.button('redraft', t('btnAnother'), '', () => this.actions.redraft(this)));
    if (privateBox) {
      actions.append(this.button('private', t('btnPrivate'), '', () => {
        privateBox.toggleAttribute('hidden');
      }));
    }
    if (d.reply && this.replyAllowed && !this.canInsert && this.match.page.reply_box) {
      actions.append(this.button('point', t('btnPoint'), '', () => this.actions.point(this)));
    }
    parts.push(actions);
    if (privateBox) parts.push(privateBox);
    this.statusEl = h('p', { class: 'status', role: 'status', 'data-part': 'status' });
    parts.push(this.statusEl);

    const card = h('div', { class: 'card', 'data-part': 'card' }, parts);
    if (this.style) this.root.replaceChildren(this.style, card);
    else this.root.replaceChildren(card);
  }

  /** @param {string} act @param {string} label @param {string} cls @param {() => void} fn */
  button(act, label, cls, fn) {
    const b = h('button', { type: 'button', 'data-act': act, class: cls, text: label });
    b.addEventListener('click', fn);
    return b;
  }

  /** Shows a "Point at the reply box" button after detection failed. */
  offerPoint() {
    if (this.root.querySelector('[data-act="point"]')) return;
    this.root.querySelector('.actions')?.append(this.button('point', t('btnPoint'), '', () => this.actions.point(this)));
  }

  /** Refreshes the deadline wording (called every minute). */
  tick() {
    const f = formatDeadline(this.result?.deadline?.due, Date.now(), t);
    if (!this.deadlineEl) return;
    this.deadlineEl.hidden = !f;
    if (f) {
      this.deadlineEl.textContent = f.text;
      this.deadlineEl.className = `chip deadline ${f.level}`;
    }
  }

  /** @param {string} text @param {boolean} [error] */
  status(text, error = false) {
    if (!this.statusEl) return;
    this.statusEl.textContent = text;
    this.statusEl.classList.toggle('error', error);
  }

  draftText() {
    return this.draftEl?.value ?? '';
  }
}

/**
 * A one-line card for a review element the agent could not read, so the
 * seller sees that calmreply looked at it rather than nothing.
 * @param {Element} review
 * @param {{code: string, message: string}} error
 */
export function errorCard(review, error) {
  const host = document.createElement(HOST_TAG);
  host.setAttribute('data-calmreply-error', error.code);
  const root = host.attachShadow({ mode: 'open' });
  const p = h('p', { class: 'notice', 'data-part': 'item-error', title: error.message, text: t('itemNotUnderstood', [error.code]) });
  const style = styleRoot(root);
  const card = h('div', { class: 'card' }, [p]);
  if (style) root.replaceChildren(style, card);
  else root.replaceChildren(card);
  review.append(host);
  return host;
}
