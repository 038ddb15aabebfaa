// @ts-check
// Agent port, the seller's settings (stored by the agent) and watched pages.

import { safeHttpUrl } from '../lib/format.js';
import { localize, t } from '../lib/i18n.js';
import { ask } from '../lib/messaging.js';

const $ = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (document.getElementById(id));
const OFFERS = ['replacement', 'refund', 'discount_code', 'free_shipping'];

/** Fields of review.Settings this page does not edit, kept as they came. */
let untouched = {};

/** @param {any} s */
function fillSettings(s) {
  const { shop_name, signature, contact, tone, offers, phrases, hours, llm, ...rest } = s ?? {};
  untouched = rest;
  $('tz').value = hours?.tz ?? '';
  $('start').value = hours?.start ?? '09:00';
  $('end').value = hours?.end ?? '18:00';
  if (hours?.days) {
    for (const box of document.querySelectorAll('input[name=day]')) {
      const b = /** @type {HTMLInputElement} */ (box);
      b.checked = hours.days.includes(Number(b.value));
    }
  }
  $('llm_endpoint').value = llm?.endpoint ?? '';
  $('llm_model').value = llm?.model ?? '';
  $('llm_key').value = llm?.api_key ?? '';
  $('llm_timeout').value = llm?.timeout_ms ? String(llm.timeout_ms) : '';
  $('shop_name').value = shop_name ?? '';
  $('signature').value = signature ?? '';
  $('email').value = contact?.email ?? '';
  $('phone').value = contact?.phone ?? '';
  $('tone').value = tone ?? '';
  for (const box of document.querySelectorAll('input[name=offer]')) {
    const b = /** @type {HTMLInputElement} */ (box);
    b.checked = !!offers?.[b.value];
  }
  const body = /** @type {HTMLElement} */ (document.getElementById('phrases'));
  body.replaceChildren();
  for (const [lang, map] of Object.entries(phrases ?? {})) {
    for (const [key, text] of Object.entries(/** @type {Record<string, string>} */ (map))) addPhraseRow(lang, key, text);
  }
}

/** @param {string} [lang] @param {string} [key] @param {string} [text] */
function addPhraseRow(lang = '', key = '', text = '') {
  const tr = document.createElement('tr');
  const cell = (/** @type {string} */ name, /** @type {string} */ value, size = 0) => {
    const td = document.createElement('td');
    const input = document.createElement('input');
    input.name = name;
    input.value = value;
    if (size) input.size = size;
    td.append(input);
    return td;
  };
  const rm = document.createElement('button');
  rm.type = 'button';
  rm.textContent = t('optRemove');
  rm.addEventListener('click', () => tr.remove());
  const tdRm = document.createElement('td');
  tdRm.append(rm);
  tr.append(cell('lang', lang, 4), cell('key', key, 14), cell('text', text), tdRm);
  document.getElementById('phrases')?.append(tr);
}

function readSettings() {
  /** @type {Record<string, boolean>} */
  const offers = {};
  for (const o of OFFERS) {
    const b = /** @type {HTMLInputElement} */ (document.querySelector(`input[name=offer][value=${o}]`));
    if (b.checked) offers[o] = true;
  }
  /** @type {Record<string, Record<string, string>>} */
  const phrases = {};
  for (const row of document.querySelectorAll('#phrases tr')) {
    const v = (/** @type {string} */ n) => /** @type {HTMLInputElement} */ (row.querySelector(`input[name=${n}]`)).value.trim();
    const lang = v('lang').toLowerCase();
    const key = v('key');
    if (!lang || !key) continue;
    (phrases[lang] ??= {})[key] = v('text');
  }
  /** @type {Record<string, string>} */
  const contact = {};
  if ($('email').value.trim()) contact.email = $('email').value.trim();
  if ($('phone').value.trim()) contact.phone = $('phone').value.trim();
  const s = {
    ...untouched,
    shop_name: $('shop_name').value.trim(),
    signature: $('signature').value.trim(),
    contact,
    tone: $('tone').value,
    offers,
  };
  if (Object.keys(phrases).length) Object.assign(s, { phrases });
  const tz = $('tz').value.trim();
  if (tz) {
    const days = [...document.querySelectorAll('input[name=day]')]
      .filter((b) => /** @type {HTMLInputElement} */ (b).checked)
      .map((b) => Number(/** @type {HTMLInputElement} */ (b).value))
      .sort();
    Object.assign(s, { hours: { tz, start: $('start').value || '09:00', end: $('end').value || '18:00', days } });
  }
  const endpoint = $('llm_endpoint').value.trim();
  if (endpoint) {
    /** @type {Record<string, string | number>} */
    const llm = { endpoint, model: $('llm_model').value.trim() };
    if ($('llm_key').value) llm.api_key = $('llm_key').value;
    if (Number($('llm_timeout').value) > 0) llm.timeout_ms = Number($('llm_timeout').value);
    Object.assign(s, { llm });
  }
  return s;
}

/** @param {any[]} sources */
function showSources(sources) {
  const body = /** @type {HTMLElement} */ (document.getElementById('sources'));
  body.replaceChildren();
  const when = (/** @type {string | null} */ iso) => (iso ? new Date(iso).toLocaleString() : t('optNever'));
  for (const s of sources) {
    const tr = document.createElement('tr');
    const url = document.createElement('td');
    const a = document.createElement('a');
    a.href = safeHttpUrl(s.url);
    a.textContent = s.url;
    a.target = '_blank';
    url.append(a);
    const info = document.createElement('td');
    info.className = 'muted';
    info.append(t('optLastSuccess', [when(s.last_success)]), document.createElement('br'), t('optNextRun', [when(s.next_run)]));
    if (s.last_error) {
      const err = document.createElement('div');
      err.className = 'error';
      err.textContent = t('optLastError', [s.last_error]);
      info.append(err);
    }
    const td = document.createElement('td');
    const rm = document.createElement('button');
    rm.type = 'button';
    rm.textContent = t('optRemove');
    rm.addEventListener('click', async () => {
      try {
        showSources((await ask('remove_source', { url: s.url })).sources ?? []);
      } catch (e) {
        $('sources-status').textContent = /** @type {Error} */ (e).message;
      }
    });
    td.append(rm);
    tr.append(url, info, td);
    body.append(tr);
  }
}

document.getElementById('agent-form')?.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    await ask('set_port', { port: Number($('port').value) });
    $('agent-status').textContent = t('optSaved');
    load();
  } catch (e) {
    $('agent-status').textContent = /** @type {Error} */ (e).message;
  }
});

document.getElementById('settings-form')?.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('settings-status').textContent = '…';
  try {
    fillSettings(await ask('save_settings', readSettings()));
    $('settings-status').textContent = t('optSaved');
  } catch (e) {
    // The worker keeps save_settings in its outbox and sends it once the agent is back.
    const code = /** @type {any} */ (e).code;
    $('settings-status').textContent = code === 'OFFLINE' || code === 'TIMEOUT' ? t('optQueued') : /** @type {Error} */ (e).message;
  }
});

document.getElementById('add-phrase')?.addEventListener('click', () => addPhraseRow());

document.getElementById('source-form')?.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    showSources((await ask('add_source', { url: $('source-url').value.trim() })).sources ?? []);
    $('source-url').value = '';
    $('sources-status').textContent = '';
  } catch (e) {
    $('sources-status').textContent = /** @type {Error} */ (e).message;
  }
});

async function load() {
  const st = await ask('status').catch(() => ({ port: 7734 }));
  $('port').value = String(st.port);
  const errors = [];
  try {
    fillSettings(await ask('get_settings'));
  } catch (e) {
    errors.push(/** @type {Error} */ (e).message);
  }
  try {
    showSources((await ask('list_sources')).sources ?? []);
  } catch (e) {
    errors.push(/** @type {Error} */ (e).message);
  }
  const el = $('load-error');
  el.hidden = !errors.length;
  el.textContent = errors.length ? t('optLoadFailed', [errors[0]]) : '';
}

localize(document);
load();
