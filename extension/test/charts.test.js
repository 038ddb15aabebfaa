import assert from 'node:assert/strict';
import { test } from 'node:test';
import { esc, ratingChart, shareBar } from '../lib/charts.js';
import { backoff, CAP_MS } from '../background/backoff.js';

test('rating chart draws one point per month', () => {
  const svg = ratingChart([
    { month: '2026-09', average: 4.5, count: 4 },
    { month: '2026-10', average: 3, count: 2 },
    { month: '2026-11', average: 5, count: 1 },
  ]);
  assert.match(svg, /^<svg /);
  assert.equal((svg.match(/<circle /g) ?? []).length, 3);
  const points = /points="([^"]+)"/.exec(svg)?.[1].split(' ') ?? [];
  assert.equal(points.length, 3);
  // 5 stars sits higher (smaller y) than 3 stars.
  assert.ok(Number(points[2].split(',')[1]) < Number(points[1].split(',')[1]));
});

test('charts escape labels and clamp values', () => {
  assert.match(ratingChart([], { label: '<b>"x"</b>' }), /aria-label="&lt;b&gt;&quot;x&quot;&lt;\/b&gt;"/);
  assert.equal(esc(`<&'">`), '&lt;&amp;&#39;&quot;&gt;');
  assert.match(shareBar(1.7, { width: 100 }), /width="100.0"/);
  assert.match(shareBar(0.25, { width: 100 }), /width="25.0"/);
  assert.match(shareBar(Number.NaN, { width: 100 }), /width="0.0"/);
});

test('reconnect backoff grows, is jittered, and is capped', () => {
  assert.equal(backoff(0, () => 0), 250);
  assert.equal(backoff(0, () => 0.999), 500);
  assert.equal(backoff(3, () => 0), 2000);
  for (let i = 0; i < 40; i++) assert.ok(backoff(i) <= CAP_MS);
  assert.equal(backoff(30, () => 0), CAP_MS / 2);
});
