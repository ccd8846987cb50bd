// News and notices (资讯, #20) in the browser, against a server started with demo data (the
// county official's articles, approved by the operator, one pinned to the home page):
// an anonymous shopper on a 390 px phone opens the price board, then the pinned notice from the
// home page, and reads it on its shareable page; a county official writes an article and
// submits it, the operator approves it on the news desk, and only then is it public.
// FARMGATE_BASE_URL=… node --test news.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { callApi, launchBrowser, logIn, navLink, open, ready, scrollWidth, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';
const STORY_TIMEOUT = 120_000;
const OFFICIAL = '13900000003';
const OPERATOR = '13900000001';

let browser;
const scenario = (body) => story(() => browser, BASE, body);

describe('news and notices', () => {
  before(async () => {
    if (!skip) browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('an anonymous shopper on a 390 px phone opens the price board and a pinned notice from the home page',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const page = await s.person({ width: 390, height: 844 });
      await open(page, '/market.html');
      await page.getByTestId('market-category').first().waitFor();
      assert.ok((await scrollWidth(page)) <= 390, 'the price board fits the phone');

      await open(page, '/');
      const notice = page.getByTestId('home-notice').first();
      await notice.waitFor();
      const title = (await notice.textContent()).trim();
      assert.ok(title.length > 0);
      assert.ok((await scrollWidth(page)) <= 390, 'the home page fits the phone');
      await Promise.all([page.waitForURL(/\/news\/[0-9a-f-]{36}$/), notice.click()]);
      await page.getByTestId('news-title').filter({ hasText: title }).waitFor();
      assert.ok((await page.getByTestId('news-body').textContent()).trim().length > 0);
      assert.ok((await scrollWidth(page)) <= 390, 'the article fits the phone');
      // Share tags for WeChat, and the same address opens for the next person.
      assert.equal(await page.locator('meta[property="og:title"]').getAttribute('content'), title);
      const shared = page.url().replace(BASE, '');
      const friend = await s.person({ width: 390, height: 844 });
      await friend.goto(shared);
      await friend.getByTestId('news-title').filter({ hasText: title }).waitFor();

      // The list, by category.
      await page.getByTestId('news-home').click();
      await page.getByTestId('news-heading').waitFor();
      assert.ok(await page.getByTestId('news-card').count() >= 1);
      assert.ok((await scrollWidth(page)) <= 390, 'the news list fits the phone');
    }));

  test('a county official writes an article, the operator approves it, and only then is it public',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const title = `春季农技培训报名通知 ${Date.now()}`;
      const official = await s.person({ width: 1366, height: 900 });
      await logIn(official, OFFICIAL);
      await (await navLink(official, 'nav-ops-news')).click();
      await official.getByTestId('opsnews-heading').waitFor();
      await ready(official);
      await official.getByTestId('opsnews-write').click();
      await official.getByTestId('newsedit-form').waitFor();
      await ready(official);
      await official.getByTestId('newsedit-title').fill(title);
      await official.getByTestId('newsedit-summary').fill('县农技推广中心开展春季培训，欢迎合作社报名。');
      await official.getByTestId('newsedit-category').selectOption('training');
      await official.getByTestId('newsedit-body').click();
      await official.keyboard.type('培训时间：每周三下午。地点：县农技推广中心。');
      await official.getByTestId('newsedit-submit').click();
      await official.getByTestId('newsedit-state').filter({ hasText: '待审核' }).waitFor();
      const id = new URL(official.url()).searchParams.get('id');
      assert.match(id || '', /^[0-9a-f-]{36}$/);
      await official.getByTestId('newsedit-revision').first().waitFor();

      // Not public while it waits.
      const anonymous = await s.person({ width: 390, height: 844 });
      await anonymous.goto('/news');
      assert.equal(await anonymous.getByText(title).count(), 0);
      assert.equal((await callApi(anonymous, 'GET', `/news/${id}`)).status, 404);

      const operator = await s.person({ width: 1366, height: 900 });
      await logIn(operator, OPERATOR);
      await (await navLink(operator, 'nav-ops-news')).click();
      await ready(operator);
      const row = operator.locator(`[data-testid="opsnews-queue-row"][data-id="${id}"]`);
      await row.waitFor();
      await row.getByTestId('opsnews-age').waitFor();
      await row.getByTestId('opsnews-approve').click();
      await row.waitFor({ state: 'detached' });

      await anonymous.goto('/news?category=training');
      await anonymous.getByText(title).first().waitFor();
      await anonymous.goto(`/news/${id}`);
      await anonymous.getByTestId('news-title').filter({ hasText: title }).waitFor();
      assert.ok((await scrollWidth(anonymous)) <= 390);
    }));
});
