// What a phone downloads to show a page the first time (empty cache), by kind: the page, its
// scripts, the dictionary, the stylesheet, the API's answers. Bytes are what crossed the wire
// (gzip where the server compresses, headers included), from Chromium's own network events.
//
//   FARMGATE_BASE_URL=http://127.0.0.1:18080 [RUNS=5] node page-weight.mjs [--lang en] [--only /cart]
//
// Several servers, comma-separated, are measured side by side (their loads interleaved, so a
// busy moment of the machine hits them alike): start a second server on the same binary with
// FARMGATE_ASSETS_DIR pointing at the old frontend-assets/ to compare before and after.
//
// It also times each page until it is interactive (loaded, and shell.js's body.ready) over an
// emulated slow 4G link (weight.mjs: Lighthouse's mobile figures), the median of RUNS (5) cold
// loads. The budgets every buyer page must keep are checked by budgets.test.mjs. Not a test: run it against `farmgate serve --demo` before and after a
// change to the pages.

import { launchBrowser } from './helpers.mjs';
import { KINDS, totalBytes, weigh } from './weight.mjs';

const bases = (process.env.FARMGATE_BASE_URL || '').split(',').filter(Boolean);
if (!bases.length) {
  console.error('set FARMGATE_BASE_URL to a running `farmgate serve --demo`');
  process.exit(2);
}
const lang = process.argv.includes('--lang') ? process.argv[process.argv.indexOf('--lang') + 1] : 'zh-CN';

// [path, who is logged in (a demo account) or null]
const PAGES = [
  ['/', null],
  ['/search.html?q=%E6%A9%99', null],
  ['/listing.html?id=LISTING', null],
  ['/login.html', null],
  ['/cart.html', '13600000001'],
  ['/orders.html', '13600000001'],
  ['/seller/edit.html', '13800000001'],
  ['/ops/stats.html', '13900000003'],
];

const RUNS = Number(process.env.RUNS) || 5;
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
const browser = await launchBrowser();
try {
  const rows = new Map(bases.map((base) => [base, []]));
  for (const [raw, login] of PAGES) {
    if (only && !raw.startsWith(only)) continue;
    const paths = new Map();
    for (const base of bases) {
      const probe = await (await fetch(`${base}/api/v1/search?per_page=1`)).json();
      const listing = probe.hits && probe.hits[0] && (probe.hits[0].listing_id || probe.hits[0].id);
      paths.set(base, raw.replace('LISTING', listing || ''));
    }
    const times = new Map(bases.map((base) => [base, []]));
    for (let i = 0; i < RUNS; i += 1) {
      for (const base of bases) times.get(base).push(await weigh(browser, base, paths.get(base), { login, throttle: true, lang }));
    }
    for (const base of bases) {
      const totals = await weigh(browser, base, paths.get(base), { login, lang });
      const sum = totalBytes(totals);
      const median = times.get(base).sort((a, b) => a - b)[Math.floor(RUNS / 2)];
      rows.get(base).push([raw.replace('?id=LISTING', '').slice(0, 27).padEnd(28),
        ...KINDS.map((k) => `${totals[k].wire} (${totals[k].files})`.padStart(14)), String(sum).padStart(10), String(median).padStart(12)].join(''));
    }
  }
  for (const base of bases) {
    console.log(`${base}, language ${lang}, empty cache; bytes on the wire (files), median of ${RUNS} loads until interactive`);
    console.log(['page'.padEnd(28), ...KINDS.map((k) => k.padStart(14)), 'total'.padStart(10), 'ready (ms)'.padStart(12)].join(''));
    for (const row of rows.get(base)) console.log(row);
  }
} finally {
  await browser.close();
}
