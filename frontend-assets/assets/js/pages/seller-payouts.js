// A seller's settlement bank account and its payouts. The owner registers the account (a
// change needs a code sent to the owner's phone and waits for finance again: no payout goes
// out meanwhile); everyone in the shop sees the account masked, every payout with its status,
// amount and the bank's reference, and the sub-orders each one paid with the refunds it took
// back (recalled or refunded after an earlier payout): sub-orders − refunds = the amount.

import { api, query, seg } from '../api.js';
import { codeButton } from '../codes.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, badge, clearErrors, el, flash, flashError, note, optional, replaceChildren, showErrors, timeEl,
  validationError, value, withBusy,
} from '../ui.js';
import { accountDigits, adjustmentRows, cnapsValid, linesTotal, moneyEl } from '../payouts.js';
import { formatFen, sellingMemberships } from '../catalog.js';

const params = new URLSearchParams(location.search);
const form = $('#account-form');
const state = { org: null, owner: false, hasAccount: false };

function pickOrg(memberships) {
  const wanted = params.get('org');
  return memberships.find((m) => m.org.id === wanted) || memberships[0] || null;
}

function orgPicker(memberships, org) {
  if (memberships.length < 2) return null;
  const select = el('select', { id: 'org-select', name: 'org' },
    memberships.map((m) => el('option', { value: m.org.id, selected: m.org.id === org.id, text: m.org.name })));
  select.addEventListener('change', () => location.assign(location.pathname + query({ org: select.value })));
  return el('div', { class: 'inline-field org-picker' }, el('label', { for: 'org-select', i18n: 'console.org' }), select);
}

function accountCard(a) {
  if (!a) return note('empty', { i18n: 'spay.no_account' });
  return el('div', { 'data-testid': 'account-card', dataset: { status: a.status } },
    el('p', {}, el('strong', { text: a.account_name }), ' ', badge('account_status', a.status, 'account-status')),
    el('p', { class: 'mono', 'data-testid': 'account-masked', text: a.account_no }),
    el('p', { class: 'muted', text: [a.bank_name, a.branch, a.cnaps].filter(Boolean).join(' · ') }),
    a.status === 'pending' ? note('info', { i18n: 'spay.pending_note' }) : null,
    a.reject_reason ? el('p', { class: 'note note-error', 'data-testid': 'reject-reason' },
      el('span', { i18n: 'spay.rejected_because' }), ' ', el('span', { text: a.reject_reason })) : null);
}

function historyList(history) {
  if (!history.length) return note('empty', { i18n: 'spay.no_history' });
  return el('ul', { class: 'mini-list' }, history.map((h) => el('li', {},
    timeEl(h.at), ' ', badge('account_action', h.action), ' ',
    h.account_no ? el('span', { class: 'mono', text: h.account_no }) : null,
    h.reason ? el('span', { class: 'muted', text: ' ' + h.reason }) : null)));
}

async function loadAccount() {
  const view = await api.get(`/orgs/${seg(state.org.id)}/bank-account`);
  state.hasAccount = Boolean(view.account);
  replaceChildren($('#account'), accountCard(view.account));
  replaceChildren($('#history'), historyList(view.history || []));
  if (state.owner) {
    form.hidden = false;
    $('#code-field').hidden = !state.hasAccount;
    if (view.account) {
      replaceChildren($('#account'), accountCard(view.account),
        el('p', { class: 'muted small', i18n: 'spay.change_hint' }));
    }
  } else {
    $('#account').append(note('muted', { i18n: 'spay.owner_only' }));
  }
}

// The refunds a payout took back: recalled or refunded after an earlier payout had paid their
// sub-orders, so this payout is less than its sub-orders by exactly these.
function adjustmentsTable(p) {
  if (!p.adjustments || !p.adjustments.length) return null;
  return el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'data-i18n-aria-label': 'spay.adjustments' },
    el('table', { class: 'units-table', 'data-testid': 'payout-adjustments' },
      el('caption', {}, el('span', { i18n: 'spay.adjustments' })),
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col', i18n: 'spay.sub_order' }),
        el('th', { scope: 'col', i18n: 'spay.adj_reason' }),
        el('th', { scope: 'col', i18n: 'spay.adj_at' }),
        el('th', { scope: 'col', class: 'num', i18n: 'spay.adj_amount' }))),
      el('tbody', {}, adjustmentRows(p.adjustments))));
}

// Sub-orders − refunds taken back = the payout, in words the seller can check.
function sumLine(p) {
  if (!p.adjusted) return null;
  return el('p', { class: 'note note-info', 'data-testid': 'payout-sum' },
    el('span', { i18n: p.adjusted > 0 ? 'spay.sum_line_credit' : 'spay.sum_line', args: {
      lines: formatFen(linesTotal(p)), back: formatFen(Math.abs(p.adjusted)), amount: formatFen(p.amount) } }));
}

async function showPayout(id) {
  const box = $('#payout-detail');
  try {
    const p = await api.get(`/payouts/${seg(id)}`);
    replaceChildren(box, el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'data-i18n-aria-label': 'spay.detail' },
      el('table', { class: 'units-table', 'data-testid': 'payout-lines' },
        el('caption', {}, el('span', { i18n: 'spay.detail_of', args: { number: p.batch_number } })),
        el('thead', {}, el('tr', {},
          el('th', { scope: 'col', i18n: 'spay.sub_order' }),
          el('th', { scope: 'col', class: 'num', i18n: 'spay.total' }),
          el('th', { scope: 'col', class: 'num', i18n: 'spay.refunded' }),
          el('th', { scope: 'col', class: 'num', i18n: 'spay.commission' }),
          el('th', { scope: 'col', class: 'num', i18n: 'spay.payable' }))),
        el('tbody', {}, p.sub_orders.map((l) => el('tr', {},
          el('td', { class: 'mono', text: l.number }),
          el('td', { class: 'num' }, moneyEl(l.total)),
          el('td', { class: 'num' }, moneyEl(l.refunded)),
          el('td', { class: 'num' }, moneyEl(l.commission)),
          el('td', { class: 'num' }, moneyEl(l.payable))))))),
      adjustmentsTable(p),
      sumLine(p));
  } catch (err) {
    flashError(err);
  }
}

// Refunds charged after a payout that the next one will take back, and reversals it will give
// back (a payout failed after its sub-order's refund had been taken back elsewhere).
async function loadOpenAdjustments() {
  const open = await api.get(`/orgs/${seg(state.org.id)}/payout-adjustments`);
  if (!open.length) {
    replaceChildren($('#open-adjustments'));
    return;
  }
  const back = open.reduce((sum, a) => sum + a.amount, 0);
  replaceChildren($('#open-adjustments'), el('div', { class: 'note note-info', 'data-testid': 'open-adjustments' },
    el('p', { i18n: back > 0 ? 'spay.open_credit' : 'spay.open_adjustments', args: { back: formatFen(Math.abs(back)) } }),
    el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'data-i18n-aria-label': 'spay.adjustments' },
      el('table', { class: 'units-table' },
        el('thead', {}, el('tr', {},
          el('th', { scope: 'col', i18n: 'spay.sub_order' }),
          el('th', { scope: 'col', i18n: 'spay.adj_reason' }),
          el('th', { scope: 'col', i18n: 'spay.adj_at' }),
          el('th', { scope: 'col', class: 'num', i18n: 'spay.adj_amount' }))),
        el('tbody', {}, adjustmentRows(open))))));
}

async function loadPayouts() {
  await loadOpenAdjustments();
  const list = await api.get(`/orgs/${seg(state.org.id)}/payouts` + query({ limit: 50 }));
  if (!list.items.length) {
    replaceChildren($('#payouts'), note('empty', { i18n: 'spay.no_payouts' }));
    return;
  }
  replaceChildren($('#payouts'), el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'data-i18n-aria-label': 'spay.payouts_title' },
    el('table', { class: 'units-table' },
      el('caption', { class: 'visually-hidden', i18n: 'spay.payouts_title' }),
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col', i18n: 'spay.batch' }),
        el('th', { scope: 'col', i18n: 'spay.created_at' }),
        el('th', { scope: 'col', class: 'num', i18n: 'spay.amount' }),
        el('th', { scope: 'col', i18n: 'spay.status' }),
        el('th', { scope: 'col', i18n: 'spay.reference' }),
        el('th', { scope: 'col', i18n: 'spay.to_account' }),
        el('th', { scope: 'col', i18n: 'spay.sub_orders' }))),
      el('tbody', {}, list.items.map((p) => el('tr', { 'data-testid': 'payout', dataset: { payoutId: p.id, status: p.status } },
        el('td', { class: 'mono', text: p.batch_number }),
        el('td', {}, timeEl(p.created_at)),
        el('td', { class: 'num' }, moneyEl(p.amount, 'payout-amount'),
          p.adjusted ? el('div', { class: 'muted small', 'data-testid': 'payout-adjusted' },
            el('span', { i18n: p.adjusted > 0 ? 'spay.adjusted_credit' : 'spay.adjusted', args: { back: formatFen(Math.abs(p.adjusted)) } })) : null),
        el('td', {}, badge('payout_status', p.status, 'payout-status'),
          p.failure_reason ? el('div', { class: 'muted', text: p.failure_reason }) : null),
        el('td', { class: 'mono', 'data-testid': 'payout-reference', text: p.bank_reference || '—' }),
        el('td', { class: 'mono', text: p.account_no }),
        el('td', {}, el('button', { type: 'button', class: 'btn btn-quiet', 'data-testid': 'payout-open',
          i18n: 'spay.show_sub_orders', args: { n: p.sub_order_count }, on: { click: () => showPayout(p.id) } }))))))));
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(form);
  const problems = {};
  const body = {
    account_name: value(form, 'account_name'),
    account_no: accountDigits(value(form, 'account_no')),
    bank_name: value(form, 'bank_name'),
    branch: value(form, 'branch'),
    cnaps: optional(form, 'cnaps'),
  };
  if (body.account_name.length < 2) problems.account_name = t('spay.e_name');
  if (!body.account_no) problems.account_no = t('spay.e_account_no');
  if (body.bank_name.length < 2) problems.bank_name = t('spay.e_bank');
  if (body.branch.length < 2) problems.branch = t('spay.e_branch');
  if (!cnapsValid(body.cnaps)) problems.cnaps = t('spay.e_cnaps');
  if (state.hasAccount) {
    body.code = value(form, 'code');
    if (!/^\d{6}$/.test(body.code)) problems.code = t('spay.e_code');
  }
  if (Object.keys(problems).length) {
    showErrors(form, validationError(problems));
    return;
  }
  withBusy(form.querySelector('button[type="submit"]'), async () => {
    await api.put(`/orgs/${seg(state.org.id)}/bank-account`, body);
    flash(t('spay.saved'), 'success');
    form.reset();
    await loadAccount();
  }, (err) => showErrors(form, err));
});

const { me, error } = await initShell({ auth: 'required' });
if (me) {
  const memberships = sellingMemberships(me);
  const chosen = pickOrg(memberships);
  if (!chosen) {
    replaceChildren($('#state-box'), el('section', { class: 'card' },
      el('p', { i18n: 'console.no_org' }),
      el('p', {}, el('a', { class: 'btn btn-secondary', href: '/org.html', i18n: 'console.to_orgs' }))));
  } else {
    state.org = chosen.org;
    state.owner = chosen.role === 'owner';
    replaceChildren($('#org-picker'), orgPicker(memberships, chosen.org));
    $('#console').hidden = false;
    codeButton($('#send-code'), { form, purpose: 'bank_account', phone: () => me.account.phone || '' });
    try {
      await Promise.all([loadAccount(), loadPayouts()]);
    } catch (err) {
      replaceChildren($('#state-box'), note('error', { i18n: 'common.unavailable' }));
      flashError(err);
    }
  }
} else if (error && !error.redirecting) {
  replaceChildren($('#state-box'), note('muted', { i18n: 'common.unavailable' }));
}
