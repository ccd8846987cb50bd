// The operator's search vocabulary in the browser, against a server started with demo data
// (password farmgate123): the operator (13900000001) follows the header link to
// /ops/vocabulary.html, adds a county dialect name for navel oranges as a synonym group, and a
// shopper's search for that dialect word finds the oranges at once; a duplicate is refused
// next to the field; removing the entry (after an in-page confirmation) makes the word find
// nothing again, and the latest changes list both. A consumer is turned away by the page and
// by the API; on a phone the page does not scroll sideways.
// FARMGATE_BASE_URL=… node --test vocabulary.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { callApi, launchBrowser, logIn, navLink, open, scrollWidth, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';

const OPERATOR = '13900000001';
const CONSUMER = '13600000001';
const STORY_TIMEOUT = 120_000;
// A dialect name no listing's title holds and the shipped vocabulary does not know.
const DIALECT = '金蛋果';

let browser;
const scenario = (body) => story(() => browser, BASE, body);

// Search answers may be cached for 5 s (Cache-Control), so each look-up asks for another page
// size: a new address, never a cached answer.
let lookups = 0;
async function hitsFor(page, q) {
  lookups += 1;
  const r = await callApi(page, 'GET', '/search?q=' + encodeURIComponent(q) + '&per_page=' + (20 + lookups));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.hits.map((h) => String(h.title));
}

describe('the operator\'s search vocabulary', () => {
  before(async () => {
    if (!skip) browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('a synonym group added on /ops/vocabulary.html makes search find the oranges by a dialect name, until it is removed',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const shopper = await s.person();
      await logIn(shopper, CONSUMER);
      assert.ok(!(await hitsFor(shopper, DIALECT)).some((t) => t.includes('脐橙')), 'the dialect word finds no oranges before');

      const operator = await s.person({ width: 1280, height: 900 });
      await logIn(operator, OPERATOR);
      await open(operator, '/ops/categories.html');
      await (await navLink(operator, 'nav-ops-vocabulary')).click();
      await operator.waitForURL((url) => url.pathname === '/ops/vocabulary.html');
      await operator.locator('[data-testid="vocab-entries"][data-state="done"]').waitFor();

      await operator.getByTestId('vocab-kind').selectOption('synonyms');
      await operator.getByTestId('vocab-text').fill(`脐橙 ${DIALECT}`);
      await operator.getByTestId('vocab-submit').click();
      await operator.getByTestId('flash').filter({ hasText: DIALECT }).waitFor();
      const entry = operator.locator('[data-testid="vocab-entry"]').filter({ hasText: DIALECT });
      await entry.waitFor();
      assert.ok((await hitsFor(shopper, DIALECT)).some((t) => t.includes('脐橙')), 'the dialect word finds the oranges now');

      // The same group again is refused, next to the field, and nothing is added.
      await operator.getByTestId('vocab-kind').selectOption('synonyms');
      await operator.getByTestId('vocab-text').fill(`${DIALECT} 脐橙`);
      await operator.getByTestId('vocab-submit').click();
      await operator.getByTestId('vocab-form-error').waitFor();
      assert.equal(await operator.locator('[data-testid="vocab-entry"]').filter({ hasText: DIALECT }).count(), 1);

      // Removed after a confirmation: the word finds no oranges again.
      await entry.getByTestId('vocab-remove').click();
      await entry.getByTestId('vocab-remove-confirm').click();
      await operator.locator('[data-testid="vocab-entry"]').filter({ hasText: DIALECT }).waitFor({ state: 'detached' });
      assert.ok(!(await hitsFor(shopper, DIALECT)).some((t) => t.includes('脐橙')), 'the dialect word finds no oranges after');
      const changes = operator.locator('[data-testid="vocab-change"]').filter({ hasText: DIALECT });
      assert.ok(await changes.count() >= 2, 'the latest changes list the addition and the removal');
      assert.equal(await changes.nth(0).getAttribute('data-action'), 'removed', 'newest first');
      assert.equal(await changes.nth(1).getAttribute('data-action'), 'added');

      // On a phone the page does not scroll sideways.
      const phone = await s.person({ width: 360, height: 740 });
      await logIn(phone, OPERATOR);
      await open(phone, '/ops/vocabulary.html');
      await phone.locator('[data-testid="vocab-entries"][data-state="done"]').waitFor();
      assert.ok(await scrollWidth(phone) <= 360, 'the page fits 360 px');

      // A consumer is turned away, by the page and by the API.
      await open(shopper, '/ops/vocabulary.html');
      await shopper.getByTestId('forbidden').waitFor();
      assert.equal((await callApi(shopper, 'GET', '/admin/search/vocabulary')).status, 403);
    }));
});
