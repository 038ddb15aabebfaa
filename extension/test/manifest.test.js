// The manifest loads in Chromium and Firefox, keeps the pinned ID, and covers
// every host the agent's site profiles claim.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { EXT, REPO } from './helpers.js';

const manifest = JSON.parse(fs.readFileSync(path.join(EXT, 'manifest.json'), 'utf8'));
export const EXTENSION_ID = 'ibggbgjdiobedfnopdpeknhhjdmakkok';

/** Chromium's rule: sha256 of the DER public key, first 32 hex digits mapped 0-f to a-p. */
function idFromKey(/** @type {string} */ key) {
  const hex = crypto.createHash('sha256').update(Buffer.from(key, 'base64')).digest('hex').slice(0, 32);
  return [...hex].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
}

test('the key pins the documented extension ID', () => {
  assert.equal(idFromKey(manifest.key), EXTENSION_ID);
  const readme = fs.readFileSync(path.join(EXT, 'README.md'), 'utf8');
  assert.ok(readme.includes(EXTENSION_ID), 'extension/README.md names the ID');
});

test('one manifest for Chromium and Firefox', () => {
  assert.equal(manifest.manifest_version, 3);
  assert.equal(manifest.background.service_worker, 'background/main.js');
  assert.deepEqual(manifest.background.scripts, ['background/main.js']);
  assert.equal(manifest.background.type, 'module');
  assert.ok(manifest.browser_specific_settings.gecko.id);
  const csp = manifest.content_security_policy.extension_pages;
  assert.doesNotMatch(csp, /upgrade-insecure-requests/, 'Firefox would turn ws://127.0.0.1 into wss://');
  assert.match(csp, /ws:\/\/127\.0\.0\.1/);
});

test('every file the manifest names exists', () => {
  const files = [
    manifest.background.service_worker, manifest.action.default_popup, manifest.options_ui.page,
    manifest.side_panel.default_path, ...Object.values(manifest.icons), ...manifest.content_scripts.flatMap((c) => c.js),
  ];
  for (const f of files) assert.ok(fs.existsSync(path.join(EXT, f)), f);
});

test('content scripts run on real platform hosts only, all covered by host permissions', () => {
  const matches = manifest.content_scripts.flatMap((c) => c.matches);
  for (const m of matches) {
    assert.match(m, /^https:\/\/[a-z0-9.-]+\/\*$/, m);
    assert.ok(manifest.host_permissions.includes(m), `${m} lacks a host permission`);
    assert.doesNotMatch(m, /localhost|127\.0\.0\.1|\*\./, m);
  }
  const war = manifest.web_accessible_resources[0].matches;
  assert.deepEqual([...war].sort(), [...matches].sort(), 'module files are exposed exactly where the loader runs');
});

test('hosts claimed by the site profiles are in the manifest', () => {
  const matches = new Set(manifest.content_scripts.flatMap((c) => c.matches));
  const claimed = [];
  // The golden hello and every scraper's profile source name their hosts.
  const hello = JSON.parse(fs.readFileSync(path.join(REPO, 'shared/protocol/testdata/hello.json'), 'utf8'));
  for (const p of hello.data.profiles) for (const page of p.pages) claimed.push(...(page.hosts ?? []));
  const scrapers = path.join(REPO, 'scrapers');
  for (const dir of fs.readdirSync(scrapers)) {
    const d = path.join(scrapers, dir);
    if (!fs.statSync(d).isDirectory()) continue;
    for (const f of fs.readdirSync(d).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'))) {
      const src = fs.readFileSync(path.join(d, f), 'utf8');
      claimed.push(...[...src.matchAll(/"(https:\/\/[a-z0-9.-]+\/\*)"/g)].map((m) => m[1]));
    }
  }
  assert.ok(claimed.length > 0);
  for (const h of claimed) assert.ok(matches.has(h), `${h} is claimed by a profile but not in manifest.json`);
});

test('the worker may fetch every platform page it has a host permission for', () => {
  // CSP connect-src also binds the service worker's fetch: without a host
  // here, fetch_page's credentialed fetch fails before any request is made.
  const connect = manifest.content_security_policy.extension_pages.split(';')
    .map((/** @type {string} */ d) => d.trim().split(/\s+/)).find((/** @type {string[]} */ d) => d[0] === 'connect-src') ?? [];
  for (const h of manifest.host_permissions.filter((/** @type {string} */ h) => h.startsWith('https://'))) {
    assert.ok(connect.includes(h.replace(/\/\*$/, '')), `${h} is missing from connect-src`);
  }
});
