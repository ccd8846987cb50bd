// WeChat's JS-SDK on our pages (#19), against a demo server configured with the WeChat
// simulator (farmgate-pay-sim, tests/run.sh step 6c): inside WeChat's browser a listing sets
// its share card (title, link, picture — the same as its og: tags) through wx.config and
// wx.updateAppMessageShareData; the account's address form imports an address from WeChat's
// address book (wx.openAddress) and the 省/市/区 cascade follows its GB/T 2260 code (its names
// through paste-to-recognise when the code is unknown); a cancelled import changes nothing.
// The scan page (/t/{code}) and a news article, rendered on the server, hand their og: tags to
// the same share call. Outside WeChat no SDK script and no configuration is asked for.
//
// WeChat's script is not fetched: a route answers its address with a stand-in `wx` that records
// every call and, like WeChat's client, has the configuration's signature checked — here by the
// simulator, which knows the ticket it gave our server (POST /sim/client/js-config).
//
// Needs FARMGATE_BASE_URL (the demo server) and FARMGATE_WECHAT_SIM_URL (the simulator).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WECHAT_UA, callApi, launchBrowser, logIn, open, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const SIM = (process.env.FARMGATE_WECHAT_SIM_URL || '').replace(/\/+$/, '');
const skip = BASE && SIM ? false : 'FARMGATE_BASE_URL and FARMGATE_WECHAT_SIM_URL are not both set (see tests/run.sh step 6c)';
const SDK = 'https://res.wx.qq.com/open/js/jweixin-1.6.0.js';
const BUYER = '13600000002';
const COOP_OWNER = '13800000001';

/** A demo batch's scan code and a public news article's id, through the API. */
async function scanCodeAndArticle(page) {
  await logIn(page, COOP_OWNER);
  const me = await callApi(page, 'GET', '/auth/me');
  const org = me.body.memberships[0].org.id;
  const batches = await callApi(page, 'GET', `/orgs/${org}/batches`);
  const code = batches.body.find((b) => b.code).code;
  const news = await callApi(page, 'GET', '/news');
  const items = news.body.items || [];
  assert.ok(items.length, 'the demo has public news');
  return { code, article: items[0].id };
}

/** The page's og: tags by property. */
async function ogTags(page) {
  return page.evaluate(() => Object.fromEntries(
    Array.from(document.querySelectorAll('meta[property^="og:"]')).map((m) => [m.getAttribute('property'), m.getAttribute('content')])));
}

let browser;
const scenario = (body) => story(() => browser, BASE, body);

// The stand-in for jweixin-1.6.0.js: the calls a page makes, recorded in window.__wx; config
// is checked through the test (window.__wxCheck), openAddress answered by it (window.__wxAddress).
const STAND_IN = `(() => {
  const calls = [];
  let state = 'pending';
  const readies = [];
  const errors = [];
  window.__wx = calls;
  window.wx = {
    config(c) {
      calls.push(['config', c]);
      window.__wxCheck(c).then((ok) => {
        state = ok ? 'ok' : 'error';
        (ok ? readies : errors).splice(0).forEach((f) => f(ok ? undefined : { errMsg: 'config:invalid signature' }));
      });
    },
    ready(f) { if (state === 'ok') f(); else readies.push(f); },
    error(f) { if (state === 'error') f({ errMsg: 'config:invalid signature' }); else errors.push(f); },
    updateAppMessageShareData(d) { calls.push(['updateAppMessageShareData', d]); },
    updateTimelineShareData(d) { calls.push(['updateTimelineShareData', d]); },
    openAddress(o) {
      calls.push(['openAddress']);
      window.__wxAddress().then((a) => {
        if (a) o.success({ ...a, errMsg: 'openAddress:ok' });
        else o.cancel({ errMsg: 'openAddress:cancel' });
      });
    },
  };
})();`;

/**
 * A person on a phone inside WeChat, WeChat's script stood in for. Returns the page, the
 * signature checks made, and a setter for what the next openAddress answers.
 */
async function wechatPerson(s) {
  const page = await s.person({ userAgent: WECHAT_UA, width: 390, height: 844 });
  const context = page.context();
  const checks = [];
  let nextAddress = null;
  await context.route(SDK, (route) => route.fulfill({ status: 200, contentType: 'application/javascript', body: STAND_IN }));
  // What WeChat's client does with wx.config: check the signature over the page's own address.
  await context.exposeBinding('__wxCheck', async (source, c) => {
    const url = source.page.url().split('#')[0];
    const answer = await fetch(SIM + '/sim/client/js-config', {
      method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ ...c, url }),
    });
    const { err_msg: result } = await answer.json();
    checks.push({ url, result });
    return result === 'config:ok';
  });
  await context.exposeBinding('__wxAddress', async () => nextAddress);
  return { page, checks, answerAddress: (a) => { nextAddress = a; } };
}

/** The recorded calls of one kind on the page. */
async function calls(page, name) {
  return page.evaluate((n) => (window.__wx || []).filter((c) => c[0] === n).map((c) => c[1]), name);
}

async function waitCall(page, name) {
  await page.waitForFunction((n) => (window.__wx || []).some((c) => c[0] === n), name);
}

describe('WeChat JS-SDK: share cards and address import (simulator)', { skip }, () => {
  before(async () => { browser = await launchBrowser(); });
  after(async () => { await browser?.close(); });

  test('inside WeChat a listing sets its share card with a configuration WeChat accepts', { timeout: 90_000 }, scenario(async (s) => {
    const { page, checks } = await wechatPerson(s);
    await open(page, '/');
    // A listing with a photo.
    const found = await callApi(page, 'GET', '/search?q=' + encodeURIComponent('脐橙'));
    assert.equal(found.status, 200);
    let listing = null;
    for (const hit of found.body.hits || []) {
      const l = await callApi(page, 'GET', `/listings/${hit.id}`);
      if (l.status === 200 && (l.body.images || []).length) { listing = l.body; break; }
    }
    assert.ok(listing, 'a demo listing with a photo');

    await open(page, `/listing.html?id=${listing.id}#reviews`);
    await waitCall(page, 'updateAppMessageShareData');
    const [config] = await calls(page, 'config');
    assert.equal(config.debug, false);
    assert.ok(config.jsApiList.includes('updateAppMessageShareData') && config.jsApiList.includes('openAddress'));
    assert.deepEqual(checks, [{ url: `${BASE}/listing.html?id=${listing.id}`, result: 'config:ok' }], 'the simulator accepted the signature');

    const [share] = await calls(page, 'updateAppMessageShareData');
    assert.equal(share.title, listing.title);
    assert.equal(share.link, `${BASE}/listing.html?id=${listing.id}`);
    assert.ok(share.imgUrl.startsWith(BASE + '/') && share.imgUrl === new URL(listing.images[0].url, BASE).href, share.imgUrl);
    assert.ok(share.desc.includes('¥'), share.desc);
    const [timeline] = await calls(page, 'updateTimelineShareData');
    assert.deepEqual(timeline, { title: share.title, link: share.link, imgUrl: share.imgUrl });
    // The og: tags say the same.
    const og = await page.evaluate(() => Object.fromEntries(
      Array.from(document.querySelectorAll('meta[property^="og:"]')).map((m) => [m.getAttribute('property'), m.getAttribute('content')])));
    assert.equal(og['og:title'], share.title);
    assert.equal(og['og:url'], share.link);
    assert.equal(og['og:image'], share.imgUrl);
  }));

  test('inside WeChat the address form imports an address from WeChat and the cascade follows its code', { timeout: 90_000 }, scenario(async (s) => {
    const { page, checks, answerAddress } = await wechatPerson(s);
    await logIn(page, BUYER);
    await open(page, '/account.html');
    const book = page.getByTestId('address-book');
    await book.getByTestId('address-new').click();
    const importButton = book.getByTestId('address-wechat-import');
    await importButton.waitFor();
    assert.equal((await importButton.textContent()).trim(), '从微信导入');
    assert.equal(checks.at(-1).result, 'config:ok');

    // Cancelled: the form stays as it was.
    await page.getByTestId('a-name').fill('留着');
    answerAddress(null);
    await importButton.click();
    await page.waitForFunction(() => (window.__wx || []).filter((c) => c[0] === 'openAddress').length === 1);
    await page.locator('[data-testid="address-wechat-import"]:not([aria-busy="true"]):not([disabled])').waitFor();
    assert.equal(await page.getByTestId('a-name').inputValue(), '留着');
    assert.equal(await page.getByTestId('a-district').inputValue(), '');

    // An address from WeChat's book: the code 360702 is 江西省 赣州市 章贡区.
    answerAddress({
      userName: '李四', telNumber: '13800138001', postalCode: '341000',
      provinceName: '江西', cityName: '赣州', countryName: '章贡', detailInfo: '红旗大道18号', nationalCode: '360702',
    });
    await importButton.click();
    await page.waitForFunction(() => document.querySelector('[data-testid="a-district"]').value !== '');
    assert.equal(await page.getByTestId('a-name').inputValue(), '李四');
    assert.equal(await page.getByTestId('a-phone').inputValue(), '13800138001');
    assert.equal(await page.getByTestId('a-province').inputValue(), '江西省');
    assert.equal(await page.getByTestId('a-city').inputValue(), '赣州市');
    assert.equal(await page.getByTestId('a-district').inputValue(), '章贡区');
    assert.equal(await page.getByTestId('a-street').inputValue(), '红旗大道18号');
    // The cascade offers the city's districts.
    await page.waitForFunction(() => {
      const input = document.querySelector('[data-testid="a-district"]');
      return input.list && Array.from(input.list.options).some((o) => o.value === '南康区');
    });

    // A code the list does not know: the names go through paste-to-recognise.
    answerAddress({
      userName: '王五', telNumber: '13800138002', postalCode: '',
      provinceName: '江西省', cityName: '赣州市', countryName: '南康区', detailInfo: '唐江镇卢屋村8号', nationalCode: '369999',
    });
    await importButton.click();
    await page.waitForFunction(() => document.querySelector('[data-testid="a-name"]').value === '王五');
    await page.waitForFunction(() => document.querySelector('[data-testid="a-district"]').value === '南康区');
    assert.equal(await page.getByTestId('a-province').inputValue(), '江西省');
    assert.equal(await page.getByTestId('a-city').inputValue(), '赣州市');
    assert.equal(await page.getByTestId('a-street').inputValue(), '唐江镇卢屋村8号');
  }));

  test('inside WeChat the scan page and a news article share what their og: tags say', { timeout: 90_000 }, scenario(async (s) => {
    const { page, checks } = await wechatPerson(s);
    const { code, article } = await scanCodeAndArticle(page);
    for (const path of [`/t/${encodeURIComponent(code)}`, `/news/${article}`]) {
      // Rendered on the server: no page script marks it ready; the share call is the sign.
      await page.goto(path);
      await waitCall(page, 'updateAppMessageShareData');
      assert.equal(checks.at(-1).result, 'config:ok', path);
      assert.equal(checks.at(-1).url, BASE + path, path);
      const og = await ogTags(page);
      const [share] = await calls(page, 'updateAppMessageShareData');
      assert.ok(og['og:title'] && og['og:description'], `${path}: ${JSON.stringify(og)}`);
      assert.equal(share.title, og['og:title'].slice(0, 64), path);
      assert.equal(share.desc, og['og:description'].slice(0, 120), path);
      assert.equal(share.link, og['og:url'] ? new URL(og['og:url'], BASE).href : BASE + path, path);
      assert.equal(share.imgUrl, og['og:image'] ? new URL(og['og:image'], BASE).href : '', path);
      const [timeline] = await calls(page, 'updateTimelineShareData');
      assert.deepEqual(timeline, { title: share.title, link: share.link, imgUrl: share.imgUrl }, path);
    }
  }));

  test('outside WeChat the scan page and a news article fetch neither the SDK module nor WeChat\'s script', { timeout: 60_000 }, scenario(async (s) => {
    const page = await s.person({ width: 390, height: 844 });
    const { code, article } = await scanCodeAndArticle(page);
    const asked = [];
    page.on('request', (r) => {
      const url = r.url();
      if (url.includes('wx.qq.com') || url.includes('/api/v1/wechat/') || url.includes('wechat-sdk.js')) asked.push(url);
    });
    for (const path of [`/t/${encodeURIComponent(code)}`, `/news/${article}`]) {
      const loaded = page.waitForResponse((r) => r.url().endsWith('/assets/js/share-card.js'));
      await page.goto(path);
      assert.equal((await loaded).status(), 200, path);
      assert.ok((await ogTags(page))['og:title'], path);
    }
    await page.waitForTimeout(300);
    assert.deepEqual(asked, []);
  }));

  test('outside WeChat no SDK script and no configuration is asked for', { timeout: 60_000 }, scenario(async (s) => {
    const page = await s.person({ width: 1366, height: 900 });
    const asked = [];
    page.on('request', (r) => {
      if (r.url().includes('wx.qq.com') || r.url().includes('/api/v1/wechat/')) asked.push(r.url());
    });
    await open(page, '/');
    const found = await callApi(page, 'GET', '/search?q=' + encodeURIComponent('脐橙'));
    const id = (found.body.hits || [])[0].id;
    await open(page, `/listing.html?id=${id}`);
    await page.getByTestId('listing-title').waitFor();
    await logIn(page, BUYER);
    await open(page, '/account.html');
    await page.getByTestId('address-book').getByTestId('address-new').click();
    await page.getByTestId('address-paste').waitFor();
    assert.equal(await page.getByTestId('address-wechat-import').count(), 0);
    // The og: tags are there for any browser's share.
    await open(page, `/listing.html?id=${id}`);
    await page.locator('meta[property="og:title"]').waitFor({ state: 'attached' });
    assert.deepEqual(asked, []);
  }));
});
