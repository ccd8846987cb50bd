// Platform finance's invoice desk in the browser, against a server started with demo data
// (password farmgate123): the community supermarket's buyer (13700000001, a verified business
// buyer) buys a can of the platform store's own tea oil, pays in the sandbox and asks for an
// invoice through the API; platform finance (13900000005), who is no member of the store,
// follows the header link to /ops/invoices.html, finds the request, issues it and sees it
// issued with its SHA-256; a second request it rejects with a reason the buyer reads; a
// cooperative's owner is turned away from the page. FARMGATE_BASE_URL=… node --test invoices-ops.test.mjs

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { callApi, launchBrowser, logIn, navLink, open, scrollWidth, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';

const BUSINESS_BUYER = '13700000001';
const FINANCE = '13900000005';
const COOP_OWNER = '13800000001';
const STORY_TIMEOUT = 120_000;

let browser;
const scenario = (body) => story(() => browser, BASE, body);

/** The buyer buys one of the platform store's own listings, pays in the sandbox and asks for an
 * invoice on it; returns the invoice. */
async function storeInvoice(page) {
  const found = await callApi(page, 'GET', '/search?q=' + encodeURIComponent('平台自营'));
  assert.equal(found.status, 200, JSON.stringify(found.body));
  const hit = found.body.hits.find((h) => String(h.title).includes('平台自营'));
  assert.ok(hit, 'the demo platform store sells something');
  const listing = (await callApi(page, 'GET', `/listings/${hit.id}`)).body;
  const sku = listing.skus.find((x) => x.stock > 0);
  const addresses = (await callApi(page, 'GET', '/me/addresses')).body;
  assert.ok(Array.isArray(addresses) && addresses.length, 'the buyer has an address');
  const placed = await callApi(page, 'POST', '/orders',
    { address_id: addresses[0].id, payment_method: 'gateway', items: [{ sku_id: sku.id, quantity: 1 }] },
    { 'Idempotency-Key': randomUUID() });
  assert.equal(placed.status, 201, `ordered (${JSON.stringify(placed.body)})`);
  const intent = await callApi(page, 'POST', `/orders/${placed.body.id}/pay`, {}, { 'Idempotency-Key': randomUUID() });
  const paid = await callApi(page, 'POST', `/payments/sandbox/${intent.body.id}/complete`, { outcome: 'succeeded' });
  assert.equal(paid.status, 200, `paid (${JSON.stringify(paid.body)})`);
  const asked = await callApi(page, 'POST', `/sub-orders/${placed.body.sub_orders[0].id}/invoices`, {});
  assert.equal(asked.status, 201, `requested (${JSON.stringify(asked.body)})`);
  return asked.body;
}

describe('platform finance\'s invoice desk', () => {
  before(async () => {
    if (!skip) browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('finance issues the platform store\'s invoice from /ops/invoices.html and rejects another with a reason the buyer reads',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const buyer = await s.person();
      await logIn(buyer, BUSINESS_BUYER);
      const first = await storeInvoice(buyer);
      const second = await storeInvoice(buyer);
      assert.equal(first.seller_name, '农源直供平台自营店');

      // Finance finds the desk in its header and the request waiting there.
      const finance = await s.person({ width: 1280, height: 900 });
      await logIn(finance, FINANCE);
      await open(finance, '/ops/payouts.html');
      await (await navLink(finance, 'nav-ops-invoices')).click();
      await finance.waitForURL((url) => url.pathname === '/ops/invoices.html');
      await finance.locator('[data-testid="ops-invoices"][data-state="done"][data-status="requested"]').waitFor();
      const card = finance.locator(`[data-testid="oinv-invoice"][data-invoice-id="${first.id}"]`);
      await card.waitFor();
      assert.match(await card.textContent(), /农源直供平台自营店/);
      await card.getByTestId('invoice-issue').click();
      await finance.getByTestId('flash').filter({ hasText: '发票已开具' }).waitFor();
      await finance.getByTestId('tab-issued').click();
      await finance.locator('[data-testid="ops-invoices"][data-state="done"][data-status="issued"]').waitFor();
      const issued = finance.locator(`[data-testid="oinv-invoice"][data-invoice-id="${first.id}"] [data-testid="invoice"][data-status="issued"]`);
      await issued.waitFor();
      assert.match((await issued.getByTestId('invoice-sha256').textContent()).trim(), /^[0-9a-f]{64}$/);
      assert.match(new URL(finance.url()).search, /status=issued/, 'the tab is kept in the address');

      // The second: rejected with a reason; the seller's name filters the list to the store.
      await finance.getByTestId('tab-requested').click();
      await finance.locator('[data-testid="ops-invoices"][data-state="done"][data-status="requested"]').waitFor();
      const other = finance.locator(`[data-testid="oinv-invoice"][data-invoice-id="${second.id}"]`);
      await other.getByTestId('oinv-seller').click();
      await finance.getByTestId('oinv-seller-filter').filter({ hasText: '农源直供平台自营店' }).waitFor();
      assert.match(new URL(finance.url()).search, /org=/, 'the seller filter is kept in the address');
      await other.getByTestId('invoice-reject-reason-input').fill('请核对开票抬头后重新申请');
      await other.getByTestId('invoice-reject').click();
      await finance.getByTestId('flash').filter({ hasText: '已拒绝' }).waitFor();
      const back = await callApi(buyer, 'GET', `/invoices/${second.id}`);
      assert.equal(back.body.status, 'rejected');
      assert.equal(back.body.reject_reason, '请核对开票抬头后重新申请');

      // On a phone the desk does not scroll sideways.
      const phone = await s.person({ width: 360, height: 740 });
      await logIn(phone, FINANCE);
      await open(phone, '/ops/invoices.html?status=issued');
      await phone.locator('[data-testid="ops-invoices"][data-state="done"]').waitFor();
      assert.ok(await scrollWidth(phone) <= 360, 'the desk fits 360 px');

      // A cooperative's owner is turned away, by the page and by the API.
      const owner = await s.person();
      await logIn(owner, COOP_OWNER);
      await open(owner, '/ops/invoices.html');
      await owner.getByTestId('forbidden').waitFor();
      assert.equal((await callApi(owner, 'GET', '/finance/invoices')).status, 403);
    }));
});
