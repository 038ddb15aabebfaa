// @ts-check
// "Point at the reply box": when a profile's reply-box selector finds nothing,
// the seller clicks the box once and we remember a selector for it per site
// and page. The selector must find the box of ANY review on that page, so it
// avoids per-review values (ids such as "response-6300000201") and generated
// class names, preferring what the page's authors chose on purpose: name,
// aria-label, placeholder, role, data-* attributes.

/** Attributes worth a selector, most stable first. */
const STABLE_ATTRS = ['name', 'aria-label', 'placeholder', 'role', 'data-testid', 'data-test-id'];

/**
 * Values that look generated or per-record: long digit runs, hashes, uuids.
 * @param {string} v
 */
export function looksGenerated(v) {
  // Short single tokens with a capital or digit inside ("jftiEf", "d4r55") are
  // minified class names, as on Google Maps.
  return /\d{3,}/.test(v) || /[0-9a-f]{8,}/i.test(v) || /^(?=.{5,8}$)[a-z0-9]+[A-Z0-9][A-Za-z0-9]*$/.test(v) || v.length > 60;
}

/**
 * Quotes a value for an attribute selector.
 * @param {string} v
 */
export function quote(v) {
  return '"' + v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\a ') + '"';
}

/**
 * @typedef {{tagName: string, getAttribute(name: string): string | null,
 *   attributes?: ArrayLike<{name: string, value: string}>, classList?: Iterable<string>,
 *   isContentEditable?: boolean, parentElement?: any}} ElementLike
 */

/**
 * The most stable selector for one element, as a list of candidates from most
 * to least specific-to-its-purpose; the caller uses the first that finds it.
 * @param {ElementLike} el
 * @returns {string[]}
 */
export function candidates(el) {
  const tag = el.tagName.toLowerCase();
  /** @type {string[]} */
  const out = [];
  for (const a of STABLE_ATTRS) {
    const v = el.getAttribute(a);
    if (v && !looksGenerated(v)) out.push(`${tag}[${a}=${quote(v)}]`);
  }
  for (const attr of Array.from(el.attributes ?? [])) {
    if (!attr.name.startsWith('data-') || STABLE_ATTRS.includes(attr.name)) continue;
    if (attr.value === '' || !looksGenerated(attr.value)) {
      out.push(attr.value === '' ? `${tag}[${attr.name}]` : `${tag}[${attr.name}=${quote(attr.value)}]`);
    }
  }
  const ce = el.getAttribute('contenteditable');
  if (ce !== null && ce !== 'false') out.push(`${tag}[contenteditable]`);
  const classes = Array.from(el.classList ?? []).filter((c) => /^[A-Za-z][\w-]*$/.test(c) && !looksGenerated(c));
  if (classes.length) out.push(tag + classes.slice(0, 2).map((c) => '.' + c).join(''));
  out.push(tag);
  return out;
}

/**
 * How to fill an element: "textarea" (has a value) or "contenteditable".
 * @param {ElementLike} el
 */
export function modeOf(el) {
  const tag = el.tagName.toLowerCase();
  return tag === 'textarea' || tag === 'input' ? 'textarea' : 'contenteditable';
}

/**
 * Whether the seller's click landed on something one can type a reply into.
 * @param {ElementLike} el
 */
export function isEditable(el) {
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea') return true;
  if (tag === 'input') return (el.getAttribute('type') ?? 'text') === 'text';
  const ce = el.getAttribute('contenteditable');
  return el.isContentEditable === true || (ce !== null && ce !== 'false');
}

/**
 * Picks the selector to remember: the first candidate that, searched in the
 * document, finds this element (so it is not shadowed by an earlier match).
 * @param {Element} el
 * @param {ParentNode} root
 */
export function selectorFor(el, root) {
  const list = candidates(el);
  for (const s of list) {
    try {
      const all = root.querySelectorAll(s);
      if (Array.from(all).includes(el)) return s;
    } catch {
      // an unusual attribute value the engine rejects: try the next one
    }
  }
  return list[list.length - 1];
}

/**
 * Storage key of a remembered reply box: host + page name.
 * @param {string} hostname
 * @param {string} pageName
 */
export function rememberKey(hostname, pageName) {
  return `replybox:${hostname}:${pageName}`;
}
