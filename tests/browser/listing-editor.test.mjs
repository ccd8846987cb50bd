// The seller's one-save listing editor and the operator's checks (#19), at 1366×900, against a
// server started with demo data (password farmgate123):
// - the cooperative's owner (13800000001) opens a new listing, chooses two photos before the
//   listing exists (they upload while the form is filled in), writes two SKUs and presses one
//   button: one request creates the draft with both photos and both SKUs; then edits it in one
//   save (a price, the description, a photo removed) and submits it for review;
// - the operator (13900000001) finds it in the review queue and sees every photo, every SKU with
//   its price, tiers and stock, the category, the description and the ship-within promise
//   without unfolding anything;
// - the owner applies for a new organisation and uploads its business licence picture on the
//   organisation page, replaces it, adds and deletes another paper; the operator's organisation
//   check shows the pictures (served to the operator only, never public) and removes one.
// Screenshots of the editor, the review card and the organisation check go to artifacts/.
// FARMGATE_BASE_URL=… node --test listing-editor.test.mjs

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ARTIFACTS, callApi, launchBrowser, logIn, open, ready, scrollWidth, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';

const OPERATOR = '13900000001';
const COOP_OWNER = '13800000001';
const STORY_TIMEOUT = 180_000;
const DESK = { width: 1366, height: 900 };

let browser;
const scenario = (body) => story(() => browser, BASE, body);

async function shot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `listing-editor-${name}.png`), fullPage: true });
}

/** A PNG drawn in the page (a plain colour, `size` px square), as bytes for a file input. */
async function pngFile(page, hue, name, size = 400) {
  const dataUrl = await page.evaluate(({ hue, size }) => {
    const canvas = document.createElement('canvas');
    canvas.width = size;
    canvas.height = Math.round(size * 0.75);
    const g = canvas.getContext('2d');
    g.fillStyle = `hsl(${hue} 70% 50%)`;
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.fillStyle = '#fff';
    g.font = '40px sans-serif';
    g.fillText('营业执照 91360000', 20, 80);
    return canvas.toDataURL('image/png');
  }, { hue, size });
  return { name, mimeType: 'image/png', buffer: Buffer.from(dataUrl.split(',')[1], 'base64') };
}

/** A valid, fresh unified social credit code (GB 32100 check character). */
function freshLicence() {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  let body = '93360799';
  for (let i = 0; i < 9; i += 1) body += alphabet[Math.floor(Math.random() * alphabet.length)];
  let sum = 0;
  let weight = 1;
  for (const ch of body) {
    sum += alphabet.indexOf(ch) * weight;
    weight = (weight * 3) % 31;
  }
  const check = (31 - (sum % 31)) % 31;
  return body + alphabet[check];
}

async function chooseFirst(select) {
  const values = await select.locator('option').evaluateAll((options) => options.map((o) => o.value));
  const value = values.find((v) => v) || '';
  await select.selectOption(value);
  return value;
}

async function fillSku(row, { name, price, stock, weight = '2600' }) {
  await row.getByTestId('sku-name').fill(name);
  await row.getByTestId('sku-unit').selectOption('box');
  await row.getByTestId('sku-price').fill(price);
  await row.getByTestId('sku-stock').fill(stock);
  await row.getByTestId('sku-weight-grams').fill(weight);
}

/** Every API request the page sends from now on, as `METHOD path`. */
function recordRequests(page) {
  const sent = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith('/api/v1/') && r.method() !== 'GET') sent.push(`${r.method()} ${url.pathname}`);
  });
  return sent;
}

describe('the listing editor and the operator\'s checks', () => {
  before(async () => {
    if (!skip) browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('a seller creates a listing with two photos and two SKUs in one save, edits it in one save, and the operator reviews it all at once',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const owner = await s.person(DESK);
      await logIn(owner, COOP_OWNER);
      await open(owner, '/seller/listings.html');
      await owner.getByTestId('console').waitFor();
      await Promise.all([
        owner.waitForURL((url) => url.pathname === '/seller/edit.html'),
        owner.getByTestId('new-listing').click(),
      ]);
      await ready(owner);
      await owner.locator('[data-testid="listing-form"][data-ready="true"]').waitFor();
      const orgId = new URL(owner.url()).searchParams.get('org');
      const title = `赣南脐橙 一次保存 ${Date.now() % 100000}`;

      // Photos first, before anything is saved: they upload while the rest is typed.
      const sent = recordRequests(owner);
      await owner.getByTestId('image-file').setInputFiles([
        await pngFile(owner, 30, 'front.png'), await pngFile(owner, 140, 'side.png'),
      ]);
      await owner.getByTestId('f-title').fill(title);
      await chooseFirst(owner.getByTestId('f-category-top'));
      await chooseFirst(owner.getByTestId('f-category'));
      await owner.getByTestId('f-description').fill('树上自然成熟。\n坏果包赔。');
      await fillSku(owner.getByTestId('sku-row').nth(0), { name: '10斤装', price: '59.90', stock: '80', weight: '5600' });
      await owner.getByTestId('add-sku').click();
      await fillSku(owner.getByTestId('sku-row').nth(1), { name: '5斤装', price: '32.90', stock: '40' });
      const tierRow = owner.getByTestId('sku-row').nth(0);
      await tierRow.getByTestId('tier-add').click();
      await tierRow.getByTestId('tier-min-quantity').fill('10');
      await tierRow.getByTestId('tier-price').fill('49.90');
      await owner.getByTestId('image-item').nth(1).waitFor();
      assert.equal(await owner.getByTestId('image-item').count(), 2, 'both photos are in, before any save');
      assert.ok(await scrollWidth(owner) <= 1366, 'the editor fits the office screen');
      await shot(owner, 'new');

      const [created] = await Promise.all([
        owner.waitForResponse((r) => r.url().endsWith(`/api/v1/orgs/${orgId}/listings`) && r.request().method() === 'POST'),
        owner.getByTestId('listing-save').click(),
      ]);
      assert.equal(created.status(), 201, 'one save creates the draft');
      assert.ok(created.request().headers()['idempotency-key'], 'the create carries an Idempotency-Key');
      const listing = await created.json();
      assert.equal(listing.images.length, 2, 'with both photos');
      assert.equal(listing.skus.length, 2, 'and both SKUs');
      assert.deepEqual(sent.filter((r) => !r.endsWith('/photos')), [`POST /api/v1/orgs/${orgId}/listings`],
        `one save, one request (${sent.join(', ')})`);
      await owner.locator('[data-testid="edit-status-badge"][data-value="draft"]').waitFor();
      await owner.waitForURL((url) => url.searchParams.get('id') === listing.id);

      // Edit in one save: a price, the description, the first photo removed.
      sent.length = 0;
      await owner.getByTestId('sku-row').nth(0).getByTestId('sku-price').fill('62.90');
      await owner.getByTestId('f-description').fill('树上自然成熟，现摘现发。');
      await owner.getByTestId('image-item').first().getByTestId('image-delete').click();
      const [saved] = await Promise.all([
        owner.waitForResponse((r) => r.url().endsWith(`/api/v1/listings/${listing.id}`) && r.request().method() === 'PUT'),
        owner.getByTestId('listing-save').click(),
      ]);
      assert.equal(saved.status(), 200, 'one save edits it');
      assert.deepEqual(sent, [`PUT /api/v1/listings/${listing.id}`], `one request (${sent.join(', ')})`);
      const now = await callApi(owner, 'GET', `/listings/${listing.id}`);
      assert.equal(now.body.images.length, 1);
      assert.equal(now.body.images[0].id, listing.images[1].id, 'the second photo is now the cover');
      assert.equal(now.body.skus.find((k) => k.name === '10斤装').price, 6290);
      assert.equal(now.body.description, '树上自然成熟，现摘现发。');
      await owner.getByTestId('image-item').first().waitFor();
      assert.equal(await owner.getByTestId('image-item').count(), 1);

      // Back to two photos for the review, then submit.
      await owner.getByTestId('image-file').setInputFiles([await pngFile(owner, 260, 'top.png')]);
      await owner.locator('[data-testid="image-item"]').nth(1).waitFor();
      await Promise.all([
        owner.waitForResponse((r) => r.url().endsWith(`/api/v1/listings/${listing.id}/submit`) && r.ok()),
        owner.getByTestId('listing-submit-review').click(),
      ]);
      await owner.locator('[data-testid="edit-status-badge"][data-value="pending"]').waitFor();

      const operator = await s.person(DESK);
      await logIn(operator, OPERATOR);
      await open(operator, '/ops/listings.html');
      const card = operator.locator(`[data-testid="review-card"][data-listing-id="${listing.id}"]`);
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
      assert.equal(await photos.count(), 2, 'every photo');
      for (const p of await photos.all()) {
        assert.ok(await p.isVisible(), 'each photo in view');
        assert.ok(await p.evaluate((img) => img.complete && img.naturalWidth > 0), 'and loaded');
      }
      assert.equal(await card.getByTestId('review-sku').count(), 2, 'every SKU');
      const table = await card.getByTestId('review-skus').innerText();
      for (const expected of ['10斤装', '5斤装', '62.90', '32.90', '49.90', '80', '40']) {
        assert.ok(table.includes(expected), `the SKU table shows ${expected}: ${table}`);
      }
      assert.ok((await card.getByTestId('review-description').innerText()).includes('现摘现发'));
      assert.ok(await card.getByTestId('review-category').isVisible(), 'the category');
      assert.ok((await card.getByTestId('review-ship-within').innerText()).match(/\d/), 'the ship-within promise');
      assert.equal(await card.locator('details').count(), 0, 'nothing folded away');
      assert.ok(await scrollWidth(operator) <= 1366, 'the review fits the office screen');
      await card.screenshot({ path: join(ARTIFACTS, 'listing-editor-review-card.png') });
    }));

  test('the organisation check shows the business licence picture the applicant uploaded, to the operator only',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const owner = await s.person(DESK);
      await logIn(owner, COOP_OWNER);
      const name = `梅岭柑橘家庭农场 ${Date.now() % 100000}`;
      const applied = await callApi(owner, 'POST', '/orgs', {
        kind: 'family_farm', name, licence_no: freshLicence(),
        region: { province: '江西省', city: '赣州市', county: '青石县', township: '梅岭镇', village: '茶坑村' },
        address: '梅岭镇茶坑村 5 组', contact_name: '李国强', contact_phone: '13800000001',
      });
      assert.equal(applied.status, 201, JSON.stringify(applied.body));
      const orgId = applied.body.id;

      await open(owner, `/org.html?id=${encodeURIComponent(orgId)}`);
      await owner.getByTestId('org-detail').waitFor();
      await owner.locator('#documents-upload:not([hidden])').waitFor();
      const [uploaded] = await Promise.all([
        owner.waitForResponse((r) => r.url().includes(`/api/v1/orgs/${orgId}/documents`) && r.request().method() === 'POST'),
        owner.getByTestId('org-document-file').setInputFiles([await pngFile(owner, 200, 'licence.png', 900)]),
      ]);
      assert.equal(uploaded.status(), 201, await uploaded.text());
      const doc = await uploaded.json();
      assert.equal(doc.kind, 'business_licence');
      await owner.locator('[data-testid="org-document"][data-kind="business_licence"]').waitFor();

      // Before verification the owner replaces the licence (one current licence; the old one's
      // files go) and adds, then deletes, another paper.
      await owner.locator('#document-file-label:not([hidden])').waitFor();
      assert.equal((await owner.locator('#document-file-label').innerText()).trim(), '更换营业执照');
      const [replaced] = await Promise.all([
        owner.waitForResponse((r) => r.url().includes(`/api/v1/orgs/${orgId}/documents`) && r.request().method() === 'POST'),
        owner.getByTestId('org-document-file').setInputFiles([await pngFile(owner, 120, 'licence-2.png', 900)]),
      ]);
      assert.equal(replaced.status(), 201, await replaced.text());
      const licence = await replaced.json();
      const [added] = await Promise.all([
        owner.waitForResponse((r) => r.url().includes(`/api/v1/orgs/${orgId}/documents?kind=other`) && r.request().method() === 'POST'),
        owner.getByTestId('org-document-other-file').setInputFiles([await pngFile(owner, 40, 'permit.png', 600)]),
      ]);
      assert.equal(added.status(), 201, await added.text());
      await owner.locator('[data-testid="org-document"][data-kind="other"]').waitFor();
      assert.equal(await owner.locator('[data-testid="org-document"][data-kind="business_licence"]').count(), 1, 'one current licence');
      const old = await owner.evaluate(async (url) => (await fetch(url)).status, doc.url);
      assert.equal(old, 404, 'the replaced licence is gone');
      // The confirmation is accepted (the story's own handler would dismiss it).
      owner.removeAllListeners('dialog');
      owner.on('dialog', (d) => d.accept().catch(() => {}));
      const [deleted] = await Promise.all([
        owner.waitForResponse((r) => r.url().includes(`/api/v1/orgs/${orgId}/documents/`) && r.request().method() === 'DELETE'),
        owner.locator('[data-testid="org-document"][data-kind="other"]').getByTestId('org-document-delete').click(),
      ]);
      assert.equal(deleted.status(), 204);
      await owner.locator('[data-testid="org-document"][data-kind="other"]').waitFor({ state: 'detached' });
      await shot(owner, 'org-documents');
      // A second paper the operator will remove on the check.
      const [again] = await Promise.all([
        owner.waitForResponse((r) => r.url().includes(`/api/v1/orgs/${orgId}/documents?kind=other`) && r.request().method() === 'POST'),
        owner.getByTestId('org-document-other-file').setInputFiles([await pngFile(owner, 300, 'permit-2.png', 600)]),
      ]);
      assert.equal(again.status(), 201, await again.text());

      // Nobody else sees it: not a stranger's session, not without one, not as a public file.
      const anonymous = await s.person(DESK);
      await open(anonymous, '/');
      const anon = await anonymous.evaluate(async (url) => (await fetch(url)).status, doc.url);
      assert.equal(anon, 401);

      const operator = await s.person(DESK);
      await logIn(operator, OPERATOR);
      await open(operator, `/ops/verify.html?q=${encodeURIComponent(name)}`);
      const card = operator.locator('[data-testid="queue-card"]').filter({ hasText: name });
      await card.waitFor();
      const image = card.locator('[data-testid="queue-document"][data-kind="business_licence"]').getByTestId('queue-document-image');
      await image.waitFor();
      await image.scrollIntoViewIfNeeded();
      assert.ok(await image.isVisible(), 'the licence picture shows on the check');
      await operator.waitForFunction((img) => img.complete && img.naturalWidth > 0, await image.elementHandle());
      const width = await image.evaluate((img) => img.getBoundingClientRect().width);
      assert.ok(width >= 300, `large enough to read (${width}px)`);
      assert.equal(await card.getByTestId('queue-document').first().getAttribute('data-kind'), 'business_licence', 'the licence first');
      assert.equal(await card.getByTestId('queue-document').count(), 2);
      await card.screenshot({ path: join(ARTIFACTS, 'listing-editor-org-check.png') });

      // The operator removes the paper that is not needed; the licence stays.
      operator.removeAllListeners('dialog');
      operator.on('dialog', (d) => d.accept().catch(() => {}));
      const [removed] = await Promise.all([
        operator.waitForResponse((r) => r.url().includes(`/api/v1/orgs/${orgId}/documents/`) && r.request().method() === 'DELETE'),
        card.locator('[data-testid="queue-document"][data-kind="other"]').getByTestId('queue-document-delete').click(),
      ]);
      assert.equal(removed.status(), 204);
      await card.locator('[data-testid="queue-document"][data-kind="other"]').waitFor({ state: 'detached' });
      assert.equal(await card.getByTestId('queue-document').count(), 1);
      const kept = await operator.evaluate(async (url) => (await fetch(url)).status, licence.url);
      assert.equal(kept, 200, 'the current licence is still served to the operator');

      // Tidy: the application is rejected so the demo queue stays as it was.
      const rejected = await callApi(operator, 'POST', `/admin/orgs/${orgId}/reject`, { reason: '测试申请，已核对证照图片显示' });
      assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
    }));
});
