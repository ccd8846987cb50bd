// Standing orders (定期订单, #22), against a server started with demo data: the hotel
// 赣州悦来大酒店's owner (13700000002) sets up a standing order on /standing-orders.html with the
// demo cooperative (13800000001, 沃柑) on a phone; the cooperative accepts it on
// /seller/standing-orders.html; the worker's generation run places the first period's order at
// once (it starts today, ordered a day ahead), which both see in the standing order's history.
// FARMGATE_BASE_URL=… node --test standing.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { callApi, launchBrowser, logIn, open, scrollWidth, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';
const HOTEL = '13700000002';
const COOP = '13800000001';
const PHONE = { width: 390, height: 844 };

let browser;
const scenario = (body) => story(() => browser, BASE, body);

/** The hotel owner has a delivery address (the demo may give none). */
async function anAddress(page) {
  const mine = (await callApi(page, 'GET', '/me/addresses')).body;
  if (Array.isArray(mine) && mine.length) return;
  const made = await callApi(page, 'POST', '/me/addresses', {
    name: '陈经理', phone: '13700000002', province: '江西省', city: '赣州市', district: '章贡区', street: '西街 1 号 悦来大酒店',
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
}

describe('standing orders', { skip }, () => {
  before(async () => { browser = await launchBrowser(); });
  after(async () => { await browser?.close(); });

  test('a hotel sets up a standing order, the cooperative accepts it, and the first period becomes an order', { timeout: 180_000 }, scenario(async (s) => {
    const hotel = await s.person(PHONE);
    await logIn(hotel, HOTEL);
    await anAddress(hotel);
    await open(hotel, '/purchasing.html');
    await hotel.locator('[data-testid="purchasing-standing-link"]').click();
    await hotel.locator('[data-testid="standing-create"]:not([hidden])').waitFor();
    await hotel.locator('[data-testid="standing-search"]').fill('沃柑');
    await hotel.locator('[data-testid="standing-search-go"]').click();
    await hotel.locator('[data-testid="standing-add"]').first().click();
    await hotel.locator('[data-testid="standing-line-qty"]').fill('3');
    await hotel.locator('[data-testid="standing-kind-days"]').check();
    await hotel.locator('[data-testid="standing-days"]').fill('1');
    await hotel.locator('[data-testid="standing-lead"]').fill('1');
    assert.ok(await scrollWidth(hotel) <= 390, 'the form fits a phone');
    await hotel.locator('[data-testid="standing-submit"]').click();
    const item = hotel.locator('[data-testid="standing-item"]').first();
    await item.locator('[data-testid="standing-status"]').waitFor();
    assert.equal(await item.getAttribute('data-status'), 'pending');
    const id = await item.getAttribute('data-id');

    const coop = await s.person(PHONE);
    await logIn(coop, COOP);
    await open(coop, '/seller/home.html');
    await coop.locator('[data-testid="shome-standing-link"]').click();
    const waiting = coop.locator(`[data-testid="standing-item"][data-id="${id}"]`);
    await waiting.waitFor();
    assert.match(await waiting.textContent(), /沃柑/);
    assert.ok(await scrollWidth(coop) <= 390, 'the list fits a phone');
    await waiting.locator('[data-testid="standing-accept"]').click();
    await coop.locator(`[data-testid="standing-item"][data-id="${id}"][data-status="active"]`).waitFor();

    // The worker runs the period due now; its order shows in the history on both sides.
    let run;
    for (let i = 0; i < 60 && !run; i += 1) {
      const got = await callApi(hotel, 'GET', `/standing-orders/${id}`);
      run = (got.body.runs || [])[0];
      if (!run) await hotel.waitForTimeout(500);
    }
    assert.ok(run, 'the first period ran');
    assert.equal(run.outcome, 'generated', JSON.stringify(run));
    await open(hotel, '/standing-orders.html');
    const mine = hotel.locator(`[data-testid="standing-item"][data-id="${id}"]`);
    await mine.locator('[data-testid="standing-history"]').click();
    await mine.locator('[data-testid="standing-run"][data-outcome="generated"]').waitFor();
    await mine.locator('[data-testid="standing-run-order"]').click();
    await hotel.waitForURL(/\/order\.html\?id=/);
    const order = await callApi(hotel, 'GET', `/orders/${run.order_id}`);
    assert.equal(order.status, 200);
    assert.equal(order.body.sub_orders[0].lines[0].quantity, 3);
    await open(coop, '/seller/standing-orders.html');
    const theirs = coop.locator(`[data-testid="standing-item"][data-id="${id}"]`);
    await theirs.locator('[data-testid="standing-history"]').click();
    await theirs.locator('[data-testid="standing-run"][data-outcome="generated"]').waitFor();
  }));
});
