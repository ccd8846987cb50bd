// The cart: what I put aside, grouped by seller (each seller ships its own parcel), re-checked
// by the server on every read: a price that moved since I added it, a line that sold out or is
// short, a listing no longer for sale. Quantities change in place; checkout takes what is on sale.
// Each seller's parcel pays its own shipping, as the server reckons it (`sellers`, `shipping`).

import { api, seg } from '../api.js';
import { formatFen, listingHref, placeholderPicture, priceEl } from '../catalog.js';
import { t } from '../i18n.js';
import { initShell, showCartCount } from '../shell.js';
import { $, el, errorMessage, flash, flashError, note, replaceChildren, setBusy } from '../ui.js';
import { MAX_QUANTITY, groupBySeller, moneyEl, parseQuantity } from '../orders.js';

const box = $('#cart');
const summary = $('#summary');
const view = { cart: null };

function stateNote(line) {
  if (line.state === 'sold_out') return el('p', { class: 'line-flag flag-bad', 'data-testid': 'cart-line-state', i18n: 'cart.sold_out' });
  if (line.state === 'unavailable') return el('p', { class: 'line-flag flag-bad', 'data-testid': 'cart-line-state', i18n: 'cart.unavailable' });
  if (line.state === 'short') {
    return el('p', { class: 'line-flag flag-warn', 'data-testid': 'cart-line-state', i18n: 'cart.short', args: { n: line.stock } });
  }
  return null;
}

function priceChange(line) {
  if (!line.price_changed) return null;
  const key = line.unit_price > line.price_seen ? 'cart.price_up' : 'cart.price_down';
  return el('p', { class: 'line-flag flag-warn', 'data-testid': 'cart-price-changed' },
    el('span', { i18n: key, args: { from: formatFen(line.price_seen), to: formatFen(line.unit_price) } }));
}

async function change(line, quantity, control) {
  setBusy(control, true);
  try {
    const cart = quantity === 0
      ? await api.del(`/cart/items/${seg(line.sku_id)}`)
      : await api.put(`/cart/items/${seg(line.sku_id)}`, { quantity });
    render(cart, { sku: line.sku_id, testid: control && control.getAttribute('data-testid') });
    if (quantity === 0) flash(el('span', { i18n: 'cart.removed', args: { title: line.title || t('cart.item') } }), 'success');
  } catch (err) {
    flashError(err);
    setBusy(control, false);
  }
}

function stepper(line) {
  const id = `qty-${line.sku_id}`;
  const input = el('input', {
    id,
    type: 'text',
    inputmode: 'numeric',
    pattern: '[0-9]*',
    autocomplete: 'off',
    class: 'qty-input',
    value: String(line.quantity),
    'data-testid': 'cart-qty',
  });
  const minus = el('button', { type: 'button', class: 'btn btn-quiet qty-button', 'data-i18n-aria-label': 'cart.less', 'data-testid': 'cart-qty-minus', text: '−', disabled: line.quantity <= 1 });
  const plus = el('button', { type: 'button', class: 'btn btn-quiet qty-button', 'data-i18n-aria-label': 'cart.more', 'data-testid': 'cart-qty-plus', text: '+', disabled: line.quantity >= MAX_QUANTITY });
  minus.addEventListener('click', () => change(line, line.quantity - 1, minus));
  plus.addEventListener('click', () => change(line, line.quantity + 1, plus));
  const commit = () => {
    const n = parseQuantity(input.value);
    if (n === line.quantity) return;
    if (n === null || Number.isNaN(n)) {
      input.setAttribute('aria-invalid', 'true');
      flash(t('cart.qty_invalid', { max: MAX_QUANTITY }), 'error');
      input.value = String(line.quantity);
      return;
    }
    input.removeAttribute('aria-invalid');
    change(line, n, input);
  };
  input.addEventListener('change', commit);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') { event.preventDefault(); commit(); }
  });
  return el('div', { class: 'qty-field' },
    el('label', { for: id, class: 'visually-hidden', i18n: 'cart.quantity_of', args: { title: line.title || '' } }),
    el('div', { class: 'qty-stepper' }, minus, input, plus));
}

function lineEl(line) {
  const remove = el('button', { type: 'button', class: 'btn btn-quiet btn-small', i18n: 'cart.remove', 'data-testid': 'cart-remove' });
  remove.addEventListener('click', () => change(line, 0, remove));
  const href = line.listing_id ? listingHref(line.listing_id) : null;
  const picture = line.image ? el('img', { src: line.image, alt: '', width: '64', height: '64', loading: 'lazy' }) : placeholderPicture(line.title);
  return el('li', {
    class: 'list-item cart-line' + (line.state === 'on_sale' ? '' : ' is-off'),
    'data-testid': 'cart-line',
    dataset: { skuId: line.sku_id, listingId: line.listing_id || '', state: line.state, priceChanged: String(Boolean(line.price_changed)) },
  },
  el('span', { class: 'row-thumb' }, picture),
  el('div', { class: 'row-body' },
    href
      ? el('a', { class: 'item-title', href, 'data-testid': 'cart-line-title', text: line.title })
      : el('span', { class: 'item-title muted', 'data-testid': 'cart-line-title', i18n: 'cart.gone_item' }),
    line.sku_name ? el('p', { class: 'muted line-sku', text: line.sku_name }) : null,
    line.unit_price ? el('p', { class: 'line-price' }, priceEl(line.unit_price, line.unit, 'cart-unit-price')) : null,
    priceChange(line),
    stateNote(line),
    el('div', { class: 'cart-line-foot' },
      stepper(line),
      line.state === 'on_sale' ? moneyEl(line.line_total, 'cart-line-total', 'money line-total') : null,
      remove)));
}

/** The server's figures for a seller's parcel: goods on sale, its shipping, its total. */
function parcelOf(group) {
  return ((view.cart && view.cart.sellers) || []).find((s) => s.seller_id === group.seller_id) || null;
}

function groupEl(group) {
  const head = group.seller_id
    ? el('h2', { class: 'group-title' }, el('a', { href: '/seller.html?id=' + encodeURIComponent(group.seller_id), text: group.seller_name }))
    : el('h2', { class: 'group-title', i18n: 'cart.gone_group' });
  const parcel = group.seller_id ? parcelOf(group) : null;
  return el('section', { class: 'card cart-group', 'data-testid': 'cart-group', dataset: { sellerId: group.seller_id || '' } },
    head,
    el('ul', { class: 'list cart-lines' }, group.lines.map(lineEl)),
    parcel
      ? el('p', { class: 'group-total' },
        el('span', { class: 'muted' }, el('span', { i18n: 'order.goods' }), ' ', moneyEl(parcel.goods_total, 'cart-group-goods'), ' · ',
          el('span', { i18n: 'order.shipping' }), ' ',
          parcel.shipping ? moneyEl(parcel.shipping, 'cart-group-shipping') : el('span', { i18n: 'order.free_shipping', 'data-testid': 'cart-group-shipping', dataset: { fen: '0' } })),
        ' ', el('span', { class: 'nowrap' }, el('span', { i18n: 'cart.group_total' }), ' ', moneyEl(parcel.total, 'cart-group-total', 'money line-total')))
      : null);
}

function render(cart, keepFocus = null) {
  view.cart = cart || { lines: [], goods_total: 0, shipping: 0, total: 0, sellers: [], count: 0 };
  const lines = Array.isArray(view.cart.lines) ? view.cart.lines : [];
  box.dataset.state = 'done';
  box.dataset.count = String(lines.length);
  showCartCount(lines.length);
  if (!lines.length) {
    summary.hidden = true;
    replaceChildren(box, el('div', { class: 'card empty-state', 'data-testid': 'cart-empty' },
      el('p', { class: 'empty-title', i18n: 'cart.empty' }),
      el('a', { class: 'btn btn-primary', href: '/search.html', i18n: 'cart.go_shopping' })));
    return;
  }
  replaceChildren(box, groupBySeller(lines).map(groupEl));
  summary.hidden = false;
  const put = (node, fen) => { node.textContent = formatFen(fen); node.dataset.fen = String(fen); };
  put($('#cart-goods'), view.cart.goods_total);
  put($('#cart-total'), view.cart.total);
  replaceChildren($('#cart-shipping'), view.cart.shipping
    ? moneyEl(view.cart.shipping)
    : el('span', { i18n: 'order.free_shipping', dataset: { fen: '0' } }));
  const off = lines.filter((l) => l.state !== 'on_sale').length;
  const warning = $('#cart-warning');
  warning.hidden = !off;
  if (off) replaceChildren(warning, el('span', { i18n: 'cart.fix_first', args: { count: off } }));
  const link = $('#checkout-link');
  const canBuy = !off && lines.length > 0;
  if (canBuy) {
    link.setAttribute('href', '/checkout.html');
    link.removeAttribute('aria-disabled');
  } else {
    link.removeAttribute('href');
    link.setAttribute('aria-disabled', 'true');
  }
  link.classList.toggle('is-disabled', !canBuy);
  if (keepFocus && keepFocus.testid) {
    const target = box.querySelector(`[data-testid="cart-line"][data-sku-id="${keepFocus.sku}"] [data-testid="${keepFocus.testid}"]`);
    if (target && !target.disabled) target.focus();
  }
}

const { me, error } = await initShell({ auth: 'required' });
if (me) {
  try {
    render(await api.get('/cart'));
  } catch (err) {
    box.dataset.state = 'error';
    if (!err.redirecting) {
      replaceChildren(box, note('error', errorMessage(err)));
      flashError(err);
    }
  }
} else if (error && !error.redirecting) {
  box.dataset.state = 'error';
  replaceChildren(box, note('muted', { i18n: 'common.unavailable' }));
}
