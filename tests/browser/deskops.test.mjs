// The desk's conversations and the operator's report queue in the browser, against a freshly
// seeded demo server (FARMGATE_BASE_URL; password farmgate123), at 390 px and 1366 px:
// - a consumer asks a cooperative about a listing from its page, the cooperative answers from
//   its inbox, the consumer sees the answer;
// - a consumer reports a review on a listing's page, the operator hides it from
//   /ops/moderation.html with a reason, the listing no longer shows it, the operator restores
//   it from the hidden reviews and the listing shows it again.
// No page is ever wider than its viewport.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { callApi, launchBrowser, logIn, open, scrollWidth, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';

const CONSUMER = '13600000002';
// One report per person and review: each viewport's story reports as someone else.
const REPORTERS = { 390: '13600000002', 1366: '13700000001' };
const COOP_OWNER = '13800000001';
const OPERATOR = '13900000001';
const STORY_TIMEOUT = 120_000;
const VIEWPORTS = [{ width: 390, height: 844 }, { width: 1366, height: 900 }];

let browser;
const scenario = (body) => story(() => browser, BASE, body);

async function fits(page, what) {
  const width = page.viewportSize().width;
  assert.ok(await scrollWidth(page) <= width, `${what} is wider than ${width} px`);
}

/** A listing of the cooperative's with at least one review, found through the public API. */
async function reviewedListing(page, sellerOrg) {
  const found = await callApi(page, 'GET', `/search?seller=${sellerOrg}&per_page=50`);
  for (const hit of found.body.hits || []) {
    const reviews = await callApi(page, 'GET', `/listings/${hit.id}/reviews?limit=20`);
    if (reviews.body.items && reviews.body.items.length) return { listing: hit.id, review: reviews.body.items[0] };
  }
  return null;
}

describe('conversations and the report queue', { skip }, () => {
  before(async () => { browser = await launchBrowser(); });
  after(async () => { await browser?.close(); });

  for (const viewport of VIEWPORTS) {
    test(`a consumer asks about a listing, the cooperative answers from its inbox, the consumer reads it (${viewport.width} px)`,
      { timeout: STORY_TIMEOUT }, scenario(async (s) => {
        const owner = await s.person(viewport);
        await logIn(owner, COOP_OWNER);
        const orgs = await callApi(owner, 'GET', '/orgs/mine');
        const org = (orgs.body.items || orgs.body).find((o) => o.kind !== 'platform') || (orgs.body.items || orgs.body)[0];
        const hits = await callApi(owner, 'GET', `/search?seller=${org.id}&per_page=5`);
        const listing = hits.body.hits[0].id;
        const title = hits.body.hits[0].title;

        const buyer = await s.person(viewport);
        await logIn(buyer, CONSUMER);
        await open(buyer, `/listing.html?id=${listing}`);
        await buyer.getByTestId('contact-seller').click();
        await buyer.waitForURL((url) => url.pathname === '/conversation.html');
        await buyer.locator('[data-testid="conversation"][data-state="done"]').waitFor();
        const question = `请问现在下单几天能到？${Date.now()}`;
        await buyer.getByTestId('message-body').fill(question);
        await buyer.getByTestId('message-submit').click();
        await buyer.getByTestId('message').filter({ hasText: question }).waitFor();
        await fits(buyer, 'the conversation');

        // The cooperative finds it in its inbox, unread, and answers.
        await open(owner, '/seller/inbox.html');
        const item = owner.locator('[data-testid="inbox-item"]:not([data-unread="0"])').filter({ hasText: title }).first();
        await item.waitFor();
        await fits(owner, 'the inbox');
        await item.locator('a').first().click();
        await owner.waitForURL((url) => url.pathname === '/conversation.html');
        await owner.getByTestId('message').filter({ hasText: question }).waitFor();
        // Each viewport's story answers in the same conversation: its own words, to count once.
        const answer = `顺丰冷链，下单后两天内送到（${viewport.width}）。`;
        await owner.getByTestId('message-body').fill(answer);
        await owner.getByTestId('message-submit').click();
        await owner.getByTestId('message').filter({ hasText: answer }).waitFor();
        await fits(owner, 'the conversation');

        // The consumer sees the answer.
        await buyer.reload();
        await buyer.locator('[data-testid="conversation"][data-state="done"]').waitFor();
        await buyer.getByTestId('message').filter({ hasText: answer }).waitFor();
        assert.equal(await buyer.locator('[data-testid="message"][data-side="seller"]').filter({ hasText: answer }).count(), 1);
      }));

    test(`a consumer reports a review, the operator hides it from the report queue and restores it (${viewport.width} px)`,
      { timeout: STORY_TIMEOUT }, scenario(async (s) => {
        const operator = await s.person(viewport);
        await logIn(operator, OPERATOR);
        const owner = await s.person(viewport);
        await logIn(owner, COOP_OWNER);
        const orgs = await callApi(owner, 'GET', '/orgs/mine');
        const org = (orgs.body.items || orgs.body).find((o) => o.kind !== 'platform') || (orgs.body.items || orgs.body)[0];
        const found = await reviewedListing(owner, org.id);
        assert.ok(found, 'the demo has a reviewed listing');
        const { listing, review } = found;

        // The consumer reports it from the listing's page (the page asks for a reason).
        const buyer = await s.person(viewport);
        await logIn(buyer, REPORTERS[viewport.width]);
        await open(buyer, `/listing.html?id=${listing}`);
        const shown = buyer.locator(`[data-testid="review-item"][data-review-id="${review.id}"]`);
        await shown.waitFor();
        await buyer.evaluate(() => { window.prompt = () => '内容与实际不符，疑似刷单'; });
        await Promise.all([
          buyer.waitForResponse((r) => r.url().endsWith(`/api/v1/reviews/${review.id}/reports`) && r.status() === 201),
          shown.getByTestId('review-report-button').click(),
        ]);

        // The operator finds it from the desk, oldest first with its age, and hides it.
        await open(operator, '/ops/desk.html');
        await operator.getByTestId('desk-link-moderation').click();
        await operator.waitForURL((url) => url.pathname === '/ops/moderation.html');
        const card = operator.locator(`[data-testid="reported-review"][data-review-id="${review.id}"]`);
        await card.waitFor();
        assert.match(await card.getByTestId('review-report').first().textContent(), /疑似刷单/);
        await card.getByTestId('mod-age').first().waitFor();
        await fits(operator, 'the report queue');
        await card.getByTestId('review-hide').click();
        await card.getByTestId('hide-confirm').click();
        await card.getByTestId('hide-form').locator('.field-error:not([hidden])').waitFor();
        await card.getByTestId('hide-reason').fill('虚假评价，经核实为刷单');
        await Promise.all([
          operator.waitForResponse((r) => r.url().endsWith(`/api/v1/reviews/${review.id}/hide`) && r.status() === 200),
          card.getByTestId('hide-confirm').click(),
        ]);
        await card.waitFor({ state: 'detached' });

        // Gone from the listing.
        await buyer.reload();
        await buyer.getByTestId('reviews-list').waitFor();
        await buyer.waitForFunction(() => document.querySelector('#reviews-list') && !document.querySelector('#reviews-list [aria-busy]'));
        assert.equal(await buyer.locator(`[data-testid="review-item"][data-review-id="${review.id}"]`).count(), 0);
        const api = await callApi(buyer, 'GET', `/listings/${listing}/reviews?limit=50`);
        assert.ok(!api.body.items.some((r) => r.id === review.id), 'hidden from the listing');

        // Restored from the hidden reviews; the listing shows it again.
        await operator.getByTestId('tab-hidden').click();
        const hidden = operator.locator(`[data-testid="hidden-review"][data-review-id="${review.id}"]`);
        await hidden.waitFor();
        assert.equal(await hidden.getByTestId('hidden-reason').textContent(), '虚假评价，经核实为刷单');
        await fits(operator, 'the hidden reviews');
        await Promise.all([
          operator.waitForResponse((r) => r.url().endsWith(`/api/v1/reviews/${review.id}/restore`) && r.status() === 200),
          hidden.getByTestId('review-restore').click(),
        ]);
        await hidden.waitFor({ state: 'detached' });
        await buyer.reload();
        await buyer.locator(`[data-testid="review-item"][data-review-id="${review.id}"]`).waitFor();
        await fits(buyer, 'the listing');
      }));
  }
});
