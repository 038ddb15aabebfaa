// @ts-check
// Generic use of the site profiles the agent sends in hello: which page of
// which platform a URL is, and how to read a review element's id. No site
// knowledge lives here; it all comes from the profiles.

/**
 * @typedef {{selector?: string, attr: string, pattern?: string}} IDRule
 * @typedef {{open?: string, input: string, mode: string, events: string[], submit?: string}} ReplyBox
 * @typedef {{name: string, match: string[], hosts: string[], review: string, id: IDRule,
 *   reply_box?: ReplyBox, existing_reply?: string}} Page
 * @typedef {{platform: string, pages: Page[], policy: Record<string, any>}} Profile
 * @typedef {{platform: string, policy: Record<string, any>, page: Page}} PageMatch
 */

/** @type {Map<string, RegExp | null>} */
const compiled = new Map();

/**
 * Compiles a profile pattern once. Go's RE2 syntax is a subset of JavaScript's
 * except for inline flags; a leading (?i) becomes the i flag. A pattern that
 * still does not compile matches nothing rather than breaking the page.
 * @param {string} pattern
 */
export function compile(pattern) {
  if (compiled.has(pattern)) return compiled.get(pattern) ?? null;
  let src = pattern;
  let flags = '';
  if (src.startsWith('(?i)')) {
    src = src.slice(4);
    flags = 'i';
  }
  /** @type {RegExp | null} */
  let re = null;
  try {
    re = new RegExp(src, flags);
  } catch {
    re = null;
  }
  compiled.set(pattern, re);
  return re;
}

/**
 * The first page of any profile whose patterns match the URL.
 * @param {Profile[] | null | undefined} profiles
 * @param {string} url
 * @returns {PageMatch | null}
 */
export function matchPage(profiles, url) {
  for (const p of profiles ?? []) {
    for (const page of p.pages ?? []) {
      for (const m of page.match ?? []) {
        const re = compile(m);
        if (re && re.test(url)) return { platform: p.platform, policy: p.policy ?? {}, page };
      }
    }
  }
  return null;
}

/**
 * Reads a review id by the profile's rule; "" when the element has none.
 * @param {Element} el
 * @param {IDRule | undefined} rule
 */
export function readId(el, rule) {
  if (!rule || !rule.attr) return '';
  const target = rule.selector ? el.querySelector(rule.selector) : el;
  const raw = target?.getAttribute(rule.attr) ?? '';
  if (!raw || !rule.pattern) return raw.trim();
  const re = compile(rule.pattern);
  const m = re?.exec(raw);
  return (m?.[1] ?? m?.[0] ?? '').trim();
}
