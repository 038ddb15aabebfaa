// @ts-check
// Tiny SVG charts for the inbox: a rating line per month and a share bar.
// They return SVG markup built from numbers and escaped labels only, so they
// can be tested in node and inserted without any library.

/** @param {string} s */
export function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/**
 * Average rating per month as a line with dots (1-5 stars on the y axis).
 * @param {{month: string, average: number, count: number}[]} months oldest first
 * @param {{width?: number, height?: number, label?: string}} [opts]
 */
export function ratingChart(months, opts = {}) {
  const w = opts.width ?? 320;
  const hgt = opts.height ?? 110;
  const pad = { l: 22, r: 8, t: 8, b: 20 };
  const iw = w - pad.l - pad.r;
  const ih = hgt - pad.t - pad.b;
  const x = (/** @type {number} */ i) => pad.l + (months.length <= 1 ? iw / 2 : (i * iw) / (months.length - 1));
  const y = (/** @type {number} */ v) => pad.t + ih - ((Math.min(5, Math.max(1, v)) - 1) / 4) * ih;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${hgt}" width="${w}" height="${hgt}" role="img" aria-label="${esc(opts.label ?? '')}">`];
  for (const v of [1, 3, 5]) {
    parts.push(`<line x1="${pad.l}" x2="${w - pad.r}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#dde7e5"/>`);
    parts.push(`<text x="4" y="${(y(v) + 4).toFixed(1)}" font-size="10" fill="#4a5a58">${v}★</text>`);
  }
  if (months.length) {
    const pts = months.map((m, i) => `${x(i).toFixed(1)},${y(m.average).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${pts}" fill="none" stroke="#1f7a78" stroke-width="2"/>`);
    months.forEach((m, i) => {
      parts.push(`<circle cx="${x(i).toFixed(1)}" cy="${y(m.average).toFixed(1)}" r="3" fill="#1f7a78"><title>${esc(m.month)}: ${m.average.toFixed(2)} (${m.count})</title></circle>`);
    });
    const first = months[0].month;
    const last = months[months.length - 1].month;
    parts.push(`<text x="${pad.l}" y="${hgt - 5}" font-size="10" fill="#4a5a58">${esc(first)}</text>`);
    if (months.length > 1) parts.push(`<text x="${w - pad.r}" y="${hgt - 5}" font-size="10" fill="#4a5a58" text-anchor="end">${esc(last)}</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/**
 * A horizontal bar filled to a share in [0, 1].
 * @param {number} share
 * @param {{width?: number, label?: string}} [opts]
 */
export function shareBar(share, opts = {}) {
  const w = opts.width ?? 320;
  const s = Math.min(1, Math.max(0, Number(share) || 0));
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} 14" width="${w}" height="14" role="img" aria-label="${esc(opts.label ?? '')}">` +
    `<rect x="0" y="0" width="${w}" height="14" rx="7" fill="#e6efed"/>` +
    `<rect x="0" y="0" width="${(s * w).toFixed(1)}" height="14" rx="7" fill="#1f7a78"/></svg>`;
}

/**
 * Horizontal bars, one per labelled value, scaled to the largest.
 * @param {{label: string, value: number, text: string}[]} rows
 * @param {{width?: number, label?: string}} [opts]
 */
export function barChart(rows, opts = {}) {
  const w = opts.width ?? 320;
  const labelW = 96;
  const rowH = 18;
  const max = Math.max(0, ...rows.map((r) => r.value)) || 1;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${rows.length * rowH}" width="${w}" height="${rows.length * rowH}" role="img" aria-label="${esc(opts.label ?? '')}">`];
  rows.forEach((r, i) => {
    const y = i * rowH;
    const bw = Math.max(0, (r.value / max) * (w - labelW - 70));
    parts.push(`<text x="0" y="${y + 13}" font-size="11" fill="#1d2327">${esc(r.label)}</text>`);
    parts.push(`<rect x="${labelW}" y="${y + 3}" width="${bw.toFixed(1)}" height="12" rx="3" fill="#1f7a78"/>`);
    parts.push(`<text x="${(labelW + bw + 6).toFixed(1)}" y="${y + 13}" font-size="11" fill="#4a5a58">${esc(r.text)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
