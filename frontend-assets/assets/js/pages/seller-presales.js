// A seller's pre-sales (订单农业, issue #22): open one for a planned harvest of one of the shop's
// SKUs (plot, harvest window, expected yield, the most pre-sold, price, deposit share and the
// cancellation rules buyers read first); the list, each with its reservations taken, to close
// or — at harvest — to link the real batch (of its listing, inspected) with the actual yield;
// and the pre-sold volume per product and harvest month ("plant to demand").

import { api, query, seg } from '../api.js';
import { formatFen, parseInteger, parseYuan, sellingMemberships } from '../catalog.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, el, flash, flashError, note, orgPicker, pickOrg, replaceChildren, showErrors, validationError, withBusy,
} from '../ui.js';
import { presaleHref, presaleStatus, quantityEl, termsFacts } from '../presale.js';

const params = new URLSearchParams(location.search);
const state = { org: null, listings: [], batches: [] };
const form = $('#open-form');

function shanghaiDay(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(d);
}

function fillSkus() {
  const options = [];
  for (const l of state.listings) {
    if (l.status !== 'approved') continue;
    for (const s of l.skus || []) {
      if (s.on_sale === false) continue;
      options.push(el('option', { value: s.id, dataset: { listingId: l.id }, text: `${l.title} · ${s.name}` }));
    }
  }
  replaceChildren(form.elements.sku_id, options);
}

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  withBusy($('#open-submit'), async () => {
    const f = form.elements;
    const price = parseYuan(f.price.value);
    const num = (name) => parseInteger(f[name].value);
    const problems = {};
    if (!f.sku_id.value) problems.sku_id = t('sps.e_sku');
    if (price === null || Number.isNaN(price) || price < 1) problems.price_fen = t('sps.e_price');
    for (const name of ['expected_yield', 'max_quantity', 'deposit_percent']) {
      const n = num(name);
      if (n === null || Number.isNaN(n)) problems[name] = t('sps.e_number');
    }
    if (Object.keys(problems).length) {
      showErrors(form, validationError(problems));
      return;
    }
    const made = await api.post(`/orgs/${seg(state.org.id)}/presales`, {
      sku_id: f.sku_id.value,
      plot: f.plot.value.trim(),
      harvest_from: f.harvest_from.value,
      harvest_to: f.harvest_to.value,
      expected_yield: num('expected_yield'),
      max_quantity: num('max_quantity'),
      price_fen: price,
      deposit_percent: num('deposit_percent'),
      cancellation_rules: f.cancellation_rules.value.trim(),
    });
    flash(el('span', {}, el('span', { i18n: 'sps.opened' }), ' ', el('a', { href: presaleHref(made.id), i18n: 'sps.see_buyer_view', 'data-testid': 'presale-opened-link' })), 'success');
    form.reset();
    setDefaults();
    await Promise.all([loadList(), loadVolume()]);
  }, (err) => showErrors(form, err));
});

function setDefaults() {
  form.elements.harvest_from.value = shanghaiDay(30);
  form.elements.harvest_to.value = shanghaiDay(45);
  form.elements.deposit_percent.value = '30';
}

function harvestForm(p, slot, opener) {
  const batches = state.batches.filter((b) => b.listing_id === p.listing_id);
  const id = `hv-${p.id}`;
  const f = el('form', { class: 'subform', method: 'post', action: '#', novalidate: true, 'data-testid': 'harvest-form' },
    el('p', { class: 'form-error', 'data-form-error': '', role: 'alert', hidden: true }),
    el('div', { class: 'field' },
      el('label', { for: `${id}-batch`, i18n: 'sps.batch' }),
      el('select', { id: `${id}-batch`, name: 'batch_id', 'data-testid': 'harvest-batch' },
        batches.map((b) => el('option', { value: b.id, disabled: !b.shippable, dataset: { lot: b.lot || '' },
          text: `${b.lot || b.code}${b.shippable ? '' : ` (${t('sps.not_shippable')})`}` }))),
      batches.length ? null : el('p', { class: 'hint' }, el('a', { href: '/seller/batches.html', i18n: 'sps.no_batch' })),
      el('p', { class: 'field-error', 'data-error-for': 'batch_id', hidden: true })),
    el('div', { class: 'field' },
      el('label', { for: `${id}-yield`, i18n: 'sps.actual' }),
      el('input', { id: `${id}-yield`, name: 'actual_yield', type: 'number', min: '0', inputmode: 'numeric', value: String(p.reserved_quantity), 'data-testid': 'harvest-yield' }),
      el('p', { class: 'field-error', 'data-error-for': 'actual_yield', hidden: true })),
    el('p', { class: 'hint', i18n: 'sps.harvest_hint' }),
    el('div', { class: 'actions' },
      el('button', { type: 'submit', class: 'btn btn-primary', i18n: 'sps.harvest_submit', 'data-testid': 'harvest-submit' })));
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    withBusy(f.querySelector('button[type="submit"]'), async () => {
      const n = parseInteger(f.elements.actual_yield.value);
      if (n === null || Number.isNaN(n)) {
        showErrors(f, validationError({ actual_yield: t('sps.e_number') }));
        return;
      }
      await api.post(`/presales/${seg(p.id)}/harvest`, { batch_id: f.elements.batch_id.value, actual_yield: n });
      flash(el('span', { i18n: 'sps.harvested' }), 'success');
      await Promise.all([loadList(), loadVolume()]);
    }, (err) => showErrors(f, err));
  });
  replaceChildren(slot, f);
  opener.setAttribute('aria-expanded', 'true');
  f.elements.batch_id.focus();
}

function presaleCard(p) {
  const slot = el('div');
  const actions = [];
  if (p.status === 'open') {
    const close = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'sps.close', 'data-testid': 'presale-close' });
    close.addEventListener('click', () => withBusy(close, async () => {
      await api.post(`/presales/${seg(p.id)}/close`);
      flash(el('span', { i18n: 'sps.closed' }), 'success');
      await loadList();
    }));
    actions.push(close);
  }
  if (p.status === 'open' || p.status === 'closed') {
    const harvest = el('button', { type: 'button', class: 'btn btn-primary', i18n: 'sps.harvest', 'aria-expanded': 'false', 'data-testid': 'presale-harvest' });
    harvest.addEventListener('click', () => harvestForm(p, slot, harvest));
    actions.push(harvest);
  }
  return el('li', { class: 'card', 'data-testid': 'seller-presale', dataset: { id: p.id, status: p.status } },
    el('div', { class: 'item-head' },
      el('a', { href: presaleHref(p.id), text: p.title }), ' ', presaleStatus(p.status)),
    el('p', {}, el('span', { i18n: 'sps.reserved' }), ' ', el('span', { 'data-testid': 'presale-reserved', dataset: { value: String(p.reserved_quantity) } }, quantityEl(p.reserved_quantity, p.unit))),
    termsFacts(p),
    actions.length ? el('div', { class: 'actions' }, actions) : null,
    slot);
}

async function loadList() {
  const box = $('#sps-list');
  const [page, batches] = await Promise.all([
    api.get(`/orgs/${seg(state.org.id)}/presales` + query({ limit: 50 })),
    api.get(`/orgs/${seg(state.org.id)}/batches`),
  ]);
  state.batches = Array.isArray(batches) ? batches : [];
  const items = (page && page.items) || [];
  replaceChildren(box, items.length ? el('ul', { class: 'cards' }, items.map(presaleCard)) : note('empty', { i18n: 'sps.none' }));
  box.dataset.state = 'done';
}

async function loadVolume() {
  const box = $('#sps-volume');
  const rows = await api.get(`/orgs/${seg(state.org.id)}/presales/volume`);
  if (!Array.isArray(rows) || !rows.length) {
    replaceChildren(box, note('empty', { i18n: 'sps.volume_none' }));
  } else {
    const head = ['sps.v_product', 'sps.v_month', 'sps.v_planned', 'sps.v_reserved', 'sps.v_deposit', 'sps.v_buyers'];
    replaceChildren(box, el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'data-i18n-aria-label': 'sps.volume' },
      el('table', { class: 'stats-table', 'data-testid': 'presale-volume-table' },
        el('caption', { class: 'visually-hidden', i18n: 'sps.volume' }),
        el('thead', {}, el('tr', {}, head.map((k, i) => el('th', { scope: 'col', class: i > 1 ? 'num' : null, i18n: k })))),
        el('tbody', {}, rows.map((r) => el('tr', { 'data-testid': 'presale-volume-row', dataset: { sku: r.sku_id, month: r.harvest_month, reserved: String(r.reserved_quantity) } },
          el('th', { scope: 'row', text: r.title }),
          el('td', { text: r.harvest_month }),
          el('td', { class: 'num' }, quantityEl(r.max_quantity, r.unit)),
          el('td', { class: 'num' }, quantityEl(r.reserved_quantity, r.unit)),
          el('td', { class: 'num', text: formatFen(r.deposit_fen) }),
          el('td', { class: 'num', text: String(r.buyers) })))))));
  }
  box.dataset.state = 'done';
}

const { me } = await initShell({ auth: 'required' });
if (me) {
  const memberships = sellingMemberships(me);
  const org = pickOrg(memberships, params);
  const body = $('#sps-body');
  if (!org) {
    replaceChildren(body, note('empty', { i18n: 'sps.no_org' }));
    $('#sps-list').dataset.state = 'done';
    $('#sps-volume').dataset.state = 'done';
  } else {
    state.org = org;
    replaceChildren($('#org-picker'), orgPicker(memberships, org, 'presale-org'));
    replaceChildren(body, el('p', { class: 'muted', text: org.name, 'data-testid': 'presale-org-name' }));
    try {
      const listings = await api.get(`/orgs/${seg(org.id)}/listings`);
      state.listings = Array.isArray(listings) ? listings : ((listings && listings.items) || []);
      fillSkus();
      setDefaults();
      $('[data-testid="presale-create"]').hidden = false;
      form.dataset.ready = 'true';
      await Promise.all([loadList(), loadVolume()]);
    } catch (err) {
      replaceChildren(body, note('error', err.message || ''));
      flashError(err);
    }
  }
}
