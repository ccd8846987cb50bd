// Delivery windows and signed delivery notes (送货时段, 签收单, #22), against a server started
// with demo data, on phones: the demo cooperative (13800000001) publishes a window for 赣州市 on
// /seller/delivery.html; the hotel 赣州悦来大酒店's owner (13700000002) orders, pays by transfer
// and books that window on /delivery-note.html from its order page; the cooperative ships; the
// driver (the cooperative's phone) photographs the goods with the camera input and signs with
// the hotel's 6-digit code; the hotel's order then shows the part received.
// FARMGATE_BASE_URL=… node --test delivery.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { callApi, launchBrowser, logIn, open, scrollWidth, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';
const HOTEL = '13700000002';
const COOP = '13800000001';
const PHONE = { width: 390, height: 844 };

// A 64 × 64 PNG written here: the camera's picture as the file input hands it over (the
// server wants at least 16 px a side).
function png(size = 64) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows = [];
  for (let y = 0; y < size; y += 1) rows.push(Buffer.from([0, ...Array.from({ length: size }, () => [0xf2, 0x8c, 0x28]).flat()]));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

let browser;
const scenario = (body) => story(() => browser, BASE, body);

/** The hotel owner's delivery address in 赣州市 (made when there is none). */
async function anAddress(page) {
  const mine = (await callApi(page, 'GET', '/me/addresses')).body;
  const found = (Array.isArray(mine) ? mine : (mine.items || [])).find((a) => a.city === '赣州市');
  if (found) return found;
  const made = await callApi(page, 'POST', '/me/addresses', {
    name: '陈经理', phone: '13700000002', province: '江西省', city: '赣州市', district: '章贡区', street: '西街 1 号 悦来大酒店',
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  return made.body;
}

/** The hotel orders one of `sku` to `address` by bank transfer; finance confirms it. */
async function paidOrder(s, hotel, address, sku) {
  const placed = await callApi(hotel, 'POST', '/orders', {
    address_id: address.id, payment_method: 'offline', items: [{ sku_id: sku, quantity: 1 }],
  }, { 'Idempotency-Key': `delivery-${Date.now()}` });
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  const finance = await s.person();
  await logIn(finance, '13900000005');
  const paid = await callApi(finance, 'POST', `/orders/${placed.body.id}/offline-payment`, { reference: `BANK-DELIVERY-${Date.now()}` });
  assert.equal(paid.status, 200, JSON.stringify(paid.body));
  return paid.body;
}

/** The cooperative's organisation and a SKU of it on sale with stock. */
async function coopSku(coop) {
  const me = await callApi(coop, 'GET', '/auth/me');
  const org = (me.body.memberships || []).find((m) => m.org && m.org.kind !== 'business_buyer').org;
  const list = await callApi(coop, 'GET', `/orgs/${org.id}/listings`);
  const live = (Array.isArray(list.body) ? list.body : (list.body.items || []))
    .filter((l) => l.status === 'approved' && l.availability === 'on_sale');
  for (const item of live) {
    const listing = await callApi(coop, 'GET', `/listings/${item.id}`);
    const sku = (listing.body.skus || []).find((x) => x.on_sale && x.stock > 5 && !x.catch_tolerance_permille);
    if (sku) return { org, sku };
  }
  throw new Error('the demo cooperative sells something in stock');
}

/** Tomorrow's ISO weekday in Shanghai. */
function tomorrowWeekday() {
  const d = new Date(Date.now() + 8 * 3600 * 1000 + 24 * 3600 * 1000).getUTCDay();
  return d === 0 ? 7 : d;
}

describe('delivery windows and signed notes', { skip }, () => {
  before(async () => { browser = await launchBrowser(); });
  after(async () => { await browser?.close(); });

  test('the cooperative publishes a window, the hotel books it, the driver signs with the code and a photo, and the order is received', { timeout: 240_000 }, scenario(async (s) => {
    const coop = await s.person(PHONE);
    await logIn(coop, COOP);
    const { org, sku } = await coopSku(coop);

    // The cooperative publishes tomorrow 07:00–09:00 for 赣州市, 5 places, no cut-off.
    await open(coop, '/seller/delivery.html');
    await coop.locator('[data-testid="windows"][data-state="done"]').waitFor();
    await coop.getByTestId('window-region').fill('360700');
    await coop.getByTestId('window-weekday').selectOption(String(tomorrowWeekday()));
    await coop.getByTestId('window-start').fill('07:00');
    await coop.getByTestId('window-end').fill('09:00');
    await coop.getByTestId('window-capacity').fill('5');
    await coop.getByTestId('window-cutoff').fill('0');
    await coop.getByTestId('window-publish').click();
    await coop.locator('[data-testid="window"]', { hasText: '07:00–09:00' }).first().waitFor();
    assert.ok(await scrollWidth(coop) <= 390, 'the seller page fits a phone');

    // The hotel orders, pays by transfer and books the window from its order page.
    const hotel = await s.person(PHONE);
    await logIn(hotel, HOTEL);
    const address = await anAddress(hotel);
    const paid = await paidOrder(s, hotel, address, sku.id);
    const part = paid.sub_orders.find((x) => x.seller_id === org.id) || paid.sub_orders[0];
    await open(hotel, `/order.html?id=${paid.id}`);
    await hotel.getByTestId('sub-delivery').first().click();
    await hotel.locator('[data-testid="delivery"][data-ready="true"]').waitFor();
    await hotel.getByTestId('slot-option').first().check();
    await hotel.getByTestId('slot-book').click();
    await hotel.locator('[data-testid="booking"] strong').waitFor();
    assert.ok(await scrollWidth(hotel) <= 390, 'the delivery page fits a phone');

    // The cooperative ships.
    const shippedNow = await callApi(coop, 'POST', `/sub-orders/${part.id}/ship`, { carrier: '顺丰速运', tracking_no: `SF${Date.now()}` });
    assert.equal(shippedNow.status, 200, JSON.stringify(shippedNow.body));

    // The hotel's page shows the code.
    await open(hotel, `/delivery-note.html?sub=${part.id}`);
    const code = (await hotel.getByTestId('delivery-code').textContent()).trim();
    assert.match(code, /^\d{6}$/);

    // The driver photographs the goods and signs with the code.
    await open(coop, `/delivery-note.html?sub=${part.id}`);
    await coop.getByTestId('note-photo-input').setInputFiles({ name: 'goods.png', mimeType: 'image/png', buffer: png() });
    await coop.getByTestId('sign-form').waitFor();
    await coop.getByTestId('sign-name').fill('陈经理');
    await coop.getByTestId('sign-code').fill(code);
    await coop.getByTestId('sign-submit').click();
    await coop.getByTestId('signed-note').waitFor();
    assert.equal((await coop.getByTestId('note-signer').textContent()).trim(), '陈经理');

    // The hotel's order shows the part received.
    await open(hotel, `/order.html?id=${paid.id}`);
    await hotel.locator('[data-testid="sub-status"][data-value="received"]').first().waitFor();
  }));
});
