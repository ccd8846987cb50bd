// Paying with a real gateway's protocol in the browser: a consumer inside WeChat's browser
// (a MicroMessenger user agent) pays an order with WeChat Pay — here the WeChat Pay simulator
// of the test suite (`farmgate-pay-sim`, started by tests/run.sh before the demo server, which
// it configures). WeChat's own client is not here: `window.WeixinJSBridge` is defined before
// any page script runs (playwright's addInitScript) as a stand-in that asks the simulator to
// pay the prepay id; the simulator then sends its signed, encrypted notification to our
// server, as WeChat Pay would, and the order page sees the order paid.
//
// Needs FARMGATE_BASE_URL (the demo server) and FARMGATE_WECHAT_SIM_URL (the simulator);
// skipped without them.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, logIn, posted, ready, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const SIM = (process.env.FARMGATE_WECHAT_SIM_URL || '').replace(/\/+$/, '');
const skip = BASE && SIM ? false : 'FARMGATE_BASE_URL and FARMGATE_WECHAT_SIM_URL are not both set (see tests/run.sh step 6c)';

const CONSUMER = '13600000001';
const WECHAT_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN';

let browser;
const scenario = (body) => story(() => browser, BASE, body);

/** A person on a phone inside WeChat: its user agent, and its payment sheet stood in for. */
async function wechatPerson(s) {
  const context = await s.browser.newContext({
    baseURL: s.baseUrl,
    viewport: { width: 390, height: 844 },
    userAgent: WECHAT_UA,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  context.setDefaultTimeout(20_000);
  s.contexts.push(context);
  // The client talks to WeChat from the phone, not from the page (our pages' Content Security
  // Policy allows no other origin): a binding, run here in the test, asks the simulator.
  await context.exposeBinding('__wechatClient', async (_source, params) => {
    const answer = await fetch(SIM + '/sim/client/pay', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(params) });
    return answer.json();
  });
  await context.addInitScript(() => {
    // What WeChat's client does with getBrandWCPayRequest: show its sheet, the buyer pays,
    // the callback says ok. Here the simulator takes the payment.
    window.WeixinJSBridge = {
      invoke(name, params, callback) {
        if (name !== 'getBrandWCPayRequest') return;
        // Kept for the story to read on the next page.
        sessionStorage.setItem('wechat_sheet', JSON.stringify(params));
        window.__wechatClient(params)
          .then((answer) => callback({ err_msg: answer.err_msg }), () => callback({ err_msg: 'get_brand_wcpay_request:fail' }));
      },
    };
  });
  const page = await context.newPage();
  s.pages.push(page);
  page.on('pageerror', (error) => s.errors.push(`${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'warning' && message.text().startsWith('i18n: missing key')) s.errors.push(`${page.url()}: ${message.text()}`);
  });
  return page;
}

describe('paying with WeChat Pay (simulator)', { skip }, () => {
  before(async () => { browser = await launchBrowser(); });
  after(async () => { await browser?.close(); });

  test('a consumer in WeChat pays an order with WeChat Pay and sees it paid', { timeout: 180_000 }, scenario(async (s) => {
    const consumer = await wechatPerson(s);
    await logIn(consumer, CONSUMER);

    // One box of something in stock, in an otherwise empty cart.
    const sku = await consumer.evaluate(async () => {
      const cart = await (await fetch('/api/v1/cart')).json();
      for (const line of cart.lines || []) await fetch(`/api/v1/cart/items/${line.sku_id}`, { method: 'DELETE' });
      const found = await (await fetch('/api/v1/search?q=' + encodeURIComponent('脐橙'))).json();
      for (const hit of found.hits || []) {
        const listing = await (await fetch(`/api/v1/listings/${hit.id}`)).json();
        const s = (listing.skus || []).find((x) => x.stock > 0);
        if (s) return s.id;
      }
      return null;
    });
    assert.ok(sku, 'a SKU in stock');
    const added = await consumer.evaluate(async (id) => (await fetch('/api/v1/cart/items', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku_id: id, quantity: 1 }),
    })).status, sku);
    assert.equal(added, 200);

    // Checkout offers exactly what is configured: WeChat Pay among them, the sandbox marked.
    await consumer.goto('/checkout.html');
    await ready(consumer);
    await consumer.locator('[data-testid="order-form"][data-ready="true"]').waitFor();
    await consumer.getByTestId('method-wechat').waitFor();
    const methods = await consumer.evaluate(async () => (await (await fetch('/api/v1/payments/methods')).json()).methods);
    const offered = await consumer.locator('input[name="payment_method"]').evaluateAll((inputs) => inputs.map((i) => i.value));
    assert.deepEqual(offered, methods.map((m) => m.provider), 'the page offers what the server accepts');
    if (offered.includes('sandbox')) {
      assert.match(await consumer.locator('[data-provider="sandbox"]').textContent(), /模拟支付/);
    }
    assert.ok(await consumer.getByTestId('address-radio').count() > 0, 'the demo consumer has a saved address');
    await consumer.getByTestId('method-wechat').check();

    // Placing the order pays it: WeChat's silent authorisation the first time (the simulator
    // sends the browser straight back), then WeChat's sheet, then the order page waits for the
    // server to hear from WeChat Pay.
    const placed = await posted(consumer, '/api/v1/orders', () => consumer.getByTestId('place-order').click());
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    const order = placed.body;
    // Four navigations and three calls to the simulator: allow a busy machine its time, and
    // say where the browser stopped if it never gets there (a CI run once timed out here).
    try {
      await consumer.waitForURL((url) => url.pathname === '/order.html' && url.searchParams.get('id') === order.id
        && url.searchParams.get('paying') === '1', { timeout: 60_000 });
    } catch (error) {
      const text = await consumer.locator('body').innerText().catch(() => '(no body)');
      throw new Error(`never came back from paying: at ${consumer.url()}, showing ${JSON.stringify(text.slice(0, 400))}\n${error.message}`);
    }
    const sheet = await consumer.evaluate(() => JSON.parse(sessionStorage.getItem('wechat_sheet') || 'null'));
    assert.ok(sheet && /^prepay_id=/.test(sheet.package) && sheet.signType === 'RSA' && sheet.paySign, `WeChat's sheet got signed parameters (${JSON.stringify(sheet)})`);
    await ready(consumer);
    await consumer.locator('[data-testid="order-status"][data-value="paid"]').waitFor({ timeout: 40_000 });
    await consumer.locator('[data-testid="order-paid-with"][data-channel="wechat"]').waitFor();
    assert.equal(await consumer.getByTestId('order-pay').count(), 0, 'nothing left to pay');
  }));
});
