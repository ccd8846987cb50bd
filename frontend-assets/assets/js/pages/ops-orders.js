// The operator's orders: every order, newest first, narrowed by status, a search (number,
// product, recipient, phone tail), seller, days placed and ship-by state; each opens in place to
// its address, its sellers' parts, parcels and log. A refund is made against one seller's part,
// with a reason, once per Idempotency-Key (made when the refund form opens, reused on retry).

import { api, newIdempotencyKey, query, seg } from '../api.js';
import { fenToYuan, formatFen, parseYuan } from '../catalog.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, charCount, clearErrors, el, facts, flash, loadList, note, offsetParam, pagerButtons, phoneEl,
  replaceChildren, setBusy, showErrors, timeEl, validationError,
} from '../ui.js';
import {
  ORDER_STATUSES, addressLine, eventsEl, lineEl, methodEl, moneyEl, orderHref, orderStatusBadge,
  shipmentEl, stepsEl, refundsEl, subMoneyEl, subNames, subStatusBadge,
} from '../orders.js';

const LIMIT = 20;
const REASON_MAX = 200;
const results = $('#results');
const filters = $('#filters');
// The form's fields; the seller comes only from a link (`?seller=`) and is shown beside them.
const FILTERS = ['q', 'from', 'to', 'ship_by'];
const SHIP_BY = ['overdue', 'soon'];
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const state = { status: '', q: '', from: '', to: '', ship_by: '', seller: '', offset: 0 };

function readUrl() {
  const p = new URLSearchParams(location.search);
  state.status = ORDER_STATUSES.includes(p.get('status')) ? p.get('status') : '';
  // `number` is what older links (the payments page) carry: a search finds the number too.
  state.q = (p.get('q') || p.get('number') || '').trim().slice(0, 40);
  state.from = DAY.test(p.get('from') || '') ? p.get('from') : '';
  state.to = DAY.test(p.get('to') || '') ? p.get('to') : '';
  state.ship_by = SHIP_BY.includes(p.get('ship_by')) ? p.get('ship_by') : '';
  state.seller = /^[0-9a-f-]{36}$/i.test(p.get('seller') || '') ? p.get('seller') : '';
  state.offset = offsetParam(p);
  filters.elements.namedItem('status').value = state.status;
  for (const name of FILTERS) filters.elements.namedItem(name).value = state[name];
  showSeller();
}

/** A seller chosen by a link (`?seller=`): said so, with a way back to every seller. */
function showSeller() {
  const box = $('#f-seller');
  box.hidden = !state.seller;
  replaceChildren(box, state.seller
    ? [el('span', { i18n: 'opsorders.f_seller' }), ' ',
      el('button', { type: 'button', class: 'btn btn-quiet btn-small', i18n: 'opsorders.f_seller_clear', 'data-testid': 'f-seller-clear', on: { click: () => { state.seller = ''; state.offset = 0; showSeller(); load(); } } })]
    : []);
}

/** What the list is asked for (empty values are left out of the address). */
function listQuery() {
  return { status: state.status, q: state.q, from: state.from, to: state.to, ship_by: state.ship_by, seller: state.seller };
}

// ---- refunds ------------------------------------------------------------------------------------

function refundable(sub) {
  return Math.max(0, (Number(sub.total) || 0) - (Number(sub.refunded) || 0));
}

function refundForm(sub, card, slot, opener) {
  const key = newIdempotencyKey();
  const fid = `refund-${sub.id}`;
  const max = refundable(sub);
  const submit = el('button', { type: 'submit', class: 'btn btn-danger', i18n: 'opsorders.refund_submit', 'data-testid': 'refund-submit' });
  const cancel = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel' });
  const form = el('form', { class: 'subform refund-form', method: 'post', action: '#', novalidate: true, 'data-testid': 'refund-form' },
    el('p', { class: 'form-error', 'data-form-error': '', role: 'alert', 'data-testid': 'refund-error', hidden: true }),
    el('div', { class: 'field' },
      el('label', { for: `${fid}-amount`, i18n: 'opsorders.refund_amount' }),
      el('input', { id: `${fid}-amount`, name: 'amount', type: 'text', inputmode: 'decimal', autocomplete: 'off', value: fenToYuan(max), 'aria-describedby': `${fid}-amount-hint ${fid}-amount-error`, 'data-testid': 'refund-amount' }),
      el('p', { class: 'hint', id: `${fid}-amount-hint`, i18n: 'opsorders.refund_max', args: { max: formatFen(max) } }),
      el('p', { class: 'field-error', id: `${fid}-amount-error`, 'data-error-for': 'amount', hidden: true })),
    el('div', { class: 'field' },
      el('label', { for: `${fid}-reason`, i18n: 'opsorders.refund_reason' }),
      el('textarea', { id: `${fid}-reason`, name: 'reason', rows: '2', maxlength: String(REASON_MAX * 2), 'aria-describedby': `${fid}-reason-error`, 'data-testid': 'refund-reason' }),
      el('p', { class: 'field-error', id: `${fid}-reason-error`, 'data-error-for': 'reason', hidden: true })),
    el('div', { class: 'actions' }, submit, cancel));
  cancel.addEventListener('click', () => { replaceChildren(slot); opener.hidden = false; opener.focus(); });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const amount = parseYuan(form.elements.namedItem('amount').value);
    const reason = form.elements.namedItem('reason').value.trim();
    const problems = {};
    if (amount === null || Number.isNaN(amount) || amount <= 0) problems.amount = t('opsorders.e_amount');
    else if (amount > max) problems.amount = t('opsorders.e_amount_max', { max: formatFen(max) });
    if (charCount(reason) < 2 || charCount(reason) > REASON_MAX) problems.reason = t('catalog.reason_length', { min: 2, max: REASON_MAX });
    if (Object.keys(problems).length) {
      showErrors(form, validationError(problems));
      return;
    }
    setBusy(submit, true);
    try {
      const order = await api.post(`/sub-orders/${seg(sub.id)}/refunds`, { amount, reason }, { headers: { 'Idempotency-Key': key } });
      flash(t('opsorders.refunded', { amount: formatFen(amount), number: sub.number }), 'success');
      card.replaceWith(orderCard(order, true));
    } catch (err) {
      showErrors(form, err);
    } finally {
      setBusy(submit, false);
    }
  });
  opener.hidden = true;
  replaceChildren(slot, form);
  form.elements.namedItem('amount').focus();
}

// ---- an order -----------------------------------------------------------------------------------

function subDetail(sub, order, card) {
  const slot = el('div');
  const actions = el('div', { class: 'actions' });
  if (['paid', 'acknowledged', 'shipped', 'received'].includes(sub.status) && refundable(sub) > 0) {
    const open = el('button', { type: 'button', class: 'btn btn-danger-quiet', i18n: 'opsorders.refund', 'data-testid': 'sub-refund' });
    open.addEventListener('click', () => refundForm(sub, card, slot, open));
    actions.append(open);
  }
  return el('section', { class: 'seller-part', 'data-testid': 'ops-sub', dataset: { subId: sub.id, status: sub.status } },
    el('div', { class: 'item-head' },
      el('h4', { class: 'group-title' }, el('span', { class: 'mono', text: sub.number }), ' ', el('span', { text: sub.seller_name })),
      subStatusBadge(sub.status)),
    stepsEl(sub, order),
    el('ul', { class: 'list order-lines' }, (sub.lines || []).map((line) => lineEl(line))),
    shipmentEl(sub.shipment),
    subMoneyEl(sub),
    refundsEl(order.refunds, sub.id),
    actions,
    slot);
}

function orderCard(order, open = false) {
  const a = order.address || {};
  const card = el('li', { class: 'card order-card', 'data-testid': 'ops-order', dataset: { orderId: order.id, status: order.status } });
  const details = el('details', { class: 'order-more', open, 'data-testid': 'ops-order-more' },
    el('summary', { i18n: 'opsorders.details' }),
    facts([
      ['address.name', el('span', { text: a.name || '' })],
      ['address.phone', phoneEl(a.phone)],
      ['address.where', el('span', { text: addressLine(a) })],
      ['order.note', order.note ? el('span', { class: 'pre-line', text: order.note }) : null],
      ['order.pay_by', order.status === 'pending_payment' ? timeEl(order.pay_by) : null],
    ]),
    (order.sub_orders || []).map((s) => subDetail(s, order, card)),
    eventsEl(order.events, null, subNames(order)));
  replaceChildren(card,
    el('div', { class: 'item-head' },
      el('a', { class: 'item-title mono', href: orderHref(order.id), 'data-testid': 'ops-order-number', text: order.number }),
      orderStatusBadge(order.status)),
    el('p', { class: 'meta muted' },
      el('span', {}, el('span', { i18n: 'order.placed_at' }), ' ', timeEl(order.created_at)),
      methodEl(order.payment_method),
      el('span', {}, el('span', { i18n: 'order.total' }), ' ', moneyEl(order.total, 'ops-order-total')),
      order.refunded ? el('span', {}, el('span', { i18n: 'order.refunded' }), ' ', moneyEl(order.refunded, 'ops-order-refunded')) : null),
    el('p', { class: 'meta' },
      (order.sub_orders || []).map((s) => el('span', { class: 'tag' }, s.seller_name, ' · ', el('span', { i18n: 'sub_status.' + s.status })))),
    details);
  return card;
}

// ---- the list -----------------------------------------------------------------------------------

async function load() {
  history.replaceState(null, '', location.pathname + query({ ...listQuery(), offset: state.offset || '' }));
  clearErrors(filters);
  await loadList(results, {
    offset: state.offset,
    limit: LIMIT,
    fetch: () => api.get('/ops/orders' + query({ ...listQuery(), limit: LIMIT, offset: state.offset })),
    render: (items, total) => {
      replaceChildren($('#results-count'), el('span', { i18n: 'opsorders.count', args: { count: total } }));
      return items.length
        ? el('ul', { class: 'cards' }, items.map((o) => orderCard(o, items.length === 1)))
        : note('empty', { i18n: 'opsorders.empty' });
    },
    onError: (err) => {
      // A filter the server refuses is shown at its field.
      if (err.status === 422) {
        showErrors(filters, err);
        replaceChildren(results);
        return true;
      }
      if (err.status !== 403) return false;
      $('#console').hidden = true;
      $('#forbidden').hidden = false;
      return true;
    },
  });
}

filters.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(filters);
  const value = (name) => filters.elements.namedItem(name).value.trim();
  if (value('from') && value('to') && value('to') < value('from')) {
    showErrors(filters, validationError({ to: t('opsorders.e_period') }));
    return;
  }
  state.status = value('status');
  for (const name of FILTERS) state[name] = value(name);
  state.offset = 0;
  load();
});
filters.addEventListener('reset', () => {
  Object.assign(state, { status: '', q: '', from: '', to: '', ship_by: '', seller: '', offset: 0 });
  showSeller();
  // After the form has cleared its fields.
  setTimeout(load, 0);
});
filters.elements.namedItem('status').addEventListener('change', () => filters.requestSubmit());
filters.elements.namedItem('ship_by').addEventListener('change', () => filters.requestSubmit());
pagerButtons(state, LIMIT, load);

readUrl();
const { me, error } = await initShell({ auth: 'required' });
if (me) {
  if (me.account.platform_role !== 'operator') {
    $('#forbidden').hidden = false;
  } else {
    $('#console').hidden = false;
    await load();
  }
} else if (error && !error.redirecting) {
  $('#console').hidden = false;
  replaceChildren(results, note('muted', { i18n: 'common.unavailable' }));
}
