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
// It also times each page until it is drawn (shell.js's body.ready) over an emulated phone link
// (Lighthouse's mobile figures: 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up), the median
// of RUNS (5) cold loads. Not a test: run it against `farmgate serve --demo` before and after a
// change to the pages.

import { launchBrowser, PASSWORD } from './helpers.mjs';

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

function kind(url) {
  const path = new URL(url).pathname;
  if (path.startsWith('/api/')) return 'api';
  if (path.startsWith('/media/') || /\.(jpe?g|png|webp|gif|svg)$/.test(path)) return 'images';
  if (path.startsWith('/assets/i18n/') || path === '/assets/js/i18n.js') return 'dictionary';
  if (path.startsWith('/vendor/')) return 'vendor';
  if (path.endsWith('.js')) return 'js';
  if (path.endsWith('.css')) return 'css';
  return 'html';
}

const KINDS = ['html', 'css', 'js', 'dictionary', 'vendor', 'api', 'images'];
const PHONE = { offline: false, latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 };

async function weigh(browser, base, path, login, throttle = false) {
  const context = await browser.newContext({ baseURL: base, locale: 'zh-CN', viewport: { width: 390, height: 844 } });
  await context.addInitScript((l) => localStorage.setItem('fg_lang', l), lang);
  if (login) {
    const r = await context.request.post('/api/v1/auth/login', { data: { login, password: PASSWORD } });
    if (!r.ok()) throw new Error(`login ${login}: ${r.status()}`);
  }
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (throttle) await cdp.send('Network.emulateNetworkConditions', PHONE);
  const urls = new Map();
  const totals = Object.fromEntries(KINDS.map((k) => [k, { wire: 0, files: 0 }]));
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFinished', (e) => {
    const url = urls.get(e.requestId);
    if (!url || url.startsWith('data:')) return;
    const k = kind(url);
    totals[k].wire += e.encodedDataLength;
    totals[k].files += 1;
  });
  const started = Date.now();
  await page.goto(path, { waitUntil: 'commit' });
  await page.locator('body.ready').waitFor({ timeout: 60_000 });
  const drawn = Date.now() - started;
  if (!throttle) await page.waitForLoadState('networkidle');
  await context.close();
  return throttle ? drawn : totals;
}

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
      for (const base of bases) times.get(base).push(await weigh(browser, base, paths.get(base), login, true));
    }
    for (const base of bases) {
      const totals = await weigh(browser, base, paths.get(base), login);
      const sum = KINDS.reduce((n, k) => n + totals[k].wire, 0);
      const median = times.get(base).sort((a, b) => a - b)[Math.floor(RUNS / 2)];
      rows.get(base).push([raw.replace('?id=LISTING', '').slice(0, 27).padEnd(28),
        ...KINDS.map((k) => `${totals[k].wire} (${totals[k].files})`.padStart(14)), String(sum).padStart(10), String(median).padStart(12)].join(''));
    }
  }
  for (const base of bases) {
    console.log(`${base}, language ${lang}, empty cache; bytes on the wire (files), median of ${RUNS} loads until drawn`);
    console.log(['page'.padEnd(28), ...KINDS.map((k) => k.padStart(14)), 'total'.padStart(10), 'drawn (ms)'.padStart(12)].join(''));
    for (const row of rows.get(base)) console.log(row);
  }
} finally {
  await browser.close();
}
