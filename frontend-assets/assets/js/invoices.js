// Invoices (发票) for business buyers: the box under each seller's part of an order (ask for an
// invoice, see where it stands, download the PDF with its SHA-256) and the card the seller's
// queue shows (issue, or reject with a reason). What each person may do is the server's word
// (`defaults` on the order's list, `can.issue`, `can.download`).

import { api, seg } from './api.js';
import { t } from './i18n.js';
import { badge, clearErrors, el, facts, flash, flashError, optional, replaceChildren, setBusy, showErrors, timeEl } from './ui.js';
import { moneyEl } from './orders.js';

export const INVOICE_STATUSES = ['requested', 'issuing', 'issued', 'rejected'];
export const INVOICE_KINDS = ['normal', 'special'];
/** A sub-order is invoiced once paid. */
const PAID_STATES = ['paid', 'acknowledged', 'shipped', 'received'];

export function invoiceStatusBadge(status, testid = 'invoice-status') {
  return badge('invoice_status', status, testid);
}

/** An order's invoices as I may see them; empty when the server says nothing. */
export async function loadOrderInvoices(orderId) {
  try {
    const data = await api.get(`/orders/${seg(orderId)}/invoices`);
    return { defaults: (data && data.defaults) || null, invoices: (data && data.invoices) || [] };
  } catch {
    // The order stands on its own; an invoice problem shows where the invoice is asked for.
    return { defaults: null, invoices: [] };
  }
}

/** The PDF link and the SHA-256 it was issued with. */
function pdfEl(inv) {
  if (!inv.pdf || !inv.can.download) return null;
  return el('span', { class: 'invoice-pdf' },
    el('a', { class: 'btn btn-secondary btn-small', href: inv.pdf.url, target: '_blank', rel: 'noopener', i18n: 'invoice.download', 'data-testid': 'invoice-pdf' }),
    ' ',
    el('span', { class: 'muted small' }, el('span', { i18n: 'invoice.sha256' }), ' ',
      el('code', { class: 'mono hash', text: inv.pdf.sha256, 'data-testid': 'invoice-sha256' })));
}

/** What an invoice says and where it stands. */
export function invoiceFacts(inv, { showBuyer = false } = {}) {
  return facts([
    ['invoice.kind', el('span', { i18n: 'invoice_kind.' + inv.kind })],
    ['invoice.title', el('span', { text: inv.title }), 'invoice-title'],
    ['invoice.tax_no', el('span', { class: 'mono', text: inv.tax_no }), 'invoice-tax-no'],
    ['invoice.bank', showBuyer && inv.bank ? el('span', { text: `${inv.bank} ${inv.bank_account || ''}` }) : null],
    ['invoice.address', showBuyer && inv.address ? el('span', { text: `${inv.address} ${inv.phone || ''}` }) : null],
    ['invoice.email', inv.email ? el('span', { text: inv.email }) : null],
    ['invoice.requested_at', timeEl(inv.requested_at)],
    ['invoice.number', inv.number ? el('span', { class: 'mono', text: inv.number }) : null, 'invoice-number'],
    ['invoice.amount', inv.amount != null ? moneyEl(inv.amount, 'invoice-amount') : null],
    ['invoice.issued_at', inv.issued_at && inv.status === 'issued' ? timeEl(inv.issued_at) : null],
    ['invoice.reject_reason', inv.reject_reason ? el('span', { class: 'pre-line', text: inv.reject_reason }) : null, 'invoice-reject-reason'],
  ], { class: 'facts facts-compact' });
}

/** A red reversal is due: refunded after issue. */
function redEl(inv) {
  if (!inv.red_needed) return null;
  return el('p', { class: 'note note-error', 'data-testid': 'invoice-red' },
    el('span', { i18n: 'invoice.red_needed' }), ' ', moneyEl(inv.refunded_after_issue || 0));
}

/** One invoice; `actions` (the seller's) below it. */
export function invoiceEl(inv, { showBuyer = false, actions = null, heading = null } = {}) {
  return el('div', { class: 'invoice', 'data-testid': 'invoice', dataset: { invoiceId: inv.id, status: inv.status } },
    el('div', { class: 'item-head' }, heading || el('span', { i18n: 'invoice.section' }), invoiceStatusBadge(inv.status)),
    invoiceFacts(inv, { showBuyer }),
    redEl(inv),
    pdfEl(inv),
    actions);
}

function field(formId, name, labelKey, input, hintKey = null) {
  input.id = `${formId}-${name}`;
  input.name = name;
  input.setAttribute('aria-describedby', `${formId}-${name}-error`);
  return el('div', { class: 'field' },
    el('label', { for: input.id, i18n: labelKey }),
    input,
    hintKey ? el('p', { class: 'hint', i18n: hintKey }) : null,
    el('p', { class: 'field-error', id: `${formId}-${name}-error`, 'data-error-for': name, hidden: true }));
}

/** The buyer's request form for one part, title and tax number filled from the organisation. */
function requestForm(sub, defaults, slot, opener, onChange) {
  const formId = `invoice-${sub.id}`;
  const kind = el('select', { 'data-testid': 'invoice-kind' },
    INVOICE_KINDS.map((k) => el('option', { value: k, i18n: 'invoice_kind.' + k })));
  const special = el('div', { class: 'invoice-special', hidden: true, 'data-testid': 'invoice-special' },
    field(formId, 'bank', 'invoice.bank_name', el('input', { type: 'text', maxlength: '100', autocomplete: 'off' })),
    field(formId, 'bank_account', 'invoice.bank_account', el('input', { type: 'text', inputmode: 'numeric', maxlength: '40', autocomplete: 'off' })),
    field(formId, 'address', 'invoice.reg_address', el('input', { type: 'text', maxlength: '200' })),
    field(formId, 'phone', 'invoice.reg_phone', el('input', { type: 'tel', maxlength: '30' })));
  kind.addEventListener('change', () => { special.hidden = kind.value !== 'special'; });
  const submit = el('button', { type: 'submit', class: 'btn btn-primary', i18n: 'invoice.submit', 'data-testid': 'invoice-submit' });
  const cancel = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel' });
  const form = el('form', { class: 'subform invoice-form', method: 'post', action: '#', novalidate: true, 'data-testid': 'invoice-form' },
    el('p', { class: 'form-error', 'data-form-error': '', role: 'alert', hidden: true }),
    field(formId, 'kind', 'invoice.kind', kind),
    field(formId, 'title', 'invoice.title', el('input', { type: 'text', maxlength: '100', value: defaults.title, 'data-testid': 'invoice-title-input' })),
    field(formId, 'tax_no', 'invoice.tax_no', el('input', { type: 'text', class: 'mono', maxlength: '18', value: defaults.tax_no, autocomplete: 'off', 'data-testid': 'invoice-tax-input' }), 'invoice.tax_no_hint'),
    special,
    field(formId, 'email', 'invoice.email', el('input', { type: 'email', maxlength: '100', autocomplete: 'email' }), 'invoice.email_hint'),
    el('div', { class: 'actions' }, submit, cancel));
  cancel.addEventListener('click', () => { replaceChildren(slot); opener.hidden = false; opener.focus(); });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const body = { kind: kind.value, title: optional(form, 'title'), tax_no: optional(form, 'tax_no') };
    if (kind.value === 'special') {
      for (const name of ['bank', 'bank_account', 'address', 'phone']) body[name] = optional(form, name);
    }
    const email = optional(form, 'email');
    if (email) body.email = email;
    setBusy(submit, true);
    try {
      await api.post(`/sub-orders/${seg(sub.id)}/invoices`, body);
      flash(t('invoice.requested'), 'success');
      await onChange();
    } catch (err) {
      showErrors(form, err);
    } finally {
      setBusy(submit, false);
    }
  });
  opener.hidden = true;
  replaceChildren(slot, form);
  form.querySelector('select').focus();
}

/**
 * The invoice box of one part on the order page: its invoices, and — for a member of the
 * business buyer, once the part is paid and none is active — a way to ask for one.
 */
export function subInvoiceEl(sub, data, onChange) {
  const mine = data.invoices.filter((i) => i.sub_order_id === sub.id);
  const active = mine.some((i) => i.status !== 'rejected');
  const due = (Number(sub.total) || 0) - (Number(sub.refunded) || 0) > 0;
  const canRequest = Boolean(data.defaults) && !active && PAID_STATES.includes(sub.status) && due;
  if (!mine.length && !canRequest) return null;
  const slot = el('div');
  let opener = null;
  if (canRequest) {
    opener = el('button', { type: 'button', class: 'btn btn-secondary btn-small', i18n: 'invoice.request', 'data-testid': 'invoice-request' });
    opener.addEventListener('click', () => requestForm(sub, data.defaults, slot, opener, onChange));
  }
  return el('div', { class: 'sub-invoices', 'data-testid': 'sub-invoices' },
    el('h3', { class: 'after-sales-title', i18n: 'invoice.section' }),
    mine.slice().reverse().map((inv) => invoiceEl(inv, { heading: el('span', { i18n: 'invoice_kind.' + inv.kind }) })),
    opener ? el('div', { class: 'actions' }, opener, el('span', { class: 'hint', i18n: 'invoice.request_hint' })) : null,
    slot);
}

/** The seller's buttons on a requested invoice: issue, or reject with a reason. */
export function sellerActions(inv, onChange) {
  if (!inv.can.issue && !inv.can.reject) return null;
  const issue = el('button', { type: 'button', class: 'btn btn-primary', i18n: 'invoice.issue', 'data-testid': 'invoice-issue' });
  issue.addEventListener('click', async () => {
    setBusy(issue, true);
    try {
      await api.post(`/invoices/${seg(inv.id)}/issue`, {});
      flash(t('invoice.issued'), 'success');
      await onChange();
    } catch (err) {
      flashError(err);
    } finally {
      setBusy(issue, false);
    }
  });
  const reasonId = `reject-${inv.id}`;
  const reason = el('textarea', { id: reasonId, name: 'reason', rows: '2', maxlength: '500', 'aria-describedby': `${reasonId}-error`, 'data-testid': 'invoice-reject-reason-input' });
  const reject = el('button', { type: 'submit', class: 'btn btn-danger-quiet', i18n: 'invoice.reject', 'data-testid': 'invoice-reject' });
  const form = el('form', { class: 'subform', method: 'post', action: '#', novalidate: true },
    el('p', { class: 'form-error', 'data-form-error': '', role: 'alert', hidden: true }),
    el('div', { class: 'field' },
      el('label', { for: reasonId, i18n: 'invoice.reject_reason_label' }),
      reason,
      el('p', { class: 'field-error', id: `${reasonId}-error`, 'data-error-for': 'reason', hidden: true })),
    el('div', { class: 'actions' }, reject));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    setBusy(reject, true);
    try {
      await api.post(`/invoices/${seg(inv.id)}/reject`, { reason: reason.value });
      flash(t('invoice.rejected'), 'success');
      await onChange();
    } catch (err) {
      showErrors(form, err);
    } finally {
      setBusy(reject, false);
    }
  });
  return el('div', { class: 'invoice-actions' }, el('div', { class: 'actions' }, issue), form);
}
