// @ts-check
// The overlay's own styles. `all: initial` on the host stops the
// marketplace's CSS from reaching into the card; everything inside is ours.
// `content-visibility: auto`: a card outside the viewport is laid out and
// painted when it scrolls near, not when a page of 500 reviews gets its cards.

export const CARD_CSS = `
:host { all: initial; display: block; margin: 10px 0; contain: content;
  content-visibility: auto; contain-intrinsic-size: auto 260px; }
* { box-sizing: border-box; }
.card { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d2327;
  background: #f6faf9; border: 1px solid #cfe0dd; border-left: 4px solid #1f7a78; border-radius: 8px; padding: 10px 12px;
  max-width: 720px; }
.bar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin-bottom: 6px; }
.chip { display: inline-block; border-radius: 999px; padding: 1px 9px; font-size: 12px; background: #e6efed; color: #23413f;
  white-space: nowrap; }
.kind { font-weight: 600; color: #fff; background: #1f7a78; }
.kind-complaint { background: #b3261e; } .kind-question { background: #2f5fb3; } .kind-praise { background: #2e7d32; }
.kind-extortion { background: #7b3fa0; } .kind-troll, .kind-abusive, .kind-spam { background: #5f6368; }
.lang { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.topic { background: #fff; border: 1px solid #cfe0dd; cursor: help; }
.why { font: italic 600 12px Georgia, "DejaVu Serif", serif; }
.deadline { font-weight: 600; }
.deadline.overdue { background: #fde7e7; color: #a1160e; border: 1px solid #f3b4b0; }
.deadline.soon { background: #fff1d6; color: #7a4300; border: 1px solid #f1cf8e; }
.deadline.ok { background: #e5f4ea; color: #1e6b3a; border: 1px solid #b9dfc5; }
.state { background: #fff; border: 1px dashed #9db7b3; }
.notice { margin: 6px 0; padding: 6px 9px; border-radius: 6px; background: #fff6e0; border: 1px solid #f0d28a; color: #5a3e00; }
.notice.minor { background: transparent; border-color: #dde7e5; color: #4a5a58; font-size: 12px; padding: 3px 9px; }
.note { margin: 6px 0; padding: 6px 9px; border-radius: 6px; background: #eef1f4; color: #33383d; }
.note strong { display: block; }
label { display: block; font-size: 12px; color: #4a5a58; margin: 6px 0 2px; }
textarea { width: 100%; min-height: 84px; resize: vertical; font: inherit; color: inherit; background: #fff;
  border: 1px solid #b8cbc8; border-radius: 6px; padding: 7px 8px; }
textarea:focus { outline: 2px solid #1f7a78; outline-offset: 0; }
.actions { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
button { font: inherit; font-size: 12.5px; border-radius: 6px; border: 1px solid #9db7b3; background: #fff; color: #1d2327;
  padding: 4px 10px; cursor: pointer; }
button:hover { background: #eef6f4; }
button.primary { background: #1f7a78; border-color: #1f7a78; color: #fff; }
button.primary:hover { background: #17625f; }
.status { min-height: 1em; margin: 6px 0 0; font-size: 12px; color: #23413f; }
.status.error { color: #a1160e; }
[hidden] { display: none !important; }
`;

export const NOTICE_CSS = `
:host { all: initial; position: fixed; z-index: 2147483646; top: 12px; right: 12px; }
.box { font: 13px/1.4 system-ui, "DejaVu Sans", sans-serif; color: #1d2327; background: #fff6e0; border: 1px solid #f0d28a;
  border-left: 4px solid #c77700; border-radius: 8px; padding: 9px 12px; max-width: 360px; box-shadow: 0 4px 14px rgba(0,0,0,.15);
  display: flex; gap: 10px; align-items: flex-start; }
button { font: inherit; font-size: 12px; border: 1px solid #d9b86a; background: #fff; border-radius: 6px; cursor: pointer; }
`;
