// The sandbox payment gateway's checkout page: who is asking for how much for which order, and two
// buttons that decide what the "bank" answers. It stands in for a real gateway in development and
// in tests; it says so in plain words. Either answer goes back to the shop's return_url.

import { api, seg } from '../api.js';
import { initShell } from '../shell.js';
import { $, $$, el, errorMessage, facts, flashError, note, replaceChildren, setBusy } from '../ui.js';
import { moneyEl, orderHref } from '../orders.js';

const intent = new URLSearchParams(location.search).get('intent');
const body = $('#sandbox-body');
const errorBox = $('#sandbox-error');

/** Only our own pages (a path) or a plain web address: never javascript: and the like. */
function safeReturn(url, orderId) {
  try {
    const u = new URL(url, location.origin);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.href;
  } catch {
    // fall through
  }
  return orderId ? orderHref(orderId) : '/orders.html';
}

function render(p) {
  const pending = p.status === 'pending';
  $('#sandbox').dataset.status = p.status;
  replaceChildren(body,
    el('p', { class: 'sandbox-amount' }, moneyEl(p.amount, 'sandbox-amount', 'money money-huge')),
    facts([
      ['sandbox.merchant', el('span', { text: p.merchant || '' }), 'sandbox-merchant'],
      ['sandbox.order_number', el('span', { class: 'mono', text: p.order_number || '' }), 'sandbox-order'],
      ['sandbox.status', el('span', { i18n: 'sandbox.status_' + (['pending', 'succeeded', 'failed'].includes(p.status) ? p.status : 'pending'), 'data-testid': 'sandbox-status', dataset: { value: p.status } })],
    ]),
    pending ? null : el('p', {}, el('a', { class: 'btn btn-secondary', href: orderHref(p.order_id), i18n: 'sandbox.back', 'data-testid': 'sandbox-back' })));
  $('#sandbox-actions').hidden = !pending;
}

async function complete(button, payment) {
  errorBox.hidden = true;
  for (const b of $$('#sandbox-actions button')) b.disabled = true;
  setBusy(button, true);
  try {
    const result = await api.post(`/payments/sandbox/${seg(intent)}/complete`, { outcome: button.dataset.outcome });
    const back = new URL(safeReturn(result && result.return_url, payment.order_id));
    // Our own order page shows 支付成功 when it is told the buyer just paid (and the order says so).
    if (back.origin === location.origin && back.pathname === '/order.html') {
      back.searchParams.set(button.dataset.outcome === 'succeeded' ? 'paid' : 'unpaid', '1');
    }
    location.assign(back.href);
  } catch (err) {
    setBusy(button, false);
    for (const b of $$('#sandbox-actions button')) b.disabled = false;
    if (err.redirecting) return;
    errorBox.textContent = errorMessage(err);
    errorBox.hidden = false;
  }
}

const shell = await initShell({ auth: 'optional' });
if (!intent) {
  replaceChildren(body, note('empty', { i18n: 'sandbox.missing' }));
} else {
  try {
    const payment = await api.get(`/payments/sandbox/${seg(intent)}`);
    render(payment);
    for (const b of $$('#sandbox-actions button')) b.addEventListener('click', () => complete(b, payment));
  } catch (err) {
    if (!err.redirecting) {
      replaceChildren(body, note(err.status === 404 ? 'empty' : 'error', err.status === 404 ? { i18n: 'sandbox.missing' } : errorMessage(err)));
      if (err.status !== 404 && (!shell.error || shell.error.status === 401)) flashError(err);
    }
  }
}
