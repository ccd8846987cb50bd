// Tracking that fills itself in (#19), against a demo server configured with the 快递100
// simulator (tests/run.sh step 6c: farmgate-pay-sim serves it and says where, in
// FARMGATE_TRACK_SIM_URL; password farmgate123):
//
// The cooperative (13800000001) ships a consumer's (13600000002) paid box from its order
// console, picking 韵达快递 from the carrier list (no free text); the server subscribes the
// waybill with the simulator; the simulator pushes two signed updates (揽收, then 派件); the
// buyer's order page at 390 px shows them on the tracking timeline, says the parcel is tracked
// automatically, and copies the waybill. A seller who typed the wrong waybill corrects it from
// the console (更正运单) before delivery: the buyer's page shows the new one and the correction.
//
// FARMGATE_BASE_URL=http://127.0.0.1:18080 FARMGATE_TRACK_SIM_URL=http://127.0.0.1:PORT node --test tracking.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { callApi, launchBrowser, logIn, open, paidByTransfer, scrollWidth, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const SIM = (process.env.FARMGATE_TRACK_SIM_URL || '').replace(/\/+$/, '');
const skip = !BASE
  ? 'FARMGATE_BASE_URL is not set (see README.md)'
  : (!SIM ? 'FARMGATE_TRACK_SIM_URL is not set (tests/run.sh starts the 快递100 simulator)' : false);

const COOP_OWNER = '13800000001';
const CONSUMER = '13600000002';
const STORY_TIMEOUT = 150_000;

let browser;
const scenario = (body) => story(() => browser, BASE, body);

/** A paid one-box order of the cooperative's for the consumer (bank transfer, confirmed). */
async function paidOrder(s, seller, buyer) {
  const me = await callApi(seller, 'GET', '/auth/me');
  const coop = (me.body.memberships || []).find((m) => m.org && m.org.kind !== 'business_buyer');
  assert.ok(coop, 'the owner belongs to the cooperative');
  const list = await callApi(seller, 'GET', `/orgs/${coop.org.id}/listings`);
  const items = Array.isArray(list.body) ? list.body : (list.body.items || []);
  let sku = null;
  for (const item of items) {
    const listing = await callApi(buyer, 'GET', `/listings/${item.id}`);
    if (listing.status !== 200) continue;
    const found = (listing.body.skus || []).find((x) => x.on_sale && x.stock > 0);
    if (found) { sku = found.id; break; }
  }
  assert.ok(sku, 'the cooperative has something on sale');
  const paid = await paidByTransfer(s, buyer, sku, 1, 'track');
  return { orderId: paid.id, sub: paid.sub_orders[0] };
}

/**
 * Whether the server subscribed a waybill with the simulator within a minute (through the
 * outbox, which on a fresh demo server is still working through the seed's backlog).
 */
async function subscribedWithSim(number, company) {
  for (let i = 0; i < 600; i += 1) {
    const list = await (await fetch(`${SIM}/sim/subscriptions`)).json();
    if (list.some((x) => x.number === number && x.company === company)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

async function simPush(number, state, lines) {
  const r = await fetch(`${SIM}/sim/push`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ number, state, lines }),
  });
  const text = await r.text();
  assert.equal(r.status, 200, text);
  assert.equal(JSON.parse(text).result, true, text);
}

/** The ship form of a paid part in the seller's console, opened. */
async function openShipForm(seller, sub) {
  await open(seller, '/seller/orders.html?status=paid');
  const card = seller.locator(`[data-testid="seller-sub"][data-sub-id="${sub.id}"]`);
  await card.waitFor();
  await card.getByTestId('sub-ship').click();
  const form = card.getByTestId('ship-form');
  await form.waitFor();
  return form;
}

/** Ships from an open ship form with a carrier of the list, a waybill and every line's batch. */
async function shipWith(seller, sub, form, code, waybill) {
  await form.getByTestId('ship-carrier').selectOption(code);
  await form.getByTestId('ship-tracking').fill(waybill);
  for (const line of await form.getByTestId('ship-line').all()) {
    const box = line.getByTestId('ship-batch-check').first();
    if (await box.count()) await box.check();
  }
  await Promise.all([
    seller.waitForResponse((r) => r.url().endsWith(`/api/v1/sub-orders/${sub.id}/ship`) && r.ok()),
    form.getByTestId('ship-submit').click(),
  ]);
}

describe('tracking that fills itself in', { skip }, () => {
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('the seller picks the carrier from the list, the aggregator pushes, and the buyer sees the timeline', { timeout: STORY_TIMEOUT }, scenario(async (s) => {
    const seller = await s.person({ width: 1280, height: 900 });
    await logIn(seller, COOP_OWNER);
    const buyer = await s.person({ width: 390, height: 844 });
    await logIn(buyer, CONSUMER);
    const { orderId, sub } = await paidOrder(s, seller, buyer);

    // The seller's console: the carrier is a choice from the list, not free text.
    const form = await openShipForm(seller, sub);
    const carrier = form.getByTestId('ship-carrier');
    assert.equal(await carrier.evaluate((e) => e.tagName), 'SELECT');
    const codes = await carrier.locator('option').evaluateAll((os) => os.map((o) => o.value));
    for (const code of ['shunfeng', 'youzhengguonei', 'yunda', 'other']) assert.ok(codes.includes(code), `${code} offered`);
    // "other" asks for the name.
    await carrier.selectOption('other');
    await form.getByTestId('ship-carrier-name').waitFor();
    await carrier.selectOption('yunda');
    assert.equal(await form.getByTestId('ship-carrier-name').isVisible(), false);
    const waybill = `YD${Date.now()}`;
    await shipWith(seller, sub, form, 'yunda', waybill);

    // The server subscribes the waybill with the aggregator.
    assert.ok(await subscribedWithSim(waybill, 'yunda'), 'the waybill was subscribed with 快递100');

    // The aggregator pushes, signed: picked up, then out for delivery.
    await simPush(waybill, '1', [{ context: '【赣州市】信丰县网点 已揽收', area: '江西省,赣州市,信丰县', status_code: '103' }]);
    await simPush(waybill, '5', [{ context: '派件员 张师傅 正在派件', status_code: '501' }]);

    // The buyer's order page: the timeline filled itself in.
    await open(buyer, `/order.html?id=${orderId}`);
    const part = buyer.locator(`#sub-${sub.id}`);
    await part.locator('[data-testid="logistics-event"][data-kind="out_for_delivery"]').waitFor();
    await part.locator('[data-testid="logistics-event"][data-kind="picked_up"]').waitFor();
    assert.match(await part.getByTestId('logistics-events').innerText(), /张师傅/);
    assert.match(await part.getByTestId('shipment-carrier').innerText(), /韵达快递/);
    await part.locator('[data-testid="tracking-status"][data-status="subscribed"]').waitFor();
    assert.equal(await part.getByTestId('waybill-number').innerText(), waybill);
    await part.getByTestId('copy-waybill').click();
    assert.ok(await scrollWidth(buyer) <= 390, 'the order page fits 390 px');
  }));

  test('a seller corrects a mistyped waybill from the console and the buyer sees the new one', { timeout: STORY_TIMEOUT }, scenario(async (s) => {
    const seller = await s.person({ width: 1280, height: 900 });
    await logIn(seller, COOP_OWNER);
    const buyer = await s.person({ width: 390, height: 844 });
    await logIn(buyer, CONSUMER);
    const { orderId, sub } = await paidOrder(s, seller, buyer);
    const wrong = `YD${Date.now()}`;
    await shipWith(seller, sub, await openShipForm(seller, sub), 'yunda', wrong);

    await open(seller, '/seller/orders.html?status=shipped');
    const card = seller.locator(`[data-testid="seller-sub"][data-sub-id="${sub.id}"]`);
    await card.getByTestId('sub-correct-waybill').click();
    const form = card.getByTestId('waybill-form');
    await form.waitFor();
    // The form starts from the parcel's waybill.
    assert.equal(await form.getByTestId('ship-carrier').inputValue(), 'yunda');
    assert.equal(await form.getByTestId('ship-tracking').inputValue(), wrong);
    // A malformed number is caught before it is sent.
    await form.getByTestId('ship-tracking').fill('YD 1;');
    await form.getByTestId('waybill-submit').click();
    await form.locator('[data-error-for="tracking_no"]:not([hidden])').waitFor();
    const right = `ZT${Date.now()}`;
    await form.getByTestId('ship-carrier').selectOption('zhongtong');
    await form.getByTestId('ship-tracking').fill(right);
    await Promise.all([
      seller.waitForResponse((r) => r.url().endsWith(`/api/v1/sub-orders/${sub.id}/shipment`) && r.request().method() === 'PUT' && r.ok()),
      form.getByTestId('waybill-submit').click(),
    ]);

    // The new waybill is subscribed with the aggregator.
    assert.ok(await subscribedWithSim(right, 'zhongtong'), 'the corrected waybill was subscribed with 快递100');

    await open(buyer, `/order.html?id=${orderId}`);
    const part = buyer.locator(`#sub-${sub.id}`);
    await part.getByTestId('waybill-number').waitFor();
    assert.equal(await part.getByTestId('waybill-number').innerText(), right);
    assert.match(await part.getByTestId('shipment-carrier').innerText(), /中通快递/);
    // The order's log (folded under 订单记录) keeps the correction, old → new.
    const corrected = buyer.locator('[data-testid="order-event"][data-kind="waybill_corrected"]');
    await corrected.waitFor({ state: 'attached' });
    assert.match(await corrected.textContent(), /运单已更正/);
    assert.equal(await corrected.getByTestId('waybill-change').textContent(), `${wrong} → ${right}`);
    assert.ok(await scrollWidth(buyer) <= 390, 'the order page fits 390 px');
  }));
});
