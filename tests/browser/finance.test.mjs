// Platform finance at its desk, against a real server with demo data (FARMGATE_BASE_URL):
// an order paid by cash on delivery is confirmed on /ops/payments.html with the receipt's
// number, leaves the list, and its buyer sees it paid; reconciliation shows its page.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { callApi, launchBrowser, logIn, open, ready, scrollWidth, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';
const FINANCE = '13900000005';
const BUYER = '13600000002';
const TIMEOUT = 90_000;

let browser;
const scenario = (body) => story(() => browser, BASE, body);

/** The buyer places an order for one box of the demo rice, paying offline, through the API. */
async function offlineOrder(page) {
  const found = await callApi(page, 'GET', '/search?q=' + encodeURIComponent('稻花香大米'));
  assert.equal(found.status, 200, JSON.stringify(found.body));
  assert.ok(found.body.hits.length > 0, 'the demo rice is found');
  const listingId = found.body.hits[0].id;
  const listing = await callApi(page, 'GET', `/listings/${listingId}`);
  const sku = listing.body.skus[0].id;
  let addresses = (await callApi(page, 'GET', '/me/addresses')).body;
  if (!Array.isArray(addresses) || !addresses.length) {
    const made = await callApi(page, 'POST', '/me/addresses', {
      name: '王芳', phone: '13600000002', province: '江西省', city: '赣州市', district: '章贡区', street: '文明大道 8 号',
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    addresses = [made.body];
  }
  const placed = await callApi(page, 'POST', '/orders', {
    address_id: addresses[0].id, payment_method: 'offline', items: [{ sku_id: sku, quantity: 1 }],
  });
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  return placed.body;
}

describe('platform finance', { skip }, () => {
  before(async () => { browser = await launchBrowser(); });
  after(async () => { await browser?.close(); });

  test('finance confirms a cash-on-delivery payment with its receipt number, and the buyer sees the order paid',
    { timeout: TIMEOUT }, scenario(async (s) => {
      const buyer = await s.person();
      await logIn(buyer, BUYER);
      const order = await offlineOrder(buyer);

      const finance = await s.person({ width: 1366, height: 900 });
      await logIn(finance, FINANCE);
      await open(finance, '/ops/payments.html');
      const row = finance.locator(`[data-testid="opsrecv-row"][data-order="${order.id}"]`);
      await row.waitFor();
      assert.equal((await row.getByTestId('opsrecv-total').textContent()).replace(/[^\d.]/g, ''),
        (order.total / 100).toFixed(2), 'the amount to check is the order total');
      await row.getByTestId('opsrecv-channel').selectOption('cash_on_delivery');
      await row.getByTestId('opsrecv-reference').fill('COD-RECEIPT-0001');
      const [confirmed] = await Promise.all([
        finance.waitForResponse((r) => r.url().endsWith(`/api/v1/orders/${order.id}/offline-payment`)),
        row.getByTestId('opsrecv-confirm').click(),
      ]);
      assert.equal(confirmed.status(), 200, await confirmed.text());
      await row.waitFor({ state: 'detached' });

      const seen = await callApi(buyer, 'GET', `/orders/${order.id}`);
      assert.equal(seen.body.status, 'paid');

      // Reconciliation is finance's too; a phone-sized screen does not scroll sideways.
      await open(finance, '/ops/reconciliation.html');
      await finance.getByTestId('opsrecon-heading').waitFor();
      await finance.locator('[data-testid="opsrecon-differences"]').waitFor();
      await finance.setViewportSize({ width: 360, height: 740 });
      await open(finance, '/ops/payments.html');
      assert.ok(await scrollWidth(finance) <= 360, 'the desk fits 360 px');
      await ready(finance);
    }));
});
