// Wholesale prices on product cards (#19), against a server started with demo data: the
// community supermarket's buyer (13700000001, a verified business buyer) searching 脐橙 on a
// 390 px phone sees, on each card whose listing has wholesale tiers, its cheapest tier
// ("批发价 ¥52.00/箱 ≥20 箱") below the retail price, and on the home page too; a consumer
// (13600000001) sees retail prices only and the page never asks for tiers. What the cards show
// is what the server says for those listings.
// FARMGATE_BASE_URL=… node --test wholesale.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { callApi, launchBrowser, logIn, open, scrollWidth, story } from './helpers.mjs';

const BASE = (process.env.FARMGATE_BASE_URL || '').replace(/\/+$/, '');
const skip = BASE ? false : 'FARMGATE_BASE_URL is not set (see README.md)';
const BUSINESS = '13700000001';
const CONSUMER = '13600000001';

let browser;
const scenario = (body) => story(() => browser, BASE, body);

/** Every card's listing id with its wholesale tag (null when hidden). */
async function cardTags(page) {
  return page.locator('[data-testid="product-card"]').evaluateAll((cards) => cards.map((card) => {
    const tag = card.querySelector('[data-testid="product-wholesale"]');
    return {
      id: card.dataset.listingId,
      fen: tag && !tag.hidden ? Number(tag.dataset.fen) : null,
      min: tag && !tag.hidden ? Number(tag.dataset.min) : null,
      text: tag && !tag.hidden ? tag.textContent.trim() : null,
    };
  }));
}

describe('wholesale prices on cards', { skip }, () => {
  before(async () => { browser = await launchBrowser(); });
  after(async () => { await browser?.close(); });

  test('a business buyer sees each card\'s cheapest tier; a consumer sees retail only', { timeout: 90_000 }, scenario(async (s) => {
    const buyer = await s.person({ width: 390, height: 844 });
    await logIn(buyer, BUSINESS);
    await open(buyer, '/search.html?q=' + encodeURIComponent('脐橙'));
    await buyer.locator('[data-testid="product-card"]').first().waitFor();
    await buyer.locator('[data-testid="product-wholesale"]:not([hidden])').first().waitFor();
    const tags = await cardTags(buyer);
    const ids = tags.map((t) => t.id);
    const server = await callApi(buyer, 'GET', '/wholesale-prices?listings=' + ids.slice(0, 60).join(','));
    assert.equal(server.status, 200, JSON.stringify(server.body));
    const byId = new Map(server.body.prices.map((p) => [p.listing_id, p]));
    assert.ok(byId.size > 0, 'the demo oranges have wholesale tiers');
    for (const tag of tags) {
      const p = byId.get(tag.id);
      if (!p) {
        assert.equal(tag.fen, null, `no tier, no tag (${tag.id})`);
        continue;
      }
      assert.equal(tag.fen, p.price, `the card shows the server's tier (${tag.id})`);
      assert.equal(tag.min, p.min_quantity);
      assert.ok(p.price < p.retail_price, 'a tier is cheaper than retail');
      assert.match(tag.text, /批发价\s*¥\d+\.\d{2}\/\S+\s*≥\s*\d+/, tag.text);
    }
    assert.ok(await scrollWidth(buyer) <= 390, 'the tag does not widen the page');

    // The home page's grid has them too.
    await open(buyer, '/');
    await buyer.locator('[data-testid="product-card"]').first().waitFor();
    const home = await cardTags(buyer);
    if (home.some((t) => byId.has(t.id))) {
      await buyer.locator('[data-testid="product-wholesale"]:not([hidden])').first().waitFor();
    }

    // A consumer: retail only, and no request for tiers at all.
    const consumer = await s.person({ width: 390, height: 844 });
    await logIn(consumer, CONSUMER);
    const asked = [];
    consumer.on('request', (req) => { if (req.url().includes('/api/v1/wholesale-prices')) asked.push(req.url()); });
    await open(consumer, '/search.html?q=' + encodeURIComponent('脐橙'));
    await consumer.locator('[data-testid="product-card"]').first().waitFor();
    await consumer.waitForLoadState('networkidle');
    assert.deepEqual((await cardTags(consumer)).filter((t) => t.fen !== null), [], 'no wholesale tag for a consumer');
    assert.deepEqual(asked, [], 'a consumer\'s page does not ask');
    // Asked directly, the server tells a consumer nothing either.
    const direct = await callApi(consumer, 'GET', '/wholesale-prices?listings=' + ids.slice(0, 60).join(','));
    assert.equal(direct.status, 200);
    assert.deepEqual(direct.body.prices, []);
  }));
});
