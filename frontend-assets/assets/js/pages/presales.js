// Pre-sales (订单农业, issue #22) for buyers: the open pre-sales to browse, and — logged in —
// the buyer's own reservations with where each stands, paying the balance once harvested.

import { api, newIdempotencyKey, query } from '../api.js';
import { formatFen } from '../catalog.js';
import { initShell } from '../shell.js';
import { $, el, flash, flashError, note, replaceChildren, withBusy } from '../ui.js';
import { presaleHref, presaleStatus, quantityEl, reservationStatus, unitPrice } from '../presale.js';
import { orderHref, rememberedProvider, startPayment } from '../payment.js';

// One key per balance paid from this page: a double tap pays once.
const payKeys = new Map();

function presaleItem(p) {
  return el('li', { class: 'card', 'data-testid': 'presale-item', dataset: { id: p.id, status: p.status } },
    el('div', { class: 'item-head' },
      el('a', { href: presaleHref(p.id), text: p.title, 'data-testid': 'presale-open' }), ' ',
      presaleStatus(p.status)),
    el('p', { class: 'muted' }, p.township, ' · ', el('span', { i18n: 'ps.window', args: { from: p.harvest_from, to: p.harvest_to } })),
    el('p', {}, unitPrice(p.price_fen, p.unit), ' · ',
      el('span', { i18n: 'ps.deposit_share', args: { percent: p.deposit_percent } }), ' · ',
      el('span', { i18n: 'ps.left' }), ' ', quantityEl(p.remaining, p.unit)));
}

function payBalance(r) {
  const b = el('button', { type: 'button', class: 'btn btn-primary', i18n: 'ps.pay_balance', 'data-testid': 'reservation-pay-balance' });
  b.addEventListener('click', () => withBusy(b, async () => {
    const id = r.balance_order_id;
    if (!payKeys.has(id)) payKeys.set(id, newIdempotencyKey());
    // Paid the way the deposit was paid (the gateway the buyer chose then).
    const paid = await startPayment(id, rememberedProvider(r.deposit_order_id), payKeys.get(id));
    if (!paid || !paid.redirecting) location.assign(orderHref(id, 'placed'));
  }));
  return b;
}

function reservationItem(r) {
  const p = r.presale;
  const links = [el('a', { href: orderHref(r.deposit_order_id), i18n: 'ps.deposit_order', 'data-testid': 'reservation-deposit-order' })];
  if (r.balance_order_id) {
    links.push(' · ', el('a', { href: orderHref(r.balance_order_id), i18n: 'ps.balance_order', 'data-testid': 'reservation-balance-order' }));
  }
  return el('li', { class: 'card', 'data-testid': 'reservation', dataset: { id: r.id, status: r.status, presaleId: p.id } },
    el('div', { class: 'item-head' },
      el('a', { href: presaleHref(p.id), text: p.title }), ' ', reservationStatus(r.status)),
    el('p', {}, el('span', { i18n: 'ps.reserved_n' }), ' ', quantityEl(r.quantity, p.unit), ' · ',
      el('span', { i18n: 'ps.deposit' }), ' ', el('span', { class: 'money', dataset: { fen: String(r.deposit_fen) }, text: formatFen(r.deposit_fen) })),
    r.filled_quantity || r.shortfall_refund_fen
      ? el('p', { class: 'muted' }, el('span', { i18n: 'ps.filled', args: { n: r.filled_quantity, refund: formatFen(r.shortfall_refund_fen) } }))
      : null,
    r.status === 'balance_due'
      ? el('p', {}, el('span', { i18n: 'ps.balance' }), ' ', el('span', { class: 'money', 'data-testid': 'reservation-balance', dataset: { fen: String(r.balance_fen) }, text: formatFen(r.balance_fen) }))
      : null,
    el('p', { class: 'small' }, links),
    r.status === 'balance_due' && r.balance_order_id ? el('div', { class: 'actions' }, payBalance(r)) : null);
}

async function loadOpen() {
  const box = $('#open-list');
  const page = await api.get('/presales' + query({ limit: 50 }));
  const items = (page && page.items) || [];
  replaceChildren(box, items.length ? el('ul', { class: 'cards' }, items.map(presaleItem)) : note('empty', { i18n: 'ps.none_open' }));
  box.dataset.state = 'done';
}

async function loadMine() {
  const box = $('#mine-list');
  const page = await api.get('/me/reservations' + query({ limit: 50 }));
  const items = (page && page.items) || [];
  replaceChildren(box, items.length ? el('ul', { class: 'cards' }, items.map(reservationItem)) : note('empty', { i18n: 'ps.none_mine' }));
  box.dataset.state = 'done';
}

const { me } = await initShell({ auth: 'optional' });
try {
  const mine = me ? loadMine() : null;
  if (me) $('[data-testid="my-reservations"]').hidden = false;
  await Promise.all([loadOpen(), mine]);
  if (new URLSearchParams(location.search).get('reserved')) flash(el('span', { i18n: 'ps.reserved_flash' }), 'success');
} catch (err) {
  replaceChildren($('#open-list'), note('error', err.message || ''));
  $('#open-list').dataset.state = 'done';
  flashError(err);
}
