// A seller's settlement statement for the parts of orders paid in a period (Beijing days): what
// buyers paid, the platform's commission, refunds by who bears them (only the seller's own share
// reduces what it is owed; the platform's and the carrier's do not), what is payable now
// (received, after-sales window closed), what is still pending, and every part with its figures.

import { api, query, seg } from '../api.js';
import { sellingMemberships } from '../catalog.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, badge, clearErrors, el, errorMessage, flashError, note, replaceChildren, showErrors, timeEl,
  validationError,
} from '../ui.js';
import { validDate } from '../trace.js';
import { moneyEl, monthSoFar, orderHref } from '../orders.js';

const params = new URLSearchParams(location.search);
const form = $('#period');
const box = $('#settlement');
const LIMIT = 50;
const page = { org: null, offset: 0, from: '', to: '' };

function pickOrg(memberships) {
  const wanted = params.get('org');
  const chosen = memberships.find((m) => m.org.id === wanted) || memberships[0];
  return chosen ? chosen.org : null;
}

function orgPicker(memberships, org) {
  if (memberships.length < 2) return null;
  const select = el('select', { id: 'org-select', name: 'org', 'data-testid': 'settle-org-select' },
    memberships.map((m) => el('option', { value: m.org.id, selected: m.org.id === org.id, text: m.org.name })));
  select.addEventListener('change', () => location.assign(location.pathname + query({ org: select.value })));
  return el('div', { class: 'inline-field org-picker' }, el('label', { for: 'org-select', i18n: 'console.org' }), select);
}

function totalsEl(totals) {
  const row = (key, fen, testid, cls = '') => el('div', { class: 'total-tile ' + cls, 'data-testid': testid },
    el('dt', { i18n: key }), el('dd', {}, moneyEl(fen, null, 'money money-big')));
  return el('dl', { class: 'totals', 'data-testid': 'settle-totals' },
    row('settle.sales', totals.sales, 'settle-sales'),
    row('settle.commission', totals.commission, 'settle-commission'),
    row('settle.refunds', totals.refunds, 'settle-refunds'),
    row('settle.refunds_seller', totals.refunds_seller, 'settle-refunds-seller'),
    row('settle.refunds_platform', totals.refunds_platform, 'settle-refunds-platform'),
    row('settle.refunds_carrier', totals.refunds_carrier, 'settle-refunds-carrier'),
    row('settle.payable', totals.payable, 'settle-payable', 'is-payable'),
    row('settle.pending', totals.pending, 'settle-pending'),
    row('settle.owed', (Number(totals.payable) || 0) + (Number(totals.pending) || 0), 'settle-owed'));
}

function linesTable(lines) {
  if (!lines.length) return note('empty', { i18n: 'settle.none' });
  return el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'data-i18n-aria-label': 'settle.lines' },
    el('table', { class: 'units-table settle-table', 'data-testid': 'settle-lines' },
      el('caption', { class: 'visually-hidden', i18n: 'settle.lines' }),
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col', i18n: 'settle.number' }),
        el('th', { scope: 'col', i18n: 'settle.paid_at' }),
        el('th', { scope: 'col', i18n: 'settle.received_at' }),
        el('th', { scope: 'col', i18n: 'settle.window_closes_at' }),
        el('th', { scope: 'col', class: 'num', i18n: 'settle.total' }),
        el('th', { scope: 'col', class: 'num', i18n: 'settle.refunds' }),
        el('th', { scope: 'col', class: 'num', i18n: 'settle.refunds_seller' }),
        el('th', { scope: 'col', class: 'num', i18n: 'settle.refunds_platform' }),
        el('th', { scope: 'col', class: 'num', i18n: 'settle.refunds_carrier' }),
        el('th', { scope: 'col', class: 'num', i18n: 'settle.commission' }),
        el('th', { scope: 'col', class: 'num', i18n: 'settle.payable_col' }),
        el('th', { scope: 'col', i18n: 'settle.state' }))),
      el('tbody', {}, lines.map((l) => el('tr', { 'data-testid': 'settle-line', dataset: { subOrderId: l.sub_order_id, state: l.state } },
        el('td', { class: 'mono' }, el('a', { href: orderHref(l.order_id), text: l.number })),
        el('td', {}, timeEl(l.paid_at)),
        el('td', {}, timeEl(l.received_at)),
        el('td', {}, timeEl(l.window_closes_at)),
        el('td', { class: 'num' }, moneyEl(l.total, 'line-total')),
        el('td', { class: 'num' }, moneyEl(l.refunded)),
        el('td', { class: 'num' }, moneyEl(l.refunded_seller, 'line-refund-seller')),
        el('td', { class: 'num' }, moneyEl(l.refunded_platform, 'line-refund-platform')),
        el('td', { class: 'num' }, moneyEl(l.refunded_carrier, 'line-refund-carrier')),
        el('td', { class: 'num' }, moneyEl(l.commission, 'line-commission')),
        el('td', { class: 'num' }, moneyEl(l.payable, 'line-payable')),
        el('td', {}, ['payable', 'pending'].includes(l.state) ? badge('settle_state', l.state) : el('span', { text: l.state })))))));
}

async function load(from, to, offset = 0) {
  page.from = from;
  page.to = to;
  page.offset = offset;
  history.replaceState(null, '', location.pathname + query({ org: page.org.id, from, to }));
  box.setAttribute('aria-busy', 'true');
  try {
    const s = await api.get(`/orgs/${seg(page.org.id)}/settlement` + query({ from, to, limit: LIMIT, offset }));
    const lines = Array.isArray(s.lines) ? s.lines : [];
    const totals = s.totals || {};
    const count = Number(totals.sub_orders ?? lines.length) || 0;
    const pager = el('nav', { class: 'pager', 'data-i18n-aria-label': 'verify.pager', hidden: count <= LIMIT && offset === 0 },
      el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'verify.prev', disabled: offset <= 0, on: { click: () => load(from, to, Math.max(0, offset - LIMIT)) } }),
      el('span', { class: 'muted', i18n: 'verify.page_info', args: { from: count ? offset + 1 : 0, to: offset + lines.length, total: count } }),
      el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'verify.next', disabled: offset + lines.length >= count, on: { click: () => load(from, to, offset + LIMIT) } }));
    replaceChildren(box,
      el('section', { class: 'card', 'aria-labelledby': 'totals-title' },
        el('h3', { id: 'totals-title' }, el('span', { i18n: 'settle.period', args: { from: s.from || from, to: s.to || to } })),
        totalsEl(totals),
        s.generated_at ? el('p', { class: 'muted small' }, el('span', { i18n: 'settle.generated_at' }), ' ', timeEl(s.generated_at)) : null),
      el('section', { class: 'card', 'aria-labelledby': 'lines-title' },
        el('h3', { id: 'lines-title' }, el('span', { i18n: 'settle.lines' }), ' ', el('span', { class: 'muted', i18n: 'settle.count', args: { n: count } })),
        linesTable(lines),
        pager));
    box.dataset.state = 'done';
  } catch (err) {
    box.dataset.state = 'error';
    if (err.redirecting) return;
    if (err.fields && Object.keys(err.fields).length) showErrors(form, err);
    replaceChildren(box, note('error', errorMessage(err)));
    flashError(err);
  } finally {
    box.removeAttribute('aria-busy');
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(form);
  const from = form.elements.namedItem('from').value;
  const to = form.elements.namedItem('to').value;
  const problems = {};
  if (!validDate(from)) problems.from = t('batches.e_date');
  if (!validDate(to)) problems.to = t('batches.e_date');
  if (!Object.keys(problems).length && from > to) problems.to = t('settle.e_order');
  if (Object.keys(problems).length) {
    showErrors(form, validationError(problems));
    return;
  }
  load(from, to);
});

const { me, error } = await initShell({ auth: 'required' });
if (me) {
  const memberships = sellingMemberships(me);
  const org = pickOrg(memberships);
  if (!org) {
    replaceChildren($('#state-box'), el('section', { class: 'card', 'data-testid': 'settle-no-org' },
      el('p', { i18n: 'console.no_org' }),
      el('p', {}, el('a', { class: 'btn btn-secondary', href: '/org.html', i18n: 'console.to_orgs' }))));
  } else {
    page.org = org;
    $('#payouts-link').href = '/seller/payouts.html' + query({ org: org.id });
    replaceChildren($('#org-picker'), orgPicker(memberships, org));
    $('#console').hidden = false;
    $('#org-title').textContent = org.name;
    const month = monthSoFar();
    const from = validDate(params.get('from')) ? params.get('from') : month.from;
    const to = validDate(params.get('to')) ? params.get('to') : month.to;
    form.elements.namedItem('from').value = from;
    form.elements.namedItem('to').value = to;
    await load(from, to);
  }
} else if (error && !error.redirecting) {
  replaceChildren($('#state-box'), note('muted', { i18n: 'common.unavailable' }));
}
