// What the dictionary holds and what the pages use of it, read from the sources: the JSON files
// under frontend-assets/assets/i18n/<lang>/, the pages' markup and the ES modules each page
// imports. static.test.mjs checks them against each other; run this file to see one page's
// needs: `node i18n-usage.mjs seller/edit.html`.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ASSETS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'frontend-assets');
export const I18N = join(ASSETS, 'assets', 'i18n');
export const LANGS = ['zh-CN', 'en'];

function files(dir, ext) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...files(path, ext));
    else if (entry.name.endsWith(ext)) out.push(path);
  }
  return out;
}

const posix = (path) => path.split(sep).join('/');

/**
 * The dictionary as files: `{ 'zh-CN': { common: {key: text}, 'pages/search': {...} }, en: ... }`,
 * a namespace being the file's path under its language without `.json`.
 */
export function readDictionary() {
  const dict = {};
  for (const lang of LANGS) {
    dict[lang] = {};
    for (const path of files(join(I18N, lang), '.json')) {
      const ns = posix(relative(join(I18N, lang), path)).replace(/\.json$/, '');
      dict[lang][ns] = JSON.parse(readFileSync(path, 'utf8'));
    }
  }
  return dict;
}

/** Every namespace of a language in one table (a key in two namespaces: the last wins). */
export function merged(dict, lang) {
  return Object.assign({}, ...Object.values(dict[lang]));
}

/** `orders.count.one` → `orders.count`: the key a page asks for. */
export const baseKey = (key) => key.replace(/^([a-z_]+\.[a-z_0-9]+)\.(zero|one|two|few|many|other)$/, '$1');

/** The dictionary keys a key in the code stands for: itself, or its plural forms. */
function expander(allKeys) {
  const byBase = new Map();
  for (const key of allKeys) {
    const base = baseKey(key);
    if (!byBase.has(base)) byBase.set(base, []);
    byBase.get(base).push(key);
  }
  return (key) => byBase.get(key) || [key];
}

/**
 * The keys one module's source uses: whole keys in quotes ('nav.home'), keys built from a
 * prefix ('kind.' + value, `claim.level_${n}`) and badge groups (badge('status', …)) stand for
 * every key with that prefix. `dynamic` lists the prefixes. Comments do not count.
 */
export function keysInScript(source, allKeys) {
  // Keys named in comments are not used: drop whole-line and block comments.
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const expand = expander(allKeys);
  const prefixes = new Set(allKeys.map((key) => key.split('.')[0]));
  const keys = new Set();
  const dynamic = [];
  for (const m of text.matchAll(/['"`]([a-z_]+)\.([a-z_0-9]*[a-z0-9])['"`]/g)) {
    if (prefixes.has(m[1])) for (const key of expand(`${m[1]}.${m[2]}`)) keys.add(key);
  }
  for (const m of text.matchAll(/'([a-z_]+\.[a-z_0-9]*)' *\+|`([a-z_]+\.[a-z_0-9]*)\$\{/g)) {
    const prefix = m[1] || m[2];
    if (prefixes.has(prefix.split('.')[0])) dynamic.push(prefix);
  }
  for (const m of text.matchAll(/[bB]adge\('([a-z_]+)'/g)) {
    if (prefixes.has(m[1])) dynamic.push(`${m[1]}.`);
  }
  for (const prefix of dynamic) for (const key of allKeys) if (key.startsWith(prefix)) keys.add(key);
  return { keys, dynamic };
}

/** The keys a page's markup names (data-i18n, -placeholder, -aria-label, -title). */
export function keysInMarkup(text, allKeys) {
  const expand = expander(allKeys);
  const keys = new Set();
  for (const m of text.matchAll(/data-i18n(?:-placeholder|-aria-label|-title)?="([^"]+)"/g)) {
    for (const key of expand(m[1])) keys.add(key);
  }
  return keys;
}

/**
 * Every page: its path under frontend-assets, the namespaces its <meta name="i18n"> names
 * (common first, always loaded), the modules it loads (its script and everything that imports,
 * transitively) and every dictionary key it may show.
 */
export function pageUsage(allKeys) {
  const modules = new Map();
  const moduleInfo = (path) => {
    if (!modules.has(path)) {
      const text = readFileSync(path, 'utf8');
      const imports = [...text.matchAll(/\bfrom '(\.\.?\/[^']+)'/g)].map((m) => resolve(dirname(path), m[1]));
      modules.set(path, { text, imports, ...keysInScript(text, allKeys) });
    }
    return modules.get(path);
  };
  const pages = [];
  for (const path of files(ASSETS, '.html')) {
    const text = readFileSync(path, 'utf8');
    const meta = text.match(/<meta name="i18n" content="([^"]*)">/);
    const named = meta ? meta[1].split(/\s+/).filter(Boolean) : [];
    const script = text.match(/<script type="module" src="\/([^"]+)"><\/script>/);
    const graph = new Set();
    const walk = (module) => {
      if (graph.has(module)) return;
      graph.add(module);
      for (const next of moduleInfo(module).imports) walk(next);
    };
    if (script) walk(join(ASSETS, script[1]));
    const keys = keysInMarkup(text, allKeys);
    for (const module of graph) for (const key of moduleInfo(module).keys) keys.add(key);
    pages.push({
      name: posix(relative(ASSETS, path)),
      namespaces: ['common', ...named.filter((ns) => ns !== 'common')],
      hasMeta: Boolean(meta),
      modules: [...graph].map((m) => posix(relative(ASSETS, m))),
      keys,
    });
  }
  return pages;
}

/** The size of a language's namespace files, in bytes as stored (before compression). */
export function namespaceBytes(lang, namespaces) {
  return namespaces.reduce((sum, ns) => sum + statSync(join(I18N, lang, `${ns}.json`)).size, 0);
}

/** The namespace(s) of a language that define a key. */
export function homesOf(dict, lang, key) {
  return Object.entries(dict[lang]).filter(([, table]) => key in table).map(([ns]) => ns);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dict = readDictionary();
  const allKeys = Object.keys(merged(dict, 'zh-CN'));
  const wanted = process.argv[2];
  for (const page of pageUsage(allKeys)) {
    if (wanted && page.name !== wanted) continue;
    const needed = new Set([...page.keys].flatMap((key) => homesOf(dict, 'zh-CN', key)));
    console.log(`${page.name}: loads ${page.namespaces.join(' ')}; its keys live in ${[...needed].sort().join(' ')}`);
    const bytes = Object.fromEntries(LANGS.map((lang) => [lang, namespaceBytes(lang, page.namespaces)]));
    console.log(`  ${page.keys.size} keys; dictionary files: ${LANGS.map((lang) => `${lang} ${bytes[lang]} B`).join(', ')}`);
  }
}
