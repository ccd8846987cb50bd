// The payouts story against a real Farmgate server started with demo data (password
// farmgate123): platform finance (13900000005) lands on the payouts page, makes a batch for
// today, downloads the bank's file (CSV and XLSX), and marks the demo cooperative's payout paid
// with the bank's reference; the cooperative's owner (13800000001) then sees it paid, with that
// reference, from the settlement page. Before that, a first batch pays the cooperative up to 30
// days ago, the operator refunds part of one of its sub-orders afterwards (charged to the
// seller), and today's payout itemises that refund: its sub-orders less the refund taken back
// are its amount, on finance's page, in the bank file's purpose and on the seller's page.
// FARMGATE_BASE_URL=http://127.0.0.1:18080 node --test payouts.test.mjs

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { callApi, launchBrowser, logIn, open, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';

const FINANCE = '13900000005';
const OPERATOR = '13900000001';
const COOP_OWNER = '13800000001';
const COOP = '青石县梅岭脐橙专业合作社';
const STORY_TIMEOUT = 120_000;

/** `YYYY-MM-DD` in Beijing, `days` from today. */
function beijingDay(days) {
  const d = new Date(Date.now() + 8 * 3600 * 1000 + days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

const yuan = (fen) => `${Math.floor(Number(fen) / 100)}.${String(Number(fen) % 100).padStart(2, '0')}`;

let browser;
const scenario = (body) => story(() => browser, BASE, body);

describe('payouts', { skip }, () => {
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('finance pays the cooperative through the bank file and the cooperative sees the reference', { timeout: STORY_TIMEOUT }, scenario(async (s) => {
    const finance = await s.person({ width: 1280, height: 900 });
    await logIn(finance, FINANCE);
    assert.equal(new URL(finance.url()).pathname, '/ops/payouts.html', 'finance lands on the payouts');
    await finance.getByTestId('nav-ops-payouts').waitFor({ state: 'attached' });

    // A first batch, up to 30 days ago, paid: the cooperative's older sub-orders.
    await finance.getByTestId('period-end').fill(beijingDay(-30));
    await finance.getByTestId('create-batch').click();
    const batch = finance.getByTestId('batch');
    const earlier = batch.getByTestId('payout').filter({ hasText: COOP });
    await earlier.waitFor();
    const earlierId = await earlier.getAttribute('data-payout-id');
    await earlier.getByTestId('reference').fill(`OLD${Date.now()}`);
    await earlier.getByTestId('mark-paid').click();
    await finance.waitForFunction((id) => document.querySelector(`[data-testid="payout"][data-payout-id="${id}"]`)?.dataset.status === 'paid', earlierId);
    const paidEarlier = await callApi(finance, 'GET', `/payouts/${earlierId}`);
    assert.equal(paidEarlier.status, 200);
    const recalled = paidEarlier.body.sub_orders[0];

    // After that payout, the operator refunds ¥1.50 of one of its sub-orders, the seller's to bear.
    const operator = await s.person();
    await logIn(operator, OPERATOR);
    const refund = await callApi(operator, 'POST', `/sub-orders/${recalled.sub_order_id}/refunds`,
      { amount: 150, reason: '付款后召回退款' }, { 'Idempotency-Key': `payout-adj-${Date.now()}` });
    assert.equal(refund.status, 200, JSON.stringify(refund.body));
    // Finance's job records what is taken back as the refund is published (the outbox, which
    // may still be busy with the demo's history): the seller's next payout will take it back.
    let openAdj = [];
    for (let i = 0; i < 120 && !openAdj.length; i += 1) {
      if (i) await new Promise((resolve) => setTimeout(resolve, 500));
      openAdj = (await callApi(finance, 'GET', `/orgs/${paidEarlier.body.org_id}/payout-adjustments`)).body;
    }
    assert.equal(openAdj.length, 1, 'the refund is to be taken back from the next payout');

    // A batch for today: the cooperative (verified account, closed after-sales windows in the
    // demo's history) is paid what is left, less the refund; sellers without an account are held.
    await finance.getByTestId('period-end').fill(beijingDay(0));
    await finance.getByTestId('create-batch').click();
    const row = batch.getByTestId('payout').filter({ hasText: COOP }).and(finance.locator('[data-status="pending"]'));
    await row.waitFor();
    const adjustments = row.getByTestId('payout-adjustments');
    await adjustments.waitFor();
    await adjustments.locator('summary').click();
    const taken = adjustments.getByTestId('adjustment');
    assert.equal(await taken.count(), 1, 'the one refund taken back');
    assert.equal((await taken.locator('td').first().innerText()).trim(), recalled.number);
    assert.match(await taken.innerText(), /付款后召回退款/);
    const back = Number(await taken.getByTestId('adjustment-amount').getAttribute('data-fen'));
    assert.ok(back < 0 && back >= -150, `taken back: ${back}`);
    assert.equal(await row.getAttribute('data-status'), 'pending');
    const accountText = await row.locator('td').nth(2).innerText();
    assert.match(accountText, /6228480388001234567/, 'finance reads the account number whole');
    const amount = await row.locator('[data-fen]').first().getAttribute('data-fen');
    assert.ok(Number(amount) > 0, `an amount: ${amount}`);

    // The bank's files, as finance downloads them.
    const [csv] = await Promise.all([finance.waitForEvent('download'), batch.getByTestId('download-csv').click()]);
    assert.match(csv.suggestedFilename(), /^farmgate-payouts-PB\d{8}-\d{3}\.csv$/);
    const bytes = readFileSync(await csv.path());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a BOM');
    const lines = bytes.subarray(3).toString('utf8').split('\r\n');
    assert.equal(lines[0], '序号,收款账户名称,收款账号,收款银行,开户行,联行号,金额,用途');
    const coopLine = lines.find((l) => l.includes(COOP));
    assert.ok(coopLine, lines.join('\n'));
    const cells = coopLine.split(',');
    assert.equal(cells[2], '6228480388001234567');
    assert.equal(cells[6], yuan(amount));
    assert.match(cells[7], /^农源直供货款结算 PB\d{8}-\d{3} 扣回退款\d+\.\d{2}$/);
    assert.ok(cells[7].endsWith(`扣回退款${yuan(-back)}`), cells[7]);
    // Finance's view: its sub-orders less the refund are its amount.
    const today = (await callApi(finance, 'GET', `/payouts/${await row.getAttribute('data-payout-id')}`)).body;
    const linesFen = today.sub_orders.reduce((sum, l) => sum + l.payable, 0);
    assert.equal(linesFen + today.adjusted, Number(amount));
    assert.equal(today.adjusted, back);
    assert.match(await adjustments.getByTestId('payout-sum').innerText(), new RegExp(`${yuan(linesFen)}.*${yuan(-back)}.*${yuan(amount)}`));
    const [xlsx] = await Promise.all([finance.waitForEvent('download'), batch.getByTestId('download-xlsx').click()]);
    assert.match(xlsx.suggestedFilename(), /\.xlsx$/);
    assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString('latin1'), 'PK');

    // The bank says it went: its reference, once.
    const reference = `ABC${Date.now()}`;
    await row.getByTestId('reference').fill(reference);
    await row.getByTestId('mark-paid').click();
    const paidRow = finance.getByTestId('payout').filter({ hasText: COOP });
    await finance.waitForFunction((name) => [...document.querySelectorAll('[data-testid="payout"]')]
      .some((r) => r.textContent.includes(name) && r.dataset.status === 'paid'), COOP);
    assert.equal(await paidRow.getByTestId('payout-reference').innerText(), reference);

    // The cooperative's owner, from the settlement page.
    const owner = await s.person();
    await logIn(owner, COOP_OWNER);
    await open(owner, '/seller/settlement.html');
    await owner.getByTestId('settle-console').waitFor();
    await owner.getByTestId('settle-payouts-link').click();
    await owner.waitForURL((url) => url.pathname === '/seller/payouts.html');
    await owner.getByTestId('account-card').waitFor();
    assert.equal(await owner.getByTestId('account-card').getAttribute('data-status'), 'verified');
    assert.equal((await owner.getByTestId('account-masked').innerText()).trim(), '****4567', 'the owner sees it masked');
    const mine = owner.getByTestId('payout').filter({ hasText: reference });
    await mine.waitFor();
    assert.equal(await mine.getAttribute('data-status'), 'paid');
    assert.equal(await mine.getByTestId('payout-amount').getAttribute('data-fen'), amount);
    assert.match(await mine.getByTestId('payout-adjusted').innerText(), new RegExp(yuan(-back).replace('.', '\\.')));
    await mine.getByTestId('payout-open').click();
    await owner.getByTestId('payout-lines').waitFor();
    const lineFen = await owner.getByTestId('payout-lines').locator('tbody tr td:last-child [data-fen]').evaluateAll((els) => els.map((e) => Number(e.dataset.fen)));
    assert.ok(lineFen.length > 0, 'the sub-orders it paid');
    const ownerBack = await owner.getByTestId('payout-adjustments').getByTestId('adjustment-amount').evaluateAll((els) => els.map((e) => Number(e.dataset.fen)));
    assert.deepEqual(ownerBack, [back], 'the refund taken back, itemised for the seller');
    assert.equal(lineFen.reduce((a, b) => a + b, 0) + back, Number(amount), 'sub-orders − refunds = the payout');
    assert.match(await owner.getByTestId('payout-sum').innerText(), new RegExp(`${yuan(-back)}.*${yuan(amount)}`));
  }));
});
