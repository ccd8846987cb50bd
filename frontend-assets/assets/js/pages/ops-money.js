// The platform's money for a period (GET /platform/money), for the operator and platform
// finance: what buyers paid for the sub-orders paid in the period, where it went (refunds by
// who bears them, the platform's commission, what sellers are owed now and later) and what the
// platform bears or recovers from carriers — then the identity docs/MONEY.md keeps to the fen,
// `received = refunds + commission + owed − platform expense − carrier recourse`, with whether
// it holds for these figures. The period is kept in the address (?from=&to=).

import { api, query } from '../api.js';
import { formatFen } from '../catalog.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, clearErrors, el, errorMessage, facts, flashError, note, replaceChildren, showErrors,
  validationError,
} from '../ui.js';
import { beijingToday, moneyEl, validDay as validDate } from '../payouts.js';

/** The longest period the API takes, in days. */
const MAX_DAYS = 366;
const form = $('#period');

function readUrl() {
  const p = new URLSearchParams(location.search);
  const today = beijingToday();
  const month = { from: `${today.slice(0, 8)}01`, to: today };
  const from = validDate(p.get('from')) ? p.get('from') : month.from;
  const to = validDate(p.get('to')) ? p.get('to') : month.to;
  form.elements.namedItem('from').value = from;
  form.elements.namedItem('to').value = to;
  return { from, to };
}

/** The identity's right-hand side from the view's own figures (fen, integers). */
export function identityOf(m) {
  const right = m.refunds.total + m.commission + m.owed - m.platform_expense - m.carrier_recourse;
  return { right, holds: right === m.received };
}

function figures(m) {
  return facts([
    ['pmoney.received', moneyEl(m.received, 'pm-received'), 'fig-received'],
    ['pmoney.sub_orders', el('span', { 'data-testid': 'pm-sub-orders', text: String(m.sub_orders) }), 'fig-sub-orders'],
    ['pmoney.refunds_total', moneyEl(m.refunds.total, 'pm-refunds'), 'fig-refunds'],
    ['pmoney.refunds_seller', moneyEl(m.refunds.seller, 'pm-refunds-seller'), 'fig-refunds-seller'],
    ['pmoney.refunds_platform', moneyEl(m.refunds.platform, 'pm-refunds-platform'), 'fig-refunds-platform'],
    ['pmoney.refunds_carrier', moneyEl(m.refunds.carrier, 'pm-refunds-carrier'), 'fig-refunds-carrier'],
    ['pmoney.commission', moneyEl(m.commission, 'pm-commission'), 'fig-commission'],
    ['pmoney.payable', moneyEl(m.payable, 'pm-payable'), 'fig-payable'],
    ['pmoney.pending', moneyEl(m.pending, 'pm-pending'), 'fig-pending'],
    ['pmoney.owed', moneyEl(m.owed, 'pm-owed'), 'fig-owed'],
    ['pmoney.platform_expense', moneyEl(m.platform_expense, 'pm-platform-expense'), 'fig-platform-expense'],
    ['pmoney.carrier_recourse', moneyEl(m.carrier_recourse, 'pm-carrier-recourse'), 'fig-carrier-recourse'],
    ['pmoney.sellers', el('span', { text: String((m.sellers || []).length) }), 'fig-sellers'],
  ]);
}

function identity(m) {
  const { right, holds } = identityOf(m);
  const f = (fen) => formatFen(fen);
  return el('div', { 'data-testid': 'pm-identity', dataset: { holds: String(holds) } },
    el('p', { class: 'muted', i18n: 'pmoney.identity_words' }),
    el('p', { class: 'mono', 'data-testid': 'pm-identity-line', i18n: 'pmoney.identity_line', args: {
      received: f(m.received), refunds: f(m.refunds.total), commission: f(m.commission),
      owed: f(m.owed), expense: f(m.platform_expense), recourse: f(m.carrier_recourse) } }),
    holds
      ? note('info', { i18n: 'pmoney.holds', args: { right: f(right) } })
      : note('error', { i18n: 'pmoney.broken', args: { right: f(right), received: f(m.received), gap: f(m.received - right) } }));
}

async function load({ from, to }) {
  const box = $('#figures');
  box.setAttribute('aria-busy', 'true');
  try {
    const m = await api.get('/platform/money' + query({ from, to }));
    replaceChildren(box,
      el('p', { class: 'muted', i18n: 'pmoney.period_of', args: { from: m.from, to: m.to } }),
      figures(m));
    replaceChildren($('#identity'), identity(m));
    box.dataset.state = 'done';
  } catch (err) {
    box.dataset.state = 'error';
    if (err.redirecting) return;
    if (err.status === 403) {
      $('#console').hidden = true;
      $('#forbidden').hidden = false;
      return;
    }
    if (err.status === 422 || err.status === 400) {
      showErrors(form, err);
    } else {
      replaceChildren(box, note('error', errorMessage(err)));
      flashError(err);
    }
    replaceChildren($('#identity'));
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
  if (!validDate(from)) problems.from = t('pmoney.e_date');
  if (!validDate(to)) problems.to = t('pmoney.e_date');
  else if (validDate(from) && to < from) problems.to = t('pmoney.e_order');
  else if (validDate(from) && (Date.parse(to) - Date.parse(from)) / 86_400_000 >= MAX_DAYS) problems.to = t('pmoney.e_long');
  if (Object.keys(problems).length) {
    showErrors(form, validationError(problems));
    return;
  }
  history.replaceState(null, '', location.pathname + query({ from, to }));
  load({ from, to });
});

const period = readUrl();
const { me, error } = await initShell({ auth: 'required' });
if (me) {
  if (!['operator', 'finance'].includes(me.account.platform_role)) {
    $('#forbidden').hidden = false;
  } else {
    $('#console').hidden = false;
    await load(period);
  }
} else if (error && !error.redirecting) {
  $('#console').hidden = false;
  replaceChildren($('#figures'), note('muted', { i18n: 'common.unavailable' }));
}
