// The claim form for one received parcel: what went wrong, which lines and how many, what
// happened in the buyer's words, photos of the parcel and its waybill (taken with the phone's
// camera, uploaded one by one as they are chosen), and a phone to call back. The parcel's lines
// come from its order; units already claimed on earlier claims are not offered again.
// Before receipt (a shipped parcel), the form offers only what /claim-options allows now —
// "not received" once tracking stalled or the parcel is overdue, "lost" on the carrier's word —
// for the whole parcel, photos optional.

import { api, seg } from '../api.js';
import { formatFen, parseInteger, unitEl } from '../catalog.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, $$, charCount, clearErrors, el, errorMessage, facts, flash, note, phoneEl, replaceChildren,
  setBusy, showErrors, timeEl, validationError, value,
} from '../ui.js';
import { orderHref } from '../orders.js';
import {
  DESCRIPTION_MAX, DESCRIPTION_MIN, claimHref, claimedSoFar, leftEl, photoPicker, windowOpen,
} from '../claims.js';

const params = new URLSearchParams(location.search);
const orderId = params.get('order');
const subId = params.get('sub');
const form = $('#claim-form');
const view = { order: null, sub: null, left: new Map(), photos: null, before: null };

function stop(kind, content, extra = null) {
  replaceChildren($('#state-box'), note(kind, content), extra);
  form.hidden = true;
}

// ---- the lines ---------------------------------------------------------------------------------

function linePick(line) {
  const left = view.left.get(line.id) || 0;
  const pickId = `pick-${line.id}`;
  const qtyId = `qty-${line.id}`;
  const only = (view.sub.lines || []).length === 1;
  const pick = el('input', { type: 'checkbox', id: pickId, name: 'line', value: line.id, checked: only && left > 0, disabled: left < 1, 'data-testid': 'claim-line-pick' });
  const qty = el('input', {
    id: qtyId, name: `qty:${line.id}`, type: 'text', inputmode: 'numeric', pattern: '[0-9]*', autocomplete: 'off',
    class: 'qty-input-plain', value: left > 0 ? String(left) : '0', disabled: left < 1,
    'aria-describedby': `${qtyId}-hint ${qtyId}-error`, 'data-testid': 'claim-line-qty',
  });
  pick.addEventListener('change', () => { if (pick.checked) qty.focus(); updateAmount(); });
  qty.addEventListener('input', () => {
    if (!pick.checked && qty.value.trim()) pick.checked = true;
    updateAmount();
  });
  return el('div', { class: 'line-pick' + (left < 1 ? ' is-off' : ''), 'data-testid': 'claim-line-row', dataset: { lineId: line.id, left: String(left) } },
    el('label', { class: 'check line-pick-name', for: pickId }, pick,
      el('span', {}, el('strong', { text: line.title }), ' ', el('span', { class: 'muted', text: line.sku_name }),
        el('span', { class: 'muted small' }, ' · ', `${formatFen(line.unit_price)} × ${line.quantity} `, unitEl(line.unit)))),
    left > 0
      ? el('div', { class: 'inline-field line-pick-qty' },
        el('label', { for: qtyId, i18n: 'claimnew.quantity' }),
        qty,
        el('span', { class: 'hint', id: `${qtyId}-hint`, i18n: 'claimnew.quantity_max', args: { n: left } }))
      : el('p', { class: 'hint', i18n: 'claimnew.all_claimed' }),
    el('p', { class: 'field-error', id: `${qtyId}-error`, 'data-error-for': `line.${line.id}`, 'data-testid': 'claim-line-error', hidden: true }));
}

/** The checked lines with the quantities typed (NaN for what is not a number). */
function picked() {
  const out = [];
  for (const box of $$('input[name="line"]:checked', form)) {
    const raw = form.elements.namedItem(`qty:${box.value}`);
    const n = raw ? parseInteger(raw.value) : null;
    out.push({ line_id: box.value, quantity: n === null ? Number.NaN : n });
  }
  return out;
}

function refundable() {
  return Math.max(0, (Number(view.sub.total) || 0) - (Number(view.sub.refunded) || 0));
}

function updateAmount() {
  const lines = view.sub.lines || [];
  let sum = 0;
  for (const p of picked()) {
    const line = lines.find((l) => l.id === p.line_id);
    if (line && Number.isInteger(p.quantity) && p.quantity > 0) sum += line.unit_price * Math.min(p.quantity, view.left.get(line.id) || 0);
  }
  const amount = Math.min(sum, refundable());
  const out = $('#claim-amount');
  out.textContent = formatFen(amount);
  out.dataset.fen = String(amount);
}

// ---- the page ----------------------------------------------------------------------------------

function renderParcel(order, sub) {
  const a = order.address || {};
  replaceChildren($('#parcel-facts'), facts([
    ['order.number', el('a', { class: 'mono', href: orderHref(order.id), text: order.number })],
    ['order.sub_number', el('span', { class: 'mono', text: sub.number })],
    ['claimnew.seller', el('span', { text: sub.seller_name }), 'claim-seller'],
    ['claimnew.received_at', timeEl(sub.received_at)],
    ['claim.window_until', el('span', {}, timeEl(sub.window_closes_at), ' ', leftEl(sub.window_closes_at, 'window-left')), 'claim-window'],
    ['claimnew.delivery_phone', phoneEl(a.phone)],
    ['order.sub_total', el('span', { class: 'money', text: formatFen(sub.total) })],
  ]));
}

/** Before receipt: only the kinds allowed now, the whole parcel, photos optional. */
function renderBefore(order, sub, options) {
  view.before = options.kinds;
  render(order, sub);
  replaceChildren($('#parcel-facts'), facts([
    ['order.number', el('a', { class: 'mono', href: orderHref(order.id), text: order.number })],
    ['order.sub_number', el('span', { class: 'mono', text: sub.number })],
    ['claimnew.seller', el('span', { text: sub.seller_name }), 'claim-seller'],
    ['claimnew.shipped_at', timeEl(sub.shipped_at)],
    ['order.sub_total', el('span', { class: 'money', text: formatFen(sub.total) })],
  ]));
  const group = form.querySelector('.kind-choices');
  for (const label of $$('label', group)) label.remove();
  options.kinds.forEach((kind, i) => group.append(
    el('label', { class: 'check method-option' },
      el('input', { type: 'radio', name: 'kind', value: kind, checked: i === 0, 'data-testid': `kind-${kind}` }), ' ',
      el('span', { i18n: 'claim_kind.' + kind }))));
  form.querySelector('.claim-lines-pick').hidden = true;
  replaceChildren($('#line-picks'));
  $('#state-box').append(note('info', { i18n: 'claimnew.before_receipt_intro' }));
  $('#photos-hint').setAttribute('data-i18n', 'claimnew.photos_optional');
  $('#photos-hint').textContent = t('claimnew.photos_optional');
  const out = $('#claim-amount');
  out.textContent = formatFen(refundable());
  out.dataset.fen = String(refundable());
  out.after(el('p', { class: 'hint', i18n: 'claimnew.whole_parcel', 'data-testid': 'claim-whole-parcel' }));
}

function render(order, sub) {
  view.order = order;
  view.sub = sub;
  $('#back-link').href = orderHref(order.id);
  replaceChildren($('#state-box'));
  renderParcel(order, sub);
  replaceChildren($('#line-picks'), (sub.lines || []).map(linePick));
  view.photos = photoPicker({ id: 'claim-photos', testid: 'claim-photos', describedBy: 'photos-hint photos-error' });
  replaceChildren($('#photo-slot'), view.photos.node);
  const description = form.elements.namedItem('description');
  const counter = $('#description-counter');
  const count = () => { counter.textContent = `${charCount(description.value.trim())} / ${DESCRIPTION_MAX}`; };
  description.addEventListener('input', count);
  count();
  updateAmount();
  form.hidden = false;
  form.dataset.ready = 'true';
}

// A field's red error goes as soon as the person changes that field (it is checked again on
// sending): a stale error next to text already fixed reads as if the fix was not taken.
function fieldOf(target) {
  const name = target.name || '';
  if (name.startsWith('qty:')) return [`line.${name.slice(4)}`, 'lines'];
  if (name === 'line') return [`line.${target.value}`, 'lines'];
  if (target.closest && target.closest('[data-testid="claim-photos"]')) return ['photos'];
  return name ? [name] : [];
}

function clearStale(event) {
  const names = fieldOf(event.target);
  for (const name of names) {
    for (const slot of form.querySelectorAll('[data-error-for]')) {
      if (slot.dataset.errorFor !== name) continue;
      slot.textContent = '';
      slot.hidden = true;
    }
  }
  if (names.length && event.target.removeAttribute) event.target.removeAttribute('aria-invalid');
  const open = Array.from(form.querySelectorAll('[data-error-for]')).some((p) => !p.hidden);
  const summary = form.querySelector('[data-form-error]');
  if (summary && !open) {
    summary.textContent = '';
    summary.hidden = true;
  }
}
form.addEventListener('input', clearStale);
form.addEventListener('change', clearStale);

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  const kind = (form.querySelector('input[name="kind"]:checked') || {}).value;
  const description = value(form, 'description');
  const phone = value(form, 'contact_phone').replace(/[\s-]/g, '');
  const lines = view.before ? [] : picked();
  const problems = {};
  if (!kind) problems.kind = t('claimnew.e_kind');
  if (!lines.length && !view.before) problems.lines = t('claimnew.e_lines');
  for (const p of lines) {
    const left = view.left.get(p.line_id) || 0;
    if (!Number.isInteger(p.quantity) || p.quantity < 1 || p.quantity > left) {
      problems[`line.${p.line_id}`] = t('claimnew.e_quantity', { n: left });
    }
  }
  const n = charCount(description);
  if (n < DESCRIPTION_MIN || n > DESCRIPTION_MAX) problems.description = t('claimnew.e_description', { min: DESCRIPTION_MIN, max: DESCRIPTION_MAX });
  if (view.photos.busy()) problems.photos = t('claimnew.e_uploading');
  else if (!view.photos.count() && !view.before) problems.photos = t('claimnew.e_photos');
  if (Object.keys(problems).length) {
    showErrors(form, validationError(problems));
    return;
  }
  // The server names a line by its place in what we sent; show it next to that line.
  const aliases = {};
  lines.forEach((p, i) => {
    aliases[`lines[${i}]`] = `line.${p.line_id}`;
    aliases[`lines[${i}].quantity`] = `line.${p.line_id}`;
    aliases[`lines[${i}].line_id`] = `line.${p.line_id}`;
  });
  const body = { kind, description, lines, photos: view.photos.ids() };
  if (phone) body.contact_phone = phone;
  const submit = $('#claim-submit');
  setBusy(submit, true);
  try {
    const claim = await api.post(`/sub-orders/${seg(view.sub.id)}/claims`, body);
    location.assign(claimHref(claim.id) + '&filed=1');
  } catch (err) {
    setBusy(submit, false);
    showErrors(form, err, aliases);
  }
});

const { me, error } = await initShell({ auth: 'required' });
if (!orderId || !subId) {
  stop('empty', { i18n: 'claimnew.missing' });
} else if (me) {
  try {
    const [order, mine] = await Promise.all([
      api.get(`/orders/${seg(orderId)}`),
      api.get('/claims?limit=100'),
    ]);
    const sub = (order.sub_orders || []).find((s) => s.id === subId);
    const back = el('p', {}, el('a', { class: 'btn btn-secondary', href: orderHref(orderId), i18n: 'claimnew.to_order' }));
    if (!sub) {
      stop('empty', { i18n: 'claimnew.missing' });
    } else if (order.viewer !== 'buyer') {
      stop('info', { i18n: 'claimnew.not_buyer' }, back);
    } else if (sub.status === 'shipped') {
      const options = await api.get(`/sub-orders/${seg(sub.id)}/claim-options`);
      if (options && options.kinds && options.kinds.length) renderBefore(order, sub, options);
      else if (options && options.not_received_from) stop('info', { i18n: 'claimnew.not_yet', args: { at: timeEl(options.not_received_from).textContent } }, back);
      else stop('info', { i18n: 'claimnew.not_received' }, back);
    } else if (sub.status !== 'received') {
      stop('info', { i18n: 'claimnew.not_received' }, back);
    } else if (!windowOpen(sub)) {
      stop('info', { i18n: 'claimnew.window_closed', args: { at: timeEl(sub.window_closes_at).textContent } }, back);
    } else {
      const before = claimedSoFar((mine && mine.items) || [], sub.id);
      for (const line of sub.lines || []) view.left.set(line.id, Math.max(0, line.quantity - (before.get(line.id) || 0)));
      if ([...view.left.values()].every((x) => x < 1)) stop('info', { i18n: 'claimnew.nothing_left' }, back);
      else render(order, sub);
    }
  } catch (err) {
    if (!err.redirecting) {
      stop(err.status === 404 ? 'empty' : 'error', err.status === 404 ? { i18n: 'claimnew.missing' } : errorMessage(err));
      if (err.status !== 404) flash(errorMessage(err), 'error');
    }
  }
} else if (error && !error.redirecting) {
  stop('muted', { i18n: 'common.unavailable' });
}
