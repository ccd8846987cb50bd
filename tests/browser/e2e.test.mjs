// The pages against a real Farmgate server started with demo data (password farmgate123).
// FARMGATE_BASE_URL=http://127.0.0.1:18080 npm test
//
// The verification stories change the demo data (the pending organisation of 13800000009 is
// rejected, then resubmitted and verified), so they expect a freshly seeded server. The
// catalogue stories add listings with unique titles (digits of the clock) and leave them there.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { callApi, launchBrowser, logIn, open, posted, ready, scrollWidth, story, switchLanguage } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';

const CONSUMER = '13600000001';
const OPERATOR = '13900000001';
const COOP_OWNER = '13800000001';
const PENDING_OWNER = '13800000009';
const RICE_OWNER = '13800000005';
const EGG_OWNER = '13800000004';
const OFFICIAL = '13900000003';
const SECOND_CONSUMER = '13600000002';
const AGENT = '13900000002';
const STORE_STAFF = '13900000004';
const COOP_STAFF = '13800000002';
const REJECTED_OWNER = '13800000010';
const BUSINESS_BUYER = '13700000001';
const STORY_TIMEOUT = 90_000;

let browser;
const scenario = (body) => story(() => browser, BASE, body);

/** What the server says about whoever this page is logged in as. */
async function whoAmI(page) {
  return page.evaluate(async () => {
    const response = await fetch('/api/v1/auth/me', { credentials: 'same-origin' });
    return response.ok ? response.json() : null;
  });
}

/** The queue card of the organisation owned by the pending demo owner, however the phone is shown. */
function pendingOwnersCard(page) {
  return page.getByTestId('queue-card').filter({
    has: page.getByTestId('queue-owner').filter({ hasText: /138(0000|\*{4})0009/ }),
  });
}

// Handed from the rejection story to the resubmission story.
const shared = { orgId: null, reason: null };

/** Waits until the search page shows the results for the address it is on. */
async function searchSettled(page) {
  await page.waitForFunction(() => {
    const results = document.querySelector('[data-testid="results"]');
    return results && (results.dataset.state === 'error'
      || (results.dataset.state === 'done' && results.dataset.url === location.pathname + location.search));
  });
  const results = page.getByTestId('results');
  if (await results.getAttribute('data-state') === 'error') {
    assert.fail(`the search failed: ${(await results.textContent()).trim()}`);
  }
}

async function resultTotal(page) {
  return Number(await page.getByTestId('results-count').getAttribute('data-total'));
}

/** Opens a search and says whether a card for this listing is among the results. */
async function searchFinds(page, q, listingId, sort = '') {
  await open(page, '/search.html?q=' + encodeURIComponent(q) + (sort ? '&sort=' + sort : ''));
  await searchSettled(page);
  return (await page.locator(`[data-testid="product-card"][data-listing-id="${listingId}"]`).count()) > 0;
}

/** Chooses the first real option of a select (index 0 is "请选择" when there is a choice). */
async function chooseFirst(select) {
  const values = await select.locator('option').evaluateAll((options) => options.map((o) => o.value));
  const value = values.find((v) => v) || '';
  await select.selectOption(value);
  return value;
}

/** The new-listing form of the cooperative owner's organisation, ready to fill in. */
async function newListingForm(page) {
  await open(page, '/seller/listings.html');
  await page.getByTestId('console').waitFor();
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/seller/edit.html'),
    page.getByTestId('new-listing').click(),
  ]);
  await ready(page);
  await page.locator('[data-testid="listing-form"][data-ready="true"]').waitFor();
  const orgId = new URL(page.url()).searchParams.get('org');
  assert.ok(orgId, 'the new-listing link names the organisation');
  return orgId;
}

async function fillFacts(page, title) {
  await page.getByTestId('f-title').fill(title);
  await chooseFirst(page.getByTestId('f-category-top'));
  const categoryId = await chooseFirst(page.getByTestId('f-category'));
  assert.ok(categoryId, 'a category is chosen');
  await page.getByTestId('f-description').fill('当季采摘，皮薄多汁。\n坏果包赔。');
  assert.ok((await page.locator('input[name="origin.province"]').inputValue()).trim(),
    'the origin starts as the organisation\'s registered region');
  return categoryId;
}

async function fillSku(row, { name, unit = 'box', price, stock = '50', weight = '2600' }) {
  await row.getByTestId('sku-name').fill(name);
  await row.getByTestId('sku-unit').selectOption(unit);
  await row.getByTestId('sku-price').fill(price);
  await row.getByTestId('sku-stock').fill(stock);
  await row.getByTestId('sku-weight-grams').fill(weight);
}

// ---- traceability helpers ----------------------------------------------------------------------

const DAY_MS = 86_400_000;
const BEIJING_MS = 8 * 3600 * 1000;

/** A Beijing calendar day, `days` from today (`2026-11-23`). */
function beijingDay(days = 0) {
  return new Date(Date.now() + days * DAY_MS + BEIJING_MS).toISOString().slice(0, 10);
}

/** A datetime-local value in Beijing time, `offsetMs` from now (`2026-11-23T14:30`). */
function beijingLocal(offsetMs = 0) {
  return new Date(Date.now() + offsetMs + BEIJING_MS).toISOString().slice(0, 16);
}

/** A small but well-formed one-page PDF (header, objects, xref, trailer), like a lab's report. */
function tinyPdf(line) {
  const content = `BT /F1 16 Tf 72 770 Td (${line}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const COMMITMENTS = ['no_banned_substances', 'withdrawal_respected', 'residues_within_limits'];

/**
 * The cooperative owner opens a batch for the first of its approved listings, started 30 days
 * ago and harvested today, and lands on the batch page. Returns the created Batch.
 */
async function createBatch(page, { locate = false } = {}) {
  await open(page, '/seller/batches.html');
  await page.getByTestId('batches-console').waitFor();
  await page.locator('[data-testid="batch-form"][data-ready="true"]').waitFor({ state: 'attached' });
  await page.getByTestId('new-batch').click();
  await page.getByTestId('batch-form').waitFor();
  const listingId = await chooseFirst(page.getByTestId('b-listing'));
  assert.ok(listingId, 'the cooperative has an approved listing to open a batch for');
  await page.getByTestId('b-started-on').fill(beijingDay(-30));
  await page.getByTestId('b-harvest-date').fill(beijingDay(0));
  await page.getByTestId('b-quantity').fill('2000');
  await page.getByTestId('b-unit').selectOption('jin');
  const village = page.getByTestId('b-village');
  if (!(await village.inputValue()).trim()) await village.fill('茶坑村');
  await page.getByTestId('b-plot-name').fill('3号果园');
  assert.ok((await page.getByTestId('b-contact-phone').inputValue()).trim(), 'the contact phone starts as the organisation\'s');
  if (locate) {
    // Standing on the plot: the phone's position, rounded to 5 decimals (about a metre).
    await page.context().grantPermissions(['geolocation'], { origin: new URL(page.url()).origin });
    await page.context().setGeolocation({ latitude: 25.712345678, longitude: 115.123456789, accuracy: 8 });
    await page.getByTestId('locate').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="b-lat"]').value !== '');
    assert.equal(await page.getByTestId('b-lat').inputValue(), '25.71235');
    assert.equal(await page.getByTestId('b-lng').inputValue(), '115.12346');
  }
  await page.getByTestId('b-basis-commissioned_test').check();

  // Two promises out of three: the page explains that all three are required and sends nothing.
  const sent = [];
  const onRequest = (r) => { if (r.url().endsWith(`/api/v1/listings/${listingId}/batches`)) sent.push(r.method()); };
  page.on('request', onRequest);
  await page.getByTestId(`c-${COMMITMENTS[0]}`).check();
  await page.getByTestId(`c-${COMMITMENTS[1]}`).check();
  await page.getByTestId('batch-submit').click();
  const missing = page.getByTestId('commitments-error');
  await missing.waitFor();
  assert.ok((await missing.textContent()).trim(), 'a message next to the promises');
  assert.deepEqual(sent, [], 'nothing was sent without all three promises');
  page.off('request', onRequest);

  await page.getByTestId(`c-${COMMITMENTS[2]}`).check();
  const [created] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/v1/listings/${listingId}/batches`) && r.request().method() === 'POST'),
    page.getByTestId('batch-submit').click(),
  ]);
  // The page moves on at once, taking the response body with it: the address names the batch.
  assert.equal(created.status(), 201, 'the batch is created');
  await page.waitForURL((url) => url.pathname === '/seller/batch.html' && url.searchParams.get('id'));
  await ready(page);
  await page.locator('[data-testid="batch"][data-ready="true"]').waitFor();
  const id = new URL(page.url()).searchParams.get('id');
  const batch = await page.evaluate(async (batchId) => (await fetch(`/api/v1/batches/${batchId}`)).json(), id);
  assert.equal(batch.id, id);
  assert.equal(batch.listing.id, listingId);
  for (const c of COMMITMENTS) assert.equal(batch.facts.certificate.commitments[c], true);
  // Coordinates enter the chain as integer micro-degrees.
  if (locate) assert.deepEqual([batch.facts.plot.lat_e6, batch.facts.plot.lng_e6], [25712350, 115123460]);
  return batch;
}

/** Chooses the kind and the time of a new event; `fill` does the kind's fields; submits it. */
async function addEvent(page, kind, occurredLocal, fill) {
  await page.getByTestId('ev-kind').selectOption(kind);
  if (occurredLocal) await page.getByTestId('ev-occurred-at').fill(occurredLocal);
  await fill();
  const [response] = await Promise.all([
    page.waitForResponse((r) => /\/api\/v1\/batches\/[^/]+\/events$/.test(r.url()) && r.request().method() === 'POST'),
    page.getByTestId('event-submit').click(),
  ]);
  return response;
}

function timelineEvents(page, kind) {
  return page.locator(kind ? `[data-testid="timeline-event"][data-kind="${kind}"]` : '[data-testid="timeline-event"]');
}

// ---- buying helpers ----------------------------------------------------------------------------

/** A small, well-formed PNG (an orange square), like a photo a buyer takes of the box. */
function tinyPng(size = 16) {
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

/** Empties the cart of whoever this page is logged in as (leftovers of an earlier run). */
async function emptyCart(page) {
  await page.evaluate(async () => {
    const cart = await (await fetch('/api/v1/cart')).json();
    for (const line of cart.lines || []) await fetch(`/api/v1/cart/items/${line.sku_id}`, { method: 'DELETE' });
  });
}

/**
 * Finds a listing by searching for `q`, opens the card whose title has `titlePart`, and puts
 * `quantity` of its selected SKU in the cart through the listing page.
 */
async function addToCart(page, q, titlePart, quantity = 1) {
  await open(page, '/search.html?q=' + encodeURIComponent(q));
  await searchSettled(page);
  const card = page.getByTestId('product-card')
    .filter({ has: page.getByTestId('product-title').filter({ hasText: titlePart }) }).first();
  assert.ok(await card.count(), `the search for ${q} finds “${titlePart}”`);
  const listingId = await card.getAttribute('data-listing-id');
  const sellerId = await card.getAttribute('data-seller-id');
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/listing.html'),
    card.locator('a.product-link').click(),
  ]);
  await ready(page);
  await page.getByTestId('listing-title').waitFor();
  const skuId = await page.locator('input[name="sku"]:checked').inputValue();
  await page.getByTestId('buy-qty').fill(String(quantity));
  const [added] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/cart/items') && r.request().method() === 'POST'),
    page.getByTestId('buy-button').click(),
  ]);
  assert.equal(added.status(), 200, `the SKU goes in the cart (${await added.text()})`);
  assert.deepEqual(added.request().postDataJSON(), { sku_id: skuId, quantity });
  await page.locator('[data-testid="flash"].flash-success').waitFor();
  return { listingId, sellerId, skuId };
}

/** Fills in and saves a new delivery address on the checkout page; returns its id. */
async function addAddress(page, street) {
  if (await page.getByTestId('address-form').isHidden()) await page.getByTestId('address-new').click();
  await page.getByTestId('a-name').fill('王芳');
  await page.getByTestId('a-phone').fill('13600000001');
  await page.getByTestId('a-province').fill('江西省');
  await page.getByTestId('a-city').fill('赣州市');
  await page.getByTestId('a-district').fill('章贡区');
  await page.getByTestId('a-street').fill(street);
  const [saved] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/me/addresses') && r.request().method() === 'POST'),
    page.getByTestId('address-save').click(),
  ]);
  assert.equal(saved.status(), 201, `the address is saved (${await saved.text()})`);
  const { id } = await saved.json();
  const option = page.locator(`[data-testid="address-option"][data-address-id="${id}"]`);
  await option.waitFor();
  assert.equal(await option.getByTestId('address-radio').isChecked(), true, 'the new address is chosen');
  return id;
}

/** Waits for the seller console's list of the tab it is on. */
async function sellerTab(page, status) {
  await page.locator(`[data-testid="sub-orders"][data-state="done"][data-status="${status}"]`).waitFor();
}

// Handed from the buying story to the refund story.
const bought = { order: null };

// ---- after-sales setup through the API -----------------------------------------------------------

function idempotencyKey() {
  return createHash('sha256').update(String(Math.random()) + Date.now()).digest('hex').slice(0, 32);
}

/** The first selling organisation of whoever this page is logged in as. */
async function sellingOrg(page) {
  const me = await whoAmI(page);
  const m = (me.memberships || []).find((x) => x.org && x.org.kind !== 'business_buyer');
  assert.ok(m, 'a member of a selling organisation');
  return m.org;
}

/**
 * The seller ships a part from the shippable batch of each line's listing (or the named lot):
 * the way the console does it, through the API. Returns the order as the ship call answers it.
 */
async function shipFromBatches(seller, sub, { carrier = '顺丰速运', lot = null } = {}) {
  const org = await sellingOrg(seller);
  const batches = (await callApi(seller, 'GET', `/orgs/${org.id}/batches`)).body;
  const picks = sub.lines.map((l) => {
    const batch = batches.find((b) => b.listing_id === l.listing_id && b.shippable && (!lot || b.lot === lot));
    assert.ok(batch, `a shippable batch of “${l.title}”${lot ? ` (${lot})` : ''}`);
    return { line_id: l.id, batch_id: batch.id };
  });
  const shipped = await callApi(seller, 'POST', `/sub-orders/${sub.id}/ship`,
    { carrier, tracking_no: `SF${String(Date.now()).slice(-9)}`, batches: picks });
  assert.equal(shipped.status, 200, `the part is shipped (${JSON.stringify(shipped.body)})`);
  return shipped.body;
}

describe('Farmgate pages against a running server', () => {
  before(async () => {
    if (!skip) browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('a consumer logs in with the phone number and sees their name in the header',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const page = await s.person();
      await logIn(page, CONSUMER);

      const me = await whoAmI(page);
      assert.ok(me, 'the session cookie works after logging in');
      assert.equal(new URL(page.url()).pathname.replace(/index\.html$/, ''), '/', 'a consumer lands on the home page');
      const header = page.getByTestId('header-user');
      await header.waitFor();
      assert.equal(await header.textContent(), me.account.display_name);
      await page.getByTestId('logout').waitFor();
    }));

  test('a wrong password shows the server\'s error message and stays on the login page',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const page = await s.person();
      await open(page, '/login.html');
      await page.getByTestId('login-input').fill(CONSUMER);
      await page.getByTestId('password-input').fill('not-the-password');
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login')),
        page.getByTestId('login-submit').click(),
      ]);
      assert.equal(response.status(), 401);
      const body = await response.json();
      assert.equal(body.error.code, 'invalid_credentials');

      const shown = page.getByTestId('form-error');
      await shown.waitFor();
      assert.equal((await shown.textContent()).trim(), body.error.message);
      assert.ok(new URL(page.url()).pathname.endsWith('/login.html'), 'still on the login page');
      assert.equal(await page.getByTestId('header-user').count(), 0, 'nobody is logged in');
    }));

  test('the operator lands on the console home, opens the verification queue, rejects the pending organisation with a reason, and its owner sees that reason',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const operator = await s.person();
      await logIn(operator, OPERATOR);
      assert.ok(new URL(operator.url()).pathname.endsWith('/ops/home.html'), 'the operator lands on the console home');
      // The home counts the organisations waiting and links to their queue.
      await Promise.all([
        operator.waitForURL((url) => url.pathname === '/ops/verify.html'),
        operator.getByTestId('ohome-orgs').click(),
      ]);
      await ready(operator);
      await operator.getByTestId('nav-verify').waitFor();

      await operator.getByTestId('results-count').filter({ hasText: /\d/ }).waitFor();
      const card = pendingOwnersCard(operator);
      assert.equal(await card.count(), 1,
        'one pending organisation owned by 13800000009 in the queue (these stories need freshly seeded demo data)');
      const orgId = await card.getAttribute('data-org-id');
      assert.equal(await card.getByTestId('queue-status').getAttribute('data-value'), 'pending');
      for (const field of ['queue-kind', 'queue-licence', 'queue-region', 'queue-contact', 'queue-submitted']) {
        assert.ok((await card.getByTestId(field).textContent()).trim(), `the card shows ${field}`);
      }

      const reason = `营业执照上的名称与填写的不一致，请核对后重新提交（${Date.now()}）`;
      await card.getByTestId('queue-reject').click();
      await card.getByTestId('reject-reason').fill(reason);
      await Promise.all([
        operator.waitForResponse((r) => r.url().includes(`/admin/orgs/${orgId}/reject`) && r.ok()),
        card.getByTestId('queue-reject-confirm').click(),
      ]);
      await operator.locator(`[data-testid="queue-card"][data-org-id="${orgId}"]`).waitFor({ state: 'detached' });
      assert.equal(await operator.getByTestId('flash').getAttribute('class'), 'flash flash-success');

      const owner = await s.person();
      await logIn(owner, PENDING_OWNER);
      assert.ok(new URL(owner.url()).pathname.endsWith('/org.html'), 'a member of an organisation lands on org.html');
      const mine = owner.locator(`[data-testid="my-org-card"][data-org-id="${orgId}"]`);
      await mine.waitFor();
      assert.equal(await mine.getByTestId('org-status').getAttribute('data-value'), 'rejected');
      assert.equal(await mine.getByTestId('org-status-reason-text').textContent(), reason);

      shared.orgId = orgId;
      shared.reason = reason;
    }));

  test('the owner edits the rejected organisation to resubmit it, the operator verifies it and it leaves the pending filter',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      assert.ok(shared.orgId, 'needs the organisation rejected by the previous story');
      const { orgId } = shared;

      const owner = await s.person();
      await logIn(owner, PENDING_OWNER);
      await open(owner, `/org.html?id=${encodeURIComponent(orgId)}`);
      await owner.getByTestId('org-detail').waitFor();
      await owner.getByTestId('org-edit').click();
      const form = owner.getByTestId('org-edit-form');
      await form.waitFor();
      const nameInput = form.locator('input[name="name"]');
      const corrected = (await nameInput.inputValue()).trim() + '（已更正）';
      await nameInput.fill(corrected);
      await Promise.all([
        owner.waitForResponse((r) => r.url().endsWith(`/api/v1/orgs/${orgId}`) && r.request().method() === 'PATCH' && r.ok()),
        owner.getByTestId('org-edit-submit').click(),
      ]);
      const status = owner.getByTestId('detail-status');
      await owner.waitForFunction(() =>
        document.querySelector('[data-testid="detail-status"]')?.dataset.value === 'pending');
      assert.equal(await status.getAttribute('data-value'), 'pending');
      assert.equal(await owner.getByTestId('detail-name').textContent(), corrected);

      const operator = await s.person();
      await logIn(operator, OPERATOR);
      // The operator lands on the console home; the verification queue is one of its tiles.
      await open(operator, '/ops/verify.html');
      const card = operator.locator(`[data-testid="queue-card"][data-org-id="${orgId}"]`);
      await card.waitFor();
      await card.getByTestId('queue-verify').click();
      await Promise.all([
        operator.waitForResponse((r) => r.url().includes(`/admin/orgs/${orgId}/verify`) && r.ok()),
        card.getByTestId('queue-verify-confirm').click(),
      ]);
      await card.waitFor({ state: 'detached' });

      // Reloading the pending filter from scratch: it stays gone.
      await open(operator, '/ops/verify.html?status=pending');
      await operator.getByTestId('results-count').filter({ hasText: /\d/ }).waitFor();
      assert.equal(await operator.locator(`[data-testid="queue-card"][data-org-id="${orgId}"]`).count(), 0);

      await owner.reload();
      await ready(owner);
      const mine = owner.locator(`[data-testid="my-org-card"][data-org-id="${orgId}"]`);
      await mine.waitFor();
      assert.equal(await mine.getByTestId('org-status').getAttribute('data-value'), 'verified');
      assert.equal(await mine.getByTestId('org-status-reason').count(), 0, 'no rejection reason once verified');
    }));

  test('the language switch turns the login page into English and back',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const page = await s.person();
      await open(page, '/login.html');
      const heading = page.getByTestId('login-heading');
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
      assert.equal(await heading.textContent(), '登录');

      await switchLanguage(page, 'en');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await heading.textContent(), 'Log in');
      assert.equal(await page.getByTestId('login-submit').textContent(), 'Log in');
      assert.equal(await page.getByTestId('lang-en').getAttribute('aria-pressed'), 'true');
      assert.match(await page.title(), /Log in/);

      await page.reload();
      await ready(page);
      assert.equal(await heading.textContent(), 'Log in', 'the choice is remembered');
      assert.equal(await page.evaluate(() => localStorage.getItem('fg_lang')), 'en');

      await switchLanguage(page, 'zh');
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
      assert.equal(await heading.textContent(), '登录');
      assert.equal(await page.evaluate(() => localStorage.getItem('fg_lang')), 'zh-CN');
    }));

  test('the pages work at a 360×740 viewport without horizontal scrolling',
    { timeout: STORY_TIMEOUT * 2, skip }, scenario(async (s) => {
      const check = async (page, path) => {
        await open(page, path);
        await page.waitForLoadState('networkidle');
        for (const lang of ['zh', 'en']) {
          await switchLanguage(page, lang);
          const width = await scrollWidth(page);
          assert.ok(width <= 360, `${path} (${lang}) is ${width}px wide`);
        }
      };

      const visitor = await s.person({ width: 360, height: 740 });
      for (const path of ['/', '/login.html', '/register.html', '/search.html?q=%E8%84%90%E6%A9%99']) await check(visitor, path);
      await visitor.getByTestId('filter-toggle').click();
      await visitor.getByTestId('filter-panel').waitFor();
      assert.ok(await scrollWidth(visitor) <= 360, 'the open filter panel fits');
      const firstCard = visitor.getByTestId('product-card').first();
      if (await firstCard.count()) {
        const id = await firstCard.getAttribute('data-listing-id');
        await check(visitor, `/listing.html?id=${encodeURIComponent(id)}`);
        const sellerId = await visitor.getByTestId('seller-card').getAttribute('href');
        await check(visitor, sellerId);
      }

      const owner = await s.person({ width: 360, height: 740 });
      await logIn(owner, COOP_OWNER);
      for (const path of ['/', '/account.html', '/seller/listings.html', '/seller/edit.html', '/seller/batches.html']) await check(owner, path);
      await owner.getByTestId('new-batch').click();
      await owner.getByTestId('batch-form').waitFor();
      assert.ok(await scrollWidth(owner) <= 360, 'the new-batch form fits');
      const firstBatch = owner.getByTestId('batch-row-open').first();
      if (await firstBatch.count()) await check(owner, await firstBatch.getAttribute('href'));
      for (const path of ['/seller/orders.html', '/seller/orders.html?status=received', '/seller/settlement.html', '/cart.html', '/orders.html',
        '/seller/claims.html', '/seller/claims.html?status=resolved', '/claims.html', '/seller/quality.html', '/ops/recalls.html']) {
        await check(owner, path);
      }
      await check(owner, '/org.html');
      // The selected organisation with its members and invitations open.
      await owner.getByTestId('org-select').first().click();
      await owner.getByTestId('org-detail').waitFor();
      await owner.waitForLoadState('networkidle');
      assert.ok(await scrollWidth(owner) <= 360, 'org details fit');

      const operator = await s.person({ width: 360, height: 740 });
      await logIn(operator, OPERATOR);
      await check(operator, '/ops/listings.html');
      await check(operator, '/ops/orders.html');
      await check(operator, '/ops/claims.html');
      await check(operator, '/ops/recalls.html');
      await check(operator, '/ops/quality.html');
      await check(operator, '/ops/quality.html?group_by=seller_kind');
      await check(operator, '/ops/categories.html');
      for (const status of ['pending', 'verified', 'rejected']) {
        await check(operator, `/ops/verify.html?status=${status}`);
      }
      const card = operator.getByTestId('queue-card').first();
      if (await card.count()) {
        await card.getByTestId('queue-history').click();
        await operator.waitForLoadState('networkidle');
        assert.ok(await scrollWidth(operator) <= 360, 'a card with its history fits');
      }
    }));

  test('a consumer searches 脐橙 from the home page, narrows the results by township and seller kind, and pinyin qicheng finds 脐橙 too',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const page = await s.person();
      await logIn(page, CONSUMER);
      await open(page, '/');
      await page.getByTestId('home-search-input').fill('脐橙');
      await Promise.all([
        page.waitForURL((url) => url.pathname === '/search.html'),
        page.getByTestId('home-search-submit').click(),
      ]);
      await ready(page);
      await searchSettled(page);
      assert.equal(new URL(page.url()).searchParams.get('q'), '脐橙');
      assert.ok(await page.getByTestId('product-card').count() > 0, 'some results');
      const marks = await page.locator('[data-testid="product-title"] mark').allTextContents();
      assert.ok(marks.some((m) => m.includes('脐橙')), `脐橙 is highlighted (marks: ${marks.join(', ')})`);
      const total = await resultTotal(page);

      // Narrow to one township of origin through the filter panel.
      await page.getByTestId('filter-toggle').click();
      await page.getByTestId('filter-panel').waitFor();
      const option = page.locator('[data-testid="facet-township"]:not([data-value=""])').first();
      await option.waitFor();
      const township = await option.getAttribute('data-value');
      await option.click();
      await Promise.all([
        page.waitForURL((url) => url.searchParams.get('township') === township),
        page.getByTestId('filter-apply').click(),
      ]);
      await searchSettled(page);
      const inTownship = await resultTotal(page);
      assert.ok(inTownship > 0 && inTownship <= total, `the count shrinks or stays (${total} → ${inTownship})`);
      const cards = page.getByTestId('product-card');
      assert.ok(await cards.count() > 0);
      for (const card of await cards.all()) {
        assert.equal(await card.getAttribute('data-township'), township);
        assert.equal((await card.getByTestId('product-township').textContent()).trim().endsWith(township), true);
      }
      assert.equal(new URL(page.url()).searchParams.get('q'), '脐橙', 'the keyword stays');
      assert.equal(await page.getByTestId('active-filter').count(), 1, 'the filter shows as a chip');

      // And to cooperatives (合作社), when the facets offer them.
      await page.getByTestId('filter-toggle').click();
      const coop = page.locator('[data-testid="facet-seller-kind"][data-value="cooperative"]');
      if (await coop.count()) {
        await coop.click();
        await Promise.all([
          page.waitForURL((url) => url.searchParams.get('seller_kind') === 'cooperative'),
          page.getByTestId('filter-apply').click(),
        ]);
        await searchSettled(page);
        assert.ok(await resultTotal(page) <= inTownship);
        for (const card of await page.getByTestId('product-card').all()) {
          assert.equal(await card.getAttribute('data-seller-kind'), 'cooperative');
          assert.equal(await card.getAttribute('data-township'), township);
        }
        // The back button returns to the township-only results.
        await page.goBack();
        await searchSettled(page);
        assert.equal(new URL(page.url()).searchParams.get('seller_kind'), null);
        assert.equal(await resultTotal(page), inTownship);
      } else {
        await page.getByTestId('filter-toggle').click();
      }

      // Pinyin finds the same fruit.
      await open(page, '/search.html?q=qicheng');
      await searchSettled(page);
      const titles = await page.getByTestId('product-title').allTextContents();
      assert.ok(titles.some((title) => title.includes('脐橙')), `qicheng finds a 脐橙 listing (got: ${titles.slice(0, 5).join(' | ')})`);
    }));

  test('a listing goes from draft to review to visible: the cooperative writes it, the operator approves it, a consumer finds it',
    { timeout: STORY_TIMEOUT * 2, skip }, scenario(async (s) => {
      const title = `测试脐橙 ${String(Date.now()).slice(-9)}`;

      const owner = await s.person();
      await logIn(owner, COOP_OWNER);
      const orgId = await newListingForm(owner);
      await fillFacts(owner, title);
      await fillSku(owner.getByTestId('sku-row').first(), { name: '5斤装', price: '12.30' });
      const [created] = await Promise.all([
        owner.waitForResponse((r) => r.url().endsWith(`/api/v1/orgs/${orgId}/listings`) && r.request().method() === 'POST'),
        owner.getByTestId('listing-save').click(),
      ]);
      assert.equal(created.status(), 201, 'the draft is created');
      const listing = await created.json();
      assert.equal(listing.status, 'draft');
      await owner.locator('[data-testid="edit-status-badge"][data-value="draft"]').waitFor();
      await owner.waitForURL((url) => url.searchParams.get('id') === listing.id);

      const [submitted] = await Promise.all([
        owner.waitForResponse((r) => r.url().endsWith(`/api/v1/listings/${listing.id}/submit`)),
        owner.getByTestId('listing-submit-review').click(),
      ]);
      assert.ok(submitted.ok(), `submitting answers ${submitted.status()}`);
      await owner.locator('[data-testid="edit-status-badge"][data-value="pending"]').waitFor();

      // Waiting for review: nobody outside the cooperative can find or open it.
      const consumer = await s.person();
      await logIn(consumer, CONSUMER);
      assert.equal(await searchFinds(consumer, title, listing.id, 'newest'), false, 'not findable before approval');
      await open(consumer, `/listing.html?id=${encodeURIComponent(listing.id)}`);
      await consumer.getByTestId('listing-missing').waitFor();

      const operator = await s.person();
      await logIn(operator, OPERATOR);
      await operator.getByTestId('nav-listing-reviews').click();
      await operator.waitForURL((url) => url.pathname === '/ops/listings.html');
      await ready(operator);
      const card = operator.locator(`[data-testid="review-card"][data-listing-id="${listing.id}"]`);
      await card.waitFor();
      assert.equal(await card.getByTestId('review-kind').getAttribute('data-value'), 'new');
      assert.equal(await card.getByTestId('review-title').textContent(), title);
      await card.getByTestId('review-approve').click();
      await Promise.all([
        operator.waitForResponse((r) => /\/api\/v1\/admin\/listing-reviews\/[^/]+\/approve$/.test(r.url()) && r.ok()),
        card.getByTestId('review-approve-confirm').click(),
      ]);
      await card.waitFor({ state: 'detached' });

      // The search index catches up asynchronously: give it up to 10 seconds. Search answers may
      // be cached for a few seconds (Cache-Control), so each try asks in another order: a new
      // address, a fresh answer.
      const deadline = Date.now() + 10_000;
      const orders = ['', 'price_asc', 'price_desc', 'sales'];
      let found = false;
      for (let attempt = 0; !found; attempt += 1) {
        found = await searchFinds(consumer, title, listing.id, orders[attempt % orders.length]);
        if (found) break;
        assert.ok(Date.now() < deadline, 'the approved listing is findable within 10 s');
        await consumer.waitForTimeout(500);
      }
      const hit = consumer.locator(`[data-testid="product-card"][data-listing-id="${listing.id}"]`);
      assert.equal((await hit.getByTestId('product-title').textContent()).trim(), title);
      await Promise.all([
        consumer.waitForURL((url) => url.pathname === '/listing.html'),
        hit.locator('a.product-link').click(),
      ]);
      await ready(consumer);
      await consumer.getByTestId('listing-title').waitFor();
      assert.equal(await consumer.getByTestId('listing-title').textContent(), title);
      assert.equal((await consumer.getByTestId('sku-price').first().locator('.price-amount').textContent()).trim(), '¥12.30');
      assert.equal(await consumer.getByTestId('buy-button').isDisabled(), false, 'the SKU can go in the cart');
      assert.equal(await consumer.getByTestId('tiers').count(), 0, 'a consumer sees no wholesale tiers');
    }));

  test('a seller\'s bad input (price 0, a wholesale price above retail) shows messages next to those inputs and creates nothing',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const title = `测试错误输入 ${String(Date.now()).slice(-9)}`;
      const owner = await s.person();
      await logIn(owner, COOP_OWNER);
      const orgId = await newListingForm(owner);
      const categoryId = await fillFacts(owner, title);
      const sent = [];
      owner.on('response', (r) => {
        if (r.request().method() === 'POST' && r.url().endsWith(`/api/v1/orgs/${orgId}/listings`)) sent.push(r.status());
      });

      const first = owner.getByTestId('sku-row').nth(0);
      await fillSku(first, { name: '5斤装', price: '0' });
      await owner.getByTestId('add-sku').click();
      const second = owner.getByTestId('sku-row').nth(1);
      await fillSku(second, { name: '10斤装', price: '10.00', weight: '5200' });
      await second.getByTestId('tier-add').click();
      await second.getByTestId('tier-min-quantity').fill('10');
      await second.getByTestId('tier-price').fill('12.00');
      await owner.getByTestId('listing-save').click();

      const priceError = first.getByTestId('sku-price-error');
      await priceError.waitFor();
      assert.ok((await priceError.textContent()).trim(), 'a message under the first price');
      assert.equal(await first.getByTestId('sku-price').getAttribute('aria-invalid'), 'true');
      const tiersError = second.getByTestId('sku-tiers-error');
      await tiersError.waitFor();
      assert.ok((await tiersError.textContent()).trim(), 'a message under the second SKU\'s tiers');
      assert.equal(await second.getByTestId('sku-price-error').isVisible(), false, 'the second price itself is fine');
      assert.equal(await first.getByTestId('sku-tiers-error').isVisible(), false);
      await owner.getByTestId('form-error').first().waitFor();
      await owner.waitForTimeout(300);
      assert.ok(sent.every((status) => status >= 400), `nothing was accepted (${sent.join(', ')})`);
      assert.ok(!new URL(owner.url()).searchParams.get('id'), 'still a new listing');

      // The server refuses the same input under the names the page places its messages by,
      // and it created nothing.
      const check = await owner.evaluate(async ({ orgId, categoryId, title }) => {
        const me = await (await fetch('/api/v1/auth/me')).json();
        const org = me.memberships.find((m) => m.org.id === orgId).org;
        const sku = (name, price, extra = {}) => ({ name, unit: 'box', price, stock: 50, weight_grams: 2600, ...extra });
        const response = await fetch(`/api/v1/orgs/${orgId}/listings`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Accept-Language': 'zh-CN' },
          body: JSON.stringify({
            category_id: categoryId, title, description: '', origin: org.region,
            skus: [sku('5斤装', 0), sku('10斤装', 1000, { tiers: [{ min_quantity: 10, price: 1200 }] })],
          }),
        });
        const body = await response.json();
        const mine = await (await fetch(`/api/v1/orgs/${orgId}/listings`)).json();
        return { status: response.status, fields: Object.keys((body.error && body.error.fields) || {}), created: mine.filter((l) => l.title === title).length };
      }, { orgId, categoryId, title });
      assert.equal(check.status, 422);
      assert.ok(check.fields.includes('skus[0].price'), `server fields: ${check.fields.join(', ')}`);
      assert.ok(check.fields.some((f) => f.startsWith('skus[1].tiers')), `server fields: ${check.fields.join(', ')}`);
      assert.equal(check.created, 0, 'no listing was created');
    }));

  test('a name containing <script>alert(1)</script> registered through the UI shows verbatim and no dialog opens',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      // Display names are at most 32 characters.
      const name = `测试<script>alert(1)</script>';--`;
      const phone = '19' + String(Date.now()).slice(-9);
      const page = await s.person();
      await open(page, '/register.html');
      await page.getByTestId('register-name').fill(name);
      await page.getByTestId('register-contact').fill(phone);
      await page.getByTestId('register-password').fill('a-long-password-1');
      // The code goes to the phone; in demo mode the operator reads it in the SMS outbox.
      await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/codes') && r.status() === 202),
        page.getByTestId('register-send-code').click(),
      ]);
      const operator = await s.person();
      await logIn(operator, OPERATOR);
      const code = await operator.evaluate(async (to) => {
        const outbox = await (await fetch('/api/v1/admin/sms?limit=50')).json();
        const message = outbox.items.find((m) => m.phone === to);
        return message && message.params.code;
      }, phone);
      assert.match(code || '', /^\d{6}$/, 'the code is in the SMS outbox');
      await page.getByTestId('register-code').fill(code);
      await Promise.all([
        page.waitForURL((url) => !url.pathname.endsWith('/register.html')),
        page.getByTestId('register-submit').click(),
      ]);
      await ready(page);

      await page.getByTestId('header-user').waitFor();
      assert.equal(await page.getByTestId('header-user').textContent(), name);
      assert.match(await page.getByTestId('home-greeting').textContent(), /<script>alert\(1\)<\/script>/);

      await open(page, '/account.html');
      const profileName = page.getByTestId('profile-name').locator('dd');
      await profileName.waitFor();
      assert.equal(await profileName.textContent(), name);

      const injected = await page.evaluate(() => ({
        scripts: Array.from(document.scripts).filter((el) => el.textContent.includes('alert')).length,
        images: document.querySelectorAll('img').length,
      }));
      assert.deepEqual(injected, { scripts: 0, images: 0 }, 'the name never became markup');
      await page.waitForTimeout(300);
      assert.deepEqual(s.dialogs, [], 'no dialog opened');
    }));
  test('a cooperative creates a batch, records a harvest with a lab report, prints labels, and a consumer scans it',
    { timeout: STORY_TIMEOUT * 2, skip }, scenario(async (s) => {
      const owner = await s.person({ width: 360, height: 740 });
      await logIn(owner, COOP_OWNER);
      const secure = await owner.evaluate(() => window.isSecureContext);
      const batch = await createBatch(owner, { locate: secure });

      // The batch page: its trace code, the QR of it, the certificate, and the chain so far.
      assert.equal((await owner.getByTestId('batch-code').textContent()).trim(), batch.code_display);
      assert.equal(await owner.getByTestId('batch-qr').getAttribute('src'), `/api/v1/batches/${batch.id}/qr.svg`);
      assert.ok(await owner.getByTestId('batch-qr').evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR image loads');
      // A code may end in a check symbol such as `$`, which the link percent-encodes.
      assert.equal(decodeURIComponent(await owner.getByTestId('view-public').getAttribute('href')), `/t/${batch.code}`);
      assert.equal(await owner.getByTestId('cert-commitments').locator('li[data-made="true"]').count(), 3);
      const before = await timelineEvents(owner).count();
      assert.ok(before >= 1, 'the batch starts with its record of creation');

      // An inspection, passed, with the lab's report attached (uploaded first, then named).
      const pdf = tinyPdf('Residue test report: all items within limits');
      const response = await addEvent(owner, 'inspection', null, async () => {
        await owner.getByTestId('ev-lab').fill('青石县农产品质量安全检测站');
        await owner.getByTestId('ev-method').fill('GB 23200.113-2018');
        await owner.getByTestId('ev-items').fill('有机磷、氨基甲酸酯类农药残留');
        await owner.getByTestId('ev-result-pass').check();
        await owner.getByTestId('ev-file-pick').setInputFiles({ name: '检测报告.pdf', mimeType: 'application/pdf', buffer: pdf });
        await owner.getByTestId('ev-attachment').waitFor();
      });
      assert.equal(response.status(), 201, `the inspection is recorded (${await response.text()})`);
      const sent = response.request().postDataJSON();
      assert.equal(sent.attachments.length, 1, 'the event names the uploaded report');
      assert.match(sent.occurred_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'an RFC 3339 UTC instant');

      const inspection = timelineEvents(owner, 'inspection');
      await inspection.waitFor();
      assert.equal(await inspection.getByTestId('inspection-result').getAttribute('data-value'), 'pass');
      assert.equal((await inspection.getByTestId('attachment-link').textContent()).trim(), '检测报告.pdf');
      const digest = createHash('sha256').update(pdf).digest('hex');
      assert.equal((await inspection.getByTestId('attachment-sha').textContent()).trim(), digest.slice(0, 12),
        'the stored report has the bytes that were sent');
      assert.equal(await inspection.getByTestId('copy-hash').getAttribute('data-hash'), digest);
      const after = await timelineEvents(owner).count();
      assert.equal(after, before + 1);
      await owner.locator('[data-testid="verification"][data-ok="true"]').waitFor();
      const verified = (await owner.getByTestId('verification-text').textContent()).trim();
      assert.ok(verified.includes(String(after)), `the banner counts ${after} records: "${verified}"`);
      assert.ok(await scrollWidth(owner) <= 360, 'the batch page with its timeline fits 360 px');

      // The label sheet opens in a new tab: certificate heading and a QR drawn as SVG.
      const [labels] = await Promise.all([
        owner.context().waitForEvent('page'),
        owner.getByTestId('print-labels').click(),
      ]);
      s.pages.push(labels);
      await labels.waitForLoadState('domcontentloaded');
      const labelsUrl = new URL(labels.url());
      assert.equal(labelsUrl.pathname, `/batches/${batch.id}/labels`);
      assert.equal(labelsUrl.searchParams.get('per_page'), '12');
      assert.match(await labels.content(), /承诺达标合格证/);
      assert.ok(await labels.locator('svg').count() > 0, 'the labels carry a QR code as SVG');

      // The operator may look at it, but not write.
      const operator = await s.person();
      await logIn(operator, OPERATOR);
      await open(operator, `/seller/batch.html?id=${encodeURIComponent(batch.id)}`);
      await operator.locator('[data-testid="batch"][data-ready="true"]').waitFor();
      assert.equal((await operator.getByTestId('batch-code').textContent()).trim(), batch.code_display);
      assert.equal(await timelineEvents(operator, 'inspection').count(), 1);
      assert.ok(await operator.getByTestId('batch-read-only').isVisible(), 'the operator is told the page is read-only');
      assert.equal(await operator.getByTestId('add-event').isVisible(), false, 'no form to add records');

      // A consumer scans the code: no login, the server's own page.
      const consumer = await s.person();
      const isBeacon = (r) => new URL(r.url()).pathname === `/t/${batch.code}/seen` && r.request().method() === 'POST';
      const beacon = consumer.waitForResponse(isBeacon);
      const scanned = await consumer.goto(`/t/${batch.code}`);
      assert.equal(scanned.status(), 200);
      // The page's beacon counts this look-up (the HTML does not, so a CDN's copy counts too)
      // and the figure shows its answer.
      const counted = await (await beacon).json();
      await consumer.locator('[data-testid="scans"][data-counted="true"]').waitFor();
      assert.ok(counted.scans >= 1, JSON.stringify(counted));
      assert.equal((await consumer.getByTestId('scans').textContent()).trim(), String(counted.scans));
      assert.equal(counted.counted, true);
      assert.match(new URL((await beacon).url()).searchParams.get('v') || '', /^[0-9a-f]{32}$/, 'the beacon names this phone');
      // Reloading is the same visitor looking again: shown the total, not counted twice.
      const again = consumer.waitForResponse(isBeacon);
      await consumer.reload();
      const repeat = await (await again).json();
      await consumer.locator('[data-testid="scans"][data-counted="repeat"]').waitFor();
      assert.equal(repeat.counted, false, JSON.stringify(repeat));
      assert.equal(repeat.scans, counted.scans, 'a reload is not another scan');
      const product = consumer.getByTestId('product-title');
      await product.waitFor();
      const productText = (await product.textContent()).trim();
      assert.ok(productText.includes(batch.facts.certificate.product_name || batch.listing.title),
        `the product is named ("${productText}")`);
      const timeline = (await consumer.getByTestId('timeline').textContent()).replace(/\s+/g, ' ');
      assert.match(timeline, /(^|[^不])合格/, 'the inspection shows 合格 (and not 不合格)');
      const verdict = consumer.getByTestId('verdict');
      const marks = ['class', 'data-ok', 'data-state', 'data-value', 'data-result'];
      const markText = (await Promise.all(marks.map((a) => verdict.getAttribute(a)))).filter(Boolean).join(' ');
      const verdictText = (await verdict.textContent()).replace(/\s+/g, ' ').trim();
      const okMark = /(^|[\s_-])(ok|pass|passed|valid|verified|true)($|[\s_-])/i.test(markText);
      const badMark = /(^|[\s_-])(bad|fail|failed|broken|invalid|tampered|false)($|[\s_-])/i.test(markText);
      const okText = /通过|verified/i.test(verdictText) && !/未通过|不通过|not verified|fail/i.test(verdictText);
      assert.ok((okMark || okText) && !badMark, `the chain verifies (class/data: "${markText}", text: "${verdictText}")`);
    }));

  test('a harvest recorded inside a pesticide\'s safe interval is refused with the earliest allowed date',
    { timeout: STORY_TIMEOUT * 2, skip }, scenario(async (s) => {
      const owner = await s.person({ width: 360, height: 740 });
      await logIn(owner, COOP_OWNER);
      const batch = await createBatch(owner);

      // A pesticide sprayed two days ago, with a 14-day safe pre-harvest interval.
      const sprayed = await addEvent(owner, 'input', beijingLocal(-2 * DAY_MS), async () => {
        await owner.getByTestId('ev-category').selectOption('pesticide');
        await owner.getByTestId('ev-product').fill('吡虫啉');
        await owner.getByTestId('ev-dose').fill('10% 可湿性粉剂 2000 倍液');
        await owner.getByTestId('ev-safe-interval-days').fill('14');
      });
      assert.equal(sprayed.status(), 201, `the spraying is recorded (${await sprayed.text()})`);
      const input = timelineEvents(owner, 'input');
      await input.waitFor();
      assert.match(await input.getByTestId('safe-interval').textContent(), /14/);
      const count = await timelineEvents(owner).count();

      // Harvesting yesterday falls inside those 14 days.
      const refused = await addEvent(owner, 'harvest', beijingLocal(-DAY_MS), async () => {
        await owner.getByTestId('ev-quantity').fill('500');
        await owner.getByTestId('ev-unit').selectOption('jin');
      });
      assert.equal(refused.status(), 422);
      const body = await refused.json();
      const message = body.error && body.error.fields && body.error.fields.occurred_at;
      assert.ok(message, `the server names occurred_at (fields: ${JSON.stringify(body.error && body.error.fields)})`);
      assert.match(message, /\d{4}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}/, 'the message names the earliest date');

      const shown = owner.getByTestId('ev-occurred-at-error');
      await shown.waitFor();
      assert.equal((await shown.textContent()).trim(), message.trim(), 'the server\'s words, next to the time');
      assert.ok(await shown.isVisible());
      assert.equal(await owner.getByTestId('ev-occurred-at').getAttribute('aria-invalid'), 'true');
      assert.equal(await timelineEvents(owner, 'harvest').count(), 0, 'no harvest in the timeline');
      assert.equal(await timelineEvents(owner).count(), count);
      const stored = await owner.evaluate(async (id) => (await (await fetch(`/api/v1/batches/${id}`)).json()).events.map((e) => e.kind), batch.id);
      assert.ok(!stored.includes('harvest'), `the server kept no harvest (${stored.join(', ')})`);
      assert.ok(await scrollWidth(owner) <= 360, 'the refused form fits 360 px');
    }));
  test('a consumer buys from two sellers, pays in the sandbox, each seller ships with a batch, the consumer confirms receipt and reviews, and the review shows on the listing',
    { timeout: STORY_TIMEOUT * 4, skip }, scenario(async (s) => {
      const stamp = String(Date.now()).slice(-8);
      const consumer = await s.person({ width: 360, height: 740 });
      await logIn(consumer, CONSUMER);
      await emptyCart(consumer);

      // Two SKUs from two sellers, found by searching and put in the cart from their pages.
      const orange = await addToCart(consumer, '梅岭果园直发', '梅岭果园直发', 2);
      const rice = await addToCart(consumer, '稻花香大米 当季新米', '当季新米', 1);
      assert.notEqual(orange.sellerId, rice.sellerId, 'two different sellers');

      // The cart groups them by seller.
      await consumer.getByTestId('nav-cart').click();
      await consumer.waitForURL((url) => url.pathname === '/cart.html');
      await ready(consumer);
      await consumer.locator('[data-testid="cart"][data-state="done"]').waitFor();
      const groups = consumer.getByTestId('cart-group');
      assert.equal(await groups.count(), 2, 'one group per seller');
      assert.deepEqual((await groups.evaluateAll((gs) => gs.map((g) => g.dataset.sellerId))).sort(), [orange.sellerId, rice.sellerId].sort());
      const orangeLine = consumer.locator(`[data-testid="cart-line"][data-sku-id="${orange.skuId}"]`);
      assert.equal(await orangeLine.getByTestId('cart-qty').inputValue(), '2');
      assert.equal(await orangeLine.getAttribute('data-state'), 'on_sale');
      // Each seller's parcel shows the server's shipping and total; the summary adds them up.
      const cartNow = await consumer.evaluate(async () => (await fetch('/api/v1/cart')).json());
      for (const parcel of cartNow.sellers) {
        const group = consumer.locator(`[data-testid="cart-group"][data-seller-id="${parcel.seller_id}"]`);
        assert.equal(await group.getByTestId('cart-group-total').getAttribute('data-fen'), String(parcel.total));
        assert.equal(await group.getByTestId('cart-group-shipping').getAttribute('data-fen'), String(parcel.shipping));
      }
      assert.equal(await consumer.getByTestId('cart-total').getAttribute('data-fen'), String(cartNow.total));
      assert.equal(cartNow.total, cartNow.goods_total + cartNow.shipping);
      assert.ok(await scrollWidth(consumer) <= 360, 'the cart fits 360 px');

      // Checkout: a new address, online payment, a note; one Idempotency-Key.
      await Promise.all([
        consumer.waitForURL((url) => url.pathname === '/checkout.html'),
        consumer.getByTestId('cart-checkout').click(),
      ]);
      await ready(consumer);
      await consumer.locator('[data-testid="order-form"][data-ready="true"]').waitFor();
      assert.equal(await consumer.getByTestId('checkout-seller').count(), 2, 'each seller\'s part with its subtotal');
      assert.equal(await consumer.getByTestId('checkout-total').getAttribute('data-fen'), String(cartNow.total), 'checkout charges what the cart said');
      const addressId = await addAddress(consumer, `红旗大道 18 号 ${stamp} 室`);
      await consumer.getByTestId('method-gateway').check();
      await consumer.getByTestId('order-note').fill('请工作日下午送货');
      assert.ok(await scrollWidth(consumer) <= 360, 'the checkout fits 360 px');
      const placed = await posted(consumer, '/api/v1/orders', () => consumer.getByTestId('place-order').click());
      assert.equal(placed.status, 201, `the order is placed (${JSON.stringify(placed.body)})`);
      assert.match(placed.request.headers()['idempotency-key'] || '', /^[0-9a-f]{32}$/, 'an Idempotency-Key goes with it');
      assert.deepEqual(placed.request.postDataJSON(), { address_id: addressId, payment_method: 'gateway', note: '请工作日下午送货' });
      const order = placed.body;
      assert.equal(order.sub_orders.length, 2, 'one sub-order per seller');
      assert.equal(order.status, 'pending_payment');

      // The sandbox gateway's page: clearly a sandbox, the order's number and amount.
      await consumer.waitForURL((url) => url.pathname === '/pay/sandbox.html');
      await ready(consumer);
      await consumer.getByTestId('sandbox-banner').waitFor();
      await consumer.locator('[data-testid="sandbox"][data-status="pending"]').waitFor();
      assert.equal(await consumer.getByTestId('sandbox-amount').getAttribute('data-fen'), String(order.total));
      assert.equal((await consumer.getByTestId('sandbox-order').locator('dd').textContent()).trim(), order.number);
      assert.ok(await scrollWidth(consumer) <= 360, 'the sandbox page fits 360 px');
      await Promise.all([
        consumer.waitForURL((url) => url.pathname === '/order.html' && url.searchParams.get('id') === order.id),
        consumer.getByTestId('sandbox-confirm').click(),
      ]);
      await ready(consumer);
      await consumer.locator('[data-testid="order"][data-ready="true"]').waitFor();
      assert.equal(await consumer.getByTestId('order-status').getAttribute('data-value'), 'paid', 'the order is paid');
      assert.equal(await consumer.getByTestId('order-pay').count(), 0, 'nothing left to pay');
      assert.equal(await consumer.getByTestId('order-cancel').count(), 0, 'nor to cancel');

      // Each seller acknowledges and ships its part, naming the demo batch it was packed from.
      const sellers = [
        { phone: COOP_OWNER, sellerId: orange.sellerId, listingId: orange.listingId, lot: 'ML-2026-11-A' },
        { phone: RICE_OWNER, sellerId: rice.sellerId, listingId: rice.listingId, lot: 'LQ-2026-10-01' },
      ];
      const codes = {};
      for (const [i, who] of sellers.entries()) {
        const seller = await s.person({ width: 360, height: 740 });
        await logIn(seller, who.phone);
        await seller.getByTestId('nav-seller-orders').click();
        await seller.waitForURL((url) => url.pathname === '/seller/orders.html');
        await ready(seller);
        await sellerTab(seller, 'paid');
        const card = seller.locator(`[data-testid="seller-sub"][data-order-id="${order.id}"]`);
        await card.waitFor();
        assert.equal(await card.count(), 1, 'the seller sees its own part only');
        assert.equal(await card.getAttribute('data-status'), 'paid');
        await Promise.all([
          seller.waitForResponse((r) => /\/api\/v1\/sub-orders\/[^/]+\/acknowledge$/.test(r.url()) && r.ok()),
          card.getByTestId('sub-acknowledge').click(),
        ]);
        await seller.getByTestId('tab-acknowledged').click();
        await sellerTab(seller, 'acknowledged');
        await card.waitFor();
        await card.getByTestId('sub-ship').click();
        const form = card.getByTestId('ship-form');
        await form.waitFor();
        await form.getByTestId('ship-carrier').selectOption('shunfeng');
        await form.getByTestId('ship-tracking').fill(`SF${stamp}${i}`);
        const lines = form.getByTestId('ship-line');
        for (const line of await lines.all()) {
          assert.equal(await line.getAttribute('data-listing-id'), who.listingId, 'only the line\'s own listing');
          for (const box of await line.getByTestId('ship-batch-check').all()) await box.uncheck().catch(() => {});
        }
        // Only the batches of the line's listing that may ship now are offered.
        const shippable = await seller.evaluate(async ({ org, listing }) => {
          const list = await (await fetch(`/api/v1/orgs/${org}/batches`)).json();
          return list.filter((b) => b.listing_id === listing && b.shippable).map((b) => b.id).sort();
        }, { org: who.sellerId, listing: who.listingId });
        const offered = await form.getByTestId('ship-batch').evaluateAll((labels) => labels.map((l) => l.dataset.batchId).sort());
        assert.deepEqual(offered, shippable, 'exactly the shippable batches of this listing');
        const batch = form.locator(`[data-testid="ship-batch"][data-lot="${who.lot}"]`);
        assert.equal(await batch.count(), 1, `the demo batch ${who.lot} is offered for this line`);
        await batch.getByTestId('ship-batch-check').check();
        assert.ok(await scrollWidth(seller) <= 360, 'the ship form fits 360 px');
        const [shipped] = await Promise.all([
          seller.waitForResponse((r) => /\/api\/v1\/sub-orders\/[^/]+\/ship$/.test(r.url())),
          form.getByTestId('ship-submit').click(),
        ]);
        assert.equal(shipped.status(), 200, `the part is shipped (${await shipped.text()})`);
        const sent = shipped.request().postDataJSON();
        assert.equal(sent.carrier, 'shunfeng', 'the carrier is a code of the list');
        assert.equal(sent.batches.length, 1);
        const after = await shipped.json();
        const sub = after.sub_orders.find((x) => x.seller_id === who.sellerId);
        assert.equal(sub.status, 'shipped');
        assert.equal(sub.shipment.batches[0].lot, who.lot);
        codes[who.listingId] = sub.shipment.batches[0].code;
        await card.waitFor({ state: 'detached' });

        // On its way: a logistics event, then the packing list with the batch's QR code.
        await seller.getByTestId('tab-shipped').click();
        await sellerTab(seller, 'shipped');
        const shippedCard = seller.locator(`[data-testid="seller-sub"][data-order-id="${order.id}"]`);
        await shippedCard.getByTestId('sub-logistics').click();
        await shippedCard.getByTestId('logistics-kind').selectOption('in_transit');
        await shippedCard.getByTestId('logistics-location').fill('赣州转运中心');
        await Promise.all([
          seller.waitForResponse((r) => /\/api\/v1\/sub-orders\/[^/]+\/logistics$/.test(r.url()) && r.ok()),
          shippedCard.getByTestId('logistics-submit').click(),
        ]);
        await shippedCard.locator('[data-testid="logistics-event"][data-kind="in_transit"]').waitFor();
        const packingHref = await shippedCard.getByTestId('sub-packing').getAttribute('href');
        await open(seller, packingHref);
        await seller.locator('#packing-body[data-ready="true"]').waitFor();
        assert.equal((await seller.getByTestId('packing-order-number').locator('dd').textContent()).trim(), order.number);
        const qr = seller.getByTestId('packing-qr').first();
        await qr.waitFor();
        await seller.waitForFunction(() => {
          const img = document.querySelector('[data-testid="packing-qr"]');
          return img && img.complete && img.naturalWidth > 0;
        });
        assert.equal(await seller.getByTestId('packing-batch').first().getAttribute('data-code'), codes[who.listingId]);
        assert.ok(await scrollWidth(seller) <= 360, 'the packing list fits 360 px');

        // The part is on the seller's statement for today, still pending (the demo's order
        // history fills this month's pages with older parts).
        await open(seller, `/seller/settlement.html?from=${beijingDay(0)}&to=${beijingDay(0)}`);
        await seller.locator('[data-testid="settlement"][data-state="done"]').waitFor();
        const settled = seller.locator(`[data-testid="settle-line"][data-sub-order-id="${sub.id}"]`);
        await settled.waitFor();
        assert.equal(await settled.getAttribute('data-state'), 'pending', 'not payable before receipt and the after-sales window');
      }

      // The buyer sees both parcels with their trace codes and confirms receipt of each.
      await open(consumer, `/order.html?id=${encodeURIComponent(order.id)}`);
      await consumer.locator('[data-testid="order"][data-ready="true"]').waitFor();
      for (const sub of order.sub_orders) {
        const card = consumer.locator(`[data-testid="order-sub"][data-sub-id="${sub.id}"]`);
        assert.equal(await card.getAttribute('data-status'), 'shipped');
        const link = card.getByTestId('trace-code-link').first();
        const code = await link.getAttribute('data-code');
        assert.ok(Object.values(codes).includes(code), `the line links its batch's trace code (${code})`);
        assert.equal(decodeURIComponent(await link.getAttribute('href')), `/t/${code}`);
        await card.getByTestId('sub-receive').click();
        await Promise.all([
          consumer.waitForResponse((r) => r.url().endsWith(`/api/v1/sub-orders/${sub.id}/receive`) && r.ok()),
          card.getByTestId('sub-receive-confirm').click(),
        ]);
        await consumer.locator(`[data-testid="order-sub"][data-sub-id="${sub.id}"][data-status="received"]`).waitFor();
      }
      assert.ok(await scrollWidth(consumer) <= 360, 'the order page fits 360 px');

      // A review of the oranges: four stars, words and a photo.
      const words = `果子很甜，包装结实（${stamp}）`;
      const line = consumer.locator(`[data-testid="order-line"][data-listing-id="${orange.listingId}"]`);
      await line.getByTestId('line-review-open').click();
      const review = line.getByTestId('review-form');
      await review.locator('label[for$="-star-4"]').click();
      assert.equal(await review.getByTestId('review-star-4').isChecked(), true);
      await review.getByTestId('review-text').fill(words);
      await Promise.all([
        consumer.waitForResponse((r) => r.url().endsWith('/api/v1/review-photos') && r.status() === 201),
        review.getByTestId('review-photo-pick').setInputFiles({ name: '收货.png', mimeType: 'image/png', buffer: tinyPng() }),
      ]);
      await review.getByTestId('review-photo').waitFor();
      const [reviewed] = await Promise.all([
        consumer.waitForResponse((r) => /\/api\/v1\/order-lines\/[^/]+\/review$/.test(r.url())),
        review.getByTestId('review-submit').click(),
      ]);
      assert.equal(reviewed.status(), 201, `the review is saved (${await reviewed.text()})`);
      const sentReview = reviewed.request().postDataJSON();
      assert.equal(sentReview.rating, 4);
      assert.equal(sentReview.photos.length, 1);
      const shown = consumer.locator(`[data-testid="order-line"][data-listing-id="${orange.listingId}"] [data-testid="line-review"]`);
      await shown.waitFor();
      assert.equal(await shown.getByTestId('line-review-stars').getAttribute('data-rating'), '4');

      // My orders lists it with the trace codes of what was packed.
      await open(consumer, '/orders.html');
      const listed = consumer.locator(`[data-testid="order-card"][data-order-id="${order.id}"]`);
      await listed.waitFor();
      assert.equal(await listed.getByTestId('trace-code-link').count(), 2);

      // The listing page shows the review with its stars and photo.
      await open(consumer, `/listing.html?id=${encodeURIComponent(orange.listingId)}`);
      await consumer.locator('[data-testid="reviews-list"][data-state="done"]').waitFor();
      const item = consumer.getByTestId('review-item').filter({ hasText: words });
      await item.waitFor();
      assert.equal(await item.getAttribute('data-rating'), '4');
      assert.equal(await item.locator('.review-thumbs img').count(), 1, 'the photo shows');
      assert.ok(Number(await consumer.getByTestId('reviews-count').getAttribute('data-count')) >= 1);

      // The trace code on the order leads to the public scan page.
      const scanned = await consumer.goto(`/t/${encodeURIComponent(codes[orange.listingId])}`);
      assert.equal(scanned.status(), 200);
      bought.order = order;
    }));

  test('the operator finds the order by its number and refunds part of one seller\'s part; the buyer sees the refund',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      assert.ok(bought.order, 'needs the order bought in the previous story');
      const { order } = bought;
      const operator = await s.person({ width: 360, height: 740 });
      await logIn(operator, OPERATOR);
      await operator.getByTestId('nav-ops-orders').click();
      await operator.waitForURL((url) => url.pathname === '/ops/orders.html');
      await ready(operator);
      await operator.getByTestId('f-q').fill(order.number);
      await operator.getByTestId('f-submit').click();
      const card = operator.locator(`[data-testid="ops-order"][data-order-id="${order.id}"]`);
      await card.waitFor();
      const sub = order.sub_orders[0];
      const part = card.locator(`[data-testid="ops-sub"][data-sub-id="${sub.id}"]`);
      await part.getByTestId('sub-refund').click();
      await part.getByTestId('refund-amount').fill('1.00');
      await part.getByTestId('refund-reason').fill('两个果子运输中压坏，按个退款');
      const [refunded] = await Promise.all([
        operator.waitForResponse((r) => r.url().endsWith(`/api/v1/sub-orders/${sub.id}/refunds`)),
        part.getByTestId('refund-submit').click(),
      ]);
      assert.equal(refunded.status(), 200, `the refund is made (${await refunded.text()})`);
      assert.match(refunded.request().headers()['idempotency-key'] || '', /^[0-9a-f]{32}$/);
      assert.deepEqual(refunded.request().postDataJSON(), { amount: 100, reason: '两个果子运输中压坏，按个退款' });
      const fresh = operator.locator(`[data-testid="ops-order"][data-order-id="${order.id}"]`);
      assert.equal(await fresh.getByTestId('ops-order-refunded').getAttribute('data-fen'), '100');
      assert.ok(await scrollWidth(operator) <= 360, 'the operator\'s order view fits 360 px');

      const consumer = await s.person();
      await logIn(consumer, CONSUMER);
      await open(consumer, `/order.html?id=${encodeURIComponent(order.id)}`);
      await consumer.locator('[data-testid="order"][data-ready="true"]').waitFor();
      assert.equal(await consumer.getByTestId('order-refunded').getAttribute('data-fen'), '100');
      assert.equal(await consumer.locator(`[data-testid="order-sub"][data-sub-id="${sub.id}"] [data-testid="sub-refunded"]`).getAttribute('data-fen'), '100');
    }));

  test('a consumer claims for crushed oranges with a photo, the seller offers part of it, the buyer escalates, the operator decides, the refund shows on the order and the buyer rates the handling',
    { timeout: STORY_TIMEOUT * 3, skip }, scenario(async (s) => {
      const stamp = String(Date.now()).slice(-6);
      const consumer = await s.person({ width: 360, height: 740 });
      await logIn(consumer, CONSUMER);
      // The demo's received parcel from 梅岭脐橙 (the oldest one whose after-sales window is open).
      const target = await consumer.evaluate(async () => {
        const page = await (await fetch('/api/v1/orders?limit=100')).json();
        const found = [];
        for (const o of page.items || []) {
          for (const sub of o.sub_orders || []) {
            if (sub.status === 'received' && sub.seller_name.includes('梅岭脐橙') && Date.parse(sub.window_closes_at) > Date.now()) found.push({ order: o, sub });
          }
        }
        return found.pop() || null;
      });
      assert.ok(target, 'the demo consumer has a received part from 梅岭脐橙 inside its after-sales window');
      const { order, sub } = target;
      const line = sub.lines[0];
      assert.ok(line.quantity >= 2, 'two boxes to claim for');
      const claimed = line.unit_price * 2;

      // The order page offers a claim on the received part, with the window's deadline.
      await open(consumer, `/order.html?id=${encodeURIComponent(order.id)}`);
      await consumer.locator('[data-testid="order"][data-ready="true"]').waitFor();
      const part = consumer.locator(`[data-testid="order-sub"][data-sub-id="${sub.id}"]`);
      const left = Number(await part.getByTestId('window-left').getAttribute('data-left'));
      assert.ok(left > 3600 && left <= 48 * 3600, `the window closes within 48 h (${left} s left)`);
      await Promise.all([
        consumer.waitForURL((url) => url.pathname === '/claim-new.html' && url.searchParams.get('sub') === sub.id),
        part.getByTestId('sub-claim-new').click(),
      ]);
      await ready(consumer);
      const form = consumer.locator('[data-testid="claim-form"][data-ready="true"]');
      await form.waitFor();
      assert.equal(await consumer.getByTestId('claim-seller').locator('dd').textContent(), sub.seller_name);

      // The camera input opens the phone's back camera.
      const camera = consumer.getByTestId('claim-photos-camera');
      assert.equal(await camera.getAttribute('capture'), 'environment');
      assert.equal(await camera.getAttribute('accept'), 'image/*');

      // Two crushed boxes, in words; without a photo nothing is sent.
      await consumer.getByTestId('kind-damaged_in_transit').check();
      const row = consumer.locator(`[data-testid="claim-line-row"][data-line-id="${line.id}"]`);
      await row.getByTestId('claim-line-pick').check();
      await row.getByTestId('claim-line-qty').fill('2');
      assert.equal(await consumer.getByTestId('claim-amount').getAttribute('data-fen'), String(claimed));
      const words = `外箱被压扁，两箱橙子破裂流汁（${stamp}）`;
      await consumer.getByTestId('claim-description').fill(words);
      const sent = [];
      const onRequest = (r) => { if (r.method() === 'POST' && r.url().endsWith(`/api/v1/sub-orders/${sub.id}/claims`)) sent.push(r.url()); };
      consumer.on('request', onRequest);
      await consumer.getByTestId('claim-submit').click();
      await consumer.getByTestId('photos-error').waitFor();
      assert.deepEqual(sent, [], 'no claim without a photo');
      consumer.off('request', onRequest);

      const [uploaded] = await Promise.all([
        consumer.waitForResponse((r) => r.url().endsWith('/api/v1/claim-evidence') && r.request().method() === 'POST'),
        camera.setInputFiles({ name: '包裹.png', mimeType: 'image/png', buffer: tinyPng(32) }),
      ]);
      assert.equal(uploaded.status(), 201, `the photo is stored (${await uploaded.text()})`);
      const evidence = await uploaded.json();
      assert.equal(evidence.sha256.length, 64, 'kept with its SHA-256');
      await consumer.getByTestId('claim-photos-photo').waitFor();
      assert.ok(await scrollWidth(consumer) <= 360, 'the claim form fits 360 px');
      const filed = await posted(consumer, `/api/v1/sub-orders/${sub.id}/claims`, () => consumer.getByTestId('claim-submit').click());
      assert.equal(filed.status, 201, `the claim is filed (${JSON.stringify(filed.body)})`);
      assert.deepEqual(filed.request.postDataJSON(), {
        kind: 'damaged_in_transit', description: words, lines: [{ line_id: line.id, quantity: 2 }], photos: [evidence.id],
      });
      const claim = filed.body;
      assert.equal(claim.claimed, claimed);

      // The claim page: waiting for the seller, who must answer within 24 h; the photo shows.
      await consumer.waitForURL((url) => url.pathname === '/claim.html' && url.searchParams.get('id') === claim.id);
      await ready(consumer);
      await consumer.locator('[data-testid="claim"][data-ready="true"]').waitFor();
      assert.equal(await consumer.getByTestId('claim-status').getAttribute('data-value'), 'awaiting_seller');
      const due = Number(await consumer.getByTestId('claim-deadline').getAttribute('data-left'));
      assert.ok(due > 23 * 3600 && due <= 24 * 3600, `the seller has 24 h to answer (${due} s)`);
      await consumer.waitForFunction(() => {
        const img = document.querySelector('[data-testid="evidence-img"]');
        return img && img.complete && img.naturalWidth > 0;
      });
      assert.equal(await consumer.getByTestId('claim-event').first().getAttribute('data-kind'), 'filed');
      assert.equal(await consumer.getByTestId('claim-actions').isHidden(), true, 'nothing for the buyer to do yet');
      assert.ok(await scrollWidth(consumer) <= 360, 'the claim page fits 360 px');

      // The seller finds it in its inbox from the order console, most urgent first, with time left.
      const seller = await s.person({ width: 360, height: 740 });
      await logIn(seller, COOP_OWNER);
      await open(seller, '/seller/orders.html');
      await seller.getByTestId('sorders-console').waitFor();
      await Promise.all([
        seller.waitForURL((url) => url.pathname === '/seller/claims.html'),
        seller.getByTestId('claims-link').click(),
      ]);
      await ready(seller);
      await seller.locator('[data-testid="seller-claims"][data-state="done"][data-status="awaiting_seller"]').waitFor();
      const inbox = seller.locator(`[data-testid="claim-card"][data-claim-id="${claim.id}"]`);
      await inbox.waitFor();
      assert.ok(Number(await inbox.getByTestId('claim-left').getAttribute('data-left')) > 23 * 3600, 'the row shows the time left');
      assert.ok(await scrollWidth(seller) <= 360, 'the inbox fits 360 px');
      await Promise.all([
        seller.waitForURL((url) => url.pathname === '/claim.html'),
        inbox.getByTestId('claim-open').click(),
      ]);
      await ready(seller);
      await seller.locator('[data-testid="claim"][data-ready="true"][data-role="seller"]').waitFor();

      // One screen: a partial refund by quantity (one box), with a note and a liability split.
      const answer = seller.getByTestId('respond-form');
      await answer.getByTestId('respond-partial_refund').check();
      await answer.getByTestId('respond-quantity').check();
      await answer.getByTestId('respond-qty').fill('1');
      assert.equal(await answer.getByTestId('respond-amount').getAttribute('data-fen'), String(line.unit_price));
      await answer.getByTestId('respond-damage_level').check();
      await answer.getByTestId('respond-percent').selectOption('50');
      assert.ok(Number(await answer.getByTestId('respond-amount').getAttribute('data-fen')) > 0, 'a damage level is priced too');
      await answer.getByTestId('respond-quantity').check();
      await answer.getByTestId('respond-note').fill('照片中另一箱只是轻微压痕');
      await answer.locator('[data-testid="respond-liability"] summary').click();
      await answer.getByTestId('share-carrier').fill('60');
      await answer.getByTestId('share-seller').fill('30');
      await answer.getByTestId('respond-submit').click();
      await answer.getByTestId('liability-error').waitFor();
      await answer.getByTestId('share-seller').fill('40');
      assert.ok(await scrollWidth(seller) <= 360, 'the answer form fits 360 px');
      const responded = await posted(seller, `/api/v1/claims/${claim.id}/respond`, () => answer.getByTestId('respond-submit').click());
      assert.equal(responded.status, 200, `the seller answers (${JSON.stringify(responded.body)})`);
      assert.deepEqual(responded.request.postDataJSON(), {
        decision: 'partial_refund',
        basis: { by: 'quantity', lines: [{ line_id: line.id, quantity: 1 }] },
        liability: [{ party: 'carrier', percent: 60 }, { party: 'seller', percent: 40 }],
        note: '照片中另一箱只是轻微压痕',
      });
      assert.equal(responded.body.offered, line.unit_price);
      await seller.locator('[data-testid="claim"][data-status="awaiting_buyer"]').waitFor();

      // The buyer adds a photo to the thread, sees the offer and asks the platform to step in.
      await open(consumer, `/claim.html?id=${encodeURIComponent(claim.id)}`);
      await consumer.locator('[data-testid="claim"][data-ready="true"][data-status="awaiting_buyer"]').waitFor();
      assert.equal(await consumer.getByTestId('answer-amount').getAttribute('data-fen'), String(line.unit_price));
      await consumer.getByTestId('message-body').fill('两箱都压坏了，请看这张照片');
      await Promise.all([
        consumer.waitForResponse((r) => r.url().endsWith('/api/v1/claim-evidence') && r.status() === 201),
        consumer.getByTestId('message-photo-album').setInputFiles({ name: '第二箱.png', mimeType: 'image/png', buffer: tinyPng(24) }),
      ]);
      await consumer.getByTestId('message-photo-photo').waitFor();
      const messaged = await posted(consumer, `/api/v1/claims/${claim.id}/messages`, () => consumer.getByTestId('message-send').click());
      assert.equal(messaged.status, 201, `the message is posted (${JSON.stringify(messaged.body)})`);
      const mine = consumer.locator('[data-testid="claim-message"][data-mine="true"]');
      await mine.waitFor();
      assert.equal(await mine.getByTestId('message-photos').locator('img').count(), 1, 'the message carries its photo');
      await consumer.getByTestId('claim-escalate').click();
      await consumer.getByTestId('claim-escalate-reason').fill('两箱都坏了，照片很清楚');
      const escalated = await posted(consumer, `/api/v1/claims/${claim.id}/escalate`, () => consumer.getByTestId('claim-escalate-confirm').click());
      assert.equal(escalated.status, 200, `escalated (${JSON.stringify(escalated.body)})`);
      await consumer.locator('[data-testid="claim"][data-status="in_arbitration"]').waitFor();

      // The operator's queue has it; the decision splits the liability and is final.
      const operator = await s.person({ width: 360, height: 740 });
      await logIn(operator, OPERATOR);
      await Promise.all([
        operator.waitForURL((url) => url.pathname === '/ops/claims.html'),
        operator.getByTestId('nav-ops-claims').click(),
      ]);
      await ready(operator);
      await operator.locator('[data-testid="ops-claims"][data-state="done"][data-status="in_arbitration"]').waitFor();
      const queued = operator.locator(`[data-testid="claim-card"][data-claim-id="${claim.id}"]`);
      await queued.waitFor();
      assert.ok(await scrollWidth(operator) <= 360, 'the queue fits 360 px');
      await Promise.all([
        operator.waitForURL((url) => url.pathname === '/claim.html'),
        queued.getByTestId('claim-open').click(),
      ]);
      await ready(operator);
      await operator.locator('[data-testid="claim"][data-ready="true"][data-role="operator"]').waitFor();
      assert.equal(await operator.getByTestId('evidence-item').count(), 2, 'the claim\'s photo and the message\'s');
      const decide = operator.getByTestId('decide-form');
      assert.equal(await decide.getByTestId('decide-amount').inputValue(), (claimed / 100).toFixed(2), 'the amount claimed to start with');
      assert.equal(await decide.getByTestId('share-carrier').inputValue(), '60', 'the seller\'s split to start with');
      await decide.getByTestId('share-carrier').fill('70');
      await decide.getByTestId('share-seller').fill('30');
      await decide.getByTestId('decide-note').fill('照片显示外箱受压，承运方主责，包装偏薄');
      assert.ok(await scrollWidth(operator) <= 360, 'the decision form fits 360 px');
      const decided = await posted(operator, `/api/v1/claims/${claim.id}/decide`, () => decide.getByTestId('decide-submit').click());
      assert.equal(decided.status, 200, `decided (${JSON.stringify(decided.body)})`);
      assert.deepEqual(decided.request.postDataJSON(), {
        amount: claimed,
        liability: [{ party: 'carrier', percent: 70 }, { party: 'seller', percent: 30 }],
        note: '照片显示外箱受压，承运方主责，包装偏薄',
      });
      await operator.locator('[data-testid="claim"][data-status="resolved"]').waitFor();
      const recourse = operator.getByTestId('claim-recourse');
      await recourse.waitFor();
      assert.equal(await recourse.getByTestId('recourse-amount').getAttribute('data-fen'), String(Math.round(claimed * 0.7)));

      // The refund shows on the buyer's order, on the part and in total.
      await open(consumer, `/order.html?id=${encodeURIComponent(order.id)}`);
      await consumer.locator('[data-testid="order"][data-ready="true"]').waitFor();
      const partNow = consumer.locator(`[data-testid="order-sub"][data-sub-id="${sub.id}"]`);
      assert.equal(await partNow.getByTestId('sub-refunded').getAttribute('data-fen'), String((sub.refunded || 0) + claimed));
      assert.equal(await consumer.getByTestId('order-refunded').getAttribute('data-fen'), String((order.refunded || 0) + claimed));
      assert.equal(await partNow.locator(`[data-testid="sub-claim"][data-claim-id="${claim.id}"]`).getAttribute('data-status'), 'resolved');
      assert.ok(await partNow.getByTestId('refund').count() >= 1, 'the refund is in the part\'s list');

      // The buyer rates the handling: four stars and a word; it shows, once.
      await open(consumer, `/claim.html?id=${encodeURIComponent(claim.id)}`);
      await consumer.locator('[data-testid="claim"][data-ready="true"][data-status="resolved"]').waitFor();
      const rate = consumer.getByTestId('rate-form');
      await rate.locator('label[for="rate-star-4"]').click();
      await rate.getByTestId('rate-comment').fill('处理及时，退款很快');
      const rated = await posted(consumer, `/api/v1/claims/${claim.id}/satisfaction`, () => rate.getByTestId('rate-submit').click());
      assert.equal(rated.status, 200, `rated (${JSON.stringify(rated.body)})`);
      assert.deepEqual(rated.request.postDataJSON(), { rating: 4, comment: '处理及时，退款很快' });
      await consumer.getByTestId('claim-satisfaction').waitFor();
      assert.equal(await consumer.getByTestId('claim-satisfaction').getAttribute('data-rating'), '4');
      assert.equal(await consumer.getByTestId('rate-form').count(), 0, 'rated once');
      const kinds = await consumer.getByTestId('claim-event').evaluateAll((items) => items.map((i) => i.dataset.kind));
      assert.deepEqual(kinds, ['filed', 'offered', 'escalated', 'decided', 'refunded', 'recourse_opened', 'rated']);

      // My claims lists it, settled.
      await open(consumer, '/claims.html');
      const listed = consumer.locator(`[data-testid="claim-card"][data-claim-id="${claim.id}"]`);
      await listed.waitFor();
      assert.equal(await listed.getAttribute('data-status'), 'resolved');
      assert.equal(await listed.getByTestId('claim-refunded').getAttribute('data-fen'), String(claimed));
    }));

  test('a buyer claims for broken eggs, the seller offers to send them again (补发), the buyer accepts and the replacement part shows on her order',
    { timeout: STORY_TIMEOUT * 2, skip }, scenario(async (s) => {
      // 李娜's demo order from 白云山 (acknowledged, not shipped): the farm ships it from its batch
      // and she confirms receipt — her own order, so no other story's units are touched.
      const buyer = await s.person({ width: 360, height: 740 });
      await logIn(buyer, SECOND_CONSUMER);
      const farm = await s.person({ width: 360, height: 740 });
      await logIn(farm, EGG_OWNER);
      const org = await sellingOrg(farm);
      const mine = (await callApi(buyer, 'GET', '/orders?limit=100')).body.items;
      let order = mine.find((o) => o.sub_orders.some((x) => x.seller_id === org.id && ['paid', 'acknowledged', 'received'].includes(x.status)));
      assert.ok(order, 'the demo order of 13600000002 from 白云山 (these stories need freshly seeded demo data)');
      let sub = order.sub_orders.find((x) => x.seller_id === org.id);
      if (sub.status !== 'received') {
        await shipFromBatches(farm, sub, { carrier: '中国邮政' });
        const received = await callApi(buyer, 'POST', `/sub-orders/${sub.id}/receive`, {});
        assert.equal(received.status, 200, `received (${JSON.stringify(received.body)})`);
        order = received.body;
        sub = order.sub_orders.find((x) => x.id === sub.id);
      }
      const line = sub.lines[0];

      // She claims for one box from the order page, with a photo.
      await open(buyer, `/order.html?id=${encodeURIComponent(order.id)}`);
      await buyer.locator('[data-testid="order"][data-ready="true"]').waitFor();
      await Promise.all([
        buyer.waitForURL((url) => url.pathname === '/claim-new.html'),
        buyer.locator(`[data-testid="order-sub"][data-sub-id="${sub.id}"]`).getByTestId('sub-claim-new').click(),
      ]);
      await ready(buyer);
      await buyer.locator('[data-testid="claim-form"][data-ready="true"]').waitFor();
      await buyer.getByTestId('kind-damaged_in_transit').check();
      const row = buyer.locator(`[data-testid="claim-line-row"][data-line-id="${line.id}"]`);
      await row.getByTestId('claim-line-pick').check();
      await row.getByTestId('claim-line-qty').fill('1');
      await buyer.getByTestId('claim-description').fill('一箱鸡蛋碎了一半，蛋液流到箱底');
      await Promise.all([
        buyer.waitForResponse((r) => r.url().endsWith('/api/v1/claim-evidence') && r.status() === 201),
        buyer.getByTestId('claim-photos-camera').setInputFiles({ name: '鸡蛋.png', mimeType: 'image/png', buffer: tinyPng(20) }),
      ]);
      await buyer.getByTestId('claim-photos-photo').waitFor();
      const filed = await posted(buyer, `/api/v1/sub-orders/${sub.id}/claims`, () => buyer.getByTestId('claim-submit').click());
      assert.equal(filed.status, 201, `the claim is filed (${JSON.stringify(filed.body)})`);
      const claim = filed.body;
      assert.equal(claim.refundable, sub.total - (sub.refunded || 0), 'the claim carries what is left to refund');
      assert.equal(claim.sub_goods, sub.goods_total);
      assert.equal(claim.sub_shipping, sub.shipping);

      // The farm answers from its inbox: 补发, as many as claimed to start with, and a note.
      await open(farm, '/seller/claims.html');
      await farm.locator('[data-testid="seller-claims"][data-state="done"][data-status="awaiting_seller"]').waitFor();
      const card = farm.locator(`[data-testid="claim-card"][data-claim-id="${claim.id}"]`);
      await Promise.all([
        farm.waitForURL((url) => url.pathname === '/claim.html'),
        card.getByTestId('claim-open').click(),
      ]);
      await ready(farm);
      await farm.locator('[data-testid="claim"][data-ready="true"][data-role="seller"]').waitFor();
      const answer = farm.getByTestId('respond-form');
      // The damage level is priced from the claim's own goods and shipping (no order needed).
      await answer.getByTestId('respond-partial_refund').check();
      await answer.getByTestId('respond-damage_level').check();
      await answer.getByTestId('respond-percent').selectOption('100');
      const share = Math.round((sub.shipping * line.unit_price) / sub.goods_total);
      assert.equal(await answer.getByTestId('respond-amount').getAttribute('data-fen'), String(line.unit_price + share), 'a whole box with its share of shipping');
      await answer.getByTestId('respond-reship').check();
      const qty = answer.getByTestId('respond-reship-qty');
      assert.equal(await qty.count(), claim.lines.length, 'a quantity per claimed line');
      assert.equal(await qty.first().inputValue(), '1', 'as many as claimed to start with');
      assert.equal(await answer.getByTestId('respond-liability').isHidden(), true, 'a reship names no liability');
      await qty.first().fill('2');
      await answer.getByTestId('respond-submit').click();
      await answer.getByTestId('respond-reship-error').waitFor();
      await qty.first().fill('1');
      await answer.getByTestId('respond-reship-note').fill('明天上午重新发一箱，顺丰');
      assert.ok(await scrollWidth(farm) <= 360, 'the answer form fits 360 px');
      const responded = await posted(farm, `/api/v1/claims/${claim.id}/respond`, () => answer.getByTestId('respond-submit').click());
      assert.equal(responded.status, 200, `the farm offers a reship (${JSON.stringify(responded.body)})`);
      assert.deepEqual(responded.request.postDataJSON(), {
        decision: 'reship', lines: [{ line_id: line.id, quantity: 1 }], note: '明天上午重新发一箱，顺丰',
      });
      await farm.locator('[data-testid="claim"][data-status="awaiting_buyer"]').waitFor();

      // The buyer sees a reship, not an amount, and agrees to it.
      await open(buyer, `/claim.html?id=${encodeURIComponent(claim.id)}`);
      await buyer.locator('[data-testid="claim"][data-ready="true"][data-status="awaiting_buyer"]').waitFor();
      const offer = buyer.getByTestId('seller-answer');
      assert.equal(await offer.getAttribute('data-decision'), 'reship');
      assert.equal(await offer.getByTestId('answer-amount').count(), 0, 'no amount on a reship');
      const reshipLine = offer.getByTestId('reship-line');
      assert.equal(await reshipLine.getAttribute('data-quantity'), '1');
      assert.equal((await buyer.getByTestId('claim-accept').textContent()).trim(), '同意补发');
      await buyer.getByTestId('claim-accept').click();
      const accepted = await posted(buyer, `/api/v1/claims/${claim.id}/accept`, () => buyer.getByTestId('claim-accept-confirm').click());
      assert.equal(accepted.status, 200, `accepted (${JSON.stringify(accepted.body)})`);
      assert.equal(accepted.body.refunded, 0, 'nothing refunded: the goods come again');
      const made = accepted.body.events.find((e) => e.kind === 'accepted').data;
      assert.ok(made.replacement_sub_order_id, 'the acceptance names the replacement part');
      await buyer.locator('[data-testid="claim"][data-status="resolved"]').waitFor();
      const kinds = await buyer.getByTestId('claim-event').evaluateAll((items) => items.map((i) => i.dataset.kind));
      assert.deepEqual(kinds, ['filed', 'offered', 'accepted']);
      assert.ok(await scrollWidth(buyer) <= 360, 'the settled claim fits 360 px');

      // The link leads to the replacement part on her order: ¥0, paid, waiting to ship.
      const link = buyer.getByTestId('claim-replacement-link');
      assert.equal(await link.getAttribute('data-sub-id'), made.replacement_sub_order_id);
      await Promise.all([
        buyer.waitForURL((url) => url.pathname === '/order.html' && url.hash === `#sub-${made.replacement_sub_order_id}`),
        link.click(),
      ]);
      await ready(buyer);
      await buyer.locator('[data-testid="order"][data-ready="true"]').waitFor();
      const part = buyer.locator(`[data-testid="order-sub"][data-sub-id="${made.replacement_sub_order_id}"]`);
      await part.waitFor();
      assert.equal(await part.getAttribute('data-replacement'), 'true');
      assert.equal(await part.getAttribute('data-status'), 'paid');
      assert.equal(await part.getByTestId('sub-total').getAttribute('data-fen'), '0');
      assert.equal(await part.getByTestId('sub-replaces').getAttribute('data-replaces'), sub.id);
      assert.equal(await part.getByTestId('order-line').getByTestId('line-quantity').count(), 1);
      assert.ok(await buyer.locator(`[data-testid="order-sub"][data-sub-id="${sub.id}"] [data-testid="sub-replaced-by"][data-sub-id="${made.replacement_sub_order_id}"]`).count(),
        'the damaged part points to its replacement');
      const events = await buyer.locator('[data-testid="order-event"]').evaluateAll((items) => items.map((i) => i.dataset.kind));
      assert.ok(events.includes('replacement'), 'the order log records the replacement');
      assert.ok(await scrollWidth(buyer) <= 360, 'the order with its replacement fits 360 px');

      // The farm finds the replacement part among the parts to ship.
      await open(farm, '/seller/orders.html?status=paid');
      await sellerTab(farm, 'paid');
      const toShip = farm.locator(`[data-testid="seller-sub"][data-sub-id="${made.replacement_sub_order_id}"]`);
      await toShip.waitFor();
      assert.equal(await toShip.getAttribute('data-replacement'), 'true', 'marked as a replacement');
    }));

  test('the after-sales quality pages show a seller its own figures and the operator every seller\'s, for the last 30 days',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const owner = await s.person({ width: 360, height: 740 });
      await logIn(owner, COOP_OWNER);
      const org = await sellingOrg(owner);
      await open(owner, `/seller.html?id=${encodeURIComponent(org.id)}`);
      await owner.getByTestId('seller-admin').waitFor();
      await Promise.all([
        owner.waitForURL((url) => url.pathname === '/seller/quality.html'),
        owner.getByTestId('seller-to-quality').click(),
      ]);
      await ready(owner);
      const report = owner.locator('[data-testid="quality-report"][data-state="done"]');
      await report.waitFor();
      // The last 30 Beijing days, by carrier to start with.
      assert.equal(await owner.getByTestId('quality-from').inputValue(), beijingDay(-29));
      assert.equal(await owner.getByTestId('quality-to').inputValue(), beijingDay(0));
      assert.equal(await report.getAttribute('data-group-by'), 'carrier');
      const mineApi = (await callApi(owner, 'GET', `/aftersales/quality?from=${beijingDay(-29)}&to=${beijingDay(0)}&group_by=carrier&org_id=${org.id}`)).body;
      const total = owner.getByTestId('quality-total');
      assert.equal(await total.getByTestId('q-delivered').textContent(), String(mineApi.total.delivered));
      assert.equal(await total.getByTestId('q-claims').textContent(), String(mineApi.total.claims));
      assert.equal(await total.getByTestId('q-claim-rate').getAttribute('data-bp'), String(mineApi.total.claim_rate_bp));
      assert.ok(mineApi.total.claims >= 1, 'the cooperative has the claim of the after-sales story');
      assert.ok(mineApi.total.delivered >= 1);
      assert.equal(await owner.getByTestId('quality-group').count(), mineApi.rows.length);
      assert.ok(await scrollWidth(owner) <= 360, 'the seller\'s quality page fits 360 px');
      await owner.getByTestId('quality-group-by').selectOption('category');
      await owner.locator('[data-testid="quality-report"][data-state="done"][data-group-by="category"]').waitFor();
      assert.equal(new URL(owner.url()).searchParams.get('group_by'), 'category', 'the address remembers the grouping');

      const operator = await s.person({ width: 360, height: 740 });
      await logIn(operator, OPERATOR);
      await Promise.all([
        operator.waitForURL((url) => url.pathname === '/ops/quality.html'),
        operator.getByTestId('nav-ops-quality').click(),
      ]);
      await ready(operator);
      const all = operator.locator('[data-testid="quality-report"][data-state="done"][data-group-by="seller"]');
      await all.waitFor();
      const allApi = (await callApi(operator, 'GET', `/aftersales/quality?from=${beijingDay(-29)}&to=${beijingDay(0)}&group_by=seller`)).body;
      assert.equal(await operator.getByTestId('quality-group').count(), allApi.rows.length);
      assert.equal(await operator.getByTestId('quality-total').getByTestId('q-claims').textContent(), String(allApi.total.claims));
      const coop = operator.locator(`[data-testid="quality-group"][data-key="${org.id}"]`);
      await coop.waitFor();
      assert.equal(await coop.getAttribute('data-claims'), String(allApi.rows.find((r) => r.key === org.id).claims));
      assert.ok(allApi.total.claims >= 2, 'the claims of both after-sales stories');
      assert.ok(await scrollWidth(operator) <= 360, 'the platform\'s quality page fits 360 px');
      await operator.getByTestId('quality-group-by').selectOption('seller_kind');
      await operator.locator('[data-testid="quality-report"][data-state="done"][data-group-by="seller_kind"]').waitFor();
      assert.ok(await operator.locator('[data-testid="quality-group"][data-key="cooperative"]').count(), 'cooperatives as a group');

      // The buyers to watch sit under the arbitration queue (none stand out in the demo).
      await open(operator, '/ops/claims.html');
      await operator.locator('[data-testid="flagged-buyers"][data-state="done"]').waitFor();
    }));

  test('an order paid by bank transfer shows how to pay and a countdown, and the buyer can cancel it',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const consumer = await s.person({ width: 360, height: 740 });
      await logIn(consumer, '13600000002');
      await emptyCart(consumer);
      await addToCart(consumer, '稻花香大米 当季新米', '当季新米', 1);
      await open(consumer, '/checkout.html');
      await consumer.locator('[data-testid="order-form"][data-ready="true"]').waitFor();
      if (!(await consumer.getByTestId('address-option').count())) await addAddress(consumer, '文明大道 6 号 2 栋');
      await consumer.getByTestId('method-offline').check();
      const placed = await posted(consumer, '/api/v1/orders', () => consumer.getByTestId('place-order').click());
      assert.equal(placed.status, 201, `the order is placed (${JSON.stringify(placed.body)})`);
      const order = placed.body;
      await consumer.waitForURL((url) => url.pathname === '/order.html' && url.searchParams.get('id') === order.id);
      await ready(consumer);
      await consumer.locator('[data-testid="order"][data-ready="true"]').waitFor();
      assert.equal(await consumer.getByTestId('order-status').getAttribute('data-value'), 'pending_payment');
      const instructions = consumer.getByTestId('pay-instructions');
      await instructions.waitFor();
      assert.ok((await instructions.textContent()).trim().length > 10, 'the transfer instructions show');
      const left = Number(await consumer.getByTestId('pay-countdown').getAttribute('data-left'));
      assert.ok(left > 20 * 3600 && left <= 24 * 3600, `about 24 hours to pay (${left} s)`);

      await consumer.getByTestId('order-cancel').click();
      await Promise.all([
        consumer.waitForResponse((r) => r.url().endsWith(`/api/v1/orders/${order.id}/cancel`) && r.ok()),
        consumer.getByTestId('order-cancel-confirm').click(),
      ]);
      await consumer.locator('[data-testid="order"][data-status="cancelled"]').waitFor();
      assert.equal(await consumer.getByTestId('pay-countdown').count(), 0, 'no countdown once cancelled');
    }));
  test('a price that moved after the SKU went in the cart is flagged there, named next to its line at checkout, and the order goes through once the buyer accepts it',
    { timeout: STORY_TIMEOUT * 2, skip }, scenario(async (s) => {
      const consumer = await s.person({ width: 360, height: 740 });
      await logIn(consumer, '13600000002');
      await emptyCart(consumer);
      const item = await addToCart(consumer, '沃柑', '沃柑', 1);

      // The cooperative raises the price by ¥1 after that.
      const owner = await s.person();
      await logIn(owner, COOP_OWNER);
      const raised = await owner.evaluate(async ({ listingId, skuId }) => {
        const listing = await (await fetch(`/api/v1/listings/${listingId}`)).json();
        const sku = listing.skus.find((x) => x.id === skuId);
        const response = await fetch(`/api/v1/skus/${skuId}`, {
          method: 'PATCH',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ price: sku.price + 100 }),
        });
        return { status: response.status, price: sku.price + 100 };
      }, item);
      assert.equal(raised.status, 200, 'the seller changes the price');

      // The cart says so.
      await open(consumer, '/cart.html');
      const line = consumer.locator(`[data-testid="cart-line"][data-sku-id="${item.skuId}"]`);
      await line.waitFor();
      assert.equal(await line.getAttribute('data-price-changed'), 'true');
      await line.getByTestId('cart-price-changed').waitFor();

      // Checkout refuses the old price once, naming the line; confirming the new one goes through.
      await open(consumer, '/checkout.html');
      await consumer.locator('[data-testid="order-form"][data-ready="true"]').waitFor();
      if (!(await consumer.getByTestId('address-option').count())) await addAddress(consumer, '文明大道 6 号 2 栋');
      await consumer.getByTestId('method-offline').check();
      const refused = await posted(consumer, '/api/v1/orders', () => consumer.getByTestId('place-order').click());
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, 'price_changed');
      const flagged = consumer.locator(`[data-testid="checkout-line"][data-sku-id="${item.skuId}"] [data-testid="checkout-line-error"]`);
      await flagged.waitFor();
      assert.equal((await flagged.textContent()).trim(), Object.values(refused.body.error.fields)[0]);
      assert.equal((await consumer.getByTestId('form-error').textContent()).trim(), refused.body.error.message);
      const key = refused.request.headers()['idempotency-key'];
      const placed = await posted(consumer, '/api/v1/orders', () => consumer.getByTestId('place-order').click());
      assert.equal(placed.status, 201, `the order goes through at the new price (${JSON.stringify(placed.body)})`);
      assert.equal(placed.request.headers()['idempotency-key'], key, 'the retry sends the same Idempotency-Key');
      assert.equal(placed.body.sub_orders[0].lines[0].unit_price, raised.price);
      await consumer.waitForURL((url) => url.pathname === '/order.html');
      await ready(consumer);
      await consumer.locator('[data-testid="order"][data-ready="true"]').waitFor();
      await consumer.getByTestId('order-cancel').click();
      await Promise.all([
        consumer.waitForResponse((r) => r.url().endsWith('/cancel') && r.ok()),
        consumer.getByTestId('order-cancel-confirm').click(),
      ]);
    }));

  // LAST: the recall takes the 梅岭 oranges off sale for good.
  test('every demo role lands where its work is after logging in and finds its own entries on the home page',
    { timeout: STORY_TIMEOUT * 3, skip }, scenario(async (s) => {
      const OPS = ['home-verify', 'home-reviews', 'home-ops-orders', 'home-ops-categories'];
      const CLAIMS = ['home-ops-claims'];
      const COUNTY = ['home-recalls', 'home-quality'];
      const SELLING = ['home-seller-page', 'home-seller-orders', 'home-seller-claims', 'home-seller'];
      const BUYING = ['home-shop', 'home-orders', 'home-cart', 'home-claims', 'home-orgs', 'home-account'];
      /** The shop page of the first verified selling organisation, or null. */
      const shopOf = (me) => {
        const m = (me.memberships || []).find((x) => x.org.kind !== 'business_buyer' && x.org.status === 'verified');
        return m ? `/seller/home.html?org=${encodeURIComponent(m.org.id)}` : null;
      };
      const people = [
        { phone: OPERATOR, lands: () => '/ops/home.html', sees: [...OPS, ...CLAIMS, ...COUNTY, 'home-seller-page'],
          hides: ['home-shop', 'home-stats'], nav: ['nav-verify', 'nav-listing-reviews', 'nav-ops-orders', 'nav-ops-categories', 'nav-ops-claims', 'nav-ops-recalls', 'nav-ops-quality'], noNav: ['nav-ops-stats'] },
        { phone: AGENT, lands: () => '/ops/claims.html', sees: [...CLAIMS, ...COUNTY, 'home-orders'],
          hides: [...OPS, ...SELLING, 'home-shop', 'home-stats'], nav: ['nav-ops-claims', 'nav-ops-recalls', 'nav-ops-quality'], noNav: ['nav-ops-categories', 'nav-verify', 'nav-ops-stats'], forbidden: true },
        { phone: OFFICIAL, lands: () => '/ops/stats.html', sees: [...COUNTY, 'home-stats'],
          hides: [...OPS, ...CLAIMS, ...SELLING, 'home-shop'], nav: ['nav-ops-stats', 'nav-ops-recalls', 'nav-ops-quality'], noNav: ['nav-ops-categories', 'nav-ops-claims'], forbidden: true },
        { phone: STORE_STAFF, lands: shopOf, sees: SELLING, hides: [...OPS, ...CLAIMS, ...COUNTY, 'home-shop'], noNav: ['nav-ops-categories'], forbidden: true },
        { phone: COOP_OWNER, lands: shopOf, sees: SELLING, hides: [...OPS, ...CLAIMS, ...COUNTY, 'home-shop'], nav: ['nav-seller-orders'] },
        { phone: COOP_STAFF, lands: shopOf, sees: SELLING, hides: [...OPS, ...CLAIMS, ...COUNTY, 'home-shop'], nav: ['nav-seller-orders'] },
        // Waiting for verification on a fresh server; verified once the verification stories ran.
        { phone: PENDING_OWNER, lands: (me) => shopOf(me) || '/org.html', sees: ['home-orgs'], hides: [...OPS, ...CLAIMS, ...COUNTY, 'home-shop'] },
        { phone: REJECTED_OWNER, lands: () => '/org.html', sees: ['home-orgs'], hides: [...OPS, ...CLAIMS, ...COUNTY, 'home-seller-page', 'home-shop'] },
        { phone: BUSINESS_BUYER, lands: () => '/', sees: BUYING, hides: [...OPS, ...CLAIMS, ...COUNTY, ...SELLING], noNav: ['nav-seller-orders'] },
        { phone: CONSUMER, lands: () => '/', sees: BUYING, hides: [...OPS, ...CLAIMS, ...COUNTY, ...SELLING], noNav: ['nav-seller-orders', 'nav-ops-claims'] },
      ];
      for (const who of people) {
        const page = await s.person();
        await logIn(page, who.phone);
        const me = await whoAmI(page);
        assert.ok(me, `${who.phone} is logged in`);
        const expected = who.lands(me);
        assert.ok(expected, `${who.phone} has somewhere to land`);
        // A page may add its own filters to the address (the arbitration queue's tab, the quality
        // period): the path and whatever the landing named are what count.
        const url = new URL(page.url());
        const want = new URL(expected, url.origin);
        assert.equal(url.pathname.replace(/\/index\.html$/, '/'), want.pathname, `${who.phone} lands on ${expected}`);
        for (const [key, value] of want.searchParams) assert.equal(url.searchParams.get(key), value, `${who.phone} lands on ${expected}`);
        assert.equal(await page.getByTestId('header-user').textContent(), me.account.display_name);
        assert.equal(await page.getByTestId('forbidden').isVisible().catch(() => false), false, `${who.phone} may see ${expected}`);

        // What the landing page shows them.
        if (expected.startsWith('/seller.html')) {
          await page.getByTestId('seller-admin').waitFor();
          const org = me.memberships.find((m) => expected.endsWith(encodeURIComponent(m.org.id))).org;
          assert.equal(await page.getByTestId('seller-name').textContent(), org.name);
        } else if (expected === '/org.html') {
          const org = me.memberships[0].org;
          const card = page.locator(`[data-testid="my-org-card"][data-org-id="${org.id}"]`);
          await card.waitFor();
          assert.equal(await card.getByTestId('org-status').getAttribute('data-value'), org.status);
          assert.notEqual(org.status, 'verified');
        } else if (expected === '/ops/claims.html' || expected === '/ops/verify.html') {
          await page.getByTestId('results-count').filter({ hasText: /\d/ }).waitFor();
        } else if (expected === '/ops/quality.html') {
          await page.locator('[data-testid="quality-report"][data-state="done"]').waitFor();
        } else if (expected === '/ops/stats.html') {
          await page.locator('[data-testid="stats-kpi"][data-state="done"]').waitFor();
        }
        for (const id of who.nav || []) assert.equal(await page.getByTestId(id).count(), 1, `${who.phone} has ${id} in the navigation`);
        for (const id of who.noNav || []) assert.equal(await page.getByTestId(id).count(), 0, `${who.phone} has no ${id} in the navigation`);

        // Their entries on the home page, and nobody else's.
        await open(page, '/');
        await page.getByTestId('home-greeting').waitFor();
        for (const id of who.sees) assert.equal(await page.getByTestId(id).count(), 1, `${who.phone} sees ${id} on the home page`);
        for (const id of who.hides) assert.equal(await page.getByTestId(id).count(), 0, `${who.phone} does not see ${id} on the home page`);
        if (who.sees.includes('home-seller-page')) {
          // The home page's entry is the public shop; the landing is the console home.
          const shop = new URL(shopOf(me), 'http://x').searchParams.get('org');
          assert.equal(await page.getByTestId('home-seller-page').getAttribute('href'), `/seller.html?id=${encodeURIComponent(shop)}`);
        }
        if (who.sees.includes('home-stats')) {
          assert.equal(await page.getByTestId('home-stats').getAttribute('href'), '/ops/stats.html');
        }

        // The category tree is the operator's alone: others get the page's refusal.
        if (who.forbidden) {
          await open(page, '/ops/categories.html');
          await page.getByTestId('forbidden').waitFor();
          assert.equal(await page.getByTestId('cats-console').isHidden(), true, `${who.phone} gets no category console`);
        }
      }
    }));

  test('the operator adds a subcategory, changes its commission and claim window, deactivates it, and a seller no longer finds it in the listing editor',
    { timeout: STORY_TIMEOUT * 2, skip }, scenario(async (s) => {
      const stamp = String(Date.now()).slice(-6);
      const operator = await s.person({ width: 360, height: 740 });
      await logIn(operator, OPERATOR);
      await Promise.all([
        operator.waitForURL((url) => url.pathname === '/ops/categories.html'),
        operator.getByTestId('nav-ops-categories').click(),
      ]);
      await ready(operator);
      await operator.locator('[data-testid="cat-tree"][data-state="done"]').waitFor();

      // The tree is the admin API's: every root and child, inactive ones too.
      const all = (await callApi(operator, 'GET', '/admin/categories')).body;
      assert.equal(await operator.locator('[data-testid="cat-row"][data-parent-id=""]').count(), all.length);
      assert.equal(await operator.getByTestId('cat-row').count(), all.reduce((n, r) => n + 1 + (r.children || []).length, 0));
      const fruitApi = all.find((c) => c.slug === 'fruit');
      assert.ok(fruitApi, 'the demo tree has 水果 (fruit)');
      const fruit = operator.locator(`[data-testid="cat-row"][data-category-id="${fruitApi.id}"]`);
      assert.equal(await fruit.locator(':scope > dl [data-testid="cat-commission"]').getAttribute('data-bp'), String(fruitApi.commission_bp));
      assert.equal(await fruit.locator(':scope > dl [data-testid="cat-window"]').getAttribute('data-hours'), String(fruitApi.claim_window_hours));

      // A subcategory of 水果: the page refuses a 60% commission itself and sends nothing…
      await fruit.locator(':scope > .actions [data-testid="cat-add-child"]').click();
      const form = fruit.locator(':scope > .category-slot [data-testid="cat-form"]');
      await form.waitFor();
      assert.equal(await form.getByTestId('cf-parent').inputValue(), fruitApi.id, 'the form starts under the category it was opened from');
      const name = `枇杷${stamp}`;
      await form.getByTestId('cf-name').fill(name);
      await form.getByTestId('cf-name-en').fill(`Loquat ${stamp}`);
      await form.getByTestId('cf-slug').fill('citrus');
      await form.getByTestId('cf-commission').fill('60');
      await form.getByTestId('cf-window').fill('72');
      const sent = [];
      const onRequest = (r) => { if (r.url().endsWith('/api/v1/admin/categories') && r.method() === 'POST') sent.push(r.method()); };
      operator.on('request', onRequest);
      await form.getByTestId('cf-submit').click();
      await form.locator('[data-error-for="commission"]:not([hidden])').waitFor();
      assert.equal(await form.getByTestId('cf-commission').getAttribute('aria-invalid'), 'true');
      operator.off('request', onRequest);
      assert.deepEqual(sent, [], 'nothing is sent with a commission above 50%');

      // …and shows the server's word for a slug that is taken, next to the slug.
      await form.getByTestId('cf-commission').fill('4.5');
      const taken = await posted(operator, '/api/v1/admin/categories', () => form.getByTestId('cf-submit').click());
      assert.equal(taken.status, 422, JSON.stringify(taken.body));
      assert.ok(taken.body.error.fields.slug, 'the server names the slug');
      const slugError = form.locator('[data-error-for="slug"]:not([hidden])');
      await slugError.waitFor();
      assert.equal((await slugError.textContent()).trim(), String(taken.body.error.fields.slug));
      assert.equal(await form.getByTestId('cf-slug').getAttribute('aria-invalid'), 'true');

      const slug = `loquat-${stamp}`;
      await form.getByTestId('cf-slug').fill(slug);
      const made = await posted(operator, '/api/v1/admin/categories', () => form.getByTestId('cf-submit').click());
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.deepEqual(made.request.postDataJSON(), {
        name, name_en: `Loquat ${stamp}`, slug, sort_order: 0, claim_window_hours: 72, commission_bp: 450, parent_id: fruitApi.id,
      });
      const id = made.body.id;
      const row = operator.locator(`[data-testid="cat-row"][data-category-id="${id}"]`);
      await row.waitFor();
      assert.equal(await fruit.locator(`[data-testid="cat-children"] [data-category-id="${id}"]`).count(), 1, 'it sits under 水果');
      assert.equal(await row.getByTestId('cat-name').textContent(), name);
      assert.equal(await row.getByTestId('cat-commission').getAttribute('data-bp'), '450');
      assert.equal(await row.getByTestId('cat-commission').textContent(), '4.5%');
      assert.equal(await row.getByTestId('cat-window').getAttribute('data-hours'), '72');
      assert.equal(await row.getByTestId('cat-active').getAttribute('data-value'), 'true');
      await operator.locator('[data-testid="flash"].flash-success').waitFor();

      // The seller finds it under 水果 in the listing editor while it is active.
      const seller = await s.person();
      await logIn(seller, COOP_OWNER);
      await newListingForm(seller);
      await seller.getByTestId('f-category-top').selectOption(fruitApi.id);
      const offered = () => seller.getByTestId('f-category').locator('option').evaluateAll((options) => options.map((o) => o.value));
      assert.ok((await offered()).includes(id), 'the new subcategory is offered');

      // Edit: a window out of range is refused on the page; then only what changed is sent.
      await row.getByTestId('cat-edit').click();
      const edit = row.locator('[data-testid="cat-form"][data-mode="edit"]');
      await edit.waitFor();
      assert.equal(await edit.getByTestId('cf-commission').inputValue(), '4.5');
      assert.ok(await scrollWidth(operator) <= 360, 'the tree with a form open fits 360 px');
      await edit.getByTestId('cf-window').fill('721');
      await edit.getByTestId('cf-submit').click();
      await edit.locator('[data-error-for="claim_window_hours"]:not([hidden])').waitFor();
      await edit.getByTestId('cf-commission').fill('6');
      await edit.getByTestId('cf-window').fill('96');
      const [patched] = await Promise.all([
        operator.waitForResponse((r) => r.url().endsWith(`/api/v1/admin/categories/${id}`) && r.request().method() === 'PATCH'),
        edit.getByTestId('cf-submit').click(),
      ]);
      assert.equal(patched.status(), 200, await patched.text());
      assert.deepEqual(patched.request().postDataJSON(), { claim_window_hours: 96, commission_bp: 600 });
      await row.locator('[data-testid="cat-commission"][data-bp="600"]').waitFor();
      assert.equal(await row.getByTestId('cat-commission').textContent(), '6%');
      assert.equal(await row.getByTestId('cat-window').getAttribute('data-hours'), '96');
      assert.equal(await row.getByTestId('cat-form').count(), 0, 'the form closes once saved');

      // Deactivate, after the page asks.
      await row.getByTestId('cat-toggle').click();
      const [off] = await Promise.all([
        operator.waitForResponse((r) => r.url().endsWith(`/api/v1/admin/categories/${id}`) && r.request().method() === 'PATCH'),
        row.getByTestId('cat-toggle-confirm').click(),
      ]);
      assert.equal(off.status(), 200, await off.text());
      assert.deepEqual(off.request().postDataJSON(), { active: false });
      await operator.locator(`[data-testid="cat-row"][data-category-id="${id}"][data-active="false"]`).waitFor();
      assert.equal(await row.getByTestId('cat-active').getAttribute('data-value'), 'false');
      const after = (await callApi(operator, 'GET', '/admin/categories')).body.find((c) => c.id === fruitApi.id).children.find((c) => c.id === id);
      assert.deepEqual([after.active, after.commission_bp, after.claim_window_hours], [false, 600, 96]);
      const publicTree = await callApi(seller, 'GET', '/categories');
      assert.ok(!JSON.stringify(publicTree.body).includes(id), 'the public tree leaves it out');

      // A fresh editor no longer offers it.
      await newListingForm(seller);
      await seller.getByTestId('f-category-top').selectOption(fruitApi.id);
      const now = await offered();
      assert.ok(!now.includes(id), 'the deactivated subcategory is not offered');
      assert.ok(now.filter((v) => v).length > 0, 'the other subcategories of 水果 still are');
    }));

  test('the county official reads the county statistics: totals, the sales trend drawn and tabled, another period, granularity and filter, a category\'s prices, the view as Excel and CSV; a too-long period is refused in place and a seller gets the page\'s refusal',
    { timeout: STORY_TIMEOUT * 2, skip }, scenario(async (s) => {
      const official = await s.person({ width: 1280, height: 900 });
      await logIn(official, OFFICIAL);
      assert.equal(new URL(official.url()).pathname, '/ops/stats.html', 'the official lands on the county statistics');
      await ready(official);
      assert.equal(await official.getByTestId('nav-ops-stats').getAttribute('aria-current'), 'page');

      /** Waits for a section to show the view it was asked for: the period and the `by` it was loaded with. */
      const settled = async (id, { from, to, by }) => {
        const section = official.locator(`[data-testid="stats-${id}"][data-from="${from}"][data-to="${to}"]${by ? `[data-by="${by}"]` : ''}`);
        await official.waitForFunction((sel) => {
          const node = document.querySelector(sel);
          return node && (node.dataset.state === 'done' || node.dataset.state === 'error');
        }, `[data-testid="stats-${id}"][data-from="${from}"][data-to="${to}"]${by ? `[data-by="${by}"]` : ''}`);
        assert.equal(await section.getAttribute('data-state'), 'done',
          `the ${id} section loaded (${(await section.textContent()).replace(/\s+/g, ' ').slice(0, 200)})`);
        return section;
      };
      const salesApi = async (q) => {
        const answer = await callApi(official, 'GET', '/stats/sales?' + new URLSearchParams(q).toString());
        assert.equal(answer.status, 200, `the statistics API answers (${JSON.stringify(answer.body)})`);
        return answer.body;
      };
      /** The totals on the cards are the API's for the same view (or held back with it). */
      const kpisMatch = async (total) => {
        const held = !total || total.suppressed === true || total.gmv_fen === null;
        const figures = { gmv: 'gmv_fen', net: 'net_fen', refund: 'refund_fen', orders: 'orders', buyers: 'buyers', weight: 'weight_grams', traced: 'traced_share_bp' };
        for (const [id, figure] of Object.entries(figures)) {
          const card = official.getByTestId(`kpi-${id}`);
          assert.equal(await card.getAttribute('data-suppressed'), String(held), `kpi-${id} held back as the API's total`);
          assert.equal(await card.getAttribute('data-value'), held ? '' : String(total[figure] ?? ''), `kpi-${id}`);
        }
        const gmv = (await official.getByTestId('kpi-gmv').locator('dd').textContent()).trim();
        assert.match(gmv, held ? /^—$/ : /^¥\d{1,3}(,\d{3})*\.\d{2}$/, 'money as yuan with two decimals');
      };
      /** The sales table lists every time bucket of the API's answer, the held-back ones marked. */
      const salesTableMatches = async (answer) => {
        const table = official.getByTestId('table-sales');
        assert.equal(await table.locator('tbody tr').count(), answer.rows.length, 'one table row per time bucket');
        assert.equal(await table.locator('tbody tr[data-suppressed="true"]').count(), answer.rows.filter((r) => r.suppressed).length);
        assert.deepEqual(await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.key)), answer.rows.map((r) => r.key));
        if (answer.rows.some((r) => r.suppressed)) await official.getByTestId('sales-suppressed-note').waitFor();
      };

      // The last 30 Beijing days, by day, for the whole county; the address says so.
      let view = { from: beijingDay(-29), to: beijingDay(0), by: 'day' };
      await settled('kpi', view);
      let address = new URL(official.url()).searchParams;
      assert.deepEqual([address.get('from'), address.get('to'), address.get('by')], [view.from, view.to, view.by]);
      assert.equal(await official.getByTestId('stats-from').inputValue(), view.from);
      assert.equal(await official.getByTestId('stats-to').inputValue(), view.to);
      assert.equal(await official.getByTestId('quick-last30').getAttribute('aria-pressed'), 'true');
      let sales = await salesApi(view);
      assert.equal(sales.rows.length, 30, 'every day of the period is a row, zero-filled');
      await settled('sales', view);
      await kpisMatch(sales.total);
      await official.locator('[data-testid="chart-sales"][data-rendered="true"]').waitFor();
      assert.ok(await official.getByTestId('chart-sales').locator('canvas, svg').count() > 0, 'the sales chart is drawn');
      await salesTableMatches(sales);
      // The table is the chart's accessible twin: one click away, under 查看数据表.
      await official.getByTestId('data-sales').locator('summary').click();
      assert.ok(await official.getByTestId('table-sales').isVisible());

      // Every other section loads on its own; the breakdowns list what the API lists, 其他 last.
      for (const id of ['township', 'category', 'seller_kind', 'buyer_kind', 'dest', 'product', 'seller', 'aftersales', 'trace', 'onboarding']) {
        await settled(id, { from: view.from, to: view.to });
      }
      await settled('prices', { from: view.from, to: view.to });
      const townships = await salesApi({ from: view.from, to: view.to, by: 'township' });
      const townTable = official.getByTestId('stats-township').locator('tbody tr');
      const merged = Boolean(townships.other) && (townships.other_groups ?? 1) > 0;
      assert.equal(await townTable.count(), townships.rows.length + (merged ? 1 : 0));
      if (merged) {
        assert.match((await official.getByTestId('stats-township').locator('tbody tr[data-other="true"] th').textContent()).trim(), /^其他（买家少于5位）/);
      }
      const top = await salesApi({ from: view.from, to: view.to, by: 'product', limit: '10' });
      assert.ok(top.rows.length <= 10, 'ten products at most');
      assert.equal(await official.getByTestId('stats-product').locator('tbody tr:not([data-other="true"])').count(), top.rows.length);
      assert.match(await official.getByTestId('export-product-csv').getAttribute('href'), /[?&]by=product&limit=10&format=csv$/);

      // Another period: this year, then back to the last 30 days; the address and the figures follow.
      await official.getByTestId('quick-year').click();
      view = { from: `${beijingDay(0).slice(0, 4)}-01-01`, to: beijingDay(0), by: 'day' };
      await settled('kpi', view);
      await settled('sales', view);
      address = new URL(official.url()).searchParams;
      assert.deepEqual([address.get('from'), address.get('to')], [view.from, view.to]);
      assert.equal(await official.getByTestId('quick-year').getAttribute('aria-pressed'), 'true');
      sales = await salesApi(view);
      await kpisMatch(sales.total);
      await salesTableMatches(sales);
      await official.getByTestId('quick-last30').click();
      view = { from: beijingDay(-29), to: beijingDay(0), by: 'day' };
      await settled('kpi', view);
      assert.equal(new URL(official.url()).searchParams.get('from'), view.from);

      // By month instead of by day.
      await official.locator('label[for="s-by-month"]').click();
      view = { ...view, by: 'month' };
      await settled('sales', view);
      assert.equal(new URL(official.url()).searchParams.get('by'), 'month');
      assert.equal(await official.getByTestId('by-month').isChecked(), true);
      sales = await salesApi(view);
      await kpisMatch(sales.total);
      await salesTableMatches(sales);
      assert.ok(sales.rows.length >= 1 && sales.rows.length <= 2, 'a 30-day period touches one or two months');
      await settled('trace', view);

      // One township only: the totals and the trend are that township's.
      await official.getByTestId('filter-kind').selectOption('township');
      const township = await chooseFirst(official.getByTestId('filter-value'));
      assert.ok(township, 'the townships come from the dimensions');
      await official.waitForFunction((t) => {
        const k = document.querySelector('[data-testid="stats-kpi"]');
        return k && k.dataset.filter === `township=${t}` && (k.dataset.state === 'done' || k.dataset.state === 'error');
      }, township);
      await settled('kpi', view);
      assert.equal(new URL(official.url()).searchParams.get('township'), township, 'the address carries the filter');
      sales = await salesApi({ ...view, township });
      await kpisMatch(sales.total);
      await salesTableMatches(sales);
      const townshipName = (await official.getByTestId('filter-value').locator('option:checked').textContent()).trim();
      assert.match(await official.getByTestId('stats-scope').textContent(), new RegExp(townshipName));
      const xlsxHref = await official.getByTestId('export-sales-xlsx').getAttribute('href');
      assert.equal(new URL(xlsxHref, BASE).searchParams.get('township'), township, 'the download is the view on the page');

      // The view reloads from its address as it was.
      await official.reload();
      await ready(official);
      await settled('kpi', view);
      assert.equal(await official.getByTestId('filter-kind').inputValue(), 'township');
      assert.equal(await official.getByTestId('filter-value').inputValue(), township);
      assert.equal(await official.getByTestId('by-month').isChecked(), true);

      // 价格走势 for a category sold in the period: average, median and the range, per unit.
      const prices = (await callApi(official, 'GET', `/stats/prices?from=${view.from}&to=${view.to}`)).body;
      assert.ok(Array.isArray(prices.rows), `the price list (${JSON.stringify(prices)})`);
      const priceSelect = official.getByTestId('price-category');
      if (prices.rows.length) {
        const pick = prices.rows[prices.rows.length - 1];
        await priceSelect.selectOption(pick.key);
        const priced = official.locator(`[data-testid="stats-prices"][data-state="done"][data-category="${pick.key}"]`);
        await priced.waitFor();
        assert.equal(new URL(official.url()).searchParams.get('price_category'), pick.key);
        assert.equal(await priced.getAttribute('data-by'), 'month', 'monthly prices when the page is by month');
        const series = (await callApi(official, 'GET', `/stats/prices?from=${view.from}&to=${view.to}&by=month&category=${encodeURIComponent(pick.key)}`)).body;
        assert.equal(await official.getByTestId('table-prices').locator('tbody tr').count(), series.rows.length);
        assert.equal(await priced.getAttribute('data-basis'), series.category.basis);
        await official.locator('[data-testid="chart-prices"][data-rendered="true"]').waitFor();
        assert.ok(await official.getByTestId('chart-prices').locator('canvas, svg').count() > 0);
      } else {
        assert.equal(await priceSelect.isDisabled(), true, 'nothing to choose when nothing sold');
      }

      // The sales view as Excel and as CSV: the browser downloads the API's files.
      const dir = mkdtempSync(join(tmpdir(), 'farmgate-stats-'));
      try {
        const [xlsx] = await Promise.all([official.waitForEvent('download'), official.getByTestId('export-sales-xlsx').click()]);
        // farmgate-<view>-<from>-<to>.xlsx; the view may name its grouping (sales-month).
        assert.match(xlsx.suggestedFilename(), /^farmgate-sales(-[a-z_]+)?-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.xlsx$/);
        const xlsxPath = join(dir, xlsx.suggestedFilename());
        await xlsx.saveAs(xlsxPath);
        const book = readFileSync(xlsxPath);
        assert.equal(book.subarray(0, 4).toString('latin1'), 'PK\x03\x04', 'an Office Open XML (zip) file');
        assert.ok(statSync(xlsxPath).size > 1024, `more than 1 KB (${statSync(xlsxPath).size} bytes)`);
        const [csv] = await Promise.all([official.waitForEvent('download'), official.getByTestId('export-sales-csv').click()]);
        assert.match(csv.suggestedFilename(), /^farmgate-sales-.*\.csv$/);
        const csvPath = join(dir, csv.suggestedFilename());
        await csv.saveAs(csvPath);
        const text = readFileSync(csvPath);
        assert.deepEqual([...text.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a BOM, so Excel reads the Chinese');
        const header = text.subarray(3).toString('utf8').split(/\r?\n/)[0];
        assert.match(header, /[\u4e00-\u9fff]/, `a Chinese header (${header})`);
        assert.ok(header.includes(','), 'comma-separated');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }

      // On a phone: the same page, nothing sideways.
      await official.setViewportSize({ width: 360, height: 740 });
      await official.waitForTimeout(300);
      assert.ok(await scrollWidth(official) <= 360, `the statistics fit 360 px (${await scrollWidth(official)})`);

      // More than three years at once is refused by the server, under the end date.
      await official.getByTestId('stats-from').fill(beijingDay(-1200));
      await official.getByTestId('stats-submit').click();
      const tooLong = official.locator('#s-to-error:not([hidden])');
      await tooLong.waitFor();
      assert.equal(await tooLong.getAttribute('data-code'), 'too_long', 'the server\'s field code');
      assert.ok((await tooLong.textContent()).trim(), 'with the server\'s words');
      assert.equal(await official.getByTestId('stats-to').getAttribute('aria-invalid'), 'true');
      await official.locator('[data-testid="stats-sales"][data-state="error"]').waitFor();
      assert.equal(new URL(official.url()).searchParams.get('from'), beijingDay(-1200), 'the address keeps what was asked');
      // A quick button puts it right.
      await official.getByTestId('quick-last30').click();
      await settled('kpi', { from: beijingDay(-29), to: beijingDay(0), by: 'month' });
      assert.equal(await official.locator('#s-to-error').isHidden(), true);

      // A seller gets the page's refusal, and the API's.
      const seller = await s.person({ width: 360, height: 740 });
      await logIn(seller, COOP_OWNER);
      assert.equal(await seller.getByTestId('nav-ops-stats').count(), 0, 'no statistics in a seller\'s navigation');
      await open(seller, '/ops/stats.html');
      await seller.getByTestId('forbidden').waitFor();
      assert.equal(await seller.getByTestId('stats').isHidden(), true);
      const refused = await callApi(seller, 'GET', `/stats/sales?from=${beijingDay(-29)}&to=${beijingDay(0)}`);
      assert.equal(refused.status, 403);
    }));

  test('the county official recalls a shipped batch of oranges by the trace code on a buyer\'s parcel; the report counts the orders and buyers it reached, the buyer takes the refund from 我的订单, and the public trace page says so',
    { timeout: STORY_TIMEOUT * 2, skip }, scenario(async (s) => {
      // A fresh parcel of oranges for the buyer, paid in the sandbox and shipped from ML-2026-11-A,
      // so a refund is certainly on offer whatever the earlier stories refunded.
      const consumer = await s.person({ width: 360, height: 740 });
      await logIn(consumer, CONSUMER);
      const owner = await s.person();
      await logIn(owner, COOP_OWNER);
      const org = await sellingOrg(owner);
      const batches = (await callApi(owner, 'GET', `/orgs/${org.id}/batches`)).body;
      const batch = batches.find((b) => b.lot === 'ML-2026-11-A');
      assert.ok(batch, 'the demo batch ML-2026-11-A');
      const listing = (await callApi(consumer, 'GET', `/listings/${batch.listing_id}`)).body;
      const sku = listing.skus.find((x) => x.stock > 0);
      const addresses = (await callApi(consumer, 'GET', '/me/addresses')).body;
      const placed = await callApi(consumer, 'POST', '/orders',
        { address_id: addresses[0].id, payment_method: 'gateway', items: [{ sku_id: sku.id, quantity: 1 }] },
        { 'Idempotency-Key': idempotencyKey() });
      assert.equal(placed.status, 201, `ordered (${JSON.stringify(placed.body)})`);
      const intent = await callApi(consumer, 'POST', `/orders/${placed.body.id}/pay`, {}, { 'Idempotency-Key': idempotencyKey() });
      const paid = await callApi(consumer, 'POST', `/payments/sandbox/${intent.body.id}/complete`, { outcome: 'succeeded' });
      assert.equal(paid.status, 200, `paid (${JSON.stringify(paid.body)})`);
      const shipped = await shipFromBatches(owner, placed.body.sub_orders[0], { lot: 'ML-2026-11-A' });
      const parcel = shipped.sub_orders[0];
      const code = parcel.shipment.batches[0].code;
      assert.equal(parcel.shipment.batches[0].lot, 'ML-2026-11-A');

      // The cooperative could recall it from its batch page: it opens the form, then thinks again.
      await open(owner, `/seller/batch.html?id=${encodeURIComponent(batch.id)}`);
      await owner.locator('[data-testid="batch"][data-ready="true"][data-status="open"]').waitFor();
      const own = owner.getByTestId('recall-section');
      const recallPosts = [];
      const onRecall = (r) => { if (r.method() === 'POST' && r.url().endsWith('/recall')) recallPosts.push(r.url()); };
      owner.on('request', onRecall);
      await own.getByTestId('recall-open').click();
      await own.getByTestId('recall-reason').fill('自查发现部分果实有药斑');
      await own.getByTestId('recall-next').click();
      await own.getByTestId('recall-confirm-box').waitFor();
      await own.getByTestId('recall-confirm-cancel').click();
      await own.getByTestId('recall-cancel').click();
      await own.getByTestId('recall-open').waitFor();
      owner.off('request', onRecall);
      assert.deepEqual(recallPosts, [], 'nothing is recalled without the confirmation');

      // The official has no batch pages: she recalls from 召回 in the navigation, by the code.
      const official = await s.person({ width: 360, height: 740 });
      await logIn(official, OFFICIAL);
      await official.getByTestId('nav-ops-quality').waitFor();
      await Promise.all([
        official.waitForURL((url) => url.pathname === '/ops/recalls.html'),
        official.getByTestId('nav-ops-recalls').click(),
      ]);
      await ready(official);
      await official.locator('[data-testid="recalls"][data-state="done"]').waitFor();
      await official.getByTestId('recall-ref').fill('not a code');
      await official.getByTestId('recall-find-submit').click();
      await official.locator('#recall-ref-error:not([hidden])').waitFor();
      // As printed on the label: dashed, in lower case.
      await official.getByTestId('recall-ref').fill(code.replace(/(.{4})(?=.)/g, '$1-').toLowerCase());
      await official.getByTestId('recall-find-submit').click();
      const found = official.getByTestId('found-batch');
      await found.waitFor();
      assert.equal(await found.getAttribute('data-batch-id'), batch.id);
      assert.equal(await found.getAttribute('data-lot'), 'ML-2026-11-A');
      const reason = '县农检站抽检：毒死蜱残留超标，请立即停止食用';
      await found.getByTestId('recall-open').click();
      await found.getByTestId('recall-reason').fill('x');
      await found.getByTestId('recall-next').click();
      await found.locator('[data-error-for="reason"]:not([hidden])').waitFor();
      await found.getByTestId('recall-reason').fill(reason);
      await found.getByTestId('recall-next').click();
      const question = found.getByTestId('recall-confirm-box');
      await question.waitFor();
      assert.match(await question.textContent(), /ML-2026-11-A/, 'the confirmation names the lot');
      assert.ok(await scrollWidth(official) <= 360, 'the recall confirmation fits 360 px');
      const ordered = await posted(official, `/api/v1/batches/${batch.id}/recall`, () => found.getByTestId('recall-confirm').click());
      assert.equal(ordered.status, 200, `recalled (${JSON.stringify(ordered.body)})`);
      assert.deepEqual(ordered.request.postDataJSON(), { reason });
      const report = ordered.body;
      assert.equal(report.ordered_role, 'official');
      assert.ok(report.orders >= 2, `the demo orders and this one (${report.orders})`);
      assert.ok(report.buyers_reached >= 2, `the demo consumer and the community shop at least (${report.buyers_reached})`);

      // The report lists it with what it reached, and no buyer's data.
      const card = official.locator(`[data-testid="recalls"] [data-testid="recall-report"][data-batch-id="${batch.id}"]`);
      await card.waitFor();
      assert.equal(await card.getAttribute('data-role'), 'official');
      assert.equal((await card.getByTestId('recall-orders').locator('dd').textContent()).trim(), String(report.orders));
      assert.equal((await card.getByTestId('recall-buyers').locator('dd').textContent()).trim(), String(report.buyers_reached));
      assert.equal(await card.getByTestId('recall-reason').textContent(), reason);
      assert.equal(await card.getByTestId('recall-offered').getAttribute('data-fen'), String(report.offered));
      const boxes = report.quantities.find((q) => q.unit === 'box');
      assert.ok(boxes && boxes.quantity >= 1);
      assert.equal(await card.locator(`[data-testid="recall-quantities"] [data-unit="box"]`).getAttribute('data-quantity'), String(boxes.quantity));
      assert.doesNotMatch(await card.textContent(), /1360000000\d|王芳/, 'no buyer is named');
      assert.ok(await scrollWidth(official) <= 360, 'the recall report fits 360 px');
      // Ordering it again is the same recall.
      const again = await callApi(official, 'POST', `/batches/${batch.id}/recall`, { reason: '再次召回' });
      assert.equal(again.body.id, report.id);

      // The buyer sees the notice first thing on 我的订单, and takes the refund there.
      await open(consumer, '/orders.html');
      await consumer.locator('[data-testid="recall-notices"][data-state="done"]').waitFor();
      const notice = consumer.locator(`[data-testid="recall-notice"][data-order-id="${placed.body.id}"]`);
      await notice.waitFor();
      assert.equal(await notice.getAttribute('data-status'), 'offered');
      assert.equal(await notice.getByTestId('notice-reason').textContent(), reason);
      assert.match(await notice.getByTestId('notice-instructions').textContent(), /停止食用/);
      const offered = Number(await notice.getByTestId('notice-offered').getAttribute('data-fen'));
      assert.equal(offered, parcel.lines[0].line_total, 'what was paid for the recalled box');
      const firstNotice = consumer.getByTestId('recall-notice').first();
      assert.equal(await firstNotice.getAttribute('data-status'), 'offered', 'notices still to act on come first');
      const box = await consumer.getByTestId('recall-notices').boundingBox();
      const list = await consumer.getByTestId('orders').boundingBox();
      assert.ok(box.y < list.y, 'above the orders');
      assert.ok(await scrollWidth(consumer) <= 360, 'the notices fit 360 px');
      const took = await posted(consumer, `/api/v1/recall-notices/${await notice.getAttribute('data-notice-id')}/refund`, () => notice.getByTestId('notice-refund').click());
      assert.equal(took.status, 200, `refunded (${JSON.stringify(took.body)})`);
      assert.equal(took.body.status, 'refunded');
      await consumer.locator(`[data-testid="recall-notice"][data-order-id="${placed.body.id}"][data-status="refunded"]`).waitFor();
      assert.equal(await notice.getByTestId('notice-refunded-amount').getAttribute('data-fen'), String(offered));
      assert.equal(await notice.getByTestId('notice-refund').count(), 0, 'refunded once');

      // The order shows the notice, refunded, and the refund itself.
      await notice.getByTestId('notice-order-link').click();
      await consumer.waitForURL((url) => url.pathname === '/order.html');
      await ready(consumer);
      await consumer.locator('[data-testid="order"][data-ready="true"]').waitFor();
      await consumer.locator('[data-testid="order-recalls"] [data-testid="recall-notice"][data-status="refunded"]').waitFor();
      assert.equal(await consumer.getByTestId('order-refunded').getAttribute('data-fen'), String(offered));
      await consumer.locator(`[data-testid="order-sub"][data-sub-id="${parcel.id}"] [data-testid="sub-recalled"]`).waitFor();

      // The officials' report counts the refund taken.
      await official.reload();
      await ready(official);
      const fresh = official.locator(`[data-testid="recall-report"][data-batch-id="${batch.id}"]`);
      await fresh.waitFor();
      assert.equal(Number(await fresh.getByTestId('recall-refunded').getAttribute('data-fen')) >= offered, true);

      // The seller's batch page says it is recalled, with no recall button left.
      await open(owner, `/seller/batch.html?id=${encodeURIComponent(batch.id)}`);
      await owner.locator('[data-testid="batch"][data-ready="true"][data-status="recalled"]').waitFor();
      assert.equal(await owner.getByTestId('recalled-reason').textContent(), reason);
      assert.equal(await owner.getByTestId('recall-section').isHidden(), true);
      assert.ok(await owner.locator('[data-testid="timeline-event"][data-kind="recall"]').count(), 'the recall is in the record');
      // …and the seller finds the report of its own batch from its page.
      await open(owner, `/seller.html?id=${encodeURIComponent(org.id)}`);
      await Promise.all([
        owner.waitForURL((url) => url.pathname === '/ops/recalls.html'),
        owner.getByTestId('seller-to-recalls').click(),
      ]);
      await ready(owner);
      await owner.locator('[data-testid="recalls"][data-state="done"]').waitFor();
      await owner.locator(`[data-testid="recall-report"][data-batch-id="${batch.id}"]`).waitFor();
      assert.equal(await owner.getByTestId('recall-find').isHidden(), true, 'a seller recalls from its batch page, not here');

      // The public trace page, without logging in, says so first.
      const visitor = await s.person({ width: 360, height: 740 });
      const scanned = await visitor.goto(`/t/${encodeURIComponent(code)}`);
      assert.equal(scanned.status(), 200);
      const banner = visitor.getByTestId('recalled');
      await banner.waitFor();
      assert.match(await banner.textContent(), /毒死蜱残留超标/);
    }));
});
