// The pages against a real Farmgate server started with demo data (password farmgate123).
// FARMGATE_BASE_URL=http://127.0.0.1:18080 npm test
//
// The verification stories change the demo data (the pending organisation of 13800000009 is
// rejected, then resubmitted and verified), so they expect a freshly seeded server.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, logIn, open, ready, scrollWidth, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';

const CONSUMER = '13600000001';
const OPERATOR = '13900000001';
const COOP_OWNER = '13800000001';
const PENDING_OWNER = '13800000009';
const STORY_TIMEOUT = 90_000;

let browser;
const scenario = (body) => story(() => browser, BASE, body);

/** What the server says about whoever this page is logged in as. */
async function whoAmI(page) {
  return page.evaluate(async () => {
    const response = await fetch('/api/v1/auth/me', { credentials: 'same-origin' });
    return response.ok ? response.json() : null;
  });
}

/** The queue card of the organisation owned by the pending demo owner, however the phone is shown. */
function pendingOwnersCard(page) {
  return page.getByTestId('queue-card').filter({
    has: page.getByTestId('queue-owner').filter({ hasText: /138(0000|\*{4})0009/ }),
  });
}

// Handed from the rejection story to the resubmission story.
const shared = { orgId: null, reason: null };

describe('Farmgate pages against a running server', () => {
  before(async () => {
    if (!skip) browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('a consumer logs in with the phone number and sees their name in the header',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const page = await s.person();
      await logIn(page, CONSUMER);

      const me = await whoAmI(page);
      assert.ok(me, 'the session cookie works after logging in');
      assert.equal(new URL(page.url()).pathname.replace(/index\.html$/, ''), '/', 'a consumer lands on the home page');
      const header = page.getByTestId('header-user');
      await header.waitFor();
      assert.equal(await header.textContent(), me.account.display_name);
      await page.getByTestId('logout').waitFor();
    }));

  test('a wrong password shows the server\'s error message and stays on the login page',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const page = await s.person();
      await open(page, '/login.html');
      await page.getByTestId('login-input').fill(CONSUMER);
      await page.getByTestId('password-input').fill('not-the-password');
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login')),
        page.getByTestId('login-submit').click(),
      ]);
      assert.equal(response.status(), 401);
      const body = await response.json();
      assert.equal(body.error.code, 'invalid_credentials');

      const shown = page.getByTestId('form-error');
      await shown.waitFor();
      assert.equal((await shown.textContent()).trim(), body.error.message);
      assert.ok(new URL(page.url()).pathname.endsWith('/login.html'), 'still on the login page');
      assert.equal(await page.getByTestId('header-user').count(), 0, 'nobody is logged in');
    }));

  test('the operator lands on the verification queue, rejects the pending organisation with a reason, and its owner sees that reason',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const operator = await s.person();
      await logIn(operator, OPERATOR);
      assert.ok(new URL(operator.url()).pathname.endsWith('/ops/verify.html'), 'the operator lands on the queue');
      await operator.getByTestId('nav-verify').waitFor();

      await operator.getByTestId('results-count').filter({ hasText: /\d/ }).waitFor();
      const card = pendingOwnersCard(operator);
      assert.equal(await card.count(), 1,
        'one pending organisation owned by 13800000009 in the queue (these stories need freshly seeded demo data)');
      const orgId = await card.getAttribute('data-org-id');
      assert.equal(await card.getByTestId('queue-status').getAttribute('data-value'), 'pending');
      for (const field of ['queue-kind', 'queue-licence', 'queue-region', 'queue-contact', 'queue-submitted']) {
        assert.ok((await card.getByTestId(field).textContent()).trim(), `the card shows ${field}`);
      }

      const reason = `营业执照上的名称与填写的不一致，请核对后重新提交（${Date.now()}）`;
      await card.getByTestId('queue-reject').click();
      await card.getByTestId('reject-reason').fill(reason);
      await Promise.all([
        operator.waitForResponse((r) => r.url().includes(`/admin/orgs/${orgId}/reject`) && r.ok()),
        card.getByTestId('queue-reject-confirm').click(),
      ]);
      await operator.locator(`[data-testid="queue-card"][data-org-id="${orgId}"]`).waitFor({ state: 'detached' });
      assert.equal(await operator.getByTestId('flash').getAttribute('class'), 'flash flash-success');

      const owner = await s.person();
      await logIn(owner, PENDING_OWNER);
      assert.ok(new URL(owner.url()).pathname.endsWith('/org.html'), 'a member of an organisation lands on org.html');
      const mine = owner.locator(`[data-testid="my-org-card"][data-org-id="${orgId}"]`);
      await mine.waitFor();
      assert.equal(await mine.getByTestId('org-status').getAttribute('data-value'), 'rejected');
      assert.equal(await mine.getByTestId('org-status-reason-text').textContent(), reason);

      shared.orgId = orgId;
      shared.reason = reason;
    }));

  test('the owner edits the rejected organisation to resubmit it, the operator verifies it and it leaves the pending filter',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      assert.ok(shared.orgId, 'needs the organisation rejected by the previous story');
      const { orgId } = shared;

      const owner = await s.person();
      await logIn(owner, PENDING_OWNER);
      await open(owner, `/org.html?id=${encodeURIComponent(orgId)}`);
      await owner.getByTestId('org-detail').waitFor();
      await owner.getByTestId('org-edit').click();
      const form = owner.getByTestId('org-edit-form');
      await form.waitFor();
      const nameInput = form.locator('input[name="name"]');
      const corrected = (await nameInput.inputValue()).trim() + '（已更正）';
      await nameInput.fill(corrected);
      await Promise.all([
        owner.waitForResponse((r) => r.url().endsWith(`/api/v1/orgs/${orgId}`) && r.request().method() === 'PATCH' && r.ok()),
        owner.getByTestId('org-edit-submit').click(),
      ]);
      const status = owner.getByTestId('detail-status');
      await owner.waitForFunction(() =>
        document.querySelector('[data-testid="detail-status"]')?.dataset.value === 'pending');
      assert.equal(await status.getAttribute('data-value'), 'pending');
      assert.equal(await owner.getByTestId('detail-name').textContent(), corrected);

      const operator = await s.person();
      await logIn(operator, OPERATOR);
      const card = operator.locator(`[data-testid="queue-card"][data-org-id="${orgId}"]`);
      await card.waitFor();
      await card.getByTestId('queue-verify').click();
      await Promise.all([
        operator.waitForResponse((r) => r.url().includes(`/admin/orgs/${orgId}/verify`) && r.ok()),
        card.getByTestId('queue-verify-confirm').click(),
      ]);
      await card.waitFor({ state: 'detached' });

      // Reloading the pending filter from scratch: it stays gone.
      await open(operator, '/ops/verify.html?status=pending');
      await operator.getByTestId('results-count').filter({ hasText: /\d/ }).waitFor();
      assert.equal(await operator.locator(`[data-testid="queue-card"][data-org-id="${orgId}"]`).count(), 0);

      await owner.reload();
      await ready(owner);
      const mine = owner.locator(`[data-testid="my-org-card"][data-org-id="${orgId}"]`);
      await mine.waitFor();
      assert.equal(await mine.getByTestId('org-status').getAttribute('data-value'), 'verified');
      assert.equal(await mine.getByTestId('org-status-reason').count(), 0, 'no rejection reason once verified');
    }));

  test('the language switch turns the login page into English and back',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      const page = await s.person();
      await open(page, '/login.html');
      const heading = page.getByTestId('login-heading');
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
      assert.equal(await heading.textContent(), '登录');

      await page.getByTestId('lang-en').click();
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await heading.textContent(), 'Log in');
      assert.equal(await page.getByTestId('login-submit').textContent(), 'Log in');
      assert.equal(await page.getByTestId('lang-en').getAttribute('aria-pressed'), 'true');
      assert.match(await page.title(), /Log in/);

      await page.reload();
      await ready(page);
      assert.equal(await heading.textContent(), 'Log in', 'the choice is remembered');
      assert.equal(await page.evaluate(() => localStorage.getItem('fg_lang')), 'en');

      await page.getByTestId('lang-zh').click();
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
      assert.equal(await heading.textContent(), '登录');
      assert.equal(await page.evaluate(() => localStorage.getItem('fg_lang')), 'zh-CN');
    }));

  test('the pages work at a 360×740 viewport without horizontal scrolling',
    { timeout: STORY_TIMEOUT * 2, skip }, scenario(async (s) => {
      const check = async (page, path) => {
        await open(page, path);
        await page.waitForLoadState('networkidle');
        for (const lang of ['zh', 'en']) {
          await page.getByTestId(`lang-${lang}`).click();
          const width = await scrollWidth(page);
          assert.ok(width <= 360, `${path} (${lang}) is ${width}px wide`);
        }
      };

      const visitor = await s.person({ width: 360, height: 740 });
      for (const path of ['/', '/login.html', '/register.html']) await check(visitor, path);

      const owner = await s.person({ width: 360, height: 740 });
      await logIn(owner, COOP_OWNER);
      for (const path of ['/', '/account.html', '/org.html']) await check(owner, path);
      // The selected organisation with its members and invitations open.
      await owner.getByTestId('org-select').first().click();
      await owner.getByTestId('org-detail').waitFor();
      await owner.waitForLoadState('networkidle');
      assert.ok(await scrollWidth(owner) <= 360, 'org details fit');

      const operator = await s.person({ width: 360, height: 740 });
      await logIn(operator, OPERATOR);
      for (const status of ['pending', 'verified', 'rejected']) {
        await check(operator, `/ops/verify.html?status=${status}`);
      }
      const card = operator.getByTestId('queue-card').first();
      if (await card.count()) {
        await card.getByTestId('queue-history').click();
        await operator.waitForLoadState('networkidle');
        assert.ok(await scrollWidth(operator) <= 360, 'a card with its history fits');
      }
    }));

  test('a name containing <script>alert(1)</script> registered through the UI shows verbatim and no dialog opens',
    { timeout: STORY_TIMEOUT, skip }, scenario(async (s) => {
      // Display names are at most 32 characters.
      const name = `测试<script>alert(1)</script>';--`;
      const phone = '19' + String(Date.now()).slice(-9);
      const page = await s.person();
      await open(page, '/register.html');
      await page.getByTestId('register-name').fill(name);
      await page.getByTestId('register-contact').fill(phone);
      await page.getByTestId('register-password').fill('a-long-password-1');
      await Promise.all([
        page.waitForURL((url) => !url.pathname.endsWith('/register.html')),
        page.getByTestId('register-submit').click(),
      ]);
      await ready(page);

      await page.getByTestId('header-user').waitFor();
      assert.equal(await page.getByTestId('header-user').textContent(), name);
      assert.match(await page.getByTestId('home-greeting').textContent(), /<script>alert\(1\)<\/script>/);

      await open(page, '/account.html');
      const profileName = page.getByTestId('profile-name').locator('dd');
      await profileName.waitFor();
      assert.equal(await profileName.textContent(), name);

      const injected = await page.evaluate(() => ({
        scripts: Array.from(document.scripts).filter((el) => el.textContent.includes('alert')).length,
        images: document.querySelectorAll('img').length,
      }));
      assert.deepEqual(injected, { scripts: 0, images: 0 }, 'the name never became markup');
      await page.waitForTimeout(300);
      assert.deepEqual(s.dialogs, [], 'no dialog opened');
    }));
});
