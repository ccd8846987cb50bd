// A printable packing list (装箱单) for one seller's part of an order: who it goes to, what goes
// in the box, and the batches it was packed from with their trace codes as QR codes, so whoever
// opens the parcel can scan where it came from. Prints on A4 without the site's frame.

import { api, query, seg } from '../api.js';
import { unitEl } from '../catalog.js';
import { initShell } from '../shell.js';
import { $, el, errorMessage, facts, flashError, note, replaceChildren, timeEl } from '../ui.js';
import { displayCode, publicHref } from '../trace.js';
import { addressLine } from '../orders.js';

const params = new URLSearchParams(location.search);
const orderId = params.get('order');
const subId = params.get('sub');
const body = $('#packing-body');

function batchesOf(sub, line) {
  const list = (sub.shipment && Array.isArray(sub.shipment.batches)) ? sub.shipment.batches : [];
  return list.filter((b) => b.line_id === line.id);
}

function qrEl(batch) {
  return el('figure', { class: 'packing-qr', 'data-testid': 'packing-batch', dataset: { batchId: batch.batch_id, code: batch.code } },
    el('img', {
      src: `/api/v1/batches/${seg(batch.batch_id)}/qr.svg${query({ size: 256 })}`,
      alt: '',
      width: '112',
      height: '112',
      class: 'qr',
      'data-testid': 'packing-qr',
    }),
    el('figcaption', {},
      el('span', { class: 'visually-hidden', i18n: 'batches.code' }),
      el('a', { class: 'mono', href: publicHref(batch.code), text: displayCode(batch.code) }),
      batch.lot ? el('span', { class: 'muted small' }, ' ', el('span', { i18n: 'batches.lot' }), ' ', batch.lot) : null));
}

function render(order, sub) {
  $('#packing-seller').textContent = sub.seller_name || '';
  replaceChildren(body, ...sheetBody(order, sub));
}

function sheetBody(order, sub) {
  const a = order.address || {};
  const shipment = sub.shipment;
  return [
    facts([
      ['packing.order_number', el('span', { class: 'mono', text: order.number }), 'packing-order-number'],
      ['packing.sub_number', el('span', { class: 'mono', text: sub.number }), 'packing-sub-number'],
      ['order.placed_at', timeEl(order.created_at)],
      ['packing.to', el('span', {}, el('strong', { text: a.name || '' }), ' ', el('span', { class: 'mono', text: a.phone || '' })), 'packing-to'],
      ['address.where', el('span', { text: addressLine(a) }), 'packing-address'],
      ['order.note', order.note ? el('span', { class: 'pre-line', text: order.note }) : null],
      ['order.carrier', shipment ? el('span', { text: shipment.carrier }) : null],
      ['order.tracking_no', shipment ? el('span', { class: 'mono', text: shipment.tracking_no }) : null],
    ], { class: 'facts packing-facts' }),
    el('table', { class: 'packing-table', 'data-testid': 'packing-lines' },
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col', i18n: 'packing.item' }),
        el('th', { scope: 'col', class: 'num', i18n: 'packing.quantity' }),
        el('th', { scope: 'col', i18n: 'packing.check' }))),
      el('tbody', {}, (sub.lines || []).map((line) => el('tr', { 'data-testid': 'packing-line', dataset: { lineId: line.id } },
        el('td', {},
          el('strong', { text: line.title }), el('br'), el('span', { class: 'muted', text: line.sku_name }),
          batchesOf(sub, line).length ? el('div', { class: 'packing-qrs' }, batchesOf(sub, line).map(qrEl)) : null),
        el('td', { class: 'num' }, String(line.quantity), ' ', unitEl(line.unit)),
        el('td', { class: 'tick', 'aria-hidden': 'true', text: '□' }))))),
    shipment ? null : el('p', { class: 'note note-info no-print', 'data-testid': 'packing-not-shipped', i18n: 'packing.not_shipped' }),
    el('p', { class: 'packing-foot muted small', i18n: 'packing.foot' })];
}

// Several parts at once (the order list's bulk print): `?parts=ORDER:SUB,ORDER:SUB`, one sheet
// per part, each on its own printed page.
const MAX_PARTS = 100;
async function renderMany(list) {
  const sheets = [];
  for (const [oid, sid] of list) {
    try {
      const order = await api.get(`/orders/${seg(oid)}`);
      const sub = (order.sub_orders || []).find((s) => s.id === sid);
      if (!sub) continue;
      sheets.push(el('article', { class: 'packing-sheet packing-many', 'data-testid': 'packing-sheet', dataset: { subId: sid } },
        el('header', { class: 'packing-head' },
          el('h2', { class: 'packing-title', i18n: 'packing.heading' }),
          el('p', { class: 'packing-seller', text: sub.seller_name || '' })),
        ...sheetBody(order, sub)));
      $('#back').href = '/seller/orders.html' + query({ org: sub.seller_id });
    } catch (err) {
      if (err.redirecting) return;
      sheets.push(note('error', errorMessage(err)));
    }
  }
  const first = $('[data-testid="packing"]');
  first.hidden = true;
  first.after(...(sheets.length ? sheets : [note('empty', { i18n: 'packing.missing' })]));
  body.dataset.ready = 'true';
}

const parts = (params.get('parts') || '').split(',').map((p) => p.split(':')).filter((p) => p.length === 2 && p[0] && p[1]).slice(0, MAX_PARTS);
const { me, error } = await initShell({ auth: 'required' });
if (me && parts.length) {
  await renderMany(parts);
} else if (!orderId || !subId) {
  replaceChildren(body, note('empty', { i18n: 'packing.missing' }));
} else if (me) {
  try {
    const order = await api.get(`/orders/${seg(orderId)}`);
    const sub = (order.sub_orders || []).find((s) => s.id === subId);
    if (!sub) {
      replaceChildren(body, note('empty', { i18n: 'packing.missing' }));
    } else {
      render(order, sub);
      $('#back').href = '/seller/orders.html' + query({ org: sub.seller_id });
      body.dataset.ready = 'true';
    }
  } catch (err) {
    if (!err.redirecting) {
      replaceChildren(body, note('error', errorMessage(err)));
      flashError(err);
    }
  }
} else if (error && !error.redirecting) {
  replaceChildren(body, note('muted', { i18n: 'common.unavailable' }));
}
$('#print').addEventListener('click', () => window.print());
