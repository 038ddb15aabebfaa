// Every golden message in shared/protocol/testdata/ must be known to the
// extension, with every field the extension reads, so agent and extension
// cannot drift apart.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  AGENT_TYPES, ANSWER, CLIENT_TYPES, CODES, READS, RESULT_READS, decode, encode,
} from '../lib/protocol.js';
import { REPO } from './helpers.js';

const dir = path.join(REPO, 'shared', 'protocol', 'testdata');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));

test('there are golden messages to check', () => {
  assert.ok(files.length >= 20, `only ${files.length} files in ${dir}`);
});

/** @param {any} result @param {string} where */
function checkResult(result, where) {
  for (const [part, fields] of Object.entries(RESULT_READS)) {
    if (part === 'notice') {
      for (const n of result.notices ?? []) for (const f of fields) assert.ok(f in n, `${where}: notice lacks ${f}`);
      continue;
    }
    const obj = result[part];
    if (obj === null && part === 'deadline') continue; // null deadline is allowed
    assert.ok(obj && typeof obj === 'object', `${where}: ${part} missing`);
    for (const f of fields) assert.ok(f in obj, `${where}: ${part}.${f} missing`);
  }
}

for (const file of files) {
  test(`golden ${file}`, () => {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const raw = JSON.parse(text);
    assert.equal(raw.type, file.replace(/\.json$/, ''), 'file name is its type');
    const known = CLIENT_TYPES.includes(raw.type) || AGENT_TYPES.includes(raw.type);
    assert.ok(known, `type ${raw.type} unknown to the extension`);
    if (AGENT_TYPES.includes(raw.type)) {
      const m = decode(text);
      assert.equal(m.type, raw.type);
      for (const f of READS[m.type] ?? []) assert.ok(f in m.data, `${m.type}: field ${f} missing`);
      if (m.type === 'page_result') m.data.results.forEach((r, i) => checkResult(r, `page_result.results[${i}]`));
      if (m.type === 'inbox') m.data.items.forEach((r, i) => checkResult(r, `inbox.items[${i}]`));
      if (m.type === 'draft') checkResult(m.data, 'draft');
      if (m.type === 'events') m.data.events.filter((e) => e.review).forEach((e) => checkResult(e.review, 'events'));
      if (m.type === 'error') assert.ok(Object.values(CODES).includes(m.data.code), `error code ${m.data.code} unknown`);
      if (m.type === 'hello') {
        for (const p of m.data.profiles) {
          for (const page of p.pages) for (const f of ['name', 'match', 'review', 'id']) assert.ok(f in page, `hello page lacks ${f}`);
        }
      }
    } else {
      // What the extension sends must encode to the same shape.
      assert.deepEqual(JSON.parse(encode(raw.type, raw.id, raw.data)), raw);
    }
  });
}

test('every Go message type is known, and no other', () => {
  const src = fs.readFileSync(path.join(REPO, 'shared', 'protocol', 'protocol.go'), 'utf8');
  const goTypes = new Set([...src.matchAll(/^\s*Type\w+\s*=\s*"([a-z_]+)"/gm)].map((m) => m[1]));
  const ours = new Set([...CLIENT_TYPES, ...AGENT_TYPES]);
  assert.deepEqual([...ours].sort(), [...goTypes].sort());
});

test('every Go error code is known', () => {
  const src = fs.readFileSync(path.join(REPO, 'shared', 'protocol', 'protocol.go'), 'utf8');
  const goCodes = [...src.matchAll(/^\s*Code\w+\s*=\s*"([A-Z_]+)"/gm)].map((m) => m[1]);
  assert.ok(goCodes.length > 10);
  for (const c of goCodes) assert.ok(Object.values(CODES).includes(c), `code ${c} unknown to the extension`);
});

test('every request has an answer type the agent sends', () => {
  for (const [req, ans] of Object.entries(ANSWER)) {
    assert.ok(CLIENT_TYPES.includes(req), req);
    assert.ok(AGENT_TYPES.includes(ans), ans);
  }
});

test('decode refuses bad messages with a reason', () => {
  const cases = [
    ['not json', /not JSON/],
    ['[]', /not an object/],
    ['{"type":"nope"}', /unknown message type/],
    ['{"type":"ack","id":7}', /id is not a string/],
    ['{"type":"ack","data":[1]}', /not an object/],
  ];
  for (const [text, want] of cases) assert.throws(() => decode(text), want, text);
  assert.deepEqual(decode('{"type":"pong","id":"1"}').data, {});
});

test('encode refuses types the extension does not send', () => {
  assert.throws(() => encode('hello', '1', {}), /unknown type/);
});
