// Measuring a page's first load as a phone on a slow link sees it: bytes on the wire by kind
// (Chromium's own network events; gzip where the server compresses, headers included) with an
// empty cache, and the time until the page is interactive over an emulated slow 4G link.
// Shared by the budget test (budgets.test.mjs) and the comparison script (page-weight.mjs).

import { PASSWORD } from './helpers.mjs';

/** Lighthouse's mobile link ("slow 4G"): 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up. */
export const SLOW_4G = { offline: false, latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 };

export const KINDS = ['html', 'css', 'js', 'dictionary', 'vendor', 'api', 'images'];

/** What a URL is, for the tables: page, stylesheet, script, dictionary, API answer, picture. */
export function kind(url) {
  const path = new URL(url).pathname;
  if (path.startsWith('/api/')) return 'api';
  if (path.startsWith('/media/') || /\.(jpe?g|png|webp|gif|svg)$/.test(path)) return 'images';
  if (path.startsWith('/assets/i18n/') || path === '/assets/js/i18n.js') return 'dictionary';
  if (path.startsWith('/vendor/')) return 'vendor';
  if (path.endsWith('.js')) return 'js';
  if (path.endsWith('.css')) return 'css';
  return 'html';
}

/**
 * One cold load of `path` on a 390 px phone, as `login` (a demo account) or nobody.
 * With `throttle`, over SLOW_4G, answering the milliseconds until the page is interactive:
 * the document has loaded and its script (if it has one) has set up the frame (`body.ready`). Without, the
 * bytes by kind once the network is quiet: `{html: {wire, files}, …}`.
 */
export async function weigh(browser, base, path, { login = null, throttle = false, lang = 'zh-CN' } = {}) {
  const context = await browser.newContext({ baseURL: base, locale: 'zh-CN', viewport: { width: 390, height: 844 } });
  try {
    await context.addInitScript((l) => localStorage.setItem('fg_lang', l), lang);
    if (login) {
      const r = await context.request.post('/api/v1/auth/login', { data: { login, password: PASSWORD } });
      if (!r.ok()) throw new Error(`login ${login}: ${r.status()}`);
    }
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    if (throttle) await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
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
    const response = await page.goto(path, { waitUntil: throttle ? 'load' : 'commit', timeout: 60_000 });
    if (!response || response.status() >= 400) throw new Error(`${path}: HTTP ${response && response.status()}`);
    // A page of ours with a script is interactive once shell.js has set up its frame; the
    // scan page is drawn by the server and has none.
    if (await page.locator('script[type="module"]').count()) await page.locator('body.ready').waitFor({ timeout: 60_000 });
    const interactive = Date.now() - started;
    if (!throttle) await page.waitForLoadState('networkidle');
    return throttle ? interactive : totals;
  } finally {
    await context.close();
  }
}

/** The sum of bytes on the wire over every kind. */
export function totalBytes(totals) {
  return KINDS.reduce((n, k) => n + totals[k].wire, 0);
}
