// Platform finance pays the sellers: a payout batch for a period (one payout per seller with a
// verified settlement account; the rest held), the bank's batch-transfer file (CSV or XLSX),
// each payout marked paid with the bank's reference or failed with a reason (its sub-orders
// join the next batch), and the queue of settlement accounts to verify or reject.

import { api, query, seg } from '../api.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, badge, clearErrors, el, flash, flashError, note, replaceChildren, showErrors, timeEl,
  validationError, withBusy,
} from '../ui.js';
import { formatFen } from '../catalog.js';
import {
  adjustmentRows, beijingToday, exportHref, linesTotal, moneyEl, referenceValid, validDay,
} from '../payouts.js';

const form = $('#new-batch');
const batchBox = $('#batch-box');

function heldList(held) {
  if (!held || !held.length) return null;
  return el('div', { class: 'note note-info', 'data-testid': 'held' },
    el('p', { i18n: 'opspay.held_title' }),
    el('ul', {}, held.map((h) => el('li', { 'data-testid': 'held-seller' },
      el('strong', { text: h.org_name }), ' · ', badge('held_reason', h.reason), ' · ',
      el('span', { i18n: 'opspay.held_amount', args: { n: h.sub_orders } }), ' ', moneyEl(h.amount)))));
}

function settleForms(p, batchId) {
  if (p.status !== 'pending') return null;
  const paid = el('form', { class: 'inline-field', 'data-testid': 'paid-form' });
  const refId = `ref-${p.id}`;
  paid.append(
    el('label', { for: refId, i18n: 'opspay.reference' }),
    el('input', { id: refId, type: 'text', name: 'reference', maxlength: '64', autocomplete: 'off', 'data-testid': 'reference' }),
    el('button', { type: 'submit', class: 'btn btn-primary btn-small', i18n: 'opspay.mark_paid', 'data-testid': 'mark-paid' }),
    el('p', { class: 'field-error', 'data-error-for': 'reference', hidden: true }));
  paid.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(paid);
    const reference = paid.elements.namedItem('reference').value.trim();
    if (!referenceValid(reference)) {
      showErrors(paid, validationError({ reference: t('opspay.e_reference') }));
      return;
    }
    withBusy(paid.querySelector('button'), async () => {
      await api.post(`/finance/payouts/${seg(p.id)}/paid`, { reference });
      flash(t('opspay.paid_done', { name: p.org_name }), 'success');
      await openBatch(batchId);
    }, (err) => showErrors(paid, err));
  });
  const failed = el('form', { class: 'inline-field', 'data-testid': 'failed-form' });
  const reasonId = `reason-${p.id}`;
  failed.append(
    el('label', { for: reasonId, i18n: 'opspay.failure_reason' }),
    el('input', { id: reasonId, type: 'text', name: 'reason', maxlength: '200', autocomplete: 'off', 'data-testid': 'failure-reason' }),
    el('button', { type: 'submit', class: 'btn btn-secondary btn-small', i18n: 'opspay.mark_failed', 'data-testid': 'mark-failed' }),
    el('p', { class: 'field-error', 'data-error-for': 'reason', hidden: true }));
  failed.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(failed);
    const reason = failed.elements.namedItem('reason').value.trim();
    if (reason.length < 2) {
      showErrors(failed, validationError({ reason: t('opspay.e_reason') }));
      return;
    }
    withBusy(failed.querySelector('button'), async () => {
      await api.post(`/finance/payouts/${seg(p.id)}/failed`, { reason });
      flash(t('opspay.failed_done', { name: p.org_name }), 'success');
      await openBatch(batchId);
    }, (err) => showErrors(failed, err));
  });
  return el('div', { class: 'payout-actions' }, paid, failed);
}

// A payout that takes refunds back (charged to the seller after an earlier payout), or gives
// one back (a reversal: the payout holding the sub-order failed after the refund was taken
// back): its sub-orders with these are its amount — itemised so finance can answer the seller.
function adjustmentsOf(p) {
  if (!p.adjustments || !p.adjustments.length) return null;
  return el('details', { class: 'adjustments', 'data-testid': 'payout-adjustments' },
    el('summary', {}, el('span', { 'data-testid': 'payout-sum',
      i18n: p.adjusted > 0 ? 'opspay.sum_line_credit' : 'opspay.sum_line', args: {
        lines: formatFen(linesTotal(p)), back: formatFen(Math.abs(p.adjusted)), amount: formatFen(p.amount) } })),
    el('table', { class: 'units-table' },
      el('caption', { class: 'visually-hidden', i18n: 'opspay.adjustments' }),
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col', i18n: 'opspay.adj_sub_order' }),
        el('th', { scope: 'col', i18n: 'opspay.adj_reason' }),
        el('th', { scope: 'col', i18n: 'opspay.adj_at' }),
        el('th', { scope: 'col', class: 'num', i18n: 'opspay.adj_amount' }))),
      el('tbody', {}, adjustmentRows(p.adjustments))));
}

function payoutsTable(batch) {
  return el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'data-i18n-aria-label': 'opspay.payouts' },
    el('table', { class: 'units-table', 'data-testid': 'payouts' },
      el('caption', { class: 'visually-hidden', i18n: 'opspay.payouts' }),
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col', i18n: 'opspay.seq' }),
        el('th', { scope: 'col', i18n: 'opspay.payee' }),
        el('th', { scope: 'col', i18n: 'opspay.account' }),
        el('th', { scope: 'col', class: 'num', i18n: 'opspay.amount' }),
        el('th', { scope: 'col', i18n: 'opspay.status' }),
        el('th', { scope: 'col', i18n: 'opspay.actions' }))),
      el('tbody', {}, batch.payouts.map((p) => el('tr', { 'data-testid': 'payout', dataset: { payoutId: p.id, status: p.status } },
        el('td', { text: String(p.seq) }),
        el('td', {}, el('strong', { text: p.org_name }), el('br'), el('span', { class: 'muted', text: p.account_name })),
        el('td', {}, el('span', { class: 'mono', text: p.account_no }), el('br'),
          el('span', { class: 'muted', text: [p.bank_name, p.branch, p.cnaps].filter(Boolean).join(' · ') })),
        el('td', { class: 'num' }, moneyEl(p.amount), el('br'), el('span', { class: 'muted', i18n: 'opspay.sub_orders', args: { n: p.sub_order_count } }),
          adjustmentsOf(p)),
        el('td', {}, badge('payout_status', p.status, 'payout-status'),
          p.bank_reference ? el('div', { class: 'mono', 'data-testid': 'payout-reference', text: p.bank_reference }) : null,
          p.failure_reason ? el('div', { class: 'muted', text: p.failure_reason }) : null),
        el('td', {}, settleForms(p, batch.id)))))));
}

async function openBatch(id) {
  batchBox.hidden = false;
  const box = $('#batch');
  box.setAttribute('aria-busy', 'true');
  try {
    const b = await api.get(`/finance/payout-batches/${seg(id)}`);
    replaceChildren($('#batch-title'), el('span', { i18n: 'opspay.batch_title', args: { number: b.number } }));
    batchBox.dataset.batchId = b.id;
    replaceChildren(box,
      el('p', { class: 'muted' },
        el('span', { i18n: 'opspay.batch_facts', args: { end: b.period_end, n: b.payout_count } }), ' ', moneyEl(b.total, 'batch-total')),
      el('p', { class: 'actions' },
        el('a', { class: 'btn btn-secondary', href: exportHref(b.id, 'csv'), download: '', i18n: 'opspay.download_csv', 'data-testid': 'download-csv' }),
        el('a', { class: 'btn btn-secondary', href: exportHref(b.id, 'xlsx'), download: '', i18n: 'opspay.download_xlsx', 'data-testid': 'download-xlsx' })),
      el('p', { class: 'muted small', i18n: 'opspay.file_hint' }),
      heldList(b.held),
      payoutsTable(b));
  } catch (err) {
    replaceChildren(box, note('error', { i18n: 'common.unavailable' }));
    flashError(err);
  } finally {
    box.removeAttribute('aria-busy');
  }
}

async function loadBatches() {
  const box = $('#batches');
  try {
    const list = await api.get('/finance/payout-batches' + query({ limit: 20 }));
    if (!list.items.length) {
      replaceChildren(box, note('empty', { i18n: 'opspay.no_batches' }));
      return;
    }
    replaceChildren(box, el('ul', { class: 'mini-list' }, list.items.map((b) => el('li', { 'data-testid': 'batch-row' },
      el('button', { type: 'button', class: 'btn btn-quiet', text: b.number, on: { click: () => openBatch(b.id) } }),
      ' ', el('span', { class: 'muted', i18n: 'opspay.batch_facts', args: { end: b.period_end, n: b.payout_count } }),
      ' ', moneyEl(b.total), ' ', timeEl(b.created_at)))));
  } catch (err) {
    replaceChildren(box, note('error', { i18n: 'common.unavailable' }));
    flashError(err);
  }
}

function accountRow(a) {
  const row = el('li', { class: 'card', 'data-testid': 'account-row', dataset: { accountId: a.id } });
  const reasonId = `reject-${a.id}`;
  const reject = el('form', { class: 'inline-field' },
    el('label', { for: reasonId, i18n: 'opspay.reject_reason' }),
    el('input', { id: reasonId, type: 'text', name: 'reason', maxlength: '200', autocomplete: 'off' }),
    el('button', { type: 'submit', class: 'btn btn-secondary btn-small', i18n: 'opspay.reject' }),
    el('p', { class: 'field-error', 'data-error-for': 'reason', hidden: true }));
  reject.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(reject);
    const reason = reject.elements.namedItem('reason').value.trim();
    if (reason.length < 2) {
      showErrors(reject, validationError({ reason: t('opspay.e_reason') }));
      return;
    }
    withBusy(reject.querySelector('button'), async () => {
      await api.post(`/finance/bank-accounts/${seg(a.id)}/reject`, { version: a.version, reason });
      flash(t('opspay.rejected_done'), 'success');
      await loadAccounts();
    }, (err) => showErrors(reject, err));
  });
  const verify = el('button', { type: 'button', class: 'btn btn-primary btn-small', i18n: 'opspay.verify', 'data-testid': 'verify-account' });
  verify.addEventListener('click', () => withBusy(verify, async () => {
    await api.post(`/finance/bank-accounts/${seg(a.id)}/verify`, { version: a.version });
    flash(t('opspay.verified_done'), 'success');
    await loadAccounts();
  }));
  row.append(
    el('p', {}, el('strong', { text: a.account_name }), ' ', badge('account_status', a.status)),
    el('p', { class: 'mono', text: a.account_no }),
    el('p', { class: 'muted', text: [a.bank_name, a.branch, a.cnaps].filter(Boolean).join(' · ') }),
    el('p', { class: 'muted small' }, el('span', { i18n: 'opspay.submitted_at' }), ' ', timeEl(a.submitted_at)),
    el('div', { class: 'actions' }, verify, reject));
  return row;
}

async function loadAccounts() {
  const box = $('#accounts');
  try {
    const list = await api.get('/finance/bank-accounts' + query({ status: 'pending', limit: 50 }));
    replaceChildren(box, list.items.length
      ? el('ul', { class: 'mini-list' }, list.items.map(accountRow))
      : note('empty', { i18n: 'opspay.no_accounts' }));
  } catch (err) {
    replaceChildren(box, note('error', { i18n: 'common.unavailable' }));
    flashError(err);
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(form);
  const periodEnd = form.elements.namedItem('period_end').value;
  if (!validDay(periodEnd)) {
    showErrors(form, validationError({ period_end: t('opspay.e_date') }));
    return;
  }
  withBusy(form.querySelector('button[type="submit"]'), async () => {
    const b = await api.post('/finance/payout-batches', { period_end: periodEnd });
    flash(t('opspay.created', { number: b.number, n: b.payout_count }), 'success');
    await Promise.all([openBatch(b.id), loadBatches()]);
  }, (err) => showErrors(form, err));
});

const { me } = await initShell({ auth: 'required' });
if (me) {
  if (me.account.platform_role !== 'finance') {
    $('#forbidden').hidden = false;
  } else {
    $('#console').hidden = false;
    form.elements.namedItem('period_end').value = beijingToday();
    await Promise.all([loadBatches(), loadAccounts()]);
  }
}
