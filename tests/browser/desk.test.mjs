// The service desk in the browser, against a freshly seeded demo server (FARMGATE_BASE_URL;
// password farmgate123): a consumer opens a ticket from the header, an agent answers it from
// the desk and closes it, the consumer reads the answer and rates the service once.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { callApi, launchBrowser, logIn, navLink, open, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';

const CONSUMER = '13600000001';
const AGENT = '13900000002';
const STORY_TIMEOUT = 90_000;

let browser;
const scenario = (body) => story(() => browser, BASE, body);

describe('the service desk', { skip }, () => {
  before(async () => { browser = await launchBrowser(); });
  after(async () => { await browser?.close(); });

  test('a consumer opens a ticket, an agent answers it from the desk, and the consumer rates it', { timeout: STORY_TIMEOUT }, scenario(async (s) => {
    // The consumer opens a ticket from the header's link; the deadline counts down at once.
    const buyer = await s.person();
    await logIn(buyer, CONSUMER);
    await buyer.getByTestId('nav-tickets').first().click();
    await buyer.waitForURL((url) => url.pathname === '/tickets.html');
    const subject = `商家发货太慢 ${Date.now()}`;
    await buyer.getByTestId('ticket-kind').selectOption('seller_complaint');
    await buyer.getByTestId('ticket-subject').fill(subject);
    await buyer.getByTestId('ticket-body').fill('付款三天了还没发货，联系不上商家。');
    await buyer.getByTestId('ticket-submit').click();
    await buyer.waitForURL((url) => url.pathname === '/ticket.html');
    await buyer.locator('[data-testid="ticket"][data-state="done"]').waitFor();
    assert.equal(await buyer.getByTestId('ticket-status').getAttribute('data-value'), 'open');
    assert.match(await buyer.getByTestId('ticket-countdown').textContent(), /^\d+:\d\d:\d\d$/);
    const number = (await buyer.getByTestId('ticket-number').textContent()).trim();
    assert.ok(await buyer.getByTestId('survey-form').isHidden(), 'nothing to rate while it is open');

    // The agent finds it in the desk's queue, answers and closes it.
    const agent = await s.person({ width: 1280, height: 900 });
    await logIn(agent, AGENT);
    await (await navLink(agent, 'nav-ops-desk')).click();
    await agent.waitForURL((url) => url.pathname === '/ops/desk.html');
    await agent.locator('[data-testid="desk-queue"][data-state="done"]').waitFor();
    await agent.getByTestId('queue-open').filter({ hasText: number }).click();
    const detail = agent.getByTestId('desk-detail');
    await detail.getByTestId('ticket-number').filter({ hasText: number }).waitFor();
    await detail.getByTestId('desk-reply-body').fill('该商家称今日发货，已催促，请留意物流信息。');
    await detail.getByTestId('desk-reply-submit').click();
    await detail.locator('[data-testid="ticket-status"][data-value="answered"]').waitFor();
    await detail.getByTestId('desk-close').click();
    await detail.locator('[data-testid="ticket-status"][data-value="closed"]').waitFor();

    // The consumer reads the answer and rates the handling, once.
    await buyer.reload();
    await buyer.locator('[data-testid="ticket"][data-state="done"]').waitFor();
    assert.equal(await buyer.getByTestId('ticket-status').getAttribute('data-value'), 'closed');
    await buyer.getByTestId('ticket-message').filter({ hasText: '已催促' }).waitFor();
    assert.equal(await buyer.getByTestId('ticket-note').count(), 0);
    await buyer.getByTestId('survey-speed').selectOption('4');
    await buyer.getByTestId('survey-comment').fill('回复很及时');
    await buyer.getByTestId('survey-submit').click();
    await buyer.getByTestId('survey-done').waitFor();
    assert.ok(await buyer.getByTestId('survey-form').isHidden(), 'rated once: the form is gone');
    const id = new URL(buyer.url()).searchParams.get('id');
    const again = await callApi(buyer, 'POST', `/desk/tickets/${id}/survey`, { speed: 1, attitude: 1, result: 1 });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'already_rated');

    // The agent's view shows the rating.
    await agent.getByTestId('queue-open').first().waitFor({ state: 'attached' }).catch(() => {});
    const seen = await callApi(agent, 'GET', `/desk/tickets/${id}`);
    assert.equal(seen.body.survey.speed, 4);
    await open(agent, '/ops/desk.html');
  }));
});
