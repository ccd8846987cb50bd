// Refunds by liability and the carrier recourse, in the browser, against a freshly seeded demo
// server (FARMGATE_BASE_URL; password farmgate123). The demo holds a claim the operator decided
// 60 % on the carrier and 40 % on the platform: an open recourse, and a platform-liable refund.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { callApi, launchBrowser, logIn, open, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';

const OPERATOR = '13900000001';
const FINANCE = '13900000005';
const CONSUMER = '13600000001';
// The demo's selling owners: the one whose parcel the decided claim was on is found by its org.
const SELLER_OWNERS = ['13800000001', '13800000004', '13800000005', '13800000003', '13800000006', '13800000007', '13800000008'];
const STORY_TIMEOUT = 90_000;

let browser;
const scenario = (body) => story(() => browser, BASE, body);

const fen = async (locator) => Number(await locator.getAttribute('data-fen'));

describe('refunds by liability and the carrier recourse', { skip }, () => {
  before(async () => { browser = await launchBrowser(); });
  after(async () => { await browser?.close(); });

  test('the operator collects part of the demo\'s carrier recourse, and the seller\'s statement shows the platform\'s share of the refund without charging it', { timeout: STORY_TIMEOUT }, scenario(async (s) => {
    // The operator opens the recourse page from the header and finds the demo's open recourse.
    const op = await s.person();
    await logIn(op, OPERATOR);
    await op.getByTestId('nav-ops-recourse').first().click();
    await op.waitForURL((url) => url.pathname === '/ops/recourse.html');
    // The list is newest first: the demo's recourse is the oldest (other stories may add some).
    const card = op.locator('[data-testid="recourse"][data-status="open"]').last();
    await card.waitFor();
    const recourseId = await card.getAttribute('data-recourse-id');
    const outstanding = await fen(card.getByTestId('recourse-outstanding'));
    const collected = await fen(card.getByTestId('recourse-collected'));
    assert.ok(outstanding > 100, `something to collect: ${outstanding}`);
    const allBefore = await fen(op.getByTestId('totals-all-outstanding'));

    // More than is owed is refused next to the amount; ¥1.00 is recorded.
    await card.getByTestId('recourse-collect').click();
    const form = card.getByTestId('collect-form');
    await form.getByTestId('collect-amount').fill(((outstanding + 1) / 100).toFixed(2));
    await form.getByTestId('collect-reference').fill('SF-BROWSER-0001');
    await form.getByTestId('collect-submit').click();
    await form.locator('[data-error-for="amount"]:not([hidden])').waitFor();
    await form.getByTestId('collect-amount').fill('1.00');
    await form.getByTestId('collect-submit').click();
    const after = op.locator(`[data-testid="recourse"][data-recourse-id="${recourseId}"]`);
    await after.locator(`[data-testid="recourse-collected"][data-fen="${collected + 100}"]`).waitFor();
    await after.getByTestId('recourse-collections').waitFor();
    assert.equal(await fen(after.getByTestId('recourse-outstanding')), outstanding - 100);
    assert.equal(await after.getAttribute('data-status'), 'open', 'a part collected: still open');
    await op.locator(`[data-testid="totals-all-outstanding"][data-fen="${allBefore - 100}"]`).waitFor();

    // Platform finance sees the same; a buyer is shown the door.
    const finance = await s.person();
    await logIn(finance, FINANCE);
    await open(finance, '/ops/recourse.html');
    await finance.locator(`[data-testid="recourse"][data-recourse-id="${recourseId}"]`).waitFor();
    const buyer = await s.person();
    await logIn(buyer, CONSUMER);
    await open(buyer, '/ops/recourse.html');
    await buyer.getByTestId('forbidden').waitFor();
    assert.equal((await callApi(buyer, 'GET', '/carrier-recourse')).status, 403);

    // The seller of that parcel: its statement shows the platform's share of the refund, and
    // the line's payable is what was paid less the commission alone.
    const detail = (await callApi(op, 'GET', `/carrier-recourse/${recourseId}`)).body;
    const org = detail.recourse.seller_org_id;
    let seller = null;
    for (const phone of SELLER_OWNERS) {
      const page = await s.person();
      await logIn(page, phone);
      const me = (await callApi(page, 'GET', '/auth/me')).body;
      if ((me.memberships || []).some((m) => m.org && m.org.id === org)) { seller = page; break; }
    }
    assert.ok(seller, 'the demo seller of the decided claim');
    await open(seller, `/seller/settlement.html?org=${org}`);
    const line = seller.locator('[data-testid="settle-line"]').filter({ has: seller.locator('[data-testid="line-refund-platform"]:not([data-fen="0"])') }).first();
    await line.waitFor();
    const platform = await fen(line.getByTestId('line-refund-platform'));
    const carrier = await fen(line.getByTestId('line-refund-carrier'));
    assert.ok(platform > 0 && carrier > 0, `the decided refund, split: ${platform} / ${carrier}`);
    assert.equal(await fen(line.getByTestId('line-refund-seller')), 0);
    assert.equal(await fen(line.getByTestId('line-payable')), await fen(line.getByTestId('line-total')) - await fen(line.getByTestId('line-commission')),
      'the platform\'s and the carrier\'s shares do not reduce what the seller is owed');
    assert.ok(await fen(seller.getByTestId('settle-refunds-platform').locator('[data-fen]')) >= platform);
  }));

  test('finance reads the platform\'s money for half a year: every figure the API gives, and the identity holds to the fen; a reversed period is refused next to the date; a consumer is turned away', { timeout: STORY_TIMEOUT }, scenario(async (s) => {
    const day = (days) => new Date(Date.now() + 8 * 3600 * 1000 + days * 86_400_000).toISOString().slice(0, 10);
    const finance = await s.person({ width: 360, height: 740 });
    await logIn(finance, FINANCE);
    await open(finance, '/ops/payouts.html');
    await finance.getByTestId('nav-ops-money').first().click();
    await finance.waitForURL((url) => url.pathname === '/ops/money.html');
    await finance.locator('[data-testid="pmoney-figures"][data-state="done"]').waitFor();
    await finance.getByTestId('p-from').fill(day(-180));
    await finance.getByTestId('p-to').fill(day(0));
    await finance.getByTestId('p-submit').click();
    await finance.waitForURL((url) => url.searchParams.get('from') === day(-180));
    await finance.locator('[data-testid="pmoney-figures"][data-state="done"]').waitFor();
    const api = (await callApi(finance, 'GET', `/platform/money?from=${day(-180)}&to=${day(0)}`)).body;
    assert.ok(api.received > 0 && api.refunds.total > 0, JSON.stringify(api));
    for (const [testid, value] of [['pm-received', api.received], ['pm-refunds', api.refunds.total], ['pm-refunds-seller', api.refunds.seller],
      ['pm-refunds-platform', api.refunds.platform], ['pm-refunds-carrier', api.refunds.carrier], ['pm-commission', api.commission],
      ['pm-payable', api.payable], ['pm-pending', api.pending], ['pm-owed', api.owed], ['pm-platform-expense', api.platform_expense],
      ['pm-carrier-recourse', api.carrier_recourse]]) {
      assert.equal(await fen(finance.getByTestId(testid)), value, testid);
    }
    const identity = finance.getByTestId('pm-identity');
    assert.equal(await identity.getAttribute('data-holds'), 'true');
    assert.equal(api.refunds.total + api.commission + api.owed - api.platform_expense - api.carrier_recourse, api.received, 'the identity, from the API itself');
    assert.match(await finance.getByTestId('pm-identity-line').innerText(), /=.*\+.*\+.*−.*−/);
    assert.ok(await finance.evaluate(() => document.documentElement.scrollWidth) <= 360, 'fits 360 px');

    // A reversed period: refused next to the end date, nothing asked of the server.
    await finance.getByTestId('p-from').fill(day(0));
    await finance.getByTestId('p-to').fill(day(-3));
    await finance.getByTestId('p-submit').click();
    await finance.locator('[data-error-for="to"]:not([hidden])').waitFor();
    // The operator has it in the header too; a consumer is turned away.
    const op = await s.person();
    await logIn(op, OPERATOR);
    await op.getByTestId('nav-ops-money').first().waitFor({ state: 'attached' });
    const consumer = await s.person();
    await logIn(consumer, CONSUMER);
    await open(consumer, '/ops/money.html');
    await consumer.getByTestId('forbidden').waitFor();
    assert.equal(await consumer.getByTestId('nav-ops-money').count(), 0);
  }));

  test('the recourse page narrows the totals and the list to the days recourses were opened, and refuses a reversed or too long period', { timeout: STORY_TIMEOUT }, scenario(async (s) => {
    const day = (days) => new Date(Date.now() + 8 * 3600 * 1000 + days * 86_400_000).toISOString().slice(0, 10);
    const op = await s.person();
    await logIn(op, OPERATOR);
    await open(op, '/ops/recourse.html');
    await op.locator('[data-testid="results"][data-state="done"]').waitFor();
    // Too long, then reversed: refused next to the end date, nothing asked.
    await op.getByTestId('f-from').fill(day(-400));
    await op.getByTestId('f-to').fill(day(0));
    await op.getByTestId('f-submit').click();
    await op.locator('[data-error-for="to"]:not([hidden])').waitFor();
    await op.getByTestId('f-from').fill(day(0));
    await op.getByTestId('f-to').fill(day(-1));
    await op.getByTestId('f-submit').click();
    await op.locator('[data-error-for="to"]:not([hidden])').waitFor();
    // Half a year: the totals say the period and agree with the API's.
    await op.getByTestId('f-from').fill(day(-180));
    await op.getByTestId('f-to').fill(day(0));
    await op.getByTestId('f-submit').click();
    await op.waitForURL((url) => url.searchParams.get('from') === day(-180) && url.searchParams.get('to') === day(0));
    await op.getByTestId('totals-period').waitFor();
    const api = (await callApi(op, 'GET', `/carrier-recourse/totals?from=${day(-180)}&to=${day(0)}`)).body;
    assert.ok(api.all.recourses >= 1, JSON.stringify(api));
    assert.equal(await fen(op.getByTestId('totals-all-outstanding')), api.all.outstanding);
    // A period with none in it: nothing listed, no totals.
    await op.getByTestId('f-from').fill(day(-400));
    await op.getByTestId('f-to').fill(day(-300));
    await op.getByTestId('f-submit').click();
    await op.waitForURL((url) => url.searchParams.get('to') === day(-300));
    await op.waitForFunction(() => document.querySelectorAll('[data-testid="recourse"]').length === 0
      && document.querySelector('[data-testid="results"]').dataset.state === 'done');
    const none = (await callApi(op, 'GET', `/carrier-recourse/totals?from=${day(-400)}&to=${day(-300)}`)).body;
    assert.equal(none.all.recourses, 0);
  }));
});
