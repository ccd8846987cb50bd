// Independent quality checks in the browser (#20), against a server started with demo data
// (password farmgate123): the county's testing station (13500000001, a verified testing body)
// logs in, lands on /lab/checks.html, records a failed spot check on a batch the cooperative
// shipped — by the trace code on the box, with the report PDF — and the batch's public scan page
// then leads with the recall and shows the 第三方检测 entry with the station's name. An anonymous
// shopper on a 390 px phone reads the public quality bulletin (/quality), which lists it with
// what buyers should do, in Chinese and in English, without scrolling sideways.
// Runs last: it recalls one of the demo county's batches.
// FARMGATE_BASE_URL=… node --test quality.test.mjs

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { callApi, launchBrowser, logIn, scrollWidth, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';

const LAB = '13500000001';
const COOPERATIVE = '13800000001';
const STATION = '青石县农产品质量检测站';
const STORY_TIMEOUT = 180_000;

let browser;
const scenario = (body) => story(() => browser, BASE, body);

/** A batch of the cooperative that is not recalled yet, by its code. */
async function batchToTest(page) {
  const mine = await callApi(page, 'GET', '/orgs/mine');
  assert.equal(mine.status, 200);
  for (const org of mine.body) {
    const list = await callApi(page, 'GET', `/orgs/${org.id}/batches`);
    const b = (list.body || []).find((x) => x.status !== 'recalled');
    if (b) return b.code;
  }
  throw new Error('no batch to test in the demo county');
}

describe('independent quality checks', () => {
  before(async () => {
    if (!skip) browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('a lab records a failed spot check; the scan page shows the recall and the 第三方检测 entry; the bulletin lists it on a phone',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const seller = await s.person();
      await logIn(seller, COOPERATIVE);
      const code = await batchToTest(seller);

      const lab = await s.person();
      await logIn(lab, LAB);
      await lab.waitForURL((url) => url.pathname === '/lab/checks.html');
      await lab.getByTestId('lab-org').filter({ hasText: STATION }).waitFor();
      await lab.getByTestId('lab-code').fill(code);
      await lab.getByTestId('lab-kind').selectOption('spot_check');
      const yesterday = new Date(Date.now() - 24 * 3600 * 1000 + 8 * 3600 * 1000).toISOString().slice(0, 16);
      await lab.getByTestId('lab-sampled').fill(yesterday);
      await lab.getByTestId('lab-place').fill('青石县城东农贸市场 12 号摊位');
      await lab.getByTestId('lab-report-no').fill('QS-2026-BROWSER-01');
      await lab.getByTestId('lab-method').fill('GB 23200.113-2018');
      const item = lab.getByTestId('lab-item').first();
      await item.locator('[name=item_name]').fill('毒死蜱');
      await item.locator('[name=item_result]').fill('0.12');
      await item.locator('[name=item_limit]').fill('0.05');
      await item.locator('[name=item_passed]').uncheck();
      await lab.getByTestId('lab-result').selectOption('fail');
      const pdf = join(tmpdir(), 'farmgate-lab-report.pdf');
      writeFileSync(pdf, '%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n');
      await lab.getByTestId('lab-file').setInputFiles(pdf);
      await lab.getByTestId('lab-submit').click();
      await lab.locator('[data-testid="lab-check-row"][data-result="fail"]').first().waitFor();

      // The recall is made by the worker from the outbox (on a freshly seeded demo it first works
      // through the seed's backlog): the scan page shows it within a minute or so.
      const shopper = await s.person({ width: 390, height: 844 });
      let recalled = false;
      for (let i = 0; i < 200 && !recalled; i += 1) {
        await shopper.goto(`/t/${code}`);
        recalled = await shopper.getByTestId('recalled').count() > 0;
        if (!recalled) await shopper.waitForTimeout(500);
      }
      assert.ok(recalled, 'the scan page leads with the recall');
      const entry = shopper.locator('[data-testid="lab-check"][data-result="fail"]');
      await entry.waitFor();
      assert.match(await shopper.getByTestId('lab-checks').innerText(), /第三方检测/);
      assert.match(await entry.innerText(), new RegExp(STATION));
      assert.match(await shopper.getByTestId('recalled').innerText(), /第三方检测不合格/);
      assert.ok(await scrollWidth(shopper) <= 390, 'the scan page does not scroll sideways');

      // The public bulletin, anonymous, on the phone.
      await shopper.goto('/quality');
      const listed = shopper.locator('[data-testid="bulletin-entry"]').filter({ hasText: code });
      await listed.first().waitFor();
      assert.ok(await listed.count() >= 2, 'the failed test and the recall');
      assert.match(await listed.first().innerText(), /买家须知/);
      assert.ok(await scrollWidth(shopper) <= 390, 'the bulletin does not scroll sideways');
      await shopper.goto('/quality?lang=en');
      await shopper.getByTestId('bulletin-heading').filter({ hasText: 'Quality and safety bulletin' }).waitFor();
      assert.match(await shopper.locator('[data-testid="bulletin-entry"]').filter({ hasText: code }).first().innerText(), /What to do/);
    }));
});
