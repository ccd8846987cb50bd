// Purchasing staff and approvals (#22), against a server started with demo data: the hotel
// 赣州悦来大酒店 (owner 13700000002) has a purchaser (13700000003) and a purchasing manager
// (13700000004), and orders above ¥500 wait for approval. The purchaser's big order cannot be
// paid and its page says why; the manager approves it on /purchasing.html on a phone; then the
// purchaser can pay. The owner sees and saves the settings.
// FARMGATE_BASE_URL=… node --test purchasing.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { callApi, launchBrowser, logIn, navLink, open, scrollWidth, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';
const OWNER = '13700000002';
const PURCHASER = '13700000003';
const MANAGER = '13700000004';
const PHONE = { width: 390, height: 844 };

let browser;
const scenario = (body) => story(() => browser, BASE, body);

/** The purchaser orders enough of the demo rice to pass ¥500, paying offline, through the API. */
async function bigOrder(page) {
  const found = await callApi(page, 'GET', '/search?q=' + encodeURIComponent('稻花香大米'));
  assert.equal(found.status, 200, JSON.stringify(found.body));
  const listing = await callApi(page, 'GET', `/listings/${found.body.hits[0].id}`);
  const sku = listing.body.skus.find((x) => x.on_sale && x.stock > 0);
  assert.ok(sku, 'the demo rice is on sale');
  const quantity = Math.min(sku.stock, Math.ceil(50_100 / sku.price));
  let addresses = (await callApi(page, 'GET', '/me/addresses')).body;
  if (!Array.isArray(addresses) || !addresses.length) {
    const made = await callApi(page, 'POST', '/me/addresses', {
      name: '李想', phone: '13700000003', province: '江西省', city: '赣州市', district: '章贡区', street: '西街 1 号 悦来大酒店后厨',
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    addresses = [made.body];
  }
  const placed = await callApi(page, 'POST', '/orders', {
    address_id: addresses[0].id, payment_method: 'offline', items: [{ sku_id: sku.id, quantity }],
  }, { 'Idempotency-Key': `purchasing-${Date.now()}` });
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  return placed.body;
}

describe('purchase approvals', { skip }, () => {
  before(async () => { browser = await launchBrowser(); });
  after(async () => { await browser?.close(); });

  test('a purchaser\'s order above the limit waits until the manager approves it on a phone', { timeout: 120_000 }, scenario(async (s) => {
    const purchaser = await s.person(PHONE);
    await logIn(purchaser, PURCHASER);
    const order = await bigOrder(purchaser);
    assert.ok(order.total > 50_000, `above ¥500: ${order.total}`);
    assert.equal(order.approval.status, 'pending');
    await open(purchaser, `/order.html?id=${order.id}`);
    await purchaser.locator('[data-testid="order-approval-pending"]').waitFor();
    assert.equal(await purchaser.locator('[data-testid="order-pay"]').count(), 0, 'no pay button while it waits');
    // A purchaser has no approvals queue.
    await open(purchaser, '/purchasing.html');
    await purchaser.locator('[data-testid="purchasing-settings"]:not([hidden])').waitFor();
    assert.equal(await purchaser.locator('[data-testid="approvals"]').isHidden(), true);

    const manager = await s.person(PHONE);
    await logIn(manager, MANAGER);
    await open(manager, '/');
    await (await navLink(manager, 'nav-purchasing')).click();
    const item = manager.locator(`[data-testid="approval-item"][data-order="${order.id}"]`);
    await item.waitFor();
    assert.match(await item.textContent(), /李想/);
    assert.ok(await scrollWidth(manager) <= 390, 'the queue fits a phone');
    await item.locator('[data-testid="approval-reason"]').fill('周末宴会用米');
    await item.locator('[data-testid="approval-approve"]').click();
    await manager.locator('[data-testid="flash"]', { hasText: order.number }).waitFor();
    await item.waitFor({ state: 'detached' });

    await open(purchaser, `/order.html?id=${order.id}`);
    await purchaser.locator('[data-testid="order-pay"]').waitFor();
    assert.equal(await purchaser.locator('[data-testid="order-approval-pending"]').count(), 0);
  }));

  test('the owner reads and saves the hotel\'s kind and limit', { timeout: 60_000 }, scenario(async (s) => {
    const owner = await s.person(PHONE);
    await logIn(owner, OWNER);
    await open(owner, '/purchasing.html');
    const kind = owner.locator('[data-testid="buyer-kind"]');
    await owner.locator('[data-testid="purchasing-settings"]:not([hidden])').waitFor();
    assert.equal(await kind.inputValue(), 'hotel_restaurant');
    const limit = owner.locator('[data-testid="approval-limit"]');
    assert.equal(await limit.inputValue(), '500.00');
    await limit.fill('abc');
    await owner.locator('[data-testid="purchasing-save"]').click();
    await owner.locator('#approval-limit-error:not([hidden])').waitFor();
    await limit.fill('500');
    await owner.locator('[data-testid="purchasing-save"]').click();
    await owner.locator('[data-testid="flash"]').filter({ hasText: /已保存|saved/ }).waitFor();
    const saved = await callApi(owner, 'GET', `/orgs/${(await callApi(owner, 'GET', '/orgs/mine')).body.find((o) => o.kind === 'business_buyer').id}/purchasing`);
    assert.equal(saved.body.approval_limit_fen, 50_000);
  }));
});
