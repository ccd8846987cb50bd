// The public price board (行情) in the browser, against a server started with demo data (its
// order history gives the categories five buyers and more): an anonymous shopper on a 390 px
// phone opens /market.html, sees categories with prices per 斤, opens one, and its trend chart
// renders (the vendored ECharts); switching to 公斤 doubles nothing but the unit's figures; the
// 90-day view keeps the category in a shareable address; no page is wider than the screen; the
// page in English shows English names. A category the API does not know says so.
// The operator uploads an external reference series (a wholesale market's price) and an
// anonymous shopper on 390 px sees it on the board, labelled external with its source; the
// operator opens the platform analytics at 1366 px (and it still fits 390 px).
// FARMGATE_BASE_URL=… node --test market.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { callApi, launchBrowser, logIn, open, scrollWidth, story, switchLanguage } from './helpers.mjs';

const OPERATOR = '13900000001';

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
  test('the operator uploads a wholesale market\'s price and an anonymous shopper on 390 px sees it labelled external',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const op = await s.person({ width: 1366, height: 900 });
      await logIn(op, OPERATOR);
      await open(op, '/ops/external-prices.html');
      await op.getByTestId('xp-upload').waitFor();
      const tree = await callApi(op, 'GET', '/categories');
      const category = tree.body[0].children?.[0] || tree.body[0];
      const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
      const csv = `date,category,product,unit,price,source\n${today},${category.id},统货,斤,3.20,青石县农产品批发市场\n`;
      await op.getByTestId('xp-file').setInputFiles({ name: 'prices.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await op.getByTestId('xp-submit').click();
      await op.getByTestId('xp-result').locator('.note-success').waitFor();
      await op.getByTestId('xp-row').filter({ hasText: '青石县农产品批发市场' }).first().waitFor();

      const page = await s.person({ width: 390, height: 844 });
      await open(page, '/market.html');
      const block = page.getByTestId('market-external');
      await block.waitFor();
      await block.getByTestId('market-external-badge').filter({ hasText: '外部' }).waitFor();
      await block.getByTestId('market-external-source').filter({ hasText: '青石县农产品批发市场' }).first().waitFor();
      assert.ok((await block.textContent()).includes('¥3.20'), 'the external price as uploaded');
      assert.ok((await scrollWidth(page)) <= 390, 'the board with its external block fits the phone');
    }));

  test('the operator opens the platform analytics on the office screen and on a phone',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const op = await s.person({ width: 1366, height: 900 });
      await logIn(op, OPERATOR);
      await open(op, '/ops/home.html');
      await op.getByTestId('ohome-analytics').click();
      await op.waitForURL((url) => url.pathname === '/ops/analytics.html');
      await op.getByTestId('pa-total').waitFor();
      const api = await callApi(op, 'GET', `/analytics/platform?from=${await op.getByTestId('pa-from').inputValue()}&to=${await op.getByTestId('pa-to').inputValue()}`);
      assert.equal(api.status, 200);
      const gmv = api.body.total.gmv_fen;
      assert.equal((await op.getByTestId('pa-gmv').textContent()).trim(), `¥${Math.floor(gmv / 100)}.${String(gmv % 100).padStart(2, '0')}`);
      await op.getByTestId('pa-sellers').waitFor();
      assert.ok((await scrollWidth(op)) <= 1366);
      await op.setViewportSize({ width: 390, height: 844 });
      await op.getByTestId('pa-by').selectOption('week');
      await op.getByTestId('pa-submit').click();
      await op.waitForURL((url) => url.searchParams.get('by') === 'week');
      await op.getByTestId('pa-total').waitFor();
      assert.ok((await scrollWidth(op)) <= 390, 'the analytics fit the phone');
    }));
});
