// 行情 on the listing editor (#20): one line saying where this listing's price sits among what
// its category sold at over the last 30 days (GET /market/prices/{category}/position), with a
// link to the category's public board. Loaded by the editor after it has drawn, on its own, so
// the editor never waits for it and a failure only leaves the line hidden.
//
// The price compared is the first active SKU's: per 斤 or 公斤 when it is sold by weight, per kg
// from its net weight (fen, half up, as the statistics compute it) for boxes with one, else per
// its unit. Per-斤 figures are the per-kg ones halved, half up.

import { api, query, seg } from './api.js';
import { formatFen } from './catalog.js';
import { el, replaceChildren } from './ui.js';

const halfUp = (fen) => Math.floor((fen + 1) / 2);

/** What to ask about a SKU: its price and `per` (kg, jin or its unit). */
export function priceBasis(sku) {
  if (!sku || !(sku.price > 0)) return null;
  if (sku.unit === 'jin' || sku.unit === 'kg') return { price_fen: sku.price, per: sku.unit };
  const g = Number(sku.net_weight_grams);
  if (g > 0) return { price_fen: Math.floor((sku.price * 1000 * 2 + g) / (2 * g)), per: 'kg' };
  return { price_fen: sku.price, per: sku.unit };
}

/** Fills `box` for the listing `listingId` (the editor's ?id=); leaves it hidden on any failure. */
export async function showPosition(box, listingId) {
  if (!box || !listingId) return;
  try {
    const listing = await api.get(`/listings/${seg(listingId)}`, { redirectOn401: false });
    const category = listing && listing.category && listing.category.id;
    const sku = (listing.skus || []).find((s) => s.active !== false) || null;
    const ask = priceBasis(sku);
    if (!category || !ask) return;
    const pos = await api.get(`/market/prices/${seg(category)}/position` + query(ask), { redirectOn401: false });
    const link = el('a', { href: '/market.html' + query({ category }), i18n: 'edit.market_link', 'data-testid': 'market-position-link' });
    let line;
    if (!pos.published) {
      line = el('span', { i18n: 'edit.market_none' });
    } else if (!pos.comparable || !pos.position) {
      line = el('span', { i18n: 'edit.market_other_unit' });
    } else {
      const kg = pos.period.basis === 'kg';
      const p = pos.position;
      line = el('span', {
        i18n: kg ? 'edit.market_position_jin' : 'edit.market_position',
        args: {
          low: formatFen(kg ? pos.p25_per_jin_fen : p.p25_fen),
          high: formatFen(kg ? pos.p75_per_jin_fen : p.p75_fen),
          median: formatFen(kg ? halfUp(p.median_fen) : p.median_fen),
          price: formatFen(kg ? halfUp(pos.price_fen) : pos.price_fen),
          below: Math.round(p.below_bp / 100),
        },
      });
    }
    replaceChildren(box, line, ' ', link);
    box.hidden = false;
  } catch {
    // The editor works without it.
  }
}
