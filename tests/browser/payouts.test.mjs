// The payouts story against a real Farmgate server started with demo data (password
// farmgate123): platform finance (13900000005) lands on the payouts page, makes a batch for
// today, downloads the bank's file (CSV and XLSX), and marks the demo cooperative's payout paid
// with the bank's reference; the cooperative's owner (13800000001) then sees it paid, with that
// reference, from the settlement page.
// FARMGATE_BASE_URL=http://127.0.0.1:18080 node --test payouts.test.mjs

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, logIn, open, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';

const FINANCE = '13900000005';
const COOP_OWNER = '13800000001';
const COOP = '青石县梅岭脐橙专业合作社';
const STORY_TIMEOUT = 120_000;

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
    await finance.getByTestId('nav-ops-payouts').waitFor();

    // A batch for today: the cooperative (verified account, closed after-sales windows in the
    // demo's history) is paid; sellers without an account are held.
    await finance.getByTestId('create-batch').click();
    const batch = finance.getByTestId('batch');
    await batch.waitFor();
    const row = batch.getByTestId('payout').filter({ hasText: COOP });
    await row.waitFor();
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
    assert.equal(cells[6], `${Math.floor(Number(amount) / 100)}.${String(Number(amount) % 100).padStart(2, '0')}`);
    assert.match(cells[7], /^农源直供货款结算 PB\d{8}-\d{3}$/);
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
    await mine.getByTestId('payout-open').click();
    await owner.getByTestId('payout-lines').waitFor();
    assert.ok(await owner.getByTestId('payout-lines').locator('tbody tr').count() > 0, 'the sub-orders it paid');
  }));
});
