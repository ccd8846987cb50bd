// Pre-sales (订单农业, #22), against a server started with demo data, on phones: the demo
// cooperative (13800000001) opens a pre-sale of its oranges on /seller/presales.html; 王芳
// (13600000001) reads its terms and rules on /presale.html and reserves, paying the deposit in
// the payment sandbox; the cooperative harvests, linking its inspected batch ML-2026-11-A; she
// pays the balance from /presales.html; the cooperative ships from /seller/orders.html; her
// order shows the batch's trace code. The pre-sold volume table counts her reservation.
// The file's name makes it run before e2e.test.mjs (node runs test files in name order): e2e's
// official recall stops ML-2026-11-A and delists its listing, the demo cooperative's only batch.
// FARMGATE_BASE_URL=… node --test b2b-presale.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { callApi, launchBrowser, logIn, open, posted, scrollWidth, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';
const CONSUMER = '13600000001';
const COOP = '13800000001';
const LOT = 'ML-2026-11-A';
const PHONE = { width: 390, height: 844 };

let browser;
const scenario = (body) => story(() => browser, BASE, body);

/** She has a delivery address (the demo gives her one; a fresh one is added when not). */
async function anAddress(page) {
  const mine = (await callApi(page, 'GET', '/me/addresses')).body;
  if (Array.isArray(mine) && mine.length) return;
  const made = await callApi(page, 'POST', '/me/addresses', {
    name: '王芳', phone: '13600000001', province: '江西省', city: '赣州市', district: '章贡区', street: '红旗大道 18 号',
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
}

/** Pays on the sandbox gateway's page and lands on the order's page. */
async function payInSandbox(page, orderId) {
  await page.waitForURL((url) => url.pathname === '/pay/sandbox.html');
  await page.locator('[data-testid="sandbox"][data-status="pending"]').waitFor();
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/order.html' && url.searchParams.get('id') === orderId),
    page.getByTestId('sandbox-confirm').click(),
  ]);
  await page.locator('[data-testid="order"][data-ready="true"]').waitFor();
  for (let i = 0; i < 40; i += 1) {
    if ((await page.getByTestId('order-status').getAttribute('data-value')) === 'paid') return;
    await page.waitForTimeout(250);
    if (i % 8 === 7) await page.reload();
    await page.locator('[data-testid="order"][data-ready="true"]').waitFor();
  }
  assert.fail(`order ${orderId} is not shown paid`);
}

describe('pre-sales', { skip }, () => {
  before(async () => { browser = await launchBrowser(); });
  after(async () => { await browser?.close(); });

  test('a cooperative opens a pre-sale, a consumer reserves and pays the deposit, the harvest links the batch, the balance is paid and the parcel carries the trace code', { timeout: 240_000 }, scenario(async (s) => {
    // ---- the cooperative opens a pre-sale of the listing its inspected batch belongs to
    const coop = await s.person(PHONE);
    await logIn(coop, COOP);
    await open(coop, '/seller/home.html');
    await Promise.all([coop.waitForURL(/\/seller\/presales\.html/), coop.getByTestId('shome-presales-link').click()]);
    await coop.locator('#open-form[data-ready="true"]').waitFor();
    const me = (await callApi(coop, 'GET', '/auth/me')).body;
    const org = me.memberships.find((m) => m.org.kind !== 'business_buyer').org.id;
    const batch = (await callApi(coop, 'GET', `/orgs/${org}/batches`)).body.find((b) => b.lot === LOT);
    assert.ok(batch && batch.shippable, `the demo batch ${LOT} may ship`);
    const sku = await coop.getByTestId('open-sku').evaluate((select, listing) => {
      const option = Array.from(select.options).find((o) => o.dataset.listingId === listing);
      return option ? option.value : null;
    }, batch.listing_id);
    assert.ok(sku, 'a SKU of the batch\'s listing is offered');
    await coop.getByTestId('open-sku').selectOption(sku);
    await coop.getByTestId('open-plot').fill('梅岭镇茶坑村 3 号果园 20 亩');
    await coop.getByTestId('open-expected').fill('100');
    await coop.getByTestId('open-max').fill('50');
    await coop.getByTestId('open-price').fill('60');
    await coop.getByTestId('open-deposit').fill('30');
    await coop.getByTestId('open-rules').fill('付定金后 7 天内可取消并全额退定金；减产时未满足部分自动退定金。');
    assert.ok(await scrollWidth(coop) <= 390, 'the form fits a phone');
    const made = await posted(coop, `/api/v1/orgs/${org}/presales`, () => coop.getByTestId('open-submit').click());
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const id = made.body.id;
    await coop.locator(`[data-testid="seller-presale"][data-id="${id}"][data-status="open"]`).waitFor();

    // ---- 王芳 finds it, reads the terms and rules first, reserves 2 and pays the deposit
    const buyer = await s.person(PHONE);
    await logIn(buyer, CONSUMER);
    await anAddress(buyer);
    await open(buyer, '/');
    await Promise.all([buyer.waitForURL(/\/presales\.html/), buyer.getByTestId('home-presales-link').click()]);
    const item = buyer.locator(`[data-testid="presale-item"][data-id="${id}"]`);
    await item.waitFor();
    await Promise.all([buyer.waitForURL(/\/presale\.html#/), item.getByTestId('presale-open').click()]);
    await buyer.locator('#reserve-form[data-ready="true"]').waitFor();
    assert.match(await buyer.getByTestId('presale-cancellation-rules').textContent(), /7 天内可取消/);
    assert.match(await buyer.getByTestId('presale-balance-rule').textContent(), /定金不退/);
    const rulesFirst = await buyer.evaluate(() => {
      const rules = document.querySelector('[data-testid="presale-rules"]');
      const form = document.querySelector('#reserve-form');
      return Boolean(rules.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    assert.ok(rulesFirst, 'the rules come before the reserve form');
    assert.equal(await buyer.getByTestId('presale-left').locator('[data-value]').getAttribute('data-value'), '50');
    await buyer.getByTestId('reserve-quantity').fill('2');
    assert.equal(await buyer.getByTestId('reserve-deposit-hint').getAttribute('data-fen'), '3600', '¥60 × 2 × 30 %');
    await buyer.getByTestId('method-sandbox').check();
    assert.ok(await scrollWidth(buyer) <= 390, 'the pre-sale page fits a phone');
    const reserved = await posted(buyer, `/api/v1/presales/${id}/reservations`, () => buyer.getByTestId('reserve-submit').click());
    assert.equal(reserved.status, 201, JSON.stringify(reserved.body));
    assert.match(reserved.request.headers()['idempotency-key'] || '', /^[0-9a-f]{32}$/, 'an Idempotency-Key goes with it');
    assert.equal(reserved.body.deposit_fen, 3600);
    await payInSandbox(buyer, reserved.body.deposit_order_id);
    await open(buyer, '/presales.html');
    const mine = buyer.locator(`[data-testid="reservation"][data-id="${reserved.body.id}"]`);
    await mine.waitFor();
    assert.equal(await mine.getAttribute('data-status'), 'reserved');

    // ---- the pre-sold volume counts it
    await open(coop, '/seller/presales.html');
    await coop.locator('[data-testid="presale-volume"][data-state="done"]').waitFor();
    const row = coop.locator(`[data-testid="presale-volume-row"][data-sku="${sku}"]`).first();
    assert.ok(Number(await row.getAttribute('data-reserved')) >= 2, 'the volume counts the paid reservation');

    // ---- harvest: the inspected batch, yield 2
    const card = coop.locator(`[data-testid="seller-presale"][data-id="${id}"]`);
    await card.getByTestId('presale-harvest').click();
    const form = card.getByTestId('harvest-form');
    await form.waitFor();
    await form.getByTestId('harvest-batch').selectOption(batch.id);
    await form.getByTestId('harvest-yield').fill('2');
    const harvested = await posted(coop, `/api/v1/presales/${id}/harvest`, () => form.getByTestId('harvest-submit').click());
    assert.equal(harvested.status, 200, JSON.stringify(harvested.body));
    assert.equal(harvested.body.batch_code, batch.code);
    await coop.locator(`[data-testid="seller-presale"][data-id="${id}"][data-status="harvested"]`).waitFor();

    // ---- she pays the balance (¥120 − ¥36 = ¥84) from her reservations
    await open(buyer, '/presales.html');
    const due = buyer.locator(`[data-testid="reservation"][data-id="${reserved.body.id}"][data-status="balance_due"]`);
    await due.waitFor();
    assert.equal(await due.getByTestId('reservation-balance').getAttribute('data-fen'), '8400');
    const balanceId = (await callApi(buyer, 'GET', '/me/reservations?limit=50')).body.items
      .find((r) => r.id === reserved.body.id).balance_order_id;
    await due.getByTestId('reservation-pay-balance').click();
    await payInSandbox(buyer, balanceId);

    // ---- the cooperative acknowledges and ships the balance part from the batch
    await open(coop, '/seller/orders.html');
    await coop.locator('[data-testid="sub-orders"][data-state="done"][data-status="paid"]').waitFor();
    const part = coop.locator(`[data-testid="seller-sub"][data-order-id="${balanceId}"]`);
    await part.waitFor();
    await Promise.all([
      coop.waitForResponse((r) => /\/api\/v1\/sub-orders\/[^/]+\/acknowledge$/.test(r.url()) && r.ok()),
      part.getByTestId('sub-acknowledge').click(),
    ]);
    await coop.getByTestId('tab-acknowledged').click();
    await coop.locator('[data-testid="sub-orders"][data-state="done"][data-status="acknowledged"]').waitFor();
    await part.waitFor();
    await part.getByTestId('sub-ship').click();
    const ship = part.getByTestId('ship-form');
    await ship.waitFor();
    await ship.getByTestId('ship-carrier').selectOption('shunfeng');
    await ship.getByTestId('ship-tracking').fill(`SF${String(Date.now()).slice(-10)}`);
    for (const box of await ship.getByTestId('ship-batch-check').all()) await box.uncheck().catch(() => {});
    await ship.locator(`[data-testid="ship-batch"][data-lot="${LOT}"]`).getByTestId('ship-batch-check').check();
    const [shipped] = await Promise.all([
      coop.waitForResponse((r) => /\/api\/v1\/sub-orders\/[^/]+\/ship$/.test(r.url())),
      ship.getByTestId('ship-submit').click(),
    ]);
    assert.equal(shipped.status(), 200, await shipped.text());

    // ---- her order shows the batch's trace code
    await open(buyer, `/order.html?id=${balanceId}`);
    await buyer.locator('[data-testid="order"][data-ready="true"]').waitFor();
    const code = buyer.locator(`[data-testid="trace-code-link"][data-code="${batch.code}"]`);
    await code.first().waitFor();
    assert.equal(await code.count() > 0, true, 'the trace code of the harvested batch');
    await open(buyer, '/presales.html');
    await buyer.locator(`[data-testid="reservation"][data-id="${reserved.body.id}"][data-status="balance_paid"]`).waitFor();
  }));
});
