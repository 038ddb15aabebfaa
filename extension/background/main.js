// @ts-check
// The service worker: owns the agent connection and is the only context that
// talks to the agent. Content scripts and extension pages message it; each
// message is checked by who sent it before anything is forwarded.

import { api } from '../lib/browser.js';
import { matchPage } from '../lib/match.js';
import { AgentError, CODES, DEFAULT_PORT, LIMITS } from '../lib/protocol.js';
import { Agent } from './agent.js';
import { fetchPage } from './fetch-page.js';
import { Notifier } from './notify.js';

/** @type {any[] | null} site profiles from the last hello */
let profiles = null;

const notifier = new Notifier({ refreshBadge });

const agent = new Agent({
  onHello: async (hello) => {
    profiles = hello.profiles ?? [];
    await api.storage.local.set({ profiles, agentVersion: hello.agent_version });
    const { lastSeq } = await api.storage.local.get('lastSeq');
    if (lastSeq === undefined) {
      // First connection after pairing: what happened before is history, not news.
      await api.storage.local.set({ lastSeq: hello.last_seq ?? 0 });
    } else if ((hello.last_seq ?? 0) > Number(lastSeq)) {
      agent.request('catch_up', { after_seq: Number(lastSeq) })
        .then((evs) => notifier.take(evs.events ?? []))
        .catch((e) => console.warn('calmreply: catch_up', e));
    }
    refreshBadge().catch(() => {});
  },
  onMessage: (msg) => {
    switch (msg.type) {
      case 'event':
        notifier.take([msg.data]);
        break;
      case 'fetch_page':
        answerFetch(msg.id ?? '', msg.data);
        break;
      default:
        console.warn('calmreply: unexpected message from the agent:', msg.type);
    }
  },
  onStatus: (status) => {
    api.storage.session?.set({ status }).catch(() => {});
    if (status === 'unauthorized' || status === 'unpaired') api.action.setBadgeText({ text: '!' });
  },
});

/** @param {string} id @param {{url?: string}} data */
async function answerFetch(id, data) {
  const url = String(data?.url ?? '');
  const known = await currentProfiles();
  let result;
  if (!/^https:\/\//.test(url) || !matchPage(known, url)) {
    // Only pages of a platform we serve; the agent gets a clear refusal for anything else.
    result = { url, status: 0, error: 'not a review page calmreply knows' };
  } else {
    result = await fetchPage(url);
  }
  agent.reply('fetch_result', id, result);
}

async function currentProfiles() {
  if (profiles) return profiles;
  const { profiles: stored } = await api.storage.local.get('profiles');
  profiles = Array.isArray(stored) ? stored : null;
  return profiles ?? [];
}

async function refreshBadge() {
  const inbox = await agent.request('list_inbox', { state: 'open', limit: 1 });
  const open = Number(inbox.open) || 0;
  await api.action.setBadgeBackgroundColor({ color: '#b3261e' });
  await api.action.setBadgeText({ text: open > 0 ? String(open) : '' });
}

/**
 * Messages from content scripts: they run inside marketplace pages, so they
 * may only ask about their own page.
 * @param {any} msg
 * @param {chrome.runtime.MessageSender} sender
 */
async function fromContent(msg, sender) {
  let pageUrl = sender.url ?? sender.tab?.url ?? '';
  // Single-page apps change the URL without a load; trust the page's own
  // report only within the origin the browser says the sender is on.
  if (typeof msg.url === 'string' && sameOrigin(msg.url, pageUrl)) pageUrl = msg.url;
  switch (msg.type) {
    case 'match': {
      let known = await currentProfiles();
      if (!known.length) {
        await agent.kick().catch(() => {});
        known = await currentProfiles();
      }
      const { token } = await api.storage.local.get('token');
      return { match: matchPage(known, pageUrl), status: token ? agent.status : 'unpaired' };
    }
    case 'analyze_page': {
      const d = msg.data ?? {};
      if (typeof d.url !== 'string' || !sameOrigin(d.url, pageUrl)) {
        throw new AgentError(CODES.BAD_MESSAGE, 'analyze_page for another page');
      }
      if (!Array.isArray(d.items) || d.items.length > LIMITS.maxItems) {
        throw new AgentError(CODES.BAD_MESSAGE, 'items missing or too many');
      }
      const items = d.items
        .filter((/** @type {any} */ it) => typeof it?.key === 'string' && typeof it?.html === 'string')
        .map((/** @type {any} */ it) => ({ key: it.key.slice(0, 200), html: it.html }));
      const data = { url: d.url, items };
      if (typeof d.page_lang === 'string' && d.page_lang) Object.assign(data, { page_lang: d.page_lang.slice(0, 35) });
      return agent.request('analyze_page', data);
    }
    case 'set_state':
      return agent.request('set_state', reviewRef(msg.data, { state: stateOf(msg.data) }));
    case 'redraft':
      return agent.request('redraft', reviewRef(msg.data, { variant: Math.max(0, Number(msg.data?.variant) | 0) }));
    default:
      throw new AgentError(CODES.UNKNOWN_TYPE, `content scripts cannot send ${String(msg.type)}`);
  }
}

/**
 * Messages from our own pages (popup, options, inbox): trusted with the full
 * request set.
 * @param {any} msg
 */
async function fromPage(msg) {
  const d = msg.data ?? {};
  switch (msg.type) {
    case 'status': {
      const { token, port } = await api.storage.local.get(['token', 'port']);
      return { status: token ? agent.status : 'unpaired', port: Number(port) || DEFAULT_PORT, paired: !!token };
    }
    case 'connect':
      await agent.kick();
      return { status: agent.status };
    case 'set_port': {
      const port = Number(d.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new AgentError(CODES.BAD_MESSAGE, 'port must be 1-65535');
      await api.storage.local.set({ port });
      agent.close();
      return { port };
    }
    case 'pair': {
      if (typeof d.code !== 'string' || !d.code.trim()) throw new AgentError(CODES.BAD_MESSAGE, 'enter the code');
      if (d.port) await api.storage.local.set({ port: Number(d.port) });
      await api.storage.local.remove('lastSeq');
      await agent.pair(d.code);
      await api.action.setBadgeText({ text: '' });
      return { status: agent.status };
    }
    case 'set_state':
      return agent.request('set_state', reviewRef(d, { state: stateOf(d) }));
    case 'redraft':
      return agent.request('redraft', reviewRef(d, { variant: Math.max(0, Number(d.variant) | 0) }));
    case 'list_inbox':
    case 'get_settings':
    case 'save_settings':
    case 'list_sources':
    case 'add_source':
    case 'remove_source':
    case 'get_stats': {
      const data = await agent.request(msg.type, d);
      if (msg.type === 'list_inbox') refreshBadge().catch(() => {});
      return data;
    }
    default:
      throw new AgentError(CODES.UNKNOWN_TYPE, `unknown request ${String(msg.type)}`);
  }
}

/** @param {string} a @param {string} b */
function sameOrigin(a, b) {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** @param {any} d @param {object} extra */
function reviewRef(d, extra) {
  if (typeof d?.platform !== 'string' || typeof d?.review_id !== 'string' || !d.review_id) {
    throw new AgentError(CODES.BAD_MESSAGE, 'platform and review_id required');
  }
  return { platform: d.platform, review_id: d.review_id, ...extra };
}

/** @param {any} d */
function stateOf(d) {
  const s = d?.state;
  if (!['open', 'drafted', 'inserted', 'replied', 'ignored'].includes(s)) throw new AgentError(CODES.BAD_MESSAGE, `bad state ${s}`);
  return s;
}

api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  if (sender.id !== api.runtime.id || !msg || typeof msg.type !== 'string') return false;
  const ownPage = (sender.url ?? '').startsWith(api.runtime.getURL(''));
  const handler = ownPage ? fromPage(msg) : sender.tab ? fromContent(msg, sender) : Promise.reject(new Error('unknown sender'));
  handler.then(
    (data) => sendResponse({ ok: true, data }),
    (e) => sendResponse({ ok: false, code: e.code ?? CODES.INTERNAL, message: e.message ?? String(e) }),
  );
  return true; // answer asynchronously
});

// After a browser or worker restart, reconnect if paired so pushed events and
// fetch requests reach us; the alarm retries when the agent was not running.
api.alarms.create('calmreply-reconnect', { periodInMinutes: 1 });
api.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === 'calmreply-reconnect' && !agent.authed) reconnectIfPaired();
});
// A fresh install opens the pairing page once, so the seller is not left
// guessing where the code goes.
api.runtime.onInstalled.addListener(async ({ reason }) => {
  if (reason !== 'install') return;
  const { token } = await api.storage.local.get('token');
  if (!token) api.tabs.create({ url: api.runtime.getURL('popup/popup.html?welcome') });
});
api.notifications.onClicked.addListener(() => {
  api.tabs.create({ url: api.runtime.getURL('inbox/inbox.html') });
});

async function reconnectIfPaired() {
  const { token } = await api.storage.local.get('token');
  if (token) agent.kick().catch(() => {});
}
reconnectIfPaired();

// Exposed for browser tests and debugging from the worker's console.
Object.assign(globalThis, { calmreply: { agent, notifier, refreshBadge } });
