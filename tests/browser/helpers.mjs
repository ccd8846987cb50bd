// Shared pieces of the browser tests: Debian's Chromium driven by playwright-core (no browser
// is ever downloaded), one fresh browser context per person in a story, screenshots into
// artifacts/ when a story fails.

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = join(here, 'artifacts');
export const PASSWORD = 'farmgate123';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // No name outside this machine is ever looked up: a page inside WeChat asks for WeChat's
  // JS-SDK script (assets/js/wechat-sdk.js), which a story stands in for with a route and
  // every other story lets fail at once.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];

/**
 * One Chromium for a test file. `launch` gives it a fresh temporary profile directory of its
 * own (playwright creates it and deletes it on close), so no state leaks between runs.
 */
export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

function slug(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'test';
}

/**
 * A story with people in it. Each `person()` gets their own cookies (a fresh context), and
 * every page they open records dialogs and uncaught errors. When the story fails, every page
 * is photographed into artifacts/ before the error is passed on.
 */
export class Story {
  constructor(browser, name, baseUrl) {
    this.browser = browser;
    this.name = name;
    this.baseUrl = baseUrl;
    this.contexts = [];
    this.pages = [];
    this.dialogs = [];
    this.errors = [];
  }

  async person({ width = 390, height = 844, touch = false, userAgent } = {}) {
    const context = await this.browser.newContext({
      baseURL: this.baseUrl,
      viewport: { width, height },
      hasTouch: touch,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      ...(userAgent ? { userAgent, isMobile: true, hasTouch: true } : {}),
    });
    context.setDefaultTimeout(15_000);
    this.contexts.push(context);
    const page = await context.newPage();
    this.pages.push(page);
    page.on('dialog', (dialog) => {
      this.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      dialog.dismiss().catch(() => {});
    });
    page.on('pageerror', (error) => this.errors.push(`${page.url()}: ${error.message}`));
    // A string the page asked for and its loaded dictionary lacks (i18n.js warns) fails the story.
    page.on('console', (message) => {
      if (message.type() === 'warning' && message.text().startsWith('i18n: missing key')) {
        this.errors.push(`${page.url()}: ${message.text()}`);
      }
    });
    return page;
  }

  async screenshots() {
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const [i, page] of this.pages.entries()) {
      if (page.isClosed()) continue;
      const path = join(ARTIFACTS, `${slug(this.name)}-${i + 1}.png`);
      await page.screenshot({ path, fullPage: true }).catch(() => {});
    }
  }

  async close() {
    for (const context of this.contexts) await context.close().catch(() => {});
  }
}

/**
 * Wraps a test body in a Story: screenshots on failure, no uncaught page errors and no missing
 * dictionary keys allowed.
 */
export function story(getBrowser, baseUrl, body) {
  return async (t) => {
    const s = new Story(getBrowser(), t.name, typeof baseUrl === 'function' ? baseUrl() : baseUrl);
    try {
      await body(s, t);
      if (s.errors.length) throw new Error('uncaught errors in the page:\n' + s.errors.join('\n'));
    } catch (error) {
      await s.screenshots();
      throw error;
    } finally {
      await s.close();
    }
  };
}

/** Waits until the page's script has set up the header (shell.js marks <body class="ready">). */
export async function ready(page) {
  await page.locator('body.ready').waitFor();
}

export async function open(page, path) {
  await page.goto(path);
  await ready(page);
}

/**
 * Switches the page's language with the header's buttons ('zh' or 'en') and waits until it is
 * done: the other language's dictionary files load first, then <html lang> changes.
 */
export async function switchLanguage(page, lang) {
  await page.getByTestId(`lang-${lang}`).click();
  await page.locator(`html[lang="${lang === 'en' ? 'en' : 'zh-CN'}"]`).waitFor({ state: 'attached' });
  await page.locator('.lang-switch:not([aria-busy])').waitFor({ state: 'attached' });
}

/** A phone's WeChat in-app browser (the user agent buyers arrive with from a share or a scan). */
export const WECHAT_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 '
  + '(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN';

/**
 * A header link by its test id, ready to click. From 1024 px wide the header groups links into
 * menus (我的, 卖家中心, 审核管理, 订单售后, 财务): this opens the link's menu first when it is
 * closed. Below 1024 px every link sits in the header's strip and is returned as it is.
 */
export async function navLink(page, testid) {
  const link = page.getByTestId(testid).first();
  if (await link.isVisible()) return link;
  const group = page.locator('.nav-group').filter({ has: page.getByTestId(testid) }).first();
  if (await group.count()) await group.locator('.nav-group-toggle').click();
  return link;
}

/** Logs in through the login form and waits to leave the login page. */
export async function logIn(page, login, password = PASSWORD) {
  // manual=1: inside WeChat's browser the page would otherwise go to WeChat log-in by itself.
  await open(page, '/login.html?manual=1');
  await page.getByTestId('login-input').fill(login);
  await page.getByTestId('password-input').fill(password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.endsWith('/login.html')),
    page.getByTestId('login-submit').click(),
  ]);
  await ready(page);
}

/** The page's horizontal scroll width: more than the viewport means sideways scrolling. */
export async function scrollWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

/**
 * Visible tap targets under `selector` smaller than 44 px either way: [text, width, height,
 * class, parent]. A radio, checkbox or file input counts by its label (the label is what a
 * thumb hits: a photo picker's input is hidden behind its button-like label); a
 * link inside a sentence is exempt, as WCAG 2.5.8 exempts inline targets.
 */
export async function smallTargets(page, selector) {
  return page.evaluate((sel) => {
    const out = [];
    for (const root of document.querySelectorAll(sel)) {
      for (const t of root.querySelectorAll('a, button, input, select, summary')) {
        let r = t.getBoundingClientRect();
        if (getComputedStyle(t).visibility === 'hidden') continue;
        if (t.closest('.nav-sub') && getComputedStyle(t.closest('.nav-sub')).display === 'none') continue;
        if (t.tagName === 'INPUT' && ['radio', 'checkbox', 'file'].includes(t.type) && t.labels && t.labels.length) {
          r = t.labels[0].getBoundingClientRect();
        }
        if (!r.width || !r.height) continue;
        if (t.tagName === 'A') {
          const own = (t.textContent || '').trim().length;
          const around = (t.parentElement.textContent || '').trim().length;
          if (around > own + 1 && getComputedStyle(t).display === 'inline') continue;
        }
        if (r.width < 44 || r.height < 44) {
          out.push([(t.textContent || t.getAttribute('aria-label') || t.tagName).trim(), Math.round(r.width), Math.round(r.height),
            t.className, `${t.parentElement.tagName}.${t.parentElement.className}`]);
        }
      }
    }
    return out;
  }, selector);
}

/**
 * Calls the API as whoever this page is logged in as (its cookies): `{status, body}`, the body
 * parsed as JSON when it is JSON.
 */
export async function callApi(page, method, path, body, headers = {}) {
  return page.evaluate(async ({ method, path, body, headers }) => {
    const init = { method, headers: { Accept: 'application/json', ...headers } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch('/api/v1' + path, init);
    const text = await response.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = text; }
    return { status: response.status, body: json };
  }, { method, path, body, headers });
}

/**
 * `buyer` orders `quantity` of `sku` by bank transfer to their first saved address, and platform
 * finance (13900000005, a person of its own in story `s`) confirms the transfer. Returns the
 * paid order as finance's answer shows it. `tag` names the story in the keys and reference.
 */
export async function paidByTransfer(s, buyer, sku, quantity, tag) {
  const addresses = await callApi(buyer, 'GET', '/me/addresses');
  const address = (addresses.body.items || addresses.body)[0];
  const placed = await callApi(buyer, 'POST', '/orders', {
    address_id: address.id, payment_method: 'offline', items: [{ sku_id: sku, quantity }],
  }, { 'Idempotency-Key': `${tag}-${Date.now()}` });
  if (placed.status !== 201) throw new Error(`checkout: ${placed.status} ${JSON.stringify(placed.body)}`);
  const finance = await s.person();
  await logIn(finance, '13900000005');
  const paid = await callApi(finance, 'POST', `/orders/${placed.body.id}/offline-payment`, { reference: `BANK-${tag.toUpperCase()}-${Date.now()}` });
  if (paid.status !== 200) throw new Error(`transfer: ${paid.status} ${JSON.stringify(paid.body)}`);
  return paid.body;
}

// Pages whose API POST answers are handed to Node (see `posted`), with the waiters on them.
const watched = new WeakMap();

/**
 * Wraps the page's `fetch` (in this document, and by an init script in every later one) so that
 * each API POST's answer is handed to Node through an exposed binding *before* the page's own
 * code sees it. Nothing is intercepted on the network: an earlier version read bodies through
 * `page.route`, and a request the page sent while that route was being removed stayed paused
 * and was never sent (three official CI runs failed on a page's next request after a POST).
 */
async function watchPosts(page) {
  let waiters = watched.get(page);
  if (waiters) return waiters;
  waiters = [];
  watched.set(page, waiters);
  await page.exposeBinding('__fgPosted', (_source, path, status, text) => {
    const at = waiters.findIndex((w) => w.path === path);
    if (at >= 0) waiters.splice(at, 1)[0].resolve({ status, text });
  });
  const wrap = () => {
    if (window.__fgPostedWrapped) return;
    window.__fgPostedWrapped = true;
    const original = window.fetch;
    window.fetch = async function (input, init) {
      const response = await original.call(this, input, init);
      try {
        const method = ((init && init.method) || (input instanceof Request ? input.method : 'GET')).toUpperCase();
        const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url, location.href);
        if (method === 'POST' && url.pathname.startsWith('/api/')) {
          await window.__fgPosted(url.pathname, response.status, await response.clone().text());
        }
      } catch { /* the page's own code still gets its answer */ }
      return response;
    };
  };
  await page.addInitScript(wrap);
  await page.evaluate(wrap);
  return waiters;
}

/**
 * Does `action` and returns the answer to the request it makes to `path` (a POST): status,
 * JSON body and the request. The body is handed over by the page's wrapped `fetch` before the
 * page reads it, so it survives the page moving on at once (as checkout does, to the payment
 * page), and no request is ever held on the network.
 */
export async function posted(page, path, action) {
  const waiters = await watchPosts(page);
  let resolve;
  const answered = new Promise((r) => { resolve = r; });
  const waiter = { path, resolve };
  waiters.push(waiter);
  try {
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === path && r.request().method() === 'POST'),
      action(),
    ]);
    let timer;
    const given = await Promise.race([
      answered,
      new Promise((r) => { timer = setTimeout(() => r(null), 15000); }),
    ]);
    clearTimeout(timer);
    if (!given) throw new Error(`the page's answer to POST ${path} never reached the test`);
    let body = null;
    try { body = JSON.parse(given.text); } catch { body = null; }
    return { status: response.status(), body, request: response.request() };
  } finally {
    const at = waiters.indexOf(waiter);
    if (at >= 0) waiters.splice(at, 1);
  }
}
