// The operator's seller list by shop credit (信用, issue #20): every verified seller's figures
// and level, sorted by any column on the server (GET /credit/sellers?sort=&order=). The sort
// lives in the address.

import { api, query } from '../api.js';
import { levelBadge, minutes, percent, stars } from '../credit.js';
import { initShell } from '../shell.js';
import { $, el, errorMessage, note, replaceChildren } from '../ui.js';

const params = new URLSearchParams(location.search);
const state = { sort: params.get('sort') || 'score', order: params.get('order') === 'asc' ? 'asc' : 'desc' };
const COLUMNS = [
  ['name', 'opscredit.col_name', (c) => el('a', { href: '/credit.html' + query({ org: c.org_id }), text: c.name })],
  ['score', 'opscredit.col_level', (c) => [levelBadge(c.assessment.level, 'opscredit-level'), c.assessment.score === null ? '' : ` ${c.assessment.score}`]],
  ['rating', 'credit.rating', (c) => `${stars(c.rating_x100)} (${c.figures.ratings})`],
  ['positive', 'credit.positive', (c) => percent(c.positive_bp)],
  ['claim_rate', 'credit.claim_rate', (c) => percent(c.claim_rate_bp)],
  ['on_time', 'credit.on_time', (c) => percent(c.on_time_bp)],
  ['response', 'credit.response', (c) => (minutes(c.response_avg_secs) === null ? '—' : el('span', { i18n: 'credit.minutes', args: { n: minutes(c.response_avg_secs) } }))],
  ['months', 'credit.months', (c) => String(c.figures.months)],
  ['orders', 'opscredit.col_orders', (c) => String(c.figures.orders)],
  ['recalls', 'credit.recalls', (c) => String(c.figures.recalls)],
];

function header([key, label]) {
  const active = state.sort === key;
  const next = active && state.order === 'desc' ? 'asc' : 'desc';
  return el('th', { scope: 'col', 'aria-sort': active ? (state.order === 'asc' ? 'ascending' : 'descending') : null },
    el('a', { href: location.pathname + query({ sort: key, order: next }), i18n: label, 'data-testid': 'sort-' + key }),
    active ? (state.order === 'asc' ? ' ▲' : ' ▼') : '');
}

async function load() {
  const box = $('#credit-list');
  try {
    const list = await api.get('/credit/sellers' + query(state));
    replaceChildren(box, list.length
      ? el('div', { class: 'table-scroll' }, el('table', { class: 'table' },
        el('thead', {}, el('tr', {}, COLUMNS.map(header))),
        el('tbody', {}, list.map((c) => el('tr', { 'data-testid': 'opscredit-row' }, COLUMNS.map(([, , cell]) => el('td', {}, cell(c))))))))
      : note('empty', { i18n: 'opscredit.none' }));
  } catch (err) {
    replaceChildren(box, note('error', err.status === 403 ? { i18n: 'opscredit.forbidden' } : errorMessage(err)));
  }
}

const { me } = await initShell({ auth: 'required' });
if (me) await load();
