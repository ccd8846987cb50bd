// Log in with WeChat in the browser (#19): a consumer opens the shop inside WeChat's browser
// (a MicroMessenger user agent) with the WeChat simulator of the test suite standing in for
// WeChat's web authorisation (tests/run.sh step 6c configures the demo server with it). The
// first time, the log-in page comes back asking for a phone code once; after that, opening the
// log-in page inside WeChat signs the person in with nothing typed, and their account page
// shows the binding and can undo it.
//
// Needs FARMGATE_BASE_URL (the demo server) and FARMGATE_WECHAT_SIM_URL (the simulator);
// skipped without them.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, logIn, ready, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const SIM = (process.env.FARMGATE_WECHAT_SIM_URL || '').replace(/\/+$/, '');
const skip = BASE && SIM ? false : 'FARMGATE_BASE_URL and FARMGATE_WECHAT_SIM_URL are not both set (see tests/run.sh step 6c)';

const CONSUMER = '13600000002';
const OPERATOR = '13900000001';
const WECHAT_UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F35) NetType/WIFI Language/zh_CN';

let browser;
const scenario = (body) => story(() => browser, BASE, body);

async function inWechat(s) {
  const context = await s.browser.newContext({
    baseURL: s.baseUrl,
    viewport: { width: 390, height: 844 },
    userAgent: WECHAT_UA,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  context.setDefaultTimeout(20_000);
  s.contexts.push(context);
  const page = await context.newPage();
  s.pages.push(page);
  page.on('pageerror', (error) => s.errors.push(`${page.url()}: ${error.message}`));
  return page;
}

describe('log in with WeChat', { skip }, () => {
  before(async () => { browser = await launchBrowser(); });
  after(async () => { await browser?.close(); });

  test('inside WeChat a consumer binds once with a phone code, then is signed in without typing, and can unbind',
    { timeout: 120_000 }, scenario(async (s) => {
      const page = await inWechat(s);
      // The log-in page goes to WeChat by itself and comes back asking to bind.
      await page.goto('/login.html?next=/orders.html');
      await page.waitForURL((url) => url.pathname === '/login.html' && url.searchParams.get('wechat') === 'bind');
      await ready(page);
      await page.getByTestId('wechat-bind').waitFor();
      assert.equal(await page.getByTestId('code-login').evaluate((d) => d.open), true, 'the code form is open');

      await page.getByTestId('code-login-phone').fill(CONSUMER);
      await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/codes') && r.status() === 202),
        page.locator('#send-login-code').click(),
      ]);
      const operator = await s.person({ width: 1366, height: 900 });
      await logIn(operator, OPERATOR);
      const code = await operator.evaluate(async (to) => {
        const outbox = await (await fetch('/api/v1/admin/sms?limit=50')).json();
        const message = outbox.items.find((m) => m.phone === to && m.params && m.params.code);
        return message && message.params.code;
      }, CONSUMER);
      assert.match(code || '', /^\d{6}$/, 'the code is in the SMS outbox');
      await page.getByTestId('code-login-code').fill(code);
      await Promise.all([
        page.waitForURL((url) => url.pathname === '/orders.html'),
        page.getByTestId('code-login-submit').click(),
      ]);
      await ready(page);

      // A new visit in WeChat (the session gone): signed in with nothing typed.
      await page.context().clearCookies();
      await page.goto('/login.html?next=/orders.html');
      await page.waitForURL((url) => url.pathname === '/orders.html');
      await ready(page);
      await page.getByTestId('header-user').waitFor();

      // The account page shows the binding; unbinding makes the next visit ask again.
      await page.goto('/account.html');
      await ready(page);
      await page.getByTestId('wechat-bound').waitFor();
      await page.getByTestId('wechat-unbind').click();
      await page.getByTestId('wechat-unbound').waitFor();
      await page.context().clearCookies();
      await page.goto('/login.html');
      await page.waitForURL((url) => url.searchParams.get('wechat') === 'bind');
    }));

  test('outside WeChat the log-in page offers the WeChat button without leaving by itself',
    { timeout: 60_000 }, scenario(async (s) => {
      const page = await s.person();
      await page.goto('/login.html');
      await ready(page);
      await page.getByTestId('wechat-login').waitFor();
      assert.match(await page.getByTestId('wechat-start').getAttribute('href'), /^\/api\/v1\/auth\/wechat\/start\?next=/);
      assert.equal(new URL(page.url()).pathname, '/login.html');
    }));
});
