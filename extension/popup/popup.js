// @ts-check
// Pairing and connection status.

import { localize, t } from '../lib/i18n.js';
import { ask } from '../lib/messaging.js';

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

async function refresh() {
  let st;
  try {
    st = await ask('status');
  } catch (e) {
    st = { status: 'offline', port: 7734, paired: false };
  }
  if (st.paired && st.status !== 'connected' && st.status !== 'unauthorized') {
    try {
      st = { ...st, ...(await ask('connect')) };
    } catch {
      st.status = 'offline';
    }
  }
  show(st.status);
  /** @type {HTMLInputElement} */ ($('port')).value = String(st.port);
  $('pair-form').hidden = st.status === 'connected';
  if (st.status === 'connected') {
    try {
      const inbox = await ask('list_inbox', { state: 'open', limit: 1 });
      $('open').textContent = t('popupOpenCount', [inbox.open ?? 0]);
      $('open').hidden = false;
    } catch {
      $('open').hidden = true;
    }
  }
}

/** @param {string} status */
function show(status) {
  const el = $('status');
  el.dataset.state = status;
  el.textContent = t('popupStatus_' + status);
}

$('pair-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const code = /** @type {HTMLInputElement} */ ($('code')).value;
  const port = Number(/** @type {HTMLInputElement} */ ($('port')).value) || 7734;
  $('pair-result').textContent = '…';
  try {
    await ask('set_port', { port });
    await ask('pair', { code, port });
    $('pair-result').textContent = t('popupPaired');
    $('pair-result').dataset.ok = 'true';
    await refresh();
  } catch (e) {
    $('pair-result').textContent = t('popupPairFailed', [/** @type {Error} */ (e).message]);
    $('pair-result').dataset.ok = 'false';
  }
});

localize(document);
refresh();
