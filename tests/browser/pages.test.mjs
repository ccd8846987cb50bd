// The pages on their own, served from frontend-assets/ by a tiny static server in this
// process: no Farmgate server needed. The API behind it is either unreachable (every page
// must still render and say so) or answers as if nobody is logged in.

import assert from 'node:assert/strict';
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchBrowser, open, ready, scrollWidth, story, switchLanguage } from './helpers.mjs';
import { baseKey, merged, readDictionary } from './i18n-usage.mjs';

const ASSETS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'frontend-assets');
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};
const PAGES = ['/', '/login.html', '/register.html', '/account.html', '/org.html', '/ops/verify.html',
  '/search.html?q=%E8%84%90%E6%A9%99', '/listing.html?id=00000000-0000-0000-0000-0000000000aa',
  '/seller.html?id=00000000-0000-0000-0000-0000000000bb', '/seller/listings.html', '/seller/edit.html', '/ops/listings.html',
  '/cart.html', '/checkout.html', '/orders.html', '/order.html?id=00000000-0000-0000-0000-0000000000cc',
  '/seller/orders.html', '/seller/packing.html?order=00000000-0000-0000-0000-0000000000cc&sub=00000000-0000-0000-0000-0000000000dd',
  '/ops/orders.html', '/pay/sandbox.html?intent=00000000-0000-0000-0000-0000000000ee', '/seller/settlement.html',
  '/claims.html', '/claim-new.html?order=00000000-0000-0000-0000-0000000000cc&sub=00000000-0000-0000-0000-0000000000dd',
  '/claim.html?id=00000000-0000-0000-0000-0000000000ff', '/seller/claims.html', '/ops/claims.html',
  '/ops/recalls.html', '/ops/quality.html', '/seller/quality.html', '/seller/batch.html?id=00000000-0000-0000-0000-0000000000ab',
  '/ops/categories.html', '/ops/stats.html?from=2026-01-01&to=2026-03-31&by=week&township=x',
  '/reset.html', '/setup.html', '/ops/sms.html', '/ops/payouts.html', '/ops/trace-audit.html', '/seller/payouts.html', '/ops/money.html?from=2026-12-01&to=2026-12-06',
  '/ops/invoices.html?status=issued', '/ops/vocabulary.html',
  '/tickets.html', '/ticket.html?id=00000000-0000-0000-0000-0000000000fa', '/ops/desk.html',
  '/ops/moderation.html', '/ops/customers.html', '/ops/my-desk.html',
  '/notifications.html?unread=true', '/lab/checks.html',
  '/market.html', '/market.html?category=00000000-0000-0000-0000-0000000000ac&days=90&unit=kg',
  '/credit.html', '/credit.html?org=00000000-0000-0000-0000-0000000000bb', '/seller/analytics.html', '/ops/credit.html?sort=claim_rate&order=asc',
  '/ops/analytics.html?from=2026-12-01&to=2026-12-06&by=week', '/ops/external-prices.html',
  '/seller/home.html', '/ops/home.html', '/purchasing.html', '/seller/packing.html?parts=00000000-0000-0000-0000-0000000000cc:00000000-0000-0000-0000-0000000000dd',
  '/rfq.html'];

let mode = 'down';
let server;
let base;
let browser;

function json(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function api(req, res) {
  if (mode === 'down') {
    res.writeHead(502, { 'Content-Type': 'text/html' });
    res.end('<h1>502 Bad Gateway</h1>');
    return;
  }
  // mode 'anonymous': nobody is logged in, and logging in "works" without a session.
  if (req.method === 'POST' && req.url === '/api/v1/auth/login') {
    json(res, 200, {
      account: { id: '00000000-0000-0000-0000-000000000001', display_name: '测试', phone: '13600000001', email: null, platform_role: null, status: 'active', created_at: '2025-01-01T00:00:00Z' },
      session: { token: 'fg_test', expires_at: '2026-01-01T00:00:00Z' },
    });
    return;
  }
  json(res, 401, { error: { code: 'unauthenticated', message: '请先登录', fields: {}, request_id: 'test' } });
}

function serveFile(req, res) {
  let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (path.endsWith('/')) path += 'index.html';
  const file = normalize(join(ASSETS, path));
  if (!file.startsWith(ASSETS + sep)) {
    res.writeHead(403).end();
    return;
  }
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream' });
  createReadStream(file).pipe(res);
}

const scenario = (body) => story(() => browser, () => base, body);

describe('the pages without a Farmgate server', () => {
  before(async () => {
    server = createServer((req, res) => (req.url.startsWith('/api/') ? api(req, res) : serveFile(req, res)));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${server.address().port}`;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  test('every page still renders and shows a visible error when the API cannot be reached',
    { timeout: 60_000 }, scenario(async (s) => {
      mode = 'down';
      const page = await s.person({ width: 360, height: 740 });
      for (const path of PAGES) {
        await open(page, path);
        const flash = page.getByTestId('flash');
        await flash.waitFor();
        assert.match(await flash.getAttribute('class'), /flash-error/, path);
        assert.ok((await flash.textContent()).trim().length > 0, `${path} says what went wrong`);
        assert.ok(await page.locator('h1').first().isVisible(), `${path} is not blank`);
        assert.ok(await scrollWidth(page) <= 360, `${path} fits 360 px`);
      }
    }));

  test('every page loads common and its own dictionary namespaces in the current language only, draws no bare key, and loads the other language on a switch',
    { timeout: 120_000 }, scenario(async (s) => {
      mode = 'down';
      const dict = readDictionary();
      const keys = new Set(Object.keys(merged(dict, 'zh-CN')).map(baseKey));
      const page = await s.person({ width: 360, height: 740 });
      let fetched = [];
      page.on('request', (request) => {
        const path = new URL(request.url()).pathname;
        if (path.startsWith('/assets/i18n/')) fetched.push(path.slice('/assets/i18n/'.length));
      });
      // A word shaped like a key (`nav.home`, `orders.count`) that the dictionary has: a string
      // drawn before its namespace was in, or one the page's namespaces lack.
      const bareKeys = async () => (await page.locator('body').innerText())
        .split(/[^a-z_.0-9]+/).filter((word) => keys.has(word));
      let lang = 'zh';
      for (const path of PAGES) {
        fetched = [];
        await open(page, path);
        await page.getByTestId('flash').waitFor();
        const names = ['common', ...((await page.locator('meta[name="i18n"]').getAttribute('content')) || '').split(/\s+/).filter(Boolean)];
        const code = lang === 'en' ? 'en' : 'zh-CN';
        assert.deepEqual(fetched.sort(), names.map((ns) => `${code}/${ns}.json`).sort(), `${path} loads its namespaces in ${code}`);
        assert.deepEqual(await bareKeys(), [], `${path} (${code})`);

        fetched = [];
        lang = lang === 'en' ? 'zh' : 'en';
        await switchLanguage(page, lang);
        const other = lang === 'en' ? 'en' : 'zh-CN';
        assert.deepEqual(fetched.sort(), names.map((ns) => `${other}/${ns}.json`).sort(), `${path} switching to ${other}`);
        assert.deepEqual(await bareKeys(), [], `${path} (${other})`);
      }
    }));

  test('an English reader sees English plurals: one order, two orders', { timeout: 60_000 }, scenario(async (s) => {
    mode = 'down';
    const page = await s.person();
    // 我的订单 loads pages/orders, where its count lives (the API being down does not matter).
    await open(page, '/orders.html');
    await switchLanguage(page, 'en');
    const said = await page.evaluate(async () => {
      const { t } = await import('/assets/js/i18n.js');
      return [0, 1, 2].map((count) => t('orders.count', { count }));
    });
    assert.deepEqual(said, ['0 orders', '1 order', '2 orders']);
    await switchLanguage(page, 'zh');
    assert.equal(await page.evaluate(async () => (await import('/assets/js/i18n.js')).t('orders.count', { count: 1 })), '共 1 个订单');
  }));

  test('a protected page sends an anonymous visitor to the login page with the way back in next',
    { timeout: 60_000 }, scenario(async (s) => {
      mode = 'anonymous';
      const page = await s.person();
      await page.goto('/org.html?id=abc');
      await page.waitForURL((url) => url.pathname === '/login.html');
      // The link gets its next once the login page's script runs, after its dictionary is in.
      await ready(page);
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('next'), '/org.html?id=abc');
      assert.equal(await page.getByTestId('register-link').getAttribute('href'),
        '/register.html?next=' + encodeURIComponent('/org.html?id=abc'));
    }));

  test('the buying, selling, after-sales, recall, quality, category and statistics pages send an anonymous visitor to the login page and back',
    { timeout: 60_000 }, scenario(async (s) => {
      mode = 'anonymous';
      const page = await s.person();
      for (const path of ['/cart.html', '/checkout.html', '/orders.html', '/order.html?id=abc', '/seller/orders.html?status=shipped', '/seller/settlement.html', '/ops/orders.html',
        '/claims.html', '/claim-new.html?order=abc&sub=def', '/claim.html?id=abc', '/seller/claims.html?status=resolved', '/ops/claims.html',
        '/ops/recalls.html', '/ops/quality.html?group_by=carrier', '/seller/quality.html?org=abc', '/seller/batch.html?id=abc',
        '/ops/categories.html', '/ops/stats.html?from=2026-01-01&to=2026-03-31&by=month&buyer_kind=business',
        '/ops/payouts.html', '/seller/payouts.html?org=abc', '/ops/money.html?from=2026-12-01&to=2026-12-06',
        '/ops/invoices.html?status=issued', '/ops/vocabulary.html',
        '/ops/moderation.html?tab=hidden', '/ops/customers.html', '/ops/my-desk.html',
        '/notifications.html']) {
        await page.goto(path);
        await page.waitForURL((url) => url.pathname === '/login.html');
        assert.equal(new URL(page.url()).searchParams.get('next'), path);
      }
    }));

  test('after logging in, a next parameter that points to another site is ignored',
    { timeout: 60_000 }, scenario(async (s) => {
      mode = 'anonymous';
      const page = await s.person();
      for (const evil of ['//evil.example/steal', 'https://evil.example/', '/\\evil.example']) {
        await open(page, '/login.html?next=' + encodeURIComponent(evil));
        await page.getByTestId('login-input').fill('13600000001');
        await page.getByTestId('password-input').fill('farmgate123');
        await Promise.all([
          page.waitForURL((url) => !url.pathname.endsWith('/login.html')),
          page.getByTestId('login-submit').click(),
        ]);
        const url = new URL(page.url());
        assert.equal(url.origin, base, `stayed on our site for next=${evil}`);
        assert.equal(url.pathname, '/', `went home for next=${evil}`);
      }
    }));

  test('the register form explains its rules next to the inputs before sending anything',
    { timeout: 60_000 }, scenario(async (s) => {
      mode = 'anonymous';
      const page = await s.person({ width: 360, height: 740 });
      const sent = [];
      page.on('request', (r) => { if (r.url().includes('/auth/register')) sent.push(r.url()); });
      await open(page, '/register.html');
      assert.equal(await page.getByTestId('password-rule').textContent(), '至少 8 个字符。');
      await page.getByTestId('register-name').fill('王五');
      await page.getByTestId('register-contact').fill('13600000002');
      await page.getByTestId('register-password').fill('short');
      await page.getByTestId('register-submit').click();
      const error = page.locator('#password-error');
      await error.waitFor();
      assert.equal(await error.textContent(), '密码至少需要 8 个字符');
      assert.equal(await page.getByTestId('register-password').getAttribute('aria-invalid'), 'true');
      assert.deepEqual(sent, []);

      await switchLanguage(page, 'en');
      assert.equal(await page.getByTestId('password-rule').textContent(), 'At least 8 characters.');
    }));

  test('a language switch whose files cannot be fetched leaves the page whole in its language', { timeout: 60_000 }, scenario(async (s) => {
    mode = 'down';
    const page = await s.person();
    await open(page, '/login.html');
    await page.route('**/assets/i18n/en/**', (route) => route.abort());
    await page.getByTestId('lang-en').click();
    await page.locator('.lang-switch:not([aria-busy])').waitFor({ state: 'attached' });
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.equal(await page.getByTestId('login-heading').textContent(), '登录');
    assert.equal(await page.getByTestId('lang-zh').getAttribute('aria-pressed'), 'true');
    await page.unroute('**/assets/i18n/en/**');
    await switchLanguage(page, 'en');
    assert.equal(await page.getByTestId('login-heading').textContent(), 'Log in', 'the next click tries again');
  }));
});
