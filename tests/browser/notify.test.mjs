// Notifications (#18) against a real Farmgate server started with demo data (password
// farmgate123): the cooperative's owner (13800000001) has the seller console open; a consumer
// (13600000002) orders one of the cooperative's boxes by bank transfer and platform finance
// (13900000005) confirms the transfer; the owner's header badge counts the new paid order
// without the page being reloaded (the shell polls the unread count), and the notification
// centre lists it with the sub-order's number; opening it marks it read.
// FARMGATE_BASE_URL=http://127.0.0.1:18080 node --test notify.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { callApi, launchBrowser, logIn, open, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';

const COOP_OWNER = '13800000001';
const CONSUMER = '13600000002';
const FINANCE = '13900000005';
const STORY_TIMEOUT = 150_000;

let browser;
const scenario = (body) => story(() => browser, BASE, body);

/** The badge's count in the page's header (0 while hidden). */
async function badgeCount(page) {
  return page.evaluate(() => Number(document.querySelector('[data-testid="notify-badge"]')?.dataset.count || 0));
}

/** A SKU of `org` (listed by its member `seller`) that `buyer` can buy now. */
async function skuOf(seller, buyer, org) {
  const list = await callApi(seller, 'GET', `/orgs/${org}/listings`);
  assert.equal(list.status, 200, JSON.stringify(list.body));
  const items = Array.isArray(list.body) ? list.body : (list.body.items || []);
  for (const item of items) {
    const listing = await callApi(buyer, 'GET', `/listings/${item.id}`);
    if (listing.status !== 200) continue;
    const sku = (listing.body.skus || []).find((s) => s.on_sale && s.stock > 0);
    if (sku) return sku.id;
  }
  throw new Error('the cooperative has nothing on sale');
}

describe('notifications', { skip }, () => {
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('a seller\'s console shows a new paid order\'s notification badge without reloading', { timeout: STORY_TIMEOUT }, scenario(async (s) => {
    const seller = await s.person({ width: 1280, height: 900 });
    await logIn(seller, COOP_OWNER);
    await open(seller, '/seller/orders.html');
    await seller.getByTestId('nav-notifications').waitFor();
    // Start from nothing unread, so the badge's change is this order's.
    const cleared = await callApi(seller, 'POST', '/notifications/read-all');
    assert.equal(cleared.status, 200, JSON.stringify(cleared.body));
    await open(seller, '/seller/orders.html');
    await seller.getByTestId('nav-notifications').waitFor();
    assert.equal(await badgeCount(seller), 0);
    assert.equal(await seller.getByTestId('notify-badge').isHidden(), true, 'no badge with nothing unread');
    let navigations = 0;
    seller.on('framenavigated', (frame) => {
      if (frame === seller.mainFrame()) navigations += 1;
    });

    const me = await callApi(seller, 'GET', '/auth/me');
    const coop = (me.body.memberships || []).find((m) => m.org && m.org.kind !== 'business_buyer');
    assert.ok(coop, 'the owner belongs to the cooperative');
    const consumer = await s.person();
    await logIn(consumer, CONSUMER);
    const sku = await skuOf(seller, consumer, coop.org.id);
    const addresses = await callApi(consumer, 'GET', '/me/addresses');
    assert.equal(addresses.status, 200, JSON.stringify(addresses.body));
    const address = (addresses.body.items || addresses.body)[0];
    const placed = await callApi(consumer, 'POST', '/orders', {
      address_id: address.id, payment_method: 'offline', items: [{ sku_id: sku, quantity: 1 }],
    }, { 'Idempotency-Key': `notify-${Date.now()}` });
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    const number = placed.body.sub_orders[0].number;

    const finance = await s.person();
    await logIn(finance, FINANCE);
    const confirmed = await callApi(finance, 'POST', `/orders/${placed.body.id}/offline-payment`, { reference: `BANK-NOTIFY-${Date.now()}` });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));

    // The shell polls every 25 s: the badge turns up within a poll or two, the page untouched.
    await seller.waitForFunction(() => Number(document.querySelector('[data-testid="notify-badge"]')?.dataset.count || 0) > 0, null, { timeout: 70_000 });
    assert.equal(navigations, 0, 'the page was not reloaded');
    assert.equal(await seller.getByTestId('notify-badge').isVisible(), true);
    assert.ok(Number((await seller.getByTestId('notify-badge').textContent()).trim()) >= 1);

    await seller.getByTestId('nav-notifications').click();
    await seller.waitForURL((url) => url.pathname === '/notifications.html');
    const item = seller.getByTestId('notification').filter({ hasText: number });
    await item.waitFor();
    assert.equal(await item.getAttribute('data-read'), 'no');
    assert.equal(await item.getAttribute('data-kind'), 'order_paid');
    await item.getByTestId('notification-open').click();
    await seller.waitForURL((url) => url.pathname === '/seller/orders.html');
    const unread = await callApi(seller, 'GET', '/notifications?unread=true&kind=order_paid');
    assert.ok(!(unread.body.items || []).some((n) => (n.title.zh || '').includes(number)), 'opening it marked it read');
  }));
});
