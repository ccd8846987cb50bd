// Invoices (发票) in the browser, against a server started with demo data (password farmgate123):
// the community supermarket's buyer (13700000001, a verified business buyer with a paid wholesale
// order of 梅岭脐橙) asks for an invoice on the order page; the cooperative's owner (13800000001)
// issues it from the seller's invoice queue; the buyer sees it issued with its SHA-256 and
// downloads a PDF. FARMGATE_BASE_URL=http://127.0.0.1:18080 node --test invoices.test.mjs
//
// It leaves the demo order invoiced: run it on a freshly seeded server.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { callApi, launchBrowser, logIn, open, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';

const BUSINESS_BUYER = '13700000001';
const COOP_OWNER = '13800000001';
const STORY_TIMEOUT = 90_000;

let browser;
const scenario = (body) => story(() => browser, BASE, body);

/** The buyer's wholesale order seeded by the demo (the oldest paid one: a later story,
 * invoices-ops.test.mjs, buys more), as the API gives it to the logged-in page. */
async function wholesaleOrder(page) {
  const list = (await callApi(page, 'GET', '/orders?limit=50')).body || {};
  return (list.items || []).filter((o) => o.wholesale && o.status === 'paid').at(-1) || null;
}

describe('invoices for business buyers', () => {
  before(async () => {
    if (!skip) browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('a business buyer asks for an invoice, the seller issues it, and the buyer downloads the PDF with its SHA-256',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      // The buyer asks on the order page.
      const buyer = await s.person();
      await logIn(buyer, BUSINESS_BUYER);
      const order = await wholesaleOrder(buyer);
      assert.ok(order, 'the demo supermarket has a paid wholesale order');
      const sub = order.sub_orders[0];
      await open(buyer, `/order.html?id=${order.id}`);
      await buyer.locator('#order[data-ready="true"]').waitFor();
      const part = buyer.locator(`[data-testid="order-sub"][data-sub-id="${sub.id}"]`);
      await part.getByTestId('invoice-request').click();
      const form = part.getByTestId('invoice-form');
      assert.equal(await form.getByTestId('invoice-title-input').inputValue(), '青石县惠民社区超市', 'the title is the organisation\'s');
      assert.match(await form.getByTestId('invoice-tax-input').inputValue(), /^[0-9A-Z]{18}$/, 'the tax number is its credit code');
      // A special invoice needs the bank: the server says so next to the field.
      await form.getByTestId('invoice-kind').selectOption('special');
      await form.getByTestId('invoice-submit').click();
      await form.locator('[data-error-for="bank"]:not([hidden])').waitFor();
      await form.getByTestId('invoice-kind').selectOption('normal');
      await form.locator('input[name="email"]').fill('caigou@huimin.cn');
      await form.getByTestId('invoice-submit').click();
      await part.locator('[data-testid="invoice"][data-status="requested"]').waitFor();

      // The seller issues it from the queue.
      const seller = await s.person({ width: 1280, height: 900 });
      await logIn(seller, COOP_OWNER);
      await open(seller, '/seller/orders.html');
      await seller.getByTestId('invoices-link').click();
      await seller.locator('[data-testid="seller-invoices"][data-state="done"]').waitFor();
      const card = seller.locator('[data-testid="invoice"][data-status="requested"]').filter({ hasText: '青石县惠民社区超市' }).first();
      await card.getByTestId('invoice-issue').click();
      await seller.getByTestId('flash').filter({ hasText: '发票已开具' }).waitFor();
      await seller.getByTestId('tab-issued').click();
      await seller.locator('[data-testid="seller-invoices"][data-state="done"][data-status="issued"]').waitFor();
      await seller.locator('[data-testid="invoice"][data-status="issued"]').first().waitFor();

      // The buyer sees it issued, with the SHA-256, and downloads the PDF.
      await open(buyer, `/order.html?id=${order.id}`);
      const issued = buyer.locator(`[data-testid="order-sub"][data-sub-id="${sub.id}"] [data-testid="invoice"][data-status="issued"]`);
      await issued.waitFor();
      const sha = (await issued.getByTestId('invoice-sha256').textContent()).trim();
      assert.match(sha, /^[0-9a-f]{64}$/);
      assert.match(await issued.getByTestId('invoice-number').textContent(), /\d{20}/);
      const href = await issued.getByTestId('invoice-pdf').getAttribute('href');
      const pdf = await buyer.evaluate(async (url) => {
        const response = await fetch(url, { credentials: 'same-origin' });
        const bytes = new Uint8Array(await response.arrayBuffer());
        return { status: response.status, type: response.headers.get('content-type'), bytes: Array.from(bytes) };
      }, href);
      assert.equal(pdf.status, 200);
      assert.equal(pdf.type, 'application/pdf');
      const bytes = Buffer.from(pdf.bytes);
      assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-', 'the file is a PDF');
      assert.equal(createHash('sha256').update(bytes).digest('hex'), sha, 'the file is the one whose SHA-256 the page shows');

      // Someone else's browser gets nothing.
      const stranger = await s.person();
      await logIn(stranger, '13600000002');
      const status = await stranger.evaluate(async (url) => (await fetch(url, { credentials: 'same-origin' })).status, href);
      assert.equal(status, 404);
    }));
});
