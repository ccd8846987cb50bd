// Requests for quotation (询价 → 报价 → 订单, issue #22). A business buyer's purchaser, manager
// or owner posts an RFQ, compares the quotes and accepts one or more (each an order at the
// quoted price); an invited seller reads the RFQ and quotes one of its SKUs, revises or
// withdraws. `?id=` opens one RFQ; without it, the organisation's list (and, for a buyer, the
// form to post one).

import { api, query, seg } from '../api.js';
import { formatFen, loadCategories, localOption, parseInteger, parseYuan, sellingMemberships } from '../catalog.js';
import { getLang, t } from '../i18n.js';
import { initShell } from '../shell.js';
import { localInputToUtc, shanghaiDate, shanghaiLocalInput } from '../trace.js';
import {
  $, el, facts, flash, flashError, note, orgPicker, pickOrg, replaceChildren, showErrors, timeEl,
  validationError, value, withBusy,
} from '../ui.js';

const params = new URLSearchParams(location.search);
const body = $('#rfq-body');
// The units an RFQ asks in (stored as written) and their dictionary keys.
const UNITS = {
  斤: 'rfq.unit_jin', 公斤: 'rfq.unit_kg', 箱: 'rfq.unit_box', 袋: 'rfq.unit_bag', 个: 'rfq.unit_piece', 件: 'rfq.unit_item', 只: 'rfq.unit_head', 盒: 'rfq.unit_carton',
};
const STATES = {
  open: 'rfq.state_open', expired: 'rfq.state_expired', withdrawn: 'rfq.state_withdrawn', accepted: 'rfq.state_accepted',
  closed: 'rfq.state_closed', quoting: 'rfq.state_quoting', quoting_ended: 'rfq.state_quoting_ended',
};
const ORDERING = ['owner', 'manager', 'purchaser'];
const DAY_MS = 86_400_000;

const unitEl = (u) => (UNITS[u] ? el('span', { i18n: UNITS[u] }) : el('span', { text: u }));
const placeText = (p) => [p.province, p.city, p.district, p.street].filter(Boolean).join(' ');

function stateBadge(state, testid) {
  return el('span', { class: `badge badge-${state}`, i18n: STATES[state], 'data-testid': testid, dataset: { state } });
}

// ---- one RFQ --------------------------------------------------------------------------------

function rfqFacts(r) {
  const cat = getLang() === 'en' ? (r.category_name_en || r.category_name) : r.category_name;
  return facts([
    ['rfq.number', el('span', { text: r.number, 'data-testid': 'rfq-number' })],
    ['rfq.buyer', r.buyer_name],
    ['rfq.category', cat || ''],
    ['rfq.quantity', el('span', {}, String(r.quantity), ' ', unitEl(r.unit))],
    ['rfq.quality', r.quality || '—'],
    ['rfq.window', `${r.deliver_from} – ${r.deliver_to}`],
    ['rfq.address', placeText(r.place)],
    ['rfq.closes_at', timeEl(r.closes_at)],
    ['rfq.status', stateBadge(r.status === 'closed' ? 'closed' : (r.quoting_open ? 'quoting' : 'quoting_ended'), 'rfq-status')],
  ]);
}

function quoteRow(r, q, actions) {
  return el('li', { class: 'card', 'data-testid': 'rfq-quote', dataset: { quote: q.id } },
    el('div', { class: 'item-head' },
      el('strong', { text: q.seller_name }),
      stateBadge(q.state, 'rfq-quote-state')),
    el('p', { text: `${q.title} × ${q.quantity} ${q.unit}` }),
    el('p', {},
      el('span', { i18n: 'rfq.unit_price' }), ' ',
      el('span', { class: 'money', 'data-testid': 'rfq-quote-price', text: formatFen(q.unit_price_fen) }),
      ' · ', el('span', { i18n: 'rfq.total' }), ' ',
      el('span', { class: 'money', 'data-testid': 'rfq-quote-total', text: formatFen(q.total_fen) })),
    el('p', { class: 'muted' }, el('span', { i18n: 'rfq.valid_until' }), ' ', timeEl(q.expires_at)),
    q.note ? el('p', { class: 'muted', text: q.note }) : null,
    q.order_id ? el('p', {}, el('a', { href: `/order.html?id=${encodeURIComponent(q.order_id)}`, i18n: 'rfq.see_order', 'data-testid': 'rfq-quote-order' })) : null,
    actions);
}

function acceptControls(r, q) {
  if (!r.as_buyer || q.state !== 'open' || r.status !== 'open') return null;
  const id = `pay-${q.id}`;
  const method = el('select', { id, 'data-testid': 'rfq-accept-method' },
    el('option', { value: 'offline', i18n: 'rfq.pay_offline' }),
    el('option', { value: 'gateway', i18n: 'rfq.pay_online' }));
  const button = el('button', { type: 'button', class: 'btn btn-primary', i18n: 'rfq.accept', 'data-testid': 'rfq-accept' });
  button.addEventListener('click', () => withBusy(button, async () => {
    const order = await api.post(`/rfq-quotes/${seg(q.id)}/accept`, { payment_method: method.value });
    flash(el('span', {},
      el('span', { i18n: 'rfq.accepted', args: { number: order.number } }), ' ',
      el('a', { href: `/order.html?id=${encodeURIComponent(order.id)}`, i18n: 'rfq.see_order' })), 'success');
    await showRfq(r.id);
  }));
  return el('div', { class: 'actions' },
    el('div', { class: 'inline-field' }, el('label', { for: id, i18n: 'rfq.pay_by' }), method), button);
}

function withdrawControl(r, q) {
  if (r.as_buyer || !['open', 'expired'].includes(q.state)) return null;
  const button = el('button', { type: 'button', class: 'btn btn-danger-quiet', i18n: 'rfq.withdraw', 'data-testid': 'rfq-withdraw' });
  button.addEventListener('click', () => withBusy(button, async () => {
    await api.post(`/rfq-quotes/${seg(q.id)}/withdraw`);
    flash(el('span', { i18n: 'rfq.withdrawn' }), 'success');
    await showRfq(r.id);
  }));
  return el('div', { class: 'actions' }, button);
}

async function quoteForm(r) {
  const orgs = sellingMemberships(state.me).map((m) => m.org);
  const skus = [];
  for (const org of orgs) {
    const listings = (await api.get(`/orgs/${seg(org.id)}/listings` + query({ status: 'approved' }))) || [];
    for (const l of listings) {
      for (const s of l.skus || []) {
        if (s.active !== false) skus.push({ id: s.id, text: `${l.title} ${s.name} (${formatFen(s.price)})` });
      }
    }
  }
  const inTwoDays = new Date(Date.now() + 2 * DAY_MS);
  const form = el('form', { class: 'subform', method: 'post', action: '#', novalidate: true, 'data-testid': 'rfq-quote-form' },
    el('p', { class: 'form-error', 'data-form-error': true, role: 'alert', hidden: true }),
    el('div', { class: 'field' },
      el('label', { for: 'q-sku', i18n: 'rfq.sku' }),
      el('select', { id: 'q-sku', name: 'sku_id', 'data-testid': 'rfq-quote-sku' },
        skus.map((s) => el('option', { value: s.id, text: s.text }))),
      el('p', { class: 'field-error', 'data-error-for': 'sku_id', hidden: true })),
    el('div', { class: 'two-col' },
      el('div', { class: 'field' },
        el('label', { for: 'q-price', i18n: 'rfq.unit_price_yuan' }),
        el('input', { id: 'q-price', name: 'unit_price_fen', type: 'text', inputmode: 'decimal', maxlength: '12', 'data-testid': 'rfq-quote-price-input' }),
        el('p', { class: 'field-error', 'data-error-for': 'unit_price_fen', hidden: true })),
      el('div', { class: 'field' },
        el('label', { for: 'q-qty', i18n: 'rfq.quote_quantity' }),
        el('input', { id: 'q-qty', name: 'quantity', type: 'text', inputmode: 'numeric', maxlength: '5', 'data-testid': 'rfq-quote-quantity' }),
        el('p', { class: 'field-error', 'data-error-for': 'quantity', hidden: true }))),
    el('div', { class: 'field' },
      el('label', { for: 'q-expires', i18n: 'rfq.valid_until' }),
      el('input', { id: 'q-expires', name: 'expires_at', type: 'datetime-local', value: shanghaiLocalInput(inTwoDays), 'data-testid': 'rfq-quote-expires' }),
      el('p', { class: 'field-error', 'data-error-for': 'expires_at', hidden: true })),
    el('div', { class: 'field' },
      el('label', { for: 'q-note', i18n: 'rfq.note' }),
      el('textarea', { id: 'q-note', name: 'note', rows: '2', maxlength: '500', 'data-testid': 'rfq-quote-note' }),
      el('p', { class: 'field-error', 'data-error-for': 'note', hidden: true })));
  const submit = el('button', { type: 'submit', class: 'btn btn-primary', i18n: 'rfq.quote_submit', 'data-testid': 'rfq-quote-submit' });
  form.append(el('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    withBusy(submit, async () => {
      const price = parseYuan(value(form, 'unit_price_fen'));
      const qty = parseInteger(value(form, 'quantity'));
      const expires = localInputToUtc(value(form, 'expires_at'));
      const bad = {};
      if (Number.isNaN(price) || price === null) bad.unit_price_fen = t('rfq.price_invalid');
      if (qty === null || Number.isNaN(qty)) bad.quantity = t('rfq.quantity_invalid');
      if (!expires) bad.expires_at = t('rfq.time_invalid');
      if (Object.keys(bad).length) {
        showErrors(form, validationError(bad));
        return;
      }
      await api.post(`/rfqs/${seg(r.id)}/quotes`, {
        sku_id: form.elements.sku_id.value, unit_price_fen: price, quantity: qty, expires_at: expires,
        note: value(form, 'note') || null,
      });
      flash(el('span', { i18n: 'rfq.quoted' }), 'success');
      await showRfq(r.id);
    }, (err) => showErrors(form, err));
  });
  return el('section', { class: 'card', 'aria-labelledby': 'quote-title' },
    el('h2', { id: 'quote-title', i18n: 'rfq.quote' }),
    skus.length ? form : note('empty', { i18n: 'rfq.no_skus' }));
}

async function showRfq(id) {
  const r = await api.get(`/rfqs/${seg(id)}`);
  const quotes = r.quotes.length
    ? el('ul', { class: 'cards', 'data-testid': 'rfq-quotes' },
      r.quotes.map((q) => quoteRow(r, q, acceptControls(r, q) || withdrawControl(r, q))))
    : note('empty', { i18n: r.as_buyer ? 'rfq.no_quotes' : 'rfq.no_own_quotes' });
  let close = null;
  if (r.as_buyer && r.status === 'open') {
    close = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'rfq.close', 'data-testid': 'rfq-close' });
    close.addEventListener('click', () => withBusy(close, async () => {
      await api.post(`/rfqs/${seg(r.id)}/close`);
      flash(el('span', { i18n: 'rfq.closed' }), 'success');
      await showRfq(r.id);
    }));
  }
  replaceChildren(body,
    el('p', {}, el('a', { href: '/rfq.html', i18n: 'rfq.back' })),
    el('section', { class: 'card', 'data-testid': 'rfq-detail', dataset: { id: r.id } },
      el('h2', { text: r.title, 'data-testid': 'rfq-detail-title' }),
      rfqFacts(r),
      r.as_buyer && r.sellers.length
        ? el('p', { class: 'muted' }, el('span', { i18n: 'rfq.sent_to' }), ' ', r.sellers.map((s) => s.name).join('、'))
        : null,
      close ? el('div', { class: 'actions' }, close) : null),
    el('section', { class: 'card', 'aria-labelledby': 'quotes-title' },
      el('h2', { id: 'quotes-title', i18n: r.as_buyer ? 'rfq.quotes' : 'rfq.own_quotes' }), quotes),
    !r.as_buyer && r.quoting_open ? await quoteForm(r) : null);
  body.dataset.state = 'done';
}

// ---- the list and the form -------------------------------------------------------------------

function rfqItem(r) {
  const open = r.quotes.filter((q) => q.state === 'open').length;
  return el('li', { class: 'card', 'data-testid': 'rfq-item', dataset: { id: r.id } },
    el('div', { class: 'item-head' },
      el('a', { href: `/rfq.html?id=${encodeURIComponent(r.id)}`, text: `${r.number} · ${r.title}` }),
      stateBadge(r.status === 'closed' ? 'closed' : (r.quoting_open ? 'quoting' : 'quoting_ended'))),
    el('p', { class: 'muted' },
      String(r.quantity), ' ', unitEl(r.unit), ' · ',
      el('span', { i18n: 'rfq.quote_count', args: { n: r.quotes.length, open } }), ' · ',
      el('span', { i18n: 'rfq.closes_at' }), ' ', timeEl(r.closes_at)));
}

async function showList(org) {
  const page = await api.get(`/orgs/${seg(org.id)}/rfqs` + query({ limit: 50 }));
  const items = (page && page.items) || [];
  replaceChildren($('#list-body'), items.length
    ? el('ul', { class: 'cards' }, items.map(rfqItem))
    : note('empty', { i18n: 'rfq.none' }));
  $('#list').hidden = false;
}

async function sellersOf(category) {
  const box = $('#rfq-sellers');
  if (!category) return replaceChildren(box);
  const found = await api.get('/search' + query({ category, per_page: 50 }), { redirectOn401: false });
  const sellers = new Map();
  for (const h of (found && found.hits) || []) if (h.seller && h.seller.id) sellers.set(h.seller.id, h.seller.name);
  return replaceChildren(box, sellers.size
    ? [...sellers].map(([id, name]) => el('label', { class: 'check' },
      el('input', { type: 'checkbox', name: 'sellers', value: id, 'data-testid': 'rfq-seller' }), ' ', name))
    : note('empty', { i18n: 'rfq.no_sellers' }));
}

async function setUpForm() {
  const form = $('#post-form');
  const [cats, addresses] = await Promise.all([loadCategories(), api.get('/me/addresses')]);
  const select = form.elements.category_id;
  for (const root of cats.roots) {
    select.append(localOption(root.id, root.name, root.name_en));
    for (const c of root.children || []) {
      if (c.active !== false) select.append(localOption(c.id, `${root.name} › ${c.name}`, `${root.name_en} › ${c.name_en}`));
    }
  }
  select.addEventListener('change', () => sellersOf(select.value).catch(flashError));
  for (const [u, key] of Object.entries(UNITS)) form.elements.unit.append(el('option', { value: u, i18n: key }));
  for (const a of addresses || []) {
    form.elements.address_id.append(el('option', { value: a.id, text: `${a.name} · ${placeText(a)}` }));
  }
  const now = Date.now();
  form.elements.deliver_from.value = shanghaiDate(new Date(now + 2 * DAY_MS));
  form.elements.deliver_to.value = shanghaiDate(new Date(now + 7 * DAY_MS));
  form.elements.closes_at.value = shanghaiLocalInput(new Date(now + DAY_MS));
  await sellersOf(select.value);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    withBusy($('#post-save'), async () => {
      const quantity = parseInteger(value(form, 'quantity'));
      const closes = localInputToUtc(value(form, 'closes_at'));
      const bad = {};
      if (quantity === null || Number.isNaN(quantity)) bad.quantity = t('rfq.quantity_invalid');
      if (!closes) bad.closes_at = t('rfq.time_invalid');
      if (Object.keys(bad).length) {
        showErrors(form, validationError(bad));
        return;
      }
      const sellers = [...form.querySelectorAll('input[name="sellers"]:checked')].map((i) => i.value);
      const r = await api.post('/rfqs', {
        category_id: select.value,
        title: value(form, 'title'),
        quantity,
        unit: form.elements.unit.value,
        quality: value(form, 'quality') || null,
        deliver_from: value(form, 'deliver_from'),
        deliver_to: value(form, 'deliver_to'),
        address_id: form.elements.address_id.value,
        closes_at: closes,
        sellers: sellers.length ? sellers : null,
      });
      flash(el('span', { i18n: 'rfq.posted', args: { number: r.number } }), 'success');
      location.assign(`/rfq.html?id=${encodeURIComponent(r.id)}`);
    }, (err) => showErrors(form, err));
  });
  $('#post').hidden = false;
}

const state = { me: null };
const { me } = await initShell({ auth: 'required' });
if (me) {
  state.me = me;
  const all = (me.memberships || []).filter((m) => m.org && m.org.status === 'verified');
  const buyers = all.filter((m) => m.org.kind === 'business_buyer' && ORDERING.includes(m.role));
  const mine = [...buyers, ...sellingMemberships(me).filter((m) => m.org.status === 'verified')];
  try {
    if (params.get('id')) {
      await showRfq(params.get('id'));
    } else {
      const org = pickOrg(mine, params);
      if (!org) {
        replaceChildren(body, note('info', { i18n: 'rfq.no_org' }));
      } else {
        replaceChildren($('#org-picker'), orgPicker(mine, org, 'rfq-org-select'));
        replaceChildren(body);
        if (org.kind === 'business_buyer') await setUpForm();
        await showList(org);
        body.dataset.state = 'done';
      }
    }
  } catch (err) {
    replaceChildren(body, note('error', err.message || ''));
    flashError(err);
  }
}
