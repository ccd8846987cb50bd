// Pre-sales (订单农业, issue #22), what the buyer's and the seller's pages both show: a pre-sale's
// terms (product, plot, harvest window, price, deposit share, what is left, the cancellation
// rules and the platform's balance rule) and the labels of its states. Strings live in the
// `pages/presales` namespace every pre-sale page loads.

import { formatFen, unitEl } from './catalog.js';
import { getLang } from './i18n.js';
import { el, facts } from './ui.js';

const PRESALE_STATUS = {
  open: 'ps.status_open',
  closed: 'ps.status_closed',
  harvested: 'ps.status_harvested',
  cancelled: 'ps.status_cancelled',
};

const RESERVATION_STATUS = {
  pending: 'ps.r_pending',
  reserved: 'ps.r_reserved',
  cancelled: 'ps.r_cancelled',
  balance_due: 'ps.r_balance_due',
  balance_paid: 'ps.r_balance_paid',
  unfilled: 'ps.r_unfilled',
  forfeited: 'ps.r_forfeited',
  refunded: 'ps.r_refunded',
};

export function presaleHref(id) {
  return '/presale.html#' + encodeURIComponent(id);
}

export function presaleStatus(status, testid = 'presale-status') {
  return el('span', { class: `badge badge-${status}`, i18n: PRESALE_STATUS[status] || 'ps.status_open', 'data-testid': testid, dataset: { value: status } });
}

export function reservationStatus(status, testid = 'reservation-status') {
  return el('span', { class: `badge badge-${status}`, i18n: RESERVATION_STATUS[status] || 'ps.r_pending', 'data-testid': testid, dataset: { value: status } });
}

/** `¥60.00/箱` */
export function unitPrice(fen, unit) {
  return el('span', { class: 'money', dataset: { fen: String(fen) } }, formatFen(fen), '/', unitEl(unit));
}

/** A quantity with its unit: `12 箱`. */
export function quantityEl(n, unit) {
  return el('span', {}, unitEl(unit, n));
}

/** The facts of a pre-sale's terms, as a definition list. */
export function termsFacts(p) {
  return facts([
    ['ps.f_township', p.township, 'presale-township'],
    ['ps.f_plot', p.plot, 'presale-plot'],
    ['ps.f_window', `${p.harvest_from} — ${p.harvest_to}`, 'presale-window'],
    ['ps.f_price', unitPrice(p.price_fen, p.unit), 'presale-price'],
    ['ps.f_deposit', el('span', {}, el('span', { i18n: 'ps.deposit_share', args: { percent: p.deposit_percent } }), ' · ', unitPrice(p.unit_deposit_fen, p.unit)), 'presale-deposit'],
    ['ps.f_expected', quantityEl(p.expected_yield, p.unit), 'presale-expected'],
    ['ps.f_left', el('span', { dataset: { value: String(p.remaining) } }, quantityEl(p.remaining, p.unit), ' / ', quantityEl(p.max_quantity, p.unit)), 'presale-left'],
    ['ps.f_batch', p.batch_code ? el('a', { class: 'mono', href: '/t/' + encodeURIComponent(p.batch_code), text: p.batch_code, 'data-testid': 'presale-batch-code' }) : null, 'presale-batch'],
  ]);
}

/** The rules a buyer reads before reserving: the seller's and the platform's. */
export function rulesEl(p) {
  return el('section', { class: 'note note-info', 'data-testid': 'presale-rules', 'aria-labelledby': 'rules-title' },
    el('h2', { id: 'rules-title', class: 'h3', i18n: 'ps.rules' }),
    el('p', { class: 'pre-line', text: p.cancellation_rules, 'data-testid': 'presale-cancellation-rules' }),
    el('p', { text: getLang() === 'en' ? p.balance_rule_en : p.balance_rule_zh, 'data-testid': 'presale-balance-rule' }));
}
