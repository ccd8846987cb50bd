// A business buyer's standing orders (定期订单, issue #22): set one up with one seller (lines
// found by search, a schedule, lead time, dates, address, payment), see each with its history,
// pause, resume or end it. The seller accepts it on /seller/standing-orders.html.

import { api, query, seg } from '../api.js';
import { formatFen } from '../catalog.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, el, flash, flashError, note, pickOrg, replaceChildren, showErrors, validationError, withBusy,
} from '../ui.js';
import { WEEKDAYS, standingCard } from '../standing.js';

const params = new URLSearchParams(location.search);
const state = { org: null, lines: [], seller: null };
const ORDERS = ['owner', 'manager', 'purchaser'];

function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

function renderLines() {
  const box = $('#so-lines');
  replaceChildren(box, state.lines.map((l, i) => {
    const id = `so-qty-${i}`;
    const qty = el('input', { id, type: 'number', min: '1', max: '9999', value: String(l.quantity), inputmode: 'numeric', 'data-testid': 'standing-line-qty' });
    qty.addEventListener('input', () => { l.quantity = Number(qty.value); });
    const remove = el('button', { type: 'button', class: 'btn btn-danger-quiet', i18n: 'so.remove' });
    remove.addEventListener('click', () => {
      state.lines.splice(i, 1);
      if (!state.lines.length) state.seller = null;
      renderLines();
    });
    return el('li', { class: 'inline-field', 'data-testid': 'standing-line' },
      el('label', { for: id, text: `${l.title} · ${l.sku_name}` }), qty, remove,
      el('p', { class: 'field-error', 'data-error-for': `lines[${i}].quantity`, hidden: true }),
      el('p', { class: 'field-error', 'data-error-for': `lines[${i}].sku_id`, hidden: true }));
  }));
  replaceChildren($('#so-seller'), state.seller
    ? el('span', { i18n: 'so.seller', args: { name: state.seller.name } })
    : el('span', { i18n: 'so.pick_first' }));
}

function addLine(listing, sku) {
  if (state.seller && state.seller.id !== listing.seller.id) {
    flash(t('so.one_seller', { name: state.seller.name }), 'error');
    return;
  }
  state.seller = listing.seller;
  if (!state.lines.some((l) => l.sku_id === sku.id)) {
    state.lines.push({ sku_id: sku.id, title: listing.title, sku_name: sku.name, quantity: 1 });
  }
  renderLines();
}

$('#search-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const q = ev.currentTarget.elements.q.value.trim();
  const box = $('#so-hits');
  if (!q) return;
  try {
    const found = await api.get('/search' + query({ q, limit: 6 }));
    const listings = await Promise.all((found.hits || []).slice(0, 6).map((h) => api.get(`/listings/${seg(h.id)}`)));
    replaceChildren(box, listings.length ? listings.map((listing) => el('li', { 'data-testid': 'standing-hit' },
      el('strong', { text: listing.title }), ' ', el('span', { class: 'muted', text: listing.seller.name }),
      el('ul', { class: 'list' }, listing.skus.map((sku) => {
        const add = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'so.add', 'data-testid': 'standing-add' });
        add.addEventListener('click', () => addLine(listing, sku));
        return el('li', { class: 'inline-field' }, el('span', { text: `${sku.name} ${formatFen(sku.price)}` }), add);
      })))) : note('empty', { i18n: 'so.no_hits' }));
  } catch (err) {
    flashError(err);
  }
});

function weekdayBoxes() {
  replaceChildren($('#so-weekdays'), WEEKDAYS.map((key, i) => {
    const id = `so-wd-${i + 1}`;
    return el('span', {},
      el('input', { id, type: 'checkbox', name: 'weekday', value: String(i + 1), checked: i === 0, 'data-testid': 'standing-weekday' }),
      el('label', { for: id, i18n: key }));
  }));
}

$('#so-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  withBusy($('#so-submit'), async () => {
    if (!state.lines.length) {
      showErrors(form, validationError({ lines: t('so.pick_first') }));
      return;
    }
    const weekly = form.elements.kind.value === 'weekly';
    const weekdays = Array.from(form.querySelectorAll('input[name="weekday"]:checked')).map((x) => Number(x.value));
    const made = await api.post(`/orgs/${seg(state.org.id)}/standing-orders`, {
      seller_org_id: state.seller.id,
      lines: state.lines.map((l) => ({ sku_id: l.sku_id, quantity: l.quantity })),
      schedule: weekly ? { kind: 'weekly', weekdays } : { kind: 'every_days', days: Number(form.elements.days.value) },
      lead_days: Number(form.elements.lead_days.value),
      start_date: form.elements.start_date.value,
      end_date: form.elements.end_date.value || null,
      address_id: form.elements.address_id.value,
      payment_method: form.elements.payment_method.value,
    });
    flash(el('span', { i18n: 'so.created' }), 'success');
    state.lines = [];
    state.seller = null;
    renderLines();
    await loadList(made.id);
  }, (err) => showErrors(form, err));
});

function buyerActions(s) {
  const button = (key, what, testid) => {
    const b = el('button', { type: 'button', class: 'btn btn-secondary', i18n: key, 'data-testid': testid });
    b.addEventListener('click', () => withBusy(b, async () => {
      await api.post(`/standing-orders/${seg(s.id)}/${what}`);
      await loadList();
    }));
    return b;
  };
  const out = [];
  if (s.status === 'active') out.push(button('so.pause', 'pause', 'standing-pause'));
  if (s.status === 'paused') out.push(button('so.resume', 'resume', 'standing-resume'));
  if (['pending', 'active', 'paused'].includes(s.status)) out.push(button('so.end_it', 'end', 'standing-end'));
  return out;
}

async function loadList() {
  const box = $('#so-list');
  const page = await api.get(`/orgs/${seg(state.org.id)}/standing-orders` + query({ limit: 50 }));
  const items = (page && page.items) || [];
  replaceChildren(box, items.length
    ? el('ul', { class: 'cards' }, items.map((s) => standingCard(s, buyerActions(s))))
    : note('empty', { i18n: 'so.none' }));
  box.dataset.state = 'done';
}

const { me } = await initShell({ auth: 'required' });
if (me) {
  const buyers = (me.memberships || []).filter((m) => m.org && m.org.kind === 'business_buyer');
  const org = pickOrg(buyers, params);
  const body = $('#so-body');
  if (!org) {
    replaceChildren(body, note('empty', { i18n: 'so.no_org' }));
  } else {
    state.org = org;
    replaceChildren(body);
    try {
      const role = buyers.find((m) => m.org.id === org.id).role;
      if (ORDERS.includes(role)) {
        const addresses = await api.get('/me/addresses');
        replaceChildren($('#so-address'), (addresses || []).map((a) => el('option', {
          value: a.id, text: `${a.name} ${a.city}${a.district}${a.street}`,
        })));
        $('#so-start').value = today();
        weekdayBoxes();
        renderLines();
        $('#create').hidden = false;
      }
      await loadList();
    } catch (err) {
      replaceChildren(body, note('error', err.message || ''));
      flashError(err);
    }
  }
}
