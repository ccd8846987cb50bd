// Checkout: where it goes (a saved address, or a new one), how it is paid, a note to the
// sellers, and what each seller's part costs. Placing the order sends one Idempotency-Key made
// when this page opened, so a double tap or a retry after a lost answer never makes two orders.
// A conflict (sold out, no longer on sale, a price that moved) names the cart lines it is about.

import { api, newIdempotencyKey, seg } from '../api.js';
import { formatFen, listingHref, unitEl } from '../catalog.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, charCount, clearErrors, el, errorMessage, flash, note, replaceChildren, setBusy,
  showErrors, validationError, value,
} from '../ui.js';
import { addressLine, groupBySeller, lineThumb, moneyEl } from '../orders.js';
import { enhanceAddressForm, readAddress } from '../address-form.js';
import { chosenPayment, orderHref, paymentChoices, rememberProvider, startPayment } from '../payment.js';

const NOTE_MAX = 200;
// One key for this checkout: every retry of "place the order" sends it again.
const orderKey = newIdempotencyKey();
// Buying now sends the price it saw, so confirming a new price is another request: one key per
// price seen (a retry at the same price still sends the same key).
const buyKeys = new Map();
function buyKey() {
  const seen = String(((view.cart && view.cart.lines) || [])[0]?.price_seen ?? '');
  if (!buyKeys.has(seen)) buyKeys.set(seen, newIdempotencyKey());
  return buyKeys.get(seen);
}
// And one for paying the order this page places.
const payKey = newIdempotencyKey();

const form = $('#order-form');
const addressForm = $('#address-form');
const newButton = $('#address-new');
const view = { cart: null, addresses: [], chosen: null, conflicts: {}, confirmPrices: false, placed: null, me: null, buy: buyNow() };

/**
 * 立即购买 from a listing: `?buy=<sku>&qty=<n>` checks out that SKU alone, priced by the
 * server's quote, and leaves the cart as it is. Null for a checkout of the cart.
 */
function buyNow() {
  const params = new URLSearchParams(location.search);
  const sku = params.get('buy');
  const qty = Number(params.get('qty') || '1');
  if (!sku || !/^[0-9a-f-]{36}$/i.test(sku) || !Number.isInteger(qty) || qty < 1) return null;
  return { sku_id: sku, quantity: qty };
}

/** What is being bought: the cart, or the quote of the one SKU bought now. */
function fetchGoods() {
  return view.buy ? api.post('/cart/quote', { items: [view.buy] }) : api.get('/cart');
}

// ---- addresses -------------------------------------------------------------------------------

function addressOption(a) {
  const id = `addr-${a.id}`;
  const input = el('input', { type: 'radio', id, name: 'address_id', value: a.id, checked: a.id === view.chosen, 'data-testid': 'address-radio' });
  input.addEventListener('change', () => { view.chosen = a.id; hideAddressError(); });
  return el('div', { class: 'address-option', 'data-testid': 'address-option', dataset: { addressId: a.id } },
    input,
    el('label', { for: id },
      el('span', { class: 'address-who' },
        el('strong', { text: a.name }), ' ', el('span', { class: 'mono', text: a.phone }),
        a.is_default ? el('span', { class: 'badge badge-default', i18n: 'address.default' }) : null),
      el('span', { class: 'address-where', text: addressLine(a) })));
}

function renderAddresses() {
  const list = $('#address-list');
  if (!view.addresses.length) {
    replaceChildren(list, note('muted', { i18n: 'checkout.no_address' }));
    openAddressForm(true, false);
    return;
  }
  if (!view.addresses.some((a) => a.id === view.chosen)) {
    view.chosen = (view.addresses.find((a) => a.is_default) || view.addresses[0]).id;
  }
  replaceChildren(list, view.addresses.map(addressOption));
}

function hideAddressError() {
  const p = $('#address-error');
  p.hidden = true;
  p.textContent = '';
  $('#address-choices').removeAttribute('aria-invalid');
}

function openAddressForm(open, focus = true) {
  addressForm.hidden = !open;
  newButton.setAttribute('aria-expanded', String(open));
  newButton.hidden = open;
  $('#address-cancel').hidden = !view.addresses.length;
  if (open && focus) addressForm.elements.namedItem('name').focus();
  if (!open) newButton.focus();
}

enhanceAddressForm(addressForm);
newButton.addEventListener('click', () => openAddressForm(true));
$('#address-cancel').addEventListener('click', () => { clearErrors(addressForm); openAddressForm(false); });

addressForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(addressForm);
  const { input, invalid } = readAddress(addressForm);
  if (invalid) {
    showErrors(addressForm, invalid);
    return;
  }
  const submit = addressForm.querySelector('button[type="submit"]');
  setBusy(submit, true);
  try {
    const saved = await api.post('/me/addresses', input);
    view.addresses = input.is_default
      ? [saved, ...view.addresses.map((a) => ({ ...a, is_default: false }))]
      : [...view.addresses, saved];
    view.chosen = saved.id;
    addressForm.reset();
    renderAddresses();
    hideAddressError();
    openAddressForm(false);
    flash(t('checkout.address_saved'), 'success', { focus: false });
  } catch (err) {
    showErrors(addressForm, err);
  } finally {
    setBusy(submit, false);
  }
});

// ---- goods -------------------------------------------------------------------------------------

function goodsLine(line) {
  const conflict = view.conflicts[line.sku_id];
  const flags = [];
  if (line.price_changed) {
    flags.push(el('p', { class: 'line-flag flag-warn', 'data-testid': 'checkout-price-changed' },
      el('span', { i18n: line.unit_price > line.price_seen ? 'cart.price_up' : 'cart.price_down', args: { from: formatFen(line.price_seen), to: formatFen(line.unit_price) } })));
  }
  if (line.state === 'sold_out') flags.push(el('p', { class: 'line-flag flag-bad', i18n: 'cart.sold_out' }));
  if (line.state === 'unavailable') flags.push(el('p', { class: 'line-flag flag-bad', i18n: 'cart.unavailable' }));
  if (line.state === 'short') flags.push(el('p', { class: 'line-flag flag-bad', i18n: 'cart.short', args: { n: line.stock } }));
  return el('li', {
    class: 'order-line' + (conflict ? ' has-conflict' : ''),
    'data-testid': 'checkout-line',
    dataset: { skuId: line.sku_id, state: line.state },
  },
  lineThumb(line),
  el('div', { class: 'line-main' },
    line.listing_id
      ? el('a', { class: 'line-title', href: listingHref(line.listing_id), text: line.title })
      : el('span', { class: 'line-title muted', i18n: 'cart.gone_item' }),
    el('span', { class: 'muted line-sku', text: line.sku_name })),
  el('p', { class: 'line-money' },
    el('span', { class: 'line-qty' }, `${formatFen(line.unit_price)} × `, line.unit ? unitEl(line.unit, line.quantity) : String(line.quantity)),
    moneyEl(line.line_total, 'checkout-line-total', 'money line-total')),
  flags,
  conflict ? el('p', { class: 'field-error field-error-strong', role: 'alert', 'data-testid': 'checkout-line-error', text: conflict }) : null);
}

/** The server's figures for one seller's parcel (goods on sale, shipping, total); null when none is on sale. */
function sellerFigures(group) {
  return (view.cart.sellers || []).find((s) => s.seller_id === group.seller_id) || null;
}

function renderGoods() {
  const lines = Array.isArray(view.cart.lines) ? view.cart.lines : [];
  const groups = groupBySeller(lines);
  replaceChildren($('#goods'), groups.map((g) => {
    const f = sellerFigures(g);
    return el('div', { class: 'seller-part', 'data-testid': 'checkout-seller', dataset: { sellerId: g.seller_id || '' } },
      el('h3', { class: 'group-title', text: g.seller_name || t('cart.gone_group') }),
      el('ul', { class: 'list order-lines' }, g.lines.map(goodsLine)),
      f
        ? el('dl', { class: 'money-lines' },
          el('div', {}, el('dt', { i18n: 'order.goods' }), el('dd', {}, moneyEl(f.goods_total, 'checkout-seller-goods'))),
          el('div', {}, el('dt', { i18n: 'order.shipping' }), el('dd', { 'data-testid': 'checkout-seller-shipping' },
            f.shipping ? moneyEl(f.shipping) : el('span', { i18n: 'order.free_shipping' }))),
          el('div', { class: 'money-total' }, el('dt', { i18n: 'order.sub_total' }), el('dd', {}, moneyEl(f.total, 'checkout-seller-total'))))
        : null);
  }));
  // The cart's own totals: what checkout would charge now, each seller's parcel shipped apart.
  const { shipping, total } = view.cart;
  replaceChildren($('#sum-body'), el('dl', { class: 'money-lines' },
    el('div', {}, el('dt', { i18n: 'order.goods' }), el('dd', {}, moneyEl(view.cart.goods_total, 'checkout-goods-total'))),
    el('div', {}, el('dt', { i18n: 'order.shipping' }), el('dd', {},
      shipping ? moneyEl(shipping, 'checkout-shipping') : el('span', { i18n: 'order.free_shipping', 'data-testid': 'checkout-shipping', dataset: { fen: '0' } }))),
    el('div', { class: 'money-total' }, el('dt', { i18n: 'order.total' }), el('dd', {}, moneyEl(total, 'checkout-total', 'money money-big')))));
  const off = lines.filter((l) => l.state !== 'on_sale').length;
  const submit = $('#place-order');
  submit.disabled = off > 0 || !lines.length;
  replaceChildren($('#after-error'), off
    ? el('p', { class: 'note note-error', 'data-testid': 'checkout-blocked' },
      el('span', { i18n: 'cart.fix_first', args: { count: off } }), ' ', el('a', { href: '/cart.html', i18n: 'checkout.back' }))
    : null);
  submit.setAttribute('data-i18n', view.confirmPrices ? 'checkout.submit_confirm' : 'checkout.submit');
  submit.textContent = t(view.confirmPrices ? 'checkout.submit_confirm' : 'checkout.submit');
}

// ---- placing the order -------------------------------------------------------------------------

/** `cart.<sku_id>` (or `cart.<sku_id>.quantity`) → the sku; other field names stay as they are. */
function conflictsByLine(fields) {
  const out = {};
  for (const [name, message] of Object.entries(fields || {})) {
    const m = /^cart\.([0-9a-f-]{36})/i.exec(name);
    // Buying now names its one line `items[0]`.
    const sku = m ? m[1] : (view.buy && /^items\[0\]/.test(name) ? view.buy.sku_id : null);
    if (sku) out[sku] = out[sku] ? `${out[sku]}；${message}` : message;
  }
  return out;
}

async function pay(order, provider) {
  rememberProvider(order.id, provider);
  const payment = await startPayment(order.id, provider, payKey);
  if (payment && payment.redirecting) return;
  try {
    // The order page shows the offline instructions this answer carries.
    sessionStorage.setItem('fg_payment_' + order.id, JSON.stringify(payment));
  } catch {
    // No storage: the order page can ask for them again.
  }
  location.assign(orderHref(order.id, 'placed'));
}

// ---- ways to pay ---------------------------------------------------------------------------------

/** One choice per way to pay the server accepts now (shared with the pre-sale page). */
function renderMethods(offers) {
  replaceChildren($('#method-options'), paymentChoices(offers));
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  hideAddressError();
  const { method, provider } = chosenPayment(form);
  const orderNote = value(form, 'note');
  const problems = {};
  if (!view.chosen) problems.address_id = t('checkout.e_address');
  if (charCount(orderNote) > NOTE_MAX) problems.note = t('checkout.e_note', { n: NOTE_MAX });
  if (Object.keys(problems).length) {
    showProblems(validationError(problems));
    return;
  }
  const submit = $('#place-order');
  setBusy(submit, true);
  let order = view.placed;
  try {
    if (!order) {
      const body = { address_id: view.chosen, payment_method: method, note: orderNote || null };
      if (view.buy) {
        // The price the quote showed: a price that moved since is refused, never charged.
        const line = (view.cart.lines || [])[0] || {};
        body.items = [{ sku_id: view.buy.sku_id, quantity: view.buy.quantity, price_seen: line.price_seen }];
      }
      order = await api.post('/orders', body, { headers: { 'Idempotency-Key': view.buy ? buyKey() : orderKey } });
      // Placed: a retry from here on only pays (the same key would answer with this order anyway).
      view.placed = order;
    }
    await pay(order, provider);
  } catch (err) {
    setBusy(submit, false);
    if (err.redirecting) return;
    if (view.placed) {
      // The order stands; only paying failed. The order page can pay it again.
      showErrors(form, err);
      replaceChildren($('#after-error'), el('p', { class: 'note note-info', 'data-testid': 'placed-not-paid' },
        el('span', { i18n: 'checkout.placed_not_paid' }), ' ',
        el('a', { href: '/order.html?id=' + encodeURIComponent(view.placed.id), i18n: 'checkout.to_order', 'data-testid': 'to-order' })));
      return;
    }
    await showConflict(err);
  }
});

/** The error with other fields: spreading an Error would drop its message (not enumerable). */
function withFields(err, fields) {
  return { status: err.status, code: err.code, message: err.message, retryAfter: err.retryAfter, redirecting: err.redirecting, fields };
}

function showProblems(err) {
  const fields = { ...(err.fields || {}) };
  if (fields.address_id) {
    const p = $('#address-error');
    p.textContent = fields.address_id;
    p.hidden = false;
    $('#address-choices').setAttribute('aria-invalid', 'true');
    delete fields.address_id;
  }
  showErrors(form, withFields(err, fields));
  if (!$('#address-error').hidden) $('[data-testid="address-section"]').scrollIntoView({ block: 'nearest' });
}

async function showConflict(err) {
  const byLine = conflictsByLine(err.fields);
  const rest = {};
  for (const [k, v] of Object.entries(err.fields || {})) if (!/^(cart\.|items\[)/.test(k)) rest[k] = v;
  view.conflicts = byLine;
  if (err.status === 409 && ['sold_out', 'unavailable', 'price_changed'].includes(err.code)) {
    // The server re-checked the cart: show it as it stands now, with the lines it named.
    view.confirmPrices = err.code === 'price_changed';
    try {
      view.cart = await fetchGoods();
    } catch {
      // Keep what we had; the messages still say what happened.
    }
    renderGoods();
  }
  showProblems(withFields(err, rest));
  const first = $('[data-testid="checkout-line-error"]');
  if (first) first.scrollIntoView({ block: 'center' });
}

// ---- the page ----------------------------------------------------------------------------------

async function load() {
  const [cart, addresses, methods] = await Promise.all([fetchGoods(), api.get('/me/addresses'), api.get('/payments/methods')]);
  view.cart = cart || { lines: [], goods_total: 0 };
  view.addresses = Array.isArray(addresses) ? addresses : [];
  if (!view.cart.lines || !view.cart.lines.length) {
    replaceChildren($('#state-box'), el('div', { class: 'card empty-state', 'data-testid': 'checkout-empty' },
      el('p', { class: 'empty-title', i18n: 'cart.empty' }),
      el('a', { class: 'btn btn-primary', href: '/search.html', i18n: 'cart.go_shopping' })));
    return;
  }
  replaceChildren($('#state-box'));
  $('#checkout').hidden = false;
  renderAddresses();
  renderGoods();
  if (methods && Array.isArray(methods.methods) && methods.methods.length) renderMethods(methods.methods);
  form.dataset.ready = 'true';
}

const { me, error } = await initShell({ auth: 'required' });
view.me = me;
if (me) {
  try {
    await load();
  } catch (err) {
    if (!err.redirecting) {
      replaceChildren($('#state-box'), note('error', errorMessage(err)));
      flash(errorMessage(err), 'error');
    }
  }
} else if (error && !error.redirecting) {
  replaceChildren($('#state-box'), note('muted', { i18n: 'common.unavailable' }));
}
