// Addresses as Chinese shops take them (#19), against a server started with demo data: on a
// 390 px phone in WeChat's browser a buyer opens 我的 → 收货地址, pastes a chat message
// ("收货人：张三 … 江西省赣州市南康区…") and taps 识别: name, phone, 省/市/区 and street fill in,
// the 区 box offers the city's districts; she saves it, makes it her default, edits it and
// deletes it. Typing a province offers its cities and a city its districts; a county-level city
// under its province (湖北省 仙桃市) is its own district. Nothing overflows the screen sideways.
// FARMGATE_BASE_URL=… node --test addresses.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WECHAT_UA, callApi, launchBrowser, logIn, open, scrollWidth, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';
const BUYER = '13600000002';

let browser;
const scenario = (body) => story(() => browser, BASE, body);

/** The suggestions a box offers (its datalist's options). */
async function offered(page, testid) {
  return page.getByTestId(testid).evaluate((input) => Array.from(input.list ? input.list.options : []).map((o) => o.value));
}

async function waitOffered(page, testid, name) {
  await page.waitForFunction(({ testid, name }) => {
    const input = document.querySelector(`[data-testid="${testid}"]`);
    return input && input.list && Array.from(input.list.options).some((o) => o.value === name);
  }, { testid, name });
}

describe('addresses', { skip }, () => {
  before(async () => { browser = await launchBrowser(); });
  after(async () => { await browser?.close(); });

  test('a buyer pastes a chat message into her address book and keeps it up to date', { timeout: 90_000 }, scenario(async (s) => {
    const page = await s.person({ userAgent: WECHAT_UA, width: 390, height: 844 });
    await logIn(page, BUYER);
    // Start from an empty book, whatever an earlier run left.
    const mine = await callApi(page, 'GET', '/me/addresses');
    for (const a of mine.body || []) {
      if (a.name === '张三') await callApi(page, 'DELETE', `/me/addresses/${a.id}`);
    }
    await open(page, '/account.html');
    const book = page.getByTestId('address-book');
    await book.getByTestId('address-new').click();
    await book.getByTestId('address-paste').fill('收货人：张三，手机：138 0013 8000，地址：江西省赣州市南康区唐江镇卢屋村8号');
    await book.getByTestId('address-recognise').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="a-street"]').value !== '');
    assert.equal(await page.getByTestId('a-name').inputValue(), '张三');
    assert.equal(await page.getByTestId('a-phone').inputValue(), '13800138000');
    assert.equal(await page.getByTestId('a-province').inputValue(), '江西省');
    assert.equal(await page.getByTestId('a-city').inputValue(), '赣州市');
    assert.equal(await page.getByTestId('a-district').inputValue(), '南康区');
    assert.equal(await page.getByTestId('a-street').inputValue(), '唐江镇卢屋村8号');
    await waitOffered(page, 'a-district', '章贡区');
    assert.ok((await offered(page, 'a-city')).includes('吉安市'), 'the province\'s cities are offered');
    assert.ok(await scrollWidth(page) <= 390, 'nothing overflows at 390 px');

    await book.getByTestId('address-save').click();
    const item = book.getByTestId('address-item').filter({ hasText: '张三' });
    await item.waitFor();
    await item.getByText('江西省赣州市南康区 唐江镇卢屋村8号').waitFor();

    // Make it the default: it comes first with the badge.
    await item.getByTestId('address-make-default').click();
    await book.getByTestId('address-item').first().filter({ hasText: '张三' }).locator('.badge-default').waitFor();

    // Edit: the form opens filled in; a county-level city under its province is its own district.
    await book.getByTestId('address-item').filter({ hasText: '张三' }).getByTestId('address-edit').click();
    assert.equal(await page.getByTestId('a-name').inputValue(), '张三');
    await page.getByTestId('a-province').fill('湖北省');
    await page.getByTestId('a-province').dispatchEvent('change');
    await waitOffered(page, 'a-city', '仙桃市');
    await page.getByTestId('a-city').fill('仙桃市');
    await page.getByTestId('a-district').fill('');
    await page.getByTestId('a-city').dispatchEvent('change');
    await page.waitForFunction(() => document.querySelector('[data-testid="a-district"]').value === '仙桃市');
    await page.getByTestId('a-street').fill('沔阳大道1号');
    await book.getByTestId('address-save').click();
    await book.getByTestId('address-item').filter({ hasText: '湖北省仙桃市仙桃市 沔阳大道1号' }).waitFor();

    // Delete (the confirmation is accepted: the story's own handler would dismiss it).
    page.removeAllListeners('dialog');
    page.on('dialog', (d) => d.accept().catch(() => {}));
    await book.getByTestId('address-item').filter({ hasText: '张三' }).getByTestId('address-delete').click();
    await book.getByTestId('address-item').filter({ hasText: '张三' }).waitFor({ state: 'detached' });
    const left = await callApi(page, 'GET', '/me/addresses');
    assert.ok(!(left.body || []).some((a) => a.name === '张三'));
  }));
});
