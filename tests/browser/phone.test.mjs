// The phone shop's frame (issue #19), on the pages alone behind a stand-in API (no Farmgate
// server): at 390×844 in WeChat's in-app browser the header is one row no taller than 64 px
// for a buyer and for a seller, no page is wider than the screen, buyer pages have the bottom
// tab bar (首页, 分类, 购物车 with its count, 我的) and 44 px tap targets in the header, the tab
// bar and the listing's buy bar; 立即购买 goes to checkout with that SKU and quantity, priced by
// a quote, without touching the cart. At 1366×900 the operator's header is one row with the
// logo on the left and the links grouped into menus. Every page is photographed into
// artifacts/phone/ (kept whether the test passes or not).

import assert from 'node:assert/strict';
import { createReadStream, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ARTIFACTS, WECHAT_UA, launchBrowser, open, scrollWidth, smallTargets, story, switchLanguage } from './helpers.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const ASSETS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'frontend-assets');
const SHOTS = join(ARTIFACTS, 'phone');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json' };

const LISTING = '00000000-0000-0000-0000-0000000000aa';
const SKU = '00000000-0000-0000-0000-0000000000a1';
const SELLER = '00000000-0000-0000-0000-0000000000bb';
const ORG = { id: SELLER, name: '梅岭脐橙专业合作社', kind: 'cooperative', status: 'verified' };
const PEOPLE = {
  buyer: { platform_role: null, memberships: [] },
  seller: { platform_role: null, memberships: [{ org: ORG, role: 'owner' }] },
  operator: { platform_role: 'operator', memberships: [] },
  business: { platform_role: null, memberships: [{ org: { id: '00000000-0000-0000-0000-0000000000b2', name: '赣州学校食堂', kind: 'business_buyer', status: 'verified' }, role: 'owner' }] },
};
/** The stand-in's wholesale tiers: ¥50 from 20 boxes, ¥45 from 50. */
const TIERS = [{ min_quantity: 20, price: 5000 }, { min_quantity: 50, price: 4500 }];
const tierPrice = (qty) => TIERS.filter((t) => qty >= t.min_quantity).reduce((p, t) => t.price, 5990);

const line = (quantity) => ({
  sku_id: SKU, listing_id: LISTING, title: '赣南脐橙', sku_name: '5 斤装', unit: 'box', seller_id: SELLER,
  seller_name: ORG.name, quantity, unit_price: 5990, price_seen: 5990, price_changed: false,
  line_total: 5990 * quantity, stock: 50, state: 'on_sale', image: null,
});
const cartOf = (lines) => {
  const goods = lines.reduce((n, l) => n + l.line_total, 0);
  return {
    lines, goods_total: goods, shipping: 0, total: goods, count: lines.length,
    sellers: lines.length ? [{ seller_id: SELLER, seller_name: ORG.name, goods_total: goods, shipping: 0, total: goods }] : [],
  };
};
const LISTING_BODY = {
  id: LISTING, title: '赣南脐橙', category: { id: 'c', name: '水果', path: [{ id: 'c', name: '水果', slug: 'fruit' }] },
  description: '果园直发。', origin: { province: '江西省', city: '赣州市', county: '信丰县', township: '大塘埠镇', village: null },
  origin_note: null, season: null, storage: null, shelf_life_days: null,
  seller: { id: SELLER, name: ORG.name, kind: 'cooperative' }, producer: null,
  skus: [{ id: SKU, name: '5 斤装', unit: 'box', price: 5990, stock: 50, weight_grams: 2600, net_weight_grams: 2500, gtin: null, tiers: null, active: true, on_sale: true }],
  images: [], price_from: 5990, sales: 12, availability: 'on_sale', created_at: '2026-11-01T00:00:00Z', updated_at: '2026-11-01T00:00:00Z',
};

const ORDER_ID = '00000000-0000-0000-0000-0000000000cc';
const SUB_ID = '00000000-0000-0000-0000-0000000000dd';
const WAYBILL = 'SF1234567890123';
/** A paid order of two boxes, its one part shipped by 顺丰 with two carrier updates. */
const orderOf = (status = 'shipped') => ({
  id: ORDER_ID, number: 'FG20261206-0001', status: 'paid', payment_method: 'gateway', wholesale: false,
  address: { name: '王芳', phone: '13600000001', province: '江西省', city: '赣州市', district: '信丰县', street: '大塘埠镇 1 号' },
  goods_total: 11980, shipping: 0, total: 11980, pay_by: '2026-12-06T01:00:00Z', paid_at: '2026-12-06T00:10:00Z',
  note: null, created_at: '2026-12-06T00:00:00Z', refunded: 0, viewer: 'buyer', can_pay: false, can_cancel: false,
  refunds: [], payments: [], events: [],
  sub_orders: [{
    id: SUB_ID, number: 'FG20261206-0001-1', seller_id: SELLER, seller_name: ORG.name, status,
    goods_total: 11980, shipping: 0, total: 11980, paid_at: '2026-12-06T00:10:00Z', acknowledged_at: null,
    shipped_at: status === 'shipped' ? '2026-12-06T02:00:00Z' : null, received_at: null, auto_receive_at: null,
    window_closes_at: null, ship_by: '2026-12-08T00:10:00Z', shipped_late: false, cancel_request: null, refunded: 0,
    replaces: null, can_acknowledge: false, can_ship: false, can_receive: status === 'shipped',
    can_request_cancel: status === 'paid', can_answer_cancel: false,
    shipment: status === 'shipped' ? {
      id: '00000000-0000-0000-0000-0000000000de', carrier: '顺丰速运', tracking_no: WAYBILL, shipped_at: '2026-12-06T02:00:00Z', batches: [],
      events: [
        { kind: 'in_transit', at: '2026-12-06T08:00:00Z', location: '赣州转运中心', note: null, source: 'carrier' },
        { kind: 'out_for_delivery', at: '2026-12-07T01:00:00Z', location: '信丰县', note: '派送员 张师傅', source: 'carrier' },
      ],
    } : null,
    lines: [{ ...line(2), id: '00000000-0000-0000-0000-0000000000ef', retail_price: 5990, trace_codes: [], review: null, can_review: false }],
  }],
});

/** The status of the stand-in order's part (`shipped` unless a story says otherwise). */
let orderStatus = 'shipped';
/** The stand-in buyer's hearted listings. */
const favourites = new Set();
const hit = (id, title, price, sales) => ({
  id, title, title_highlight: title, price_from: price, unit: 'box', category_ids: [], township: '大塘埠镇',
  seller: { id: SELLER, name: ORG.name, kind: 'cooperative', verified: true }, thumb_url: null, in_stock: true, sales,
});
const HITS = [hit(LISTING, '赣南脐橙', 5990, 12), hit('00000000-0000-0000-0000-0000000000ab', '大米 10 斤', 12800, 0)];
let server;
let base;
let browser;
/** What the pages asked of the API: `METHOD path` and the body of each POST. */
const calls = [];

function json(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function whoIs(req) {
  const m = /(?:^|;\s*)who=(\w+)/.exec(req.headers.cookie || '');
  return m && PEOPLE[m[1]] ? m[1] : null;
}

async function api(req, res) {
  const url = new URL(req.url, 'http://x');
  const path = url.pathname.replace('/api/v1', '');
  let body = '';
  for await (const chunk of req) body += chunk;
  calls.push({ call: `${req.method} ${path}`, body: body ? JSON.parse(body) : null });
  const who = whoIs(req);
  if (req.method === 'GET' && path.startsWith('/listings/') && path.endsWith('/reviews')) {
    return json(res, 200, { items: [], total: 0, count: 0, average: null, stars: [0, 0, 0, 0, 0] });
  }
  if (req.method === 'GET' && path === `/listings/${LISTING}`) {
    if (whoIs(req) !== 'business') return json(res, 200, LISTING_BODY);
    return json(res, 200, { ...LISTING_BODY, skus: LISTING_BODY.skus.map((k) => ({ ...k, tiers: TIERS })) });
  }
  if (req.method === 'GET' && path === '/search') return json(res, 200, { hits: HITS, total: HITS.length, page: 1, per_page: 8, facets: {} });
  if (req.method === 'GET' && path === '/shipping/terms') return json(res, 200, { free_from: 9900, fee_from: 800, wholesale: false });
  if (!who) return json(res, 401, { error: { code: 'unauthenticated', message: '请先登录', fields: {}, request_id: 't' } });
  const me = PEOPLE[who];
  if (path === '/auth/me') {
    return json(res, 200, {
      account: { id: '00000000-0000-0000-0000-000000000001', display_name: '王芳', phone: '13600000001', email: null, platform_role: me.platform_role, status: 'active', created_at: '2025-01-01T00:00:00Z' },
      memberships: me.memberships,
    });
  }
  if (path === '/notifications/unread-count') return json(res, 200, { unread: 2 });
  if (req.method === 'GET' && path === '/cart') return json(res, 200, cartOf([line(1), { ...line(2), sku_id: '00000000-0000-0000-0000-0000000000a2' }]));
  if (req.method === 'POST' && path === '/cart/quote') {
    const { items } = JSON.parse(body);
    const priced = items.map((i) => {
      const unit = who === 'business' ? tierPrice(i.quantity) : 5990;
      return { ...line(i.quantity), unit_price: unit, line_total: unit * i.quantity };
    });
    return json(res, 200, cartOf(priced));
  }
  if (path === '/me/addresses') return json(res, 200, [{ id: '00000000-0000-0000-0000-0000000000ad', name: '王芳', phone: '13600000001', province: '江西省', city: '赣州市', district: '信丰县', street: '大塘埠镇 1 号', is_default: true }]);
  if (path === '/payments/methods') return json(res, 200, { methods: [{ method: 'offline', provider: 'offline', simulated: false }] });
  if (path === '/me/favourites' && req.method === 'GET') {
    return json(res, 200, { items: [...favourites].map((id) => ({ listing_id: id, title: '赣南脐橙', image: null, state: 'on_sale', available: true, added_at: '2026-12-06T00:00:00Z' }))
      .concat([{ listing_id: '00000000-0000-0000-0000-0000000000ac', title: '已下架的蜂蜜', image: null, state: 'unavailable', available: false, added_at: '2026-12-01T00:00:00Z' }]), total: favourites.size + 1, limit: 50, offset: 0 });
  }
  if (path.startsWith('/me/favourites/')) {
    const id = path.slice('/me/favourites/'.length);
    if (req.method === 'PUT') favourites.add(id);
    if (req.method === 'DELETE') favourites.delete(id);
    return json(res, 200, { listing_id: id, favourite: favourites.has(id) });
  }
  if (path === '/orders/counts') return json(res, 200, { all: 3, pending_payment: 0, to_ship: 1, to_receive: 1, to_review: 0 });
  if (path === '/claims') return json(res, 200, { items: [], total: 2, limit: 1, offset: 0 });
  if (path === '/orders' && req.method === 'GET') {
    const tab = url.searchParams.get('tab');
    const items = tab === 'to_ship' ? [orderOf('paid')] : tab === 'pending_payment' ? [] : [orderOf('shipped')];
    return json(res, 200, { items, total: items.length, limit: 10, offset: 0 });
  }
  if (path === `/orders/${ORDER_ID}`) return json(res, 200, orderOf(orderStatus));
  if (path === '/me/invitations') return json(res, 200, []);
  return json(res, 404, { error: { code: 'not_found', message: '找不到', fields: {}, request_id: 't' } });
}

function serveFile(req, res) {
  let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (path.endsWith('/')) path += 'index.html';
  const file = normalize(join(ASSETS, path));
  try {
    if (!file.startsWith(ASSETS + sep) || !statSync(file).isFile()) throw new Error('no');
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream' });
  createReadStream(file).pipe(res);
}

const scenario = (body) => story(() => browser, () => base, body);

async function as(s, who, size) {
  const page = await s.person({ ...size, ...(size.width < 720 ? { userAgent: WECHAT_UA } : {}) });
  await page.context().addCookies([{ name: 'who', value: who, url: base }]);
  return page;
}

async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

async function headerHeight(page) {
  return page.evaluate(() => document.getElementById('site-header').getBoundingClientRect().height);
}

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 900 };
const BUYER_PAGES = ['/', '/search.html', `/listing.html?id=${LISTING}`, '/cart.html', '/checkout.html', '/orders.html', '/account.html'];
const TABBAR_PAGES = ['/', '/search.html', '/cart.html', '/orders.html', '/account.html'];

describe('the phone shop frame (stand-in API)', () => {
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

  test('at 390 px in WeChat a buyer page has a one-row header under 64 px, fits the screen, has 44 px targets and the tab bar with the cart count',
    { timeout: 90_000 }, scenario(async (s) => {
      const page = await as(s, 'buyer', PHONE);
      const small = {};
      for (const path of BUYER_PAGES) {
        await open(page, path);
        await page.getByTestId('header-user').waitFor();
        const name = path.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '') || 'home';
        assert.ok(await headerHeight(page) <= 64, `${path}: header ${await headerHeight(page)} px tall`);
        assert.ok(await scrollWidth(page) <= PHONE.width, `${path} fits 390 px (${await scrollWidth(page)})`);
        const tiny = await smallTargets(page, '#site-header, #tabbar, .buy-bar, main');
        if (tiny.length) small[path] = tiny;
        const tabbar = page.getByTestId('tabbar');
        if (TABBAR_PAGES.includes(path)) {
          assert.ok(await tabbar.isVisible(), `${path} has the tab bar`);
          await page.locator('[data-testid="tab-cart-count"]:not([hidden])').waitFor();
          assert.equal(await page.getByTestId('tab-cart-count').textContent(), '2');
          const box = await tabbar.boundingBox();
          assert.ok(box && Math.abs(box.y + box.height - PHONE.height) < 1, `${path}: the tab bar sits at the bottom`);
        } else {
          assert.equal(await tabbar.count(), 0, `${path} has no tab bar`);
        }
        await shot(page, `buyer-390-${name}`);
      }
      assert.deepEqual(small, {}, 'every tap target is at least 44 × 44 px');
      // The page's own tab is marked.
      await open(page, '/cart.html');
      assert.equal(await page.getByTestId('tab-cart').getAttribute('aria-current'), 'page');
    }));

  test('the listing keeps 加入购物车 and 立即购买 in a bar at the bottom of the first screen, and buying now checks out that SKU without touching the cart',
    { timeout: 60_000 }, scenario(async (s) => {
      const page = await as(s, 'buyer', PHONE);
      await open(page, `/listing.html?id=${LISTING}`);
      await page.getByTestId('listing-title').waitFor();
      const bar = await page.getByTestId('buy-bar').boundingBox();
      assert.ok(bar && bar.y + bar.height <= PHONE.height + 1 && bar.y > PHONE.height - 90, `the buy bar is at the bottom of the screen: ${JSON.stringify(bar)}`);
      assert.ok(await page.getByTestId('buy-button').isVisible());
      await page.getByTestId('buy-qty').fill('3');
      calls.length = 0;
      await Promise.all([page.waitForURL(/\/checkout\.html\?/), page.getByTestId('buy-now').click()]);
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('buy'), SKU);
      assert.equal(url.searchParams.get('qty'), '3');
      await page.locator('#order-form[data-ready="true"]').waitFor();
      const quote = calls.find((c) => c.call === 'POST /cart/quote');
      assert.deepEqual(quote && quote.body, { items: [{ sku_id: SKU, quantity: 3 }] }, 'checkout asked for a quote of that SKU');
      assert.ok(!calls.some((c) => c.call.startsWith('POST /cart/items') || c.call.startsWith('PUT /cart') || c.call.startsWith('DELETE /cart')), 'the cart was not touched');
      assert.equal(await page.getByTestId('checkout-line').count(), 1);
      assert.equal(await page.getByTestId('checkout-total').getAttribute('data-fen'), String(5990 * 3));
      await shot(page, 'buyer-390-buy-now-checkout');
    }));

  test('a seller\'s header at 390 px is one row under 64 px with every link in its strip',
    { timeout: 30_000 }, scenario(async (s) => {
      const page = await as(s, 'seller', PHONE);
      await open(page, '/orders.html');
      await page.getByTestId('header-user').waitFor();
      assert.ok(await headerHeight(page) <= 64, `seller header ${await headerHeight(page)} px`);
      assert.ok(await scrollWidth(page) <= PHONE.width);
      // A link at the far end of the strip is still one tap away (the strip scrolls to it).
      await page.getByTestId('nav-seller-batches').click();
      await page.waitForURL(/\/seller\/batches\.html/);
      await shot(page, 'seller-390-batches');
    }));

  test('at 1366 px the operator\'s header is one row, logo on the left, links grouped into menus that open and close',
    { timeout: 30_000 }, scenario(async (s) => {
      const page = await as(s, 'operator', DESKTOP);
      await open(page, '/orders.html');
      await page.getByTestId('header-user').waitFor();
      assert.ok(await headerHeight(page) <= 64, `operator header ${await headerHeight(page)} px`);
      assert.ok(await scrollWidth(page) <= DESKTOP.width);
      const brand = await page.getByTestId('brand').boundingBox();
      const home = await page.getByTestId('nav-home').boundingBox();
      const lang = await page.getByTestId('lang-switch').boundingBox();
      assert.ok(brand.x < home.x && home.x < lang.x, 'logo, navigation, language switch from left to right');
      assert.ok(Math.abs((brand.y + brand.height / 2) - (home.y + home.height / 2)) < 8, 'one row');
      const groups = await page.locator('.nav-group-toggle').count();
      assert.ok(groups >= 3, `the operator's links are grouped (${groups} menus)`);
      assert.equal(await page.getByTestId('nav-verify').isVisible(), false, 'a menu starts closed');
      await page.getByTestId('nav-group-review').click();
      assert.equal(await page.getByTestId('nav-group-review').getAttribute('aria-expanded'), 'true');
      assert.ok(await page.getByTestId('nav-verify').isVisible(), 'the menu shows its links');
      await shot(page, 'operator-1366-menu-open');
      await page.keyboard.press('Escape');
      assert.equal(await page.getByTestId('nav-verify').isVisible(), false, 'Escape closes it');
      assert.equal(await page.getByTestId('tabbar').isVisible(), false, 'no tab bar on a desktop');
      for (const path of ['/', '/cart.html']) {
        await open(page, path);
        assert.ok(await headerHeight(page) <= 64, `${path} at 1366 px`);
        await shot(page, `operator-1366-${path.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '') || 'home'}`);
      }
    }));

  test('my orders: tabs with counts (售后 from the claims), each tab asks the API for its orders, and each card offers its next step',
    { timeout: 30_000 }, scenario(async (s) => {
      const page = await as(s, 'buyer', PHONE);
      await open(page, '/orders.html');
      await page.locator('#order-tabs[data-state="done"]').waitFor();
      const count = (tab) => page.getByTestId(`orders-tab-${tab}`).getAttribute('data-count');
      assert.deepEqual([await count('all'), await count('to_ship'), await count('to_receive'), await count('after_sales')], ['3', '1', '1', '2']);
      assert.equal(await page.getByTestId('orders-tab-all').getAttribute('aria-current'), 'page');
      await page.locator('[data-testid="orders"][data-state="done"]').waitFor();
      assert.equal(await page.getByTestId('order-act-receive').count(), 1, 'a shipped part: 确认收货');
      assert.ok(await page.getByTestId('order-card').locator('[data-testid="line-thumb"]').count() >= 1, 'the line has its picture');
      calls.length = 0;
      await page.getByTestId('orders-tab-to_ship').click();
      await page.locator('[data-testid="orders"][data-state="done"][data-tab="to_ship"]').waitFor();
      assert.ok(calls.some((c) => c.call === 'GET /orders'), 'the tab asked the API');
      assert.equal(new URL(page.url()).searchParams.get('tab'), 'to_ship', 'the tab is in the address');
      assert.equal(await page.getByTestId('order-act-request-cancel').count(), 1, 'a paid part: 申请取消');
      assert.equal(await page.getByTestId('order-act-receive').count(), 0);
      assert.ok(await scrollWidth(page) <= PHONE.width);
      assert.deepEqual(await smallTargets(page, '#order-tabs'), [], 'tabs are 44 px targets');
      await shot(page, 'buyer-390-orders-to-ship');
    }));

  test('the order page: a tracking timeline newest first ending with the hand-over, a copy button for the waybill, and 支付成功 after paying',
    { timeout: 30_000 }, scenario(async (s) => {
      const page = await as(s, 'buyer', PHONE);
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
      await open(page, `/order.html?id=${ORDER_ID}`);
      await page.locator('[data-testid="order"][data-ready="true"]').waitFor();
      const kinds = await page.locator('[data-testid="logistics-events"] > li').evaluateAll((items) => items.map((li) => li.dataset.kind));
      assert.deepEqual(kinds, ['out_for_delivery', 'in_transit', 'handed_over'], 'newest first, the hand-over last');
      assert.equal(await page.getByTestId('waybill-number').textContent(), WAYBILL);
      await page.getByTestId('copy-waybill').click();
      await page.locator('[data-testid="copy-waybill"][data-copied]').waitFor({ state: 'attached' });
      assert.equal(await page.getByTestId('copy-waybill').getAttribute('data-copied'), 'true');
      assert.equal(await page.getByTestId('pay-success').isVisible(), false, 'no 支付成功 unless just paid');
      assert.ok(await scrollWidth(page) <= PHONE.width);
      await shot(page, 'buyer-390-order-tracking');
      // In English: whole words in the steps (no "Acknowle-dged"), units that agree ("2 boxes").
      await switchLanguage(page, 'en');
      const broken = await page.locator('.step-name').evaluateAll((names) => names
        .filter((n) => n.scrollWidth > n.clientWidth + 1 || n.getClientRects().length > 1 && /\S-?\s*$/.test(n.textContent) && n.textContent.trim().split(/\s+/).length < n.getClientRects().length)
        .map((n) => n.textContent));
      assert.deepEqual(broken, [], 'no step name breaks inside a word or spills over');
      assert.match(await page.getByTestId('line-quantity').first().textContent(), /× 2 boxes/);
      assert.ok(await scrollWidth(page) <= PHONE.width);
      await shot(page, 'buyer-390-order-tracking-en');
      await switchLanguage(page, 'zh');

      orderStatus = 'paid';
      await open(page, `/order.html?id=${ORDER_ID}&paid=1`);
      await page.getByTestId('pay-success').waitFor();
      assert.equal(await page.getByTestId('pay-success-amount').getAttribute('data-fen'), '11980');
      assert.equal(await page.getByTestId('pay-success-ship-by').locator('li').count(), 1, 'when the seller ships by');
      assert.equal(await page.getByTestId('pay-success-orders').getAttribute('href'), '/orders.html?tab=to_ship');
      await shot(page, 'buyer-390-pay-success');
      orderStatus = 'shipped';
    }));

  test('cards say 包邮 or 满 ¥99 包邮 from the server\'s shipping terms, and how many were sold',
    { timeout: 30_000 }, scenario(async (s) => {
      const page = await as(s, 'buyer', PHONE);
      await open(page, '/');
      const cards = page.getByTestId('product-card');
      await cards.first().waitFor();
      await page.locator('[data-testid="product-shipping"]:not([hidden])').first().waitFor();
      const oranges = cards.filter({ has: page.locator(`[data-listing-id="${LISTING}"]`) }).or(page.locator(`[data-testid="product-card"][data-listing-id="${LISTING}"]`)).first();
      assert.equal(await oranges.getByTestId('product-shipping').getAttribute('data-free'), 'false');
      assert.match(await oranges.getByTestId('product-shipping').textContent(), /满¥99包邮/);
      assert.equal(await oranges.getByTestId('product-sales').getAttribute('data-sales'), '12');
      const rice = page.locator('[data-testid="product-card"][data-listing-id="00000000-0000-0000-0000-0000000000ab"]');
      assert.equal(await rice.getByTestId('product-shipping').getAttribute('data-free'), 'true');
      assert.equal(await rice.getByTestId('product-sales').count(), 0, 'nothing sold, nothing said');
      assert.ok(calls.filter((c) => c.call === 'GET /shipping/terms').length >= 1);
      await shot(page, 'buyer-390-home-cards');
    }));

  test('a business buyer typing 30 boxes on the listing sees the ≥20 tier light up and the total the server quotes',
    { timeout: 30_000 }, scenario(async (s) => {
      const page = await as(s, 'business', PHONE);
      await open(page, `/listing.html?id=${LISTING}`);
      await page.getByTestId('tiers').waitFor();
      await page.getByTestId('buy-qty').fill('30');
      await page.locator('[data-testid="tier-row"].is-current').waitFor();
      assert.equal(await page.locator('[data-testid="tier-row"].is-current').getAttribute('data-min'), '20');
      await page.locator(`[data-testid="buy-total"][data-fen="${5000 * 30}"]`).waitFor();
      assert.equal(await page.getByTestId('buy-total').getAttribute('data-unit-fen'), '5000');
      await page.getByTestId('buy-qty').fill('60');
      await page.locator(`[data-testid="buy-total"][data-fen="${4500 * 60}"]`).waitFor();
      assert.equal(await page.locator('[data-testid="tier-row"].is-current').getAttribute('data-min'), '50');
      assert.ok(!calls.some((c) => c.call.startsWith('POST /cart/items')), 'typing puts nothing in the cart');
      await shot(page, 'business-390-listing-tiers');
    }));

  test('the heart on a listing saves it; 我的 lists favourites (a withdrawn one marked), recently viewed and the order tabs with counts',
    { timeout: 30_000 }, scenario(async (s) => {
      const page = await as(s, 'buyer', PHONE);
      await open(page, `/listing.html?id=${LISTING}`);
      await page.getByTestId('listing-title').waitFor();
      const heart = page.getByTestId('favourite');
      await page.waitForFunction(() => document.querySelector('[data-testid="favourite"]'));
      assert.equal(await heart.getAttribute('aria-pressed'), 'false');
      await heart.click();
      await page.locator('[data-testid="favourite"][aria-pressed="true"]').waitFor();
      assert.ok(favourites.has(LISTING), 'the API was told');
      const box = await heart.boundingBox();
      assert.ok(box.width >= 44 && box.height >= 44, 'a 44 px target');

      await open(page, '/account.html');
      await page.locator('[data-testid="mine-orders"][data-state="done"]').waitFor();
      assert.equal(await page.getByTestId('mine-tab-to_ship').getAttribute('data-count'), '1');
      assert.equal(await page.getByTestId('mine-tab-after_sales').getAttribute('data-count'), '2');
      await page.locator('#favourites-body[data-state="done"]').waitFor();
      assert.equal(await page.getByTestId('favourite-item').count(), 2);
      assert.equal(await page.locator('[data-testid="favourite-item"][data-state="unavailable"]').getByTestId('favourite-unavailable').count(), 1);
      const recent = page.getByTestId('recent-item');
      assert.equal(await recent.count(), 1, 'the listing just viewed');
      assert.equal(await recent.first().getAttribute('data-listing-id'), LISTING);
      assert.ok(await scrollWidth(page) <= PHONE.width);
      await shot(page, 'buyer-390-account');
      await page.getByTestId('recent-clear').click();
      assert.equal(await page.getByTestId('recent-item').count(), 0);
      favourites.clear();
    }));

  test('axe-core finds no serious or critical accessibility violation on the buyer pages at 390 px',
    { timeout: 90_000 }, scenario(async (s) => {
      const page = await as(s, 'buyer', PHONE);
      const found = {};
      for (const path of [...BUYER_PAGES, `/order.html?id=${ORDER_ID}`]) {
        await open(page, path);
        await page.getByTestId('header-user').waitFor();
        await page.waitForLoadState('networkidle');
        await page.addScriptTag({ path: AXE });
        const violations = await page.evaluate(async () => {
          const result = await window.axe.run(document, { resultTypes: ['violations'] });
          return result.violations
            .filter((v) => ['serious', 'critical'].includes(v.impact))
            .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
        });
        if (violations.length) found[path] = violations;
      }
      assert.deepEqual(found, {}, 'no serious or critical violations');
    }));
});
