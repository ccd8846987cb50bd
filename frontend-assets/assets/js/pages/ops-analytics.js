// The operator's platform analytics (平台分析, issue #20): platform-wide sales by day/week/month
// with new and returning buyers, top sellers and products, claims and the service desk, with
// CSV and XLSX downloads. The operator and platform finance; no figure is hidden for small
// groups (the operator has a duty to see) and no buyer is named. The period lives in the address.

import { api, query } from '../api.js';
import { formatFen } from '../catalog.js';
import { initShell } from '../shell.js';
import { $, el, errorMessage, facts, note, replaceChildren } from '../ui.js';

const params = new URLSearchParams(location.search);
const DAY_MS = 86_400_000;
const beijingToday = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
const addDays = (day, n) => new Date(Date.parse(day + 'T00:00:00Z') + n * DAY_MS).toISOString().slice(0, 10);
const en = () => document.documentElement.lang === 'en';

function percent(bp) {
  if (bp === null || bp === undefined) return '—';
  const tenths = Math.round(bp / 10);
  return `${Math.floor(tenths / 10)}.${tenths % 10}%`;
}

function duration(secs) {
  if (secs === null || secs === undefined) return '—';
  if (secs < 3600) return `${Math.round(secs / 60)} min`;
  return `${(secs / 3600).toFixed(1)} h`;
}

const link = (state, format, view) => '/api/v1/analytics/platform' + query({ from: state.from, to: state.to, by: state.by, format, view });

function downloads(state, view, testid) {
  return el('span', { class: 'actions' },
    el('a', { class: 'btn btn-quiet btn-small', href: link(state, 'csv', view), i18n: 'pa.csv', 'data-testid': testid + '-csv' }),
    el('a', { class: 'btn btn-quiet btn-small', href: link(state, 'xlsx', view), i18n: 'pa.xlsx', 'data-testid': testid + '-xlsx' }));
}

function salesTable(titleKey, rows, view, state, testid, withSplit) {
  const head = ['pa.col_group', 'pa.col_orders', 'pa.col_gmv', 'pa.col_net', 'pa.col_buyers'];
  if (withSplit) head.push('pa.col_new', 'pa.col_returning');
  return el('section', { class: 'card', 'data-testid': testid },
    el('div', { class: 'section-head' }, el('h2', { i18n: titleKey }), downloads(state, view, testid)),
    rows.length
      ? el('div', { class: 'table-scroll' }, el('table', { class: 'table' },
        el('thead', {}, el('tr', {}, head.map((k) => el('th', { scope: 'col', i18n: k })))),
        el('tbody', {}, rows.map((r) => el('tr', {},
          el('th', { scope: 'row', text: en() ? r.label_en || r.label : r.label }),
          el('td', { text: String(r.orders) }),
          el('td', { text: formatFen(r.gmv_fen) }),
          el('td', { text: formatFen(r.net_fen) }),
          el('td', { text: String(r.buyers) }),
          withSplit ? el('td', { text: String(r.new_buyers ?? '—') }) : null,
          withSplit ? el('td', { text: String(r.returning_buyers ?? '—') }) : null)))))
      : note('muted', { i18n: 'pa.none' }));
}

function render(r, state) {
  const t = r.total;
  const c = r.claims;
  const d = r.desk;
  return [
    el('section', { class: 'card', 'data-testid': 'pa-total' },
      el('div', { class: 'section-head' }, el('h2', { i18n: 'pa.total' }), downloads(state, 'series', 'pa-series-dl')),
      facts([
        ['pa.gmv', el('strong', { text: formatFen(t.gmv_fen), 'data-testid': 'pa-gmv' })],
        ['pa.net', el('span', { text: formatFen(t.net_fen) })],
        ['pa.refunds', el('span', { text: formatFen(t.refund_fen) })],
        ['pa.orders', el('span', { text: String(t.orders), 'data-testid': 'pa-orders' })],
        ['pa.buyers', el('span', { i18n: 'pa.buyers_value', args: { n: t.buyers, fresh: t.new_buyers, back: t.returning_buyers }, 'data-testid': 'pa-buyers' })],
        ['pa.sellers', el('span', { i18n: 'pa.sellers_value', args: { s: r.sellers, p: r.products } })],
      ])),
    salesTable('pa.series', r.series, 'series', state, 'pa-series', true),
    el('div', { class: 'two-col' },
      salesTable('pa.top_sellers', r.top_sellers, 'sellers', state, 'pa-sellers', false),
      salesTable('pa.top_products', r.top_products, 'products', state, 'pa-products', false)),
    el('div', { class: 'two-col' },
      el('section', { class: 'card', 'data-testid': 'pa-claims' },
        el('div', { class: 'section-head' }, el('h2', { i18n: 'pa.claims' }), downloads(state, 'claims', 'pa-claims')),
        facts([
          ['pa.claims_n', el('span', { i18n: 'pa.claims_value', args: { n: c.claims, d: c.delivered, rate: percent(c.claim_rate_bp) }, 'data-testid': 'pa-claim-rate' })],
          ['pa.first_response', el('span', { text: duration(c.first_response_p50_secs) })],
          ['pa.resolution', el('span', { text: duration(c.resolution_p50_secs) })],
          ['pa.escalated', el('span', { text: percent(c.escalation_share_bp) })],
          ['pa.refunded', el('span', { text: formatFen(c.refunded) })],
        ])),
      el('section', { class: 'card', 'data-testid': 'pa-desk' },
        el('h2', { i18n: 'pa.desk' }),
        facts([
          ['pa.conversations', el('span', { i18n: 'pa.conversations_value', args: { n: d.conversations, a: d.answered, share: percent(d.answered_share_bp) } })],
          ['pa.response', el('span', { text: duration(d.response_avg_secs) })],
          ['pa.tickets', el('span', { i18n: 'pa.tickets_value', args: { u: d.tickets_unassigned, o: d.tickets_overdue } })],
        ]))),
  ];
}

async function load(state) {
  const box = $('#report');
  replaceChildren(box, note('muted', { i18n: 'common.loading' }));
  try {
    const r = await api.get('/analytics/platform' + query({ from: state.from, to: state.to, by: state.by }));
    replaceChildren(box, ...render(r, state));
  } catch (err) {
    if (err.status === 403) {
      $('#console').hidden = true;
      $('#forbidden').hidden = false;
    } else if (!err.redirecting) {
      replaceChildren(box, note('error', errorMessage(err)));
    }
  }
}

const { me } = await initShell({ auth: 'required' });
if (me) {
  if (!['operator', 'finance'].includes(me.account.platform_role)) {
    $('#forbidden').hidden = false;
  } else {
    const today = beijingToday();
    const state = {
      from: params.get('from') || addDays(today, -29),
      to: params.get('to') || today,
      by: ['day', 'week', 'month'].includes(params.get('by')) ? params.get('by') : 'day',
    };
    $('#console').hidden = false;
    const form = $('#period');
    form.elements.namedItem('from').value = state.from;
    form.elements.namedItem('to').value = state.to;
    form.elements.namedItem('by').value = state.by;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      state.from = form.elements.namedItem('from').value;
      state.to = form.elements.namedItem('to').value;
      state.by = form.elements.namedItem('by').value;
      history.replaceState(null, '', location.pathname + query(state));
      load(state);
    });
    await load(state);
  }
}
