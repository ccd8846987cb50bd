// A seller's own sales (销售分析, issue #20): totals, repeat buyers, a series by day/week/month,
// and by product and destination province, with CSV and XLSX downloads of each table. Members
// of the seller (and the operator with ?org=). The period lives in the address.

import { api, query, seg } from '../api.js';
import { formatFen, sellingMemberships } from '../catalog.js';
import { initShell } from '../shell.js';
import { $, el, errorMessage, facts, note, replaceChildren } from '../ui.js';

const params = new URLSearchParams(location.search);
const DAY_MS = 86_400_000;
const beijingToday = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
const addDays = (day, n) => new Date(Date.parse(day + 'T00:00:00Z') + n * DAY_MS).toISOString().slice(0, 10);

function percent(bp) {
  const tenths = Math.round(bp / 10);
  return `${Math.floor(tenths / 10)}.${tenths % 10}%`;
}

function table(titleKey, rows, view, state, testid) {
  const link = (format) => `/api/v1/analytics/sellers/${seg(state.org)}/sales` + query({ from: state.from, to: state.to, by: state.by, format, view });
  return el('section', { class: 'card', 'data-testid': testid },
    el('div', { class: 'section-head' },
      el('h3', { i18n: titleKey }),
      el('span', { class: 'actions' },
        el('a', { class: 'btn btn-quiet btn-small', href: link('csv'), i18n: 'analytics.csv', 'data-testid': testid + '-csv' }),
        el('a', { class: 'btn btn-quiet btn-small', href: link('xlsx'), i18n: 'analytics.xlsx', 'data-testid': testid + '-xlsx' }))),
    rows.length
      ? el('div', { class: 'table-scroll' }, el('table', { class: 'table' },
        el('thead', {}, el('tr', {},
          el('th', { scope: 'col', i18n: 'analytics.col_group' }),
          el('th', { scope: 'col', i18n: 'analytics.col_orders' }),
          el('th', { scope: 'col', i18n: 'analytics.col_sales' }),
          el('th', { scope: 'col', i18n: 'analytics.col_buyers' }))),
        el('tbody', {}, rows.map((r) => el('tr', {},
          el('th', { scope: 'row', text: document.documentElement.lang === 'en' ? r.label_en : r.label }),
          el('td', { text: String(r.orders) }),
          el('td', { text: formatFen(r.goods_fen + r.shipping_fen) }),
          el('td', { text: String(r.buyers) }))))))
      : note('muted', { i18n: 'analytics.none' }));
}

async function load(state) {
  const box = $('#report');
  replaceChildren(box, note('muted', { i18n: 'common.loading' }));
  try {
    const r = await api.get(`/analytics/sellers/${seg(state.org)}/sales` + query({ from: state.from, to: state.to, by: state.by }));
    replaceChildren(box,
      el('section', { class: 'card', 'data-testid': 'analytics-total' }, facts([
        ['analytics.total_sales', el('strong', { text: formatFen(r.total.goods_fen + r.total.shipping_fen), 'data-testid': 'analytics-total-sales' })],
        ['analytics.total_orders', el('span', { text: String(r.total.orders) })],
        ['analytics.total_buyers', el('span', { text: String(r.total.buyers) })],
        ['analytics.repeat', el('span', { i18n: 'analytics.repeat_value', args: { n: r.repeat_buyers, share: percent(r.repeat_share_bp) }, 'data-testid': 'analytics-repeat' })],
      ])),
      table('analytics.series', r.series, 'series', state, 'analytics-series'),
      table('analytics.products', r.products, 'products', state, 'analytics-products'),
      table('analytics.provinces', r.provinces, 'provinces', state, 'analytics-provinces'));
  } catch (err) {
    replaceChildren(box, note('error', errorMessage(err)));
  }
}

const { me, error } = await initShell({ auth: 'required' });
if (me) {
  const memberships = sellingMemberships(me);
  const wanted = params.get('org');
  const chosen = memberships.find((m) => m.org.id === wanted) || memberships[0];
  const org = chosen ? chosen.org : (wanted && me.account && me.account.platform_role === 'operator' ? { id: wanted, name: wanted } : null);
  if (!org) {
    replaceChildren($('#state-box'), el('section', { class: 'card', 'data-testid': 'analytics-no-org' },
      el('p', { i18n: 'console.no_org' }),
      el('p', {}, el('a', { class: 'btn btn-secondary', href: '/org.html', i18n: 'console.to_orgs' }))));
  } else {
    const today = beijingToday();
    const state = {
      org: org.id,
      from: params.get('from') || addDays(today, -29),
      to: params.get('to') || today,
      by: ['day', 'week', 'month'].includes(params.get('by')) ? params.get('by') : 'day',
    };
    $('#console').hidden = false;
    $('#org-title').textContent = org.name;
    const form = $('#period');
    form.elements.namedItem('from').value = state.from;
    form.elements.namedItem('to').value = state.to;
    form.elements.namedItem('by').value = state.by;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      state.from = form.elements.namedItem('from').value;
      state.to = form.elements.namedItem('to').value;
      state.by = form.elements.namedItem('by').value;
      history.replaceState(null, '', location.pathname + query({ org: state.org, from: state.from, to: state.to, by: state.by }));
      load(state);
    });
    await load(state);
  }
} else if (error && !error.redirecting) {
  $('#console').hidden = false;
  replaceChildren($('#report'), note('muted', { i18n: 'common.unavailable' }));
}
