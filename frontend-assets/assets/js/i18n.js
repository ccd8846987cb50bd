// Every string a person reads comes from the dictionary: Simplified Chinese first, English
// second. Markup names its strings with data-i18n="key" (text), data-i18n-placeholder,
// data-i18n-aria-label and data-i18n-title (attributes); data-i18n-args holds JSON parameters
// for "{name}" placeholders. Switching language re-applies them in place, so a page only
// re-renders what it built from its own data.
//
// The dictionary is split by language and namespace into small JSON files,
// /assets/i18n/<lang>/<namespace>.json (see assets/i18n/README.md). A page names the
// namespaces it needs besides `common` in <meta name="i18n" content="orders pages/cart">; this
// module loads them in the current language before any module that imports it runs (a
// top-level await), so nothing is ever drawn with a bare key. Switching language loads the
// same namespaces in the other language first, then re-applies.
//
// Plurals: t('orders.count', { count: 3 }) reads `orders.count.one` / `orders.count.other`,
// chosen by Intl.PluralRules for the language (English has one/other, Chinese only other).

export const LANGS = ['zh-CN', 'en'];
const STORAGE_KEY = 'fg_lang';
const DEFAULT_LANG = 'zh-CN';
const BASE = '/assets/i18n/';

function storedLang() {
  try {
    const saved = globalThis.localStorage && localStorage.getItem(STORAGE_KEY);
    return LANGS.includes(saved) ? saved : DEFAULT_LANG;
  } catch {
    // Storage can be off (private mode, some in-app browsers): fall back to Chinese.
    return DEFAULT_LANG;
  }
}

let current = storedLang();
const listeners = new Set();
// What is loaded, per language: the strings, and each namespace's load (started once).
const tables = Object.fromEntries(LANGS.map((lang) => [lang, new Map()]));
const loads = Object.fromEntries(LANGS.map((lang) => [lang, new Map()]));
// The namespaces this page uses: a language switch loads the same ones.
const inUse = new Set();
const pluralRules = new Map();

export function getLang() {
  return current;
}

/** Adds strings to a language's table (what a namespace file holds; tests call it directly). */
export function addMessages(lang, strings) {
  const table = tables[lang];
  if (!table) return;
  for (const [key, value] of Object.entries(strings)) table.set(key, value);
}

function loadNamespace(lang, name) {
  let load = loads[lang].get(name);
  if (!load) {
    load = fetch(`${BASE}${lang}/${name}.json`, { credentials: 'same-origin' })
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.json();
      })
      .then((strings) => {
        addMessages(lang, strings);
        return true;
      })
      .catch((err) => {
        // The page still works: markup keeps the Chinese it was written with. A later call
        // (the next language switch) tries again.
        loads[lang].delete(name);
        if (globalThis.console) console.warn('i18n: could not load', `${lang}/${name}`, String(err));
        return false;
      });
    loads[lang].set(name, load);
  }
  return load;
}

/** Loads namespaces in the current language (and remembers them for a language switch). */
export async function loadNamespaces(names) {
  for (const name of names) inUse.add(name);
  await Promise.all(names.map((name) => loadNamespace(current, name)));
}

/** `common` and the namespaces the page's <meta name="i18n"> names. */
export function pageNamespaces(doc = globalThis.document) {
  const meta = doc && doc.querySelector('meta[name="i18n"]');
  const named = meta ? meta.getAttribute('content').split(/\s+/).filter(Boolean) : [];
  return ['common', ...named.filter((name) => name !== 'common')];
}

function pluralCategory(lang, count) {
  let rules = pluralRules.get(lang);
  if (!rules) {
    rules = new Intl.PluralRules(lang);
    pluralRules.set(lang, rules);
  }
  return rules.select(count);
}

/** The string for key in the current language, or undefined; `count` picks a plural form. */
function lookup(key, params) {
  const table = tables[current];
  let s = table.get(key);
  if (s === undefined && params && params.count !== undefined && params.count !== null) {
    const count = Number(params.count);
    s = table.get(`${key}.${pluralCategory(current, count)}`) ?? table.get(`${key}.other`);
  }
  if (s === undefined) {
    if (globalThis.console) console.warn('i18n: missing key', key);
    return undefined;
  }
  if (params) {
    for (const [name, value] of Object.entries(params)) {
      s = s.split(`{${name}}`).join(String(value));
    }
  }
  return s;
}

/** Looks a key up in the current language, filling "{name}" from params; the key if missing. */
export function t(key, params) {
  const s = lookup(key, params);
  return s === undefined ? key : s;
}

const ATTRS = [
  ['data-i18n-placeholder', 'placeholder'],
  ['data-i18n-aria-label', 'aria-label'],
  ['data-i18n-title', 'title'],
];

/** Applies the current language to one element's data-i18n* attributes. */
export function translate(node) {
  let args;
  const rawArgs = node.getAttribute('data-i18n-args');
  if (rawArgs) {
    try {
      args = JSON.parse(rawArgs);
    } catch {
      args = undefined;
    }
  }
  const key = node.getAttribute('data-i18n');
  if (key) {
    // A missing string keeps what the markup says (the Chinese it was written with); an
    // element made by a script shows the key, so the gap is seen.
    const s = lookup(key, args);
    if (s !== undefined) node.textContent = s;
    else if (!node.textContent) node.textContent = key;
  }
  for (const [data, attr] of ATTRS) {
    const k = node.getAttribute(data);
    if (!k) continue;
    const s = lookup(k, args);
    if (s !== undefined) node.setAttribute(attr, s);
    else if (!node.hasAttribute(attr)) node.setAttribute(attr, k);
  }
}

/** Applies the current language to everything under root (default: the whole document). */
export function applyI18n(root = document) {
  document.documentElement.lang = current;
  const selector = '[data-i18n],[data-i18n-placeholder],[data-i18n-aria-label],[data-i18n-title]';
  if (root.matches && root.matches(selector)) translate(root);
  for (const node of root.querySelectorAll(selector)) translate(node);
}

let wanted = current;

/**
 * Switches language: loads this page's namespaces in that language, then re-applies the page
 * and tells the listeners. <html lang> changes last, once everything shows the new language.
 */
export async function setLang(lang) {
  if (!LANGS.includes(lang)) return;
  wanted = lang;
  const loaded = await Promise.all([...inUse].map((name) => loadNamespace(lang, name)));
  // A later click wins; a click on the language already shown does nothing; a language whose
  // files did not all arrive (offline) is not switched to half-way.
  if (wanted !== lang || lang === current || !loaded.every(Boolean)) return;
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not saved; the switch still works for this page.
  }
  if (globalThis.document) applyI18n(document);
  for (const fn of listeners) fn(lang);
}

/** Runs fn after every language switch (for text a page computed itself). */
export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// In a browser, the page's strings are in before any importing module runs; under Node (the
// unit tests) there is no document and tests add strings with addMessages().
if (globalThis.document) {
  document.documentElement.lang = current;
  await loadNamespaces(pageNamespaces(document));
}
