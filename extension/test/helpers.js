// Shared test helpers: paths and the English translator over the real locale file.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTranslator } from '../lib/i18n.js';

export const EXT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = path.resolve(EXT, '..');

/** @param {string} lang */
export function messages(lang) {
  return JSON.parse(fs.readFileSync(path.join(EXT, '_locales', lang, 'messages.json'), 'utf8'));
}

export const en = makeTranslator(messages('en'));

/** A minimal element for code that only reads attributes and children. */
export class FakeElement {
  /** @param {string} tagName @param {Record<string, string>} [attrs] @param {FakeElement[]} [children] */
  constructor(tagName, attrs = {}, children = []) {
    this.tagName = tagName.toUpperCase();
    this.attrs = attrs;
    this.children = children;
    this.classList = (attrs.class ?? '').split(/\s+/).filter(Boolean);
    this.attributes = Object.entries(attrs).map(([name, value]) => ({ name, value }));
  }
  /** @param {string} name */
  getAttribute(name) {
    return name in this.attrs ? this.attrs[name] : null;
  }
  /** Supports the "[attr]" and "tag" selectors the tests use. @param {string} sel */
  querySelector(sel) {
    for (const c of this.children) {
      const m = /^\[([\w-]+)\]$/.exec(sel);
      if ((m && c.getAttribute(m[1]) !== null) || c.tagName === sel.toUpperCase()) return c;
      const deep = c.querySelector(sel);
      if (deep) return deep;
    }
    return null;
  }
}
