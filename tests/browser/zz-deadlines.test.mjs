// Handling deadlines (#18) in the browser, against a demo server started with the demo clock
// (FARMGATE_DEMO_CLOCK=true; password farmgate123): the platform's time is moved forward by the
// operator's `POST /api/v1/demo/clock` (refused in production, absent without the setting), and
// each browser's clock is set to the server's, so the pages count down from the same "now".
//
// (a) A consumer (13600000002) orders a box from the cooperative (13800000001), paid by bank
//     transfer and confirmed by finance (13900000005): the order page shows the buyer the ship-by
//     deadline with the time left, the seller's order list shows it too; two days on the
//     deadline has passed, the buyer cancels the part with one tap and is refunded in full.
// (b) The same consumer's next box is shipped and never arrives: six days on, the order page
//     offers "not received", the claim form offers that before-receipt kind with no photo
//     needed, and the cooperative finds the claim in its claim inbox.
//
// These stories move the platform's clock by days, so the file runs last (package.json).
// FARMGATE_BASE_URL=http://127.0.0.1:18080 node --test zz-deadlines.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { callApi, launchBrowser, logIn, open, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';

const COOP_OWNER = '13800000001';
const CONSUMER = '13600000002';
const FINANCE = '13900000005';
const OPERATOR = '13900000001';
const STORY_TIMEOUT = 150_000;

let browser;
const scenario = (body) => story(() => browser, BASE, body);

/** Whether the server moves its clock on request (started with FARMGATE_DEMO_CLOCK=true). */
async function clockAvailable() {
  if (!BASE) return false;
  try {
    const login = await fetch(`${BASE}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: OPERATOR, password: 'farmgate123' }),
    });
    if (!login.ok) return false;
    const body = await login.json();
    const token = body.session && body.session.token;
    // Out of range: refused (422) where the hook exists, 404 where it does not; moves nothing.
    const probe = await fetch(`${BASE}/api/v1/demo/clock`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ hours: 0 }),
    });
    return probe.status === 422;
  } catch {
    return false;
  }
}

/** Moves the server's clock `hours` forward (the operator), and every person's browser to it. */
async function passHours(s, op, hours, people) {
  const r = await callApi(op, 'POST', '/demo/clock', { hours });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const now = new Date(r.body.now);
  for (const page of people) await page.context().clock.setFixedTime(now);
  // Let the outbox worker run what fell due.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return now;
}

/** A SKU of the cooperative `org` that `buyer` can buy now. */
async function skuOf(seller, buyer, org) {
  const list = await callApi(seller, 'GET', `/orgs/${org}/listings`);
  assert.equal(list.status, 200, JSON.stringify(list.body));
  const items = Array.isArray(list.body) ? list.body : (list.body.items || []);
  for (const item of items) {
    const listing = await callApi(buyer, 'GET', `/listings/${item.id}`);
    if (listing.status !== 200) continue;
    const sku = (listing.body.skus || []).find((x) => x.on_sale && x.stock > 0);
    if (sku) return sku.id;
  }
  throw new Error('the cooperative has nothing on sale');
}

/** A paid one-box order of the cooperative's for the consumer: its id and the part. */
async function paidOrder(s, seller, buyer, tag) {
  const me = await callApi(seller, 'GET', '/auth/me');
  const coop = (me.body.memberships || []).find((m) => m.org && m.org.kind !== 'business_buyer');
  assert.ok(coop, 'the owner belongs to the cooperative');
  const sku = await skuOf(seller, buyer, coop.org.id);
  const addresses = await callApi(buyer, 'GET', '/me/addresses');
  assert.equal(addresses.status, 200, JSON.stringify(addresses.body));
  const address = (addresses.body.items || addresses.body)[0];
  const placed = await callApi(buyer, 'POST', '/orders', {
    address_id: address.id, payment_method: 'offline', items: [{ sku_id: sku, quantity: 1 }],
  }, { 'Idempotency-Key': `deadlines-${tag}-${Date.now()}` });
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  const finance = await s.person();
  await logIn(finance, FINANCE);
  const paid = await callApi(finance, 'POST', `/orders/${placed.body.id}/offline-payment`, { reference: `BANK-DEADLINE-${tag}-${Date.now()}` });
  assert.equal(paid.status, 200, JSON.stringify(paid.body));
  const sub = paid.body.sub_orders[0];
  return { orderId: placed.body.id, sub, org: coop.org.id };
}

describe('handling deadlines', { skip }, () => {
  let hook = false;
  before(async () => {
    browser = await launchBrowser();
    hook = await clockAvailable();
  });
  after(async () => {
    await browser?.close();
  });

  test('the ship-by deadline counts down for the buyer and the seller, and once it passes the buyer cancels with one tap for a full refund', { timeout: STORY_TIMEOUT }, scenario(async (s, t) => {
    if (!hook) { t.skip('the server has no demo clock (FARMGATE_DEMO_CLOCK=true)'); return; }
    const seller = await s.person({ width: 1280, height: 900 });
    await logIn(seller, COOP_OWNER);
    const buyer = await s.person({ width: 390, height: 844 });
    await logIn(buyer, CONSUMER);
    const op = await s.person();
    await logIn(op, OPERATOR);
    const { orderId, sub } = await paidOrder(s, seller, buyer, 'shipby');
    assert.ok(sub.ship_by, JSON.stringify(sub));

    // The buyer's order page: the deadline and the time left; no cancel-at-once yet.
    await open(buyer, `/order.html?id=${orderId}`);
    const part = buyer.locator(`#sub-${sub.id}`);
    await part.getByTestId('sub-ship-left').waitFor();
    assert.match(await part.getByTestId('sub-ship-left').innerText(), /\d/);
    assert.equal(await part.getByTestId('sub-cancel-overdue').count(), 0);

    // The seller's order list: the same part with its deadline and time left.
    await open(seller, '/seller/orders.html?status=paid');
    const row = seller.locator(`[data-testid="seller-sub"][data-sub-id="${sub.id}"]`);
    await row.waitFor();
    await row.getByTestId('sub-ship-by').getByTestId('sub-ship-left').waitFor();

    // Two days on (the default is 48 hours): overdue on both sides.
    await passHours(s, op, 49, [buyer, seller]);
    await open(seller, '/seller/orders.html?status=paid');
    await seller.locator(`[data-testid="seller-sub"][data-sub-id="${sub.id}"]`).getByTestId('sub-ship-overdue').waitFor();
    await open(buyer, `/order.html?id=${orderId}`);
    await buyer.locator(`#sub-${sub.id}`).getByTestId('sub-ship-overdue').waitFor();

    // One tap (and its confirmation): cancelled, refunded in full.
    await buyer.locator(`#sub-${sub.id}`).getByTestId('sub-cancel-overdue').click();
    await buyer.getByTestId('sub-cancel-overdue-confirm').click();
    await buyer.getByTestId('flash').filter({ hasText: /./ }).waitFor();
    await buyer.locator(`#sub-${sub.id}`).getByTestId('sub-cancel-overdue').waitFor({ state: 'detached' });
    const after = await callApi(buyer, 'GET', `/orders/${orderId}`);
    const done = after.body.sub_orders.find((x) => x.id === sub.id);
    assert.equal(done.status, 'cancelled', JSON.stringify(done));
    assert.equal(done.refunded, done.total, 'refunded in full, shipping included');
  }));

  test('a shipped parcel that never arrives is claimed as not received from the claim form, and the seller finds the claim', { timeout: STORY_TIMEOUT }, scenario(async (s, t) => {
    if (!hook) { t.skip('the server has no demo clock (FARMGATE_DEMO_CLOCK=true)'); return; }
    const seller = await s.person({ width: 1280, height: 900 });
    await logIn(seller, COOP_OWNER);
    const buyer = await s.person({ width: 390, height: 844 });
    await logIn(buyer, CONSUMER);
    const op = await s.person();
    await logIn(op, OPERATOR);
    const { orderId, sub, org } = await paidOrder(s, seller, buyer, 'lost');
    const shipped = await callApi(seller, 'POST', `/sub-orders/${sub.id}/ship`, { carrier: '中通快递', tracking_no: `ZT${Date.now()}` });
    assert.equal(shipped.status, 200, JSON.stringify(shipped.body));

    // Too early: the form says so (the server offers no before-receipt kind yet).
    const early = await callApi(buyer, 'GET', `/sub-orders/${sub.id}/claim-options`);
    assert.equal(early.status, 200, JSON.stringify(early.body));
    assert.ok(!(early.body.kinds || []).includes('not_received'), JSON.stringify(early.body));

    // Six days on, nothing has moved and it is overdue (5 days): "not received" is offered.
    await passHours(s, op, 6 * 24, [buyer, seller]);
    await open(buyer, `/order.html?id=${orderId}`);
    await buyer.locator(`#sub-${sub.id}`).getByTestId('sub-claim-not-received').click();
    await buyer.waitForURL((url) => url.pathname === '/claim-new.html');
    await buyer.getByTestId('kind-not_received').waitFor();
    await buyer.getByTestId('claim-whole-parcel').waitFor();
    await buyer.getByTestId('kind-not_received').check();
    await buyer.getByTestId('claim-description').fill('已经六天了，物流一直没有更新，包裹没有收到。');
    await buyer.getByTestId('claim-submit').click();
    await buyer.waitForURL((url) => url.pathname === '/claim.html');
    const claimId = new URL(buyer.url()).searchParams.get('id');
    assert.ok(claimId);
    const claim = await callApi(buyer, 'GET', `/claims/${claimId}`);
    assert.equal(claim.status, 200, JSON.stringify(claim.body));
    assert.equal((claim.body.claim || claim.body).kind, 'not_received', JSON.stringify(claim.body));

    // The cooperative finds it in its claim inbox, waiting for its answer.
    await open(seller, `/seller/claims.html?org=${org}&status=awaiting_seller`);
    const card = seller.locator(`[data-testid="claim-card"][data-claim-id="${claimId}"]`);
    await card.waitFor();
    assert.equal(await card.getAttribute('data-sub-order-id'), sub.id);
    assert.match(await card.innerText(), /未收到|not received/i);
  }));
});
