// Shop credit (信用, issue #20) in words: the level badge and a seller's figures, shared by the
// credit page and the seller's public page. The server sends shares in basis points, stars × 100
// and seconds, all integers; these helpers turn them into text without floating-point surprises.

import { api, query, seg } from './api.js';
import { el } from './ui.js';

/** `98.5%` from basis points; '—' for none. */
export function percent(bp) {
  if (bp === null || bp === undefined) return '—';
  const tenths = Math.round(bp / 10);
  return `${Math.floor(tenths / 10)}.${tenths % 10}%`;
}

/** `4.6` from stars × 100 (one decimal, half up). */
export function stars(x100) {
  if (x100 === null || x100 === undefined) return '—';
  const tenths = Math.round(x100 / 10);
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
}

/** The level badge: A/B/C/D or 新店. */
export function levelBadge(level, testid = 'credit-level') {
  return el('span', { class: `badge credit-level credit-level-${level}`, i18n: 'credit.level_' + level, 'data-testid': testid });
}

/** Minutes from seconds, for the response time (at least 1 when there is any). */
export function minutes(secs) {
  if (secs === null || secs === undefined) return null;
  return Math.max(1, Math.round(secs / 60));
}

/** The figures as [label key, text node] rows. */
export function figureRows(c) {
  const f = c.figures;
  const mins = minutes(c.response_avg_secs);
  return [
    ['credit.rating', el('span', { i18n: 'credit.rating_value', args: { stars: stars(c.rating_x100), n: f.ratings }, 'data-testid': 'credit-rating' })],
    ['credit.positive', el('span', { text: percent(c.positive_bp), 'data-testid': 'credit-positive' })],
    ['credit.claim_rate', el('span', { text: percent(c.claim_rate_bp), 'data-testid': 'credit-claims' })],
    ['credit.on_time', el('span', { text: percent(c.on_time_bp), 'data-testid': 'credit-on-time' })],
    ['credit.response', mins === null ? el('span', { text: '—' }) : el('span', { i18n: 'credit.minutes', args: { n: mins }, 'data-testid': 'credit-response' })],
    ['credit.months', el('span', { i18n: 'credit.months_value', args: { n: f.months }, 'data-testid': 'credit-months' })],
    ['credit.recalls', el('span', { text: String(f.recalls), 'data-testid': 'credit-recalls' })],
  ];
}

/**
 * The credit line on a seller's public page: level, rating, on-time shipping and claim rate,
 * with a link to the full figures and the rule. Leaves `box` hidden on any failure.
 */
export async function showCredit(box, org) {
  if (!box || !org) return;
  try {
    const c = await api.get(`/credit/sellers/${seg(org)}`, { redirectOn401: false });
    const rows = figureRows(c);
    box.replaceChildren(
      levelBadge(c.assessment.level),
      ' ',
      ...rows.slice(0, 4).flatMap(([key, value]) => [el('span', { class: 'muted', i18n: key }), ' ', value, ' · ']),
      el('a', { href: '/credit.html' + query({ org }), i18n: 'credit.more', 'data-testid': 'credit-more' }),
    );
    box.hidden = false;
  } catch {
    // The page works without it.
  }
}
