// Tracking that fills itself in (#19), against a demo server configured with the 快递100
// simulator (tests/run.sh step 6c: farmgate-pay-sim serves it and says where, in
// FARMGATE_TRACK_SIM_URL; password farmgate123):
//
// The cooperative (13800000001) ships a consumer's (13600000002) paid box from its order
// console, picking 韵达快递 from the carrier list (no free text); the server subscribes the
// waybill with the simulator; the simulator pushes two signed updates (揽收, then 派件); the
// buyer's order page at 390 px shows them on the tracking timeline, says the parcel is tracked
// automatically, and copies the waybill.
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

async function simPush(number, state, lines) {
  const r = await fetch(`${SIM}/sim/push`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ number, state, lines }),
  });
  const text = await r.text();
  assert.equal(r.status, 200, text);
  assert.equal(JSON.parse(text).result, true, text);
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
    await open(seller, '/seller/orders.html?status=paid');
    const card = seller.locator(`[data-testid="seller-sub"][data-sub-id="${sub.id}"]`);
    await card.waitFor();
    await card.getByTestId('sub-ship').click();
    const form = card.getByTestId('ship-form');
    await form.waitFor();
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
    await form.getByTestId('ship-tracking').fill(waybill);
    for (const line of await form.getByTestId('ship-line').all()) {
      const box = line.getByTestId('ship-batch-check').first();
      if (await box.count()) await box.check();
    }
    await Promise.all([
      seller.waitForResponse((r) => r.url().endsWith(`/api/v1/sub-orders/${sub.id}/ship`) && r.ok()),
      form.getByTestId('ship-submit').click(),
    ]);

    // The server subscribes the waybill with the aggregator (through the outbox, which on a
    // fresh demo server is still working through the seed's backlog: allow a minute).
    let subscribed = false;
    for (let i = 0; i < 600 && !subscribed; i += 1) {
      const list = await (await fetch(`${SIM}/sim/subscriptions`)).json();
      subscribed = list.some((x) => x.number === waybill && x.company === 'yunda');
      if (!subscribed) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(subscribed, 'the waybill was subscribed with 快递100');

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
});
