// Search as you type (#21) in the browser, against a server started with demo data: on a phone
// (390×844, touch) and on a desktop (1366×900) a shopper types 脐, qic and 臍 into the home
// page's search box and sees 脐橙 suggested under 商品 with the typed part marked; the box is
// a combobox (aria-expanded, aria-activedescendant over a listbox of options); ↓/↑ move,
// Escape closes, Tab takes the text, Enter picks and searches; a tap (or click) on an option
// searches too. Typing quickly asks once per pause, not per key; an input method's unfinished
// pinyin asks nothing until it is committed. The list fits the screen and its options are at
// least 44 px tall; it speaks English after a language switch.
// FARMGATE_BASE_URL=… node --test suggest.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, open, scrollWidth, story, switchLanguage } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';
const STORY_TIMEOUT = 120_000;
const ORANGE = '脐橙';

let browser;
const scenario = (body) => story(() => browser, BASE, body);

/** Every suggest request the page makes, by its `q`. */
function watchSuggest(page) {
  const asked = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === '/api/v1/search/suggest') asked.push(url.searchParams.get('q'));
  });
  return asked;
}

const box = (page) => page.getByTestId('home-search-input');
const option = (page, text) => page.locator(`[role="option"][data-value="${text}"]`);

/** Waits until the list answers `q` (as typed), is open and offers `text`; returns that option. */
async function offered(page, text, q) {
  await page.locator(`[data-testid="suggest-list"][data-q="${q}"]`).waitFor({ state: 'attached' });
  const o = option(page, text);
  await o.waitFor({ state: 'visible' });
  await page.locator('[role="combobox"][aria-expanded="true"]').waitFor();
  return o;
}

async function checkLayout(page, width) {
  const options = page.locator('[data-testid="suggest-panel"] [role="option"]');
  const n = await options.count();
  assert.ok(n >= 1);
  for (let i = 0; i < n; i += 1) {
    const b = await options.nth(i).boundingBox();
    assert.ok(b.height >= 44, `option ${i} is ${b.height} px tall`);
    assert.ok(b.x >= 0 && b.x + b.width <= width, `option ${i} spans ${b.x}…${b.x + b.width} of ${width}`);
  }
  assert.ok((await scrollWidth(page)) <= width, 'no sideways scrolling with the list open');
}

async function typing(page, viewport, touch) {
  const asked = watchSuggest(page);
  await open(page, '/');
  const input = box(page);
  assert.equal(await input.getAttribute('role'), 'combobox');
  assert.equal(await input.getAttribute('aria-expanded'), 'false');
  const listId = await input.getAttribute('aria-controls');
  assert.equal(await page.locator(`#${listId}`).getAttribute('role'), 'listbox');

  // 脐: the character marked, under 商品.
  await input.click();
  await page.keyboard.insertText('脐');
  let o = await offered(page, ORANGE, '脐');
  assert.equal(await o.locator('mark').textContent(), '脐');
  assert.ok(await page.getByTestId('suggest-group-products').getByText('商品').isVisible());
  await checkLayout(page, viewport.width);

  // Emptied: closed, and nothing asked for an empty box.
  await input.fill('');
  await page.locator('[data-testid="suggest-panel"]').waitFor({ state: 'hidden' });
  assert.equal(await input.getAttribute('aria-expanded'), 'false');
  assert.ok(!asked.includes(''), `asked ${JSON.stringify(asked)}`);

  // qic typed key by key: both characters of 脐橙 marked, and fewer requests than keys.
  const before = asked.length;
  await input.pressSequentially('qicheng');
  o = await offered(page, ORANGE, 'qicheng');
  assert.equal(await o.locator('mark').textContent(), ORANGE);
  assert.ok(asked.length - before < 7, `one request per pause, not per key: ${JSON.stringify(asked.slice(before))}`);
  await input.fill('');
  await input.pressSequentially('qic');
  o = await offered(page, ORANGE, 'qic');
  assert.equal(await o.locator('mark').textContent(), ORANGE);

  // 臍, the traditional character: the simplified suggestion, its first character marked.
  await input.fill('臍');
  o = await offered(page, ORANGE, '臍');
  assert.equal(await o.locator('mark').textContent(), '脐');

  // An input method composing pinyin asks nothing until the characters are chosen.
  await input.fill('');
  const cdp = await page.context().newCDPSession(page);
  const quiet = asked.length;
  await cdp.send('Input.imeSetComposition', { text: 'qi', selectionStart: 2, selectionEnd: 2 });
  await cdp.send('Input.imeSetComposition', { text: 'qich', selectionStart: 4, selectionEnd: 4 });
  await page.waitForTimeout(500);
  assert.deepEqual(asked.slice(quiet), [], 'nothing asked while composing');
  await cdp.send('Input.insertText', { text: ORANGE });
  await offered(page, ORANGE, ORANGE);
  assert.deepEqual(asked.slice(quiet), [ORANGE], 'asked once, for what was committed');
  await cdp.detach();

  // Keys: ↓ highlights the first option (aria-activedescendant), ↑ from the first goes back
  // to the box, Escape closes and keeps the text.
  await input.fill('');
  await input.pressSequentially('qic');
  await offered(page, ORANGE, 'qic');
  await page.keyboard.press('ArrowDown');
  const first = page.locator('[data-testid="suggest-panel"] [role="option"]').first();
  const firstId = await first.getAttribute('id');
  assert.equal(await input.getAttribute('aria-activedescendant'), firstId);
  assert.equal(await first.getAttribute('aria-selected'), 'true');
  await page.keyboard.press('ArrowUp');
  assert.equal(await input.getAttribute('aria-activedescendant'), null);
  await page.keyboard.press('Escape');
  assert.equal(await input.getAttribute('aria-expanded'), 'false');
  assert.equal(await input.inputValue(), 'qic');

  // ↓ down to 脐橙 and Tab: the text is taken into the box, the list closes, focus moves on.
  await page.keyboard.press('ArrowDown');
  await highlight(page, ORANGE);
  await page.keyboard.press('Tab');
  assert.equal(await input.inputValue(), ORANGE);
  assert.equal(await input.getAttribute('aria-expanded'), 'false');

  // Enter on a highlighted option searches for it.
  await input.fill('');
  await input.pressSequentially('qic');
  await offered(page, ORANGE, 'qic');
  await page.keyboard.press('ArrowDown');
  await highlight(page, ORANGE);
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/search.html' && url.searchParams.get('q') === ORANGE),
    page.keyboard.press('Enter'),
  ]);
  await page.getByTestId('product-card').first().waitFor();

  // On the search page's own box, a tap (phone) or a click picks a suggestion and searches.
  await open(page, '/search.html');
  const searchBox = page.getByTestId('search-input');
  await searchBox.click();
  await page.keyboard.insertText('臍');
  const pick = await offered(page, ORANGE, '臍');
  await checkLayout(page, viewport.width);
  await Promise.all([
    page.waitForURL((url) => url.searchParams.get('q') === ORANGE),
    touch ? pick.tap() : pick.click(),
  ]);
  assert.equal(await searchBox.inputValue(), ORANGE);
}

/** Presses ↓ until the highlighted option is `text` (at most ten times). */
async function highlight(page, text) {
  const input = box(page).or(page.getByTestId('search-input'));
  for (let i = 0; i < 10; i += 1) {
    const id = await input.first().getAttribute('aria-activedescendant');
    if (id && (await page.locator(`#${id}`).getAttribute('data-value')) === text) return;
    await page.keyboard.press('ArrowDown');
  }
  assert.fail(`${text} never highlighted`);
}

describe('search as you type', () => {
  before(async () => {
    if (!skip) browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('on a phone (390×844, touch): 脐, qic and 臍 suggest 脐橙 with the typed part marked; keys and a tap pick it',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const viewport = { width: 390, height: 844 };
      const page = await s.person({ ...viewport, touch: true });
      await typing(page, viewport, true);
    }));

  test('on a desktop (1366×900): the same with the keyboard and a click',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const viewport = { width: 1366, height: 900 };
      const page = await s.person(viewport);
      await typing(page, viewport, false);
    }));

  test('in English the groups are named in English',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const page = await s.person();
      await open(page, '/');
      await switchLanguage(page, 'en');
      await box(page).click();
      await page.keyboard.insertText('qic');
      await offered(page, ORANGE, 'qic');
      assert.ok(await page.getByTestId('suggest-group-products').getByText('Products').isVisible());
      assert.match(await page.getByTestId('suggest-status').textContent(), /suggestions?:/);
    }));
});
