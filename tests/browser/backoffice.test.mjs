// The back office (#19) in the browser, against a server started with demo data (password
// farmgate123), at 1366×900 (and the console home at 390 px):
// - a consumer (13600000001) pays an order of the cooperative's oranges by bank transfer,
//   finance (13900000005) confirms it; the cooperative's owner (13800000001) logs in, lands on
//   the console home (/seller/home.html), sees the new paid order counted — the same number the
//   API gives — follows the count to the filtered order list, which holds as many; on a phone
//   the home does not scroll sideways;
// - the owner submits a listing with three photos and two SKUs (one with wholesale tiers); the
//   operator (13900000001) lands on the operator's home, follows the listings count to the
//   review queue, sees every photo and every SKU with its price, tiers and stock without
//   unfolding anything, and approves it.
// FARMGATE_BASE_URL=… node --test backoffice.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { callApi, launchBrowser, logIn, open, ready, scrollWidth, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';

const OPERATOR = '13900000001';
const FINANCE = '13900000005';
const COOP_OWNER = '13800000001';
const CONSUMER = '13600000001';
const STORY_TIMEOUT = 180_000;
const DESK = { width: 1366, height: 900 };

let browser;
const scenario = (body) => story(() => browser, BASE, body);

/** The cooperative (the owner's first selling organisation) as the API names it. */
async function coopOf(page) {
  const me = await callApi(page, 'GET', '/auth/me');
  assert.equal(me.status, 200);
  const m = me.body.memberships.find((x) => x.org.kind !== 'business_buyer' && x.org.status === 'verified');
  assert.ok(m, 'the owner has a verified selling organisation');
  return m.org;
}

/** Uploads a small PNG drawn in the page to a listing, as the page's user. */
async function uploadPhoto(page, listingId, hue) {
  return page.evaluate(async ({ listingId, hue }) => {
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 320;
    const g = canvas.getContext('2d');
    g.fillStyle = `hsl(${hue} 70% 50%)`;
    g.fillRect(0, 0, 320, 320);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
    const body = new FormData();
    body.append('file', blob, `photo-${hue}.png`);
    const r = await fetch(`/api/v1/listings/${listingId}/images`, { method: 'POST', body });
    return r.status;
  }, { listingId, hue });
}

describe('the back office', () => {
  before(async () => {
    if (!skip) browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('the seller lands on the console home, which counts a new paid order and links to the filtered list',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      // A paid order of the cooperative's oranges.
      const buyer = await s.person();
      await logIn(buyer, CONSUMER);
      const owner = await s.person(DESK);
      await logIn(owner, COOP_OWNER);
      assert.equal(new URL(owner.url()).pathname, '/seller/home.html', 'the seller lands on the console home');
      const coop = await coopOf(owner);
      const listings = await callApi(owner, 'GET', `/orgs/${coop.id}/listings?status=approved`);
      const sku = listings.body.flatMap((l) => l.skus || []).find((k) => k.active !== false && k.stock > 0);
      assert.ok(sku, 'the cooperative sells something in stock');
      const addresses = await callApi(buyer, 'GET', '/me/addresses');
      const placed = await callApi(buyer, 'POST', '/orders', {
        address_id: addresses.body[0].id, payment_method: 'offline', items: [{ sku_id: sku.id, quantity: 1 }],
      });
      assert.equal(placed.status, 201, JSON.stringify(placed.body));
      const finance = await s.person();
      await logIn(finance, FINANCE);
      const paid = await callApi(finance, 'POST', `/orders/${placed.body.id}/offline-payment`, { reference: `BANK-${Date.now()}` });
      assert.equal(paid.status, 200, JSON.stringify(paid.body));

      await open(owner, `/seller/home.html?org=${coop.id}`);
      const counts = await callApi(owner, 'GET', `/orgs/${coop.id}/console`);
      assert.equal(counts.status, 200);
      assert.ok(counts.body.orders.new_paid >= 1, 'the new order is counted');
      const tile = owner.getByTestId('shome-new-paid');
      await tile.waitFor();
      assert.equal(await tile.getAttribute('data-count'), String(counts.body.orders.new_paid), 'the tile shows the API\'s count');
      assert.match(await tile.getAttribute('class'), /is-urgent/, 'work waiting is marked');
      assert.ok(await scrollWidth(owner) <= DESK.width, 'no sideways scrolling at 1366 px');

      await Promise.all([
        owner.waitForURL((url) => url.pathname === '/seller/orders.html' && url.searchParams.get('status') === 'paid'),
        tile.click(),
      ]);
      await ready(owner);
      await owner.locator('[data-testid="sub-orders"][data-state="done"]').waitFor();
      const listed = await callApi(owner, 'GET', `/orgs/${coop.id}/sub-orders?status=paid&limit=1`);
      assert.equal(listed.body.total, counts.body.orders.new_paid, 'the list holds as many as the home counted');
      const numbers = await owner.getByTestId('sub-number').allTextContents();
      assert.ok(numbers.some((n) => n.startsWith(placed.body.number)), 'the new order is in the list');

      // Searching by its number finds exactly it.
      await owner.getByTestId('sorders-q').fill(placed.body.number);
      await owner.getByTestId('sorders-filter-apply').click();
      await owner.locator('[data-testid="sub-orders"][data-state="done"]').waitFor();
      await owner.waitForFunction(() => document.querySelectorAll('[data-testid="seller-sub"]').length === 1);

      // On a phone the home fits.
      await owner.setViewportSize({ width: 390, height: 844 });
      await open(owner, `/seller/home.html?org=${coop.id}`);
      await owner.getByTestId('shome-new-paid').waitFor();
      assert.ok(await scrollWidth(owner) <= 390, 'no sideways scrolling at 390 px');
    }));

  test('the operator reviews a listing with every photo and SKU in view and approves it',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const owner = await s.person();
      await logIn(owner, COOP_OWNER);
      const coop = await coopOf(owner);
      const tree = await callApi(owner, 'GET', '/categories');
      const category = tree.body.flatMap((c) => [c, ...(c.children || [])]).find((c) => c.slug === 'citrus');
      const title = `赣南脐橙 审核样品 ${Date.now() % 100000}`;
      const created = await callApi(owner, 'POST', `/orgs/${coop.id}/listings`, {
        title,
        category_id: category.id,
        origin: { province: '江西省', city: '赣州市', county: '青石县', township: '梅岭镇', village: '茶坑村' },
        skus: [
          { name: '10斤装', unit: 'box', price: 5990, stock: 80, weight_grams: 5600, tiers: [{ min_quantity: 10, price: 4990 }] },
          { name: '5斤装', unit: 'box', price: 3290, stock: 40, weight_grams: 2900 },
        ],
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const listingId = created.body.id;
      for (const hue of [20, 120, 220]) assert.equal(await uploadPhoto(owner, listingId, hue), 201);
      const submitted = await callApi(owner, 'POST', `/listings/${listingId}/submit`);
      assert.equal(submitted.status, 200, JSON.stringify(submitted.body));

      const operator = await s.person(DESK);
      await logIn(operator, OPERATOR);
      assert.equal(new URL(operator.url()).pathname, '/ops/home.html', 'the operator lands on the console home');
      const tile = operator.getByTestId('ohome-listings');
      await tile.waitFor();
      assert.ok(Number(await tile.getAttribute('data-count')) >= 1, 'the listing waiting is counted');
      await Promise.all([
        operator.waitForURL((url) => url.pathname === '/ops/listings.html'),
        tile.click(),
      ]);
      await ready(operator);

      // The queue is oldest first: page on until the new listing shows.
      const card = operator.locator(`[data-testid="review-card"][data-listing-id="${listingId}"]`);
      for (let i = 0; i < 20 && !(await card.count()); i += 1) {
        await operator.locator('#results:not([aria-busy])').waitFor();
        if (await card.count()) break;
        const next = operator.getByTestId('page-next');
        if (await next.isDisabled()) break;
        await next.click();
      }
      await card.waitFor();
      await card.scrollIntoViewIfNeeded();
      const photos = card.getByTestId('review-photo');
      assert.equal(await photos.count(), 3, 'every photo');
      for (const p of await photos.all()) assert.ok(await p.isVisible(), 'each photo shows without unfolding anything');
      const skus = card.getByTestId('review-sku');
      assert.equal(await skus.count(), 2, 'every SKU');
      assert.ok(await skus.first().isVisible());
      const text = await card.getByTestId('review-skus').innerText();
      for (const expected of ['10斤装', '5斤装', '59.90', '32.90', '49.90', '80', '40']) {
        assert.ok(text.includes(expected), `the SKU table shows ${expected}: ${text}`);
      }
      assert.equal(await card.locator('details').count(), 0, 'nothing is folded away');

      await card.getByTestId('review-approve').click();
      await card.getByTestId('review-approve-confirm').click();
      await operator.getByTestId('flash').filter({ hasText: title }).waitFor();
      const after = await callApi(owner, 'GET', `/listings/${listingId}`);
      assert.equal(after.body.status, 'approved');
    }));
});
