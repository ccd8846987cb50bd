// The public price board (行情) in the browser, against a server started with demo data (its
// order history gives the categories five buyers and more): an anonymous shopper on a 390 px
// phone opens /market.html, sees categories with prices per 斤, opens one, and its trend chart
// renders (the vendored ECharts); switching to 公斤 doubles nothing but the unit's figures; the
// 90-day view keeps the category in a shareable address; no page is wider than the screen; the
// page in English shows English names. A category the API does not know says so.
// FARMGATE_BASE_URL=… node --test market.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { callApi, launchBrowser, open, scrollWidth, story, switchLanguage } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';
const STORY_TIMEOUT = 120_000;

let browser;
const scenario = (body) => story(() => browser, BASE, body);

describe('the public price board', () => {
  before(async () => {
    if (!skip) browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('an anonymous shopper on a 390 px phone opens the price board and a category\'s trend chart renders',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const page = await s.person({ width: 390, height: 844 });
      await open(page, '/market.html');
      const cards = page.getByTestId('market-category');
      await cards.first().waitFor();
      assert.ok(await cards.count() >= 1, 'the demo county has categories to show');
      assert.ok((await scrollWidth(page)) <= 390, 'the board fits the phone');

      // The board's figures are the API's, per 斤.
      const board = await callApi(page, 'GET', '/market/prices');
      assert.equal(board.status, 200);
      const first = board.body.categories[0];
      await page.getByTestId('unit-jin').check({ force: true });
      if (first.days30 && first.days30.per_jin) {
        const shown = await cards.first().getByTestId('days30-avg').textContent();
        const fen = first.days30.per_jin.avg_fen;
        assert.equal(shown.trim(), `¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`);
      }

      await cards.first().getByTestId('market-category-link').click();
      await page.waitForURL((url) => url.searchParams.get('category') === first.key);
      const chart = page.locator('[data-testid="market-chart"][data-rendered="true"]');
      await chart.waitFor();
      assert.ok(await chart.locator('canvas').count() >= 1, 'ECharts drew on a canvas');
      const box = await chart.boundingBox();
      assert.ok(box && box.width <= 390 && box.height > 100, `the chart fits: ${JSON.stringify(box)}`);
      assert.ok((await scrollWidth(page)) <= 390, 'the category page fits the phone');

      // 90 days, per kg: the address carries both, so it can be shared.
      await page.getByTestId('days-90').click();
      await page.waitForURL((url) => url.searchParams.get('days') === '90');
      await page.locator('[data-testid="market-chart"][data-rendered="true"]').waitFor();
      await page.getByTestId('unit-kg').check({ force: true });
      await page.waitForURL((url) => url.searchParams.get('unit') === 'kg');
      const shared = page.url();
      const again = await s.person({ width: 390, height: 844 });
      await open(again, shared.replace(BASE, ''));
      await again.locator('[data-testid="market-chart"][data-rendered="true"]').waitFor();
      assert.equal(await again.getByTestId('unit-kg').isChecked(), true);
      assert.ok((await scrollWidth(again)) <= 390);

      await switchLanguage(again, 'en');
      await again.getByTestId('market-back').filter({ hasText: 'All categories' }).waitFor();
      if (first.label_en && first.label_en !== first.label) {
        await again.locator('#market-heading').filter({ hasText: first.label_en }).waitFor();
      }
    }));

  test('an unknown category says there is no such category, still fitting the phone',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const page = await s.person({ width: 390, height: 844 });
      await open(page, '/market.html?category=00000000-0000-0000-0000-000000000000');
      await page.locator('.note-error').waitFor();
      assert.ok((await scrollWidth(page)) <= 390);
    }));
});
