// Credit terms (账期, issue #22). A business buyer's members see their line (limit, owed,
// available, overdue) and monthly statements with their lines; the operator and platform
// finance grant lines, see every receivable with the identity
// `charged − refunded − paid = outstanding`, and finance records bank transfers against
// statements.

import { api, seg } from '../api.js';
import { fenToYuan, formatFen, parseYuan } from '../catalog.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, el, facts, flash, flashError, formatTime, note, orgPicker, pickOrg, replaceChildren,
  showErrors, validationError, withBusy,
} from '../ui.js';

const params = new URLSearchParams(location.search);
const body = $('#cterms-body');
const STATUS = { open: 'cterms.st_open', paid: 'cterms.st_paid', overdue: 'cterms.st_overdue' };
const LINE = { active: 'cterms.active', suspended: 'cterms.suspended' };
const KIND = {
  charge: 'cterms.kind_charge', refund: 'cterms.kind_refund', payment: 'cterms.kind_payment',
  credit_brought: 'cterms.kind_credit_brought', credit_carried: 'cterms.kind_credit_carried',
};
// Lines that take their amount off a statement (the others add it).
const TAKES_OFF = new Set(['refund', 'credit_brought']);

function summary(l) {
  return facts([
    ['cterms.limit_label', formatFen(l.limit_fen), 'line-limit'],
    ['cterms.terms', String(l.terms_days)],
    ['cterms.status', el('span', { i18n: LINE[l.status] })],
    ['cterms.outstanding', formatFen(l.outstanding_fen), 'line-outstanding'],
    ['cterms.available', formatFen(l.available_fen), 'line-available'],
    ['cterms.overdue', formatFen(l.overdue_fen)],
  ], { 'data-testid': 'credit-line' });
}

function paymentForm(s, reload) {
  const id = `pay-${s.id}`;
  const amount = el('input', { id: `${id}-amount`, name: 'amount_fen', type: 'text', inputmode: 'decimal', value: fenToYuan(s.left_fen), 'data-testid': 'statement-pay-amount' });
  const reference = el('input', { id: `${id}-ref`, name: 'reference', type: 'text', maxlength: '80', 'data-testid': 'statement-pay-reference' });
  const save = el('button', { type: 'submit', class: 'btn btn-primary', i18n: 'cterms.record', 'data-testid': 'statement-pay' });
  const form = el('form', { class: 'subform', method: 'post', action: '#', novalidate: '' },
    el('p', { class: 'form-error', 'data-form-error': '', role: 'alert', hidden: '' }),
    el('div', { class: 'field' }, el('label', { for: amount.id, i18n: 'cterms.amount' }), amount,
      el('p', { class: 'field-error', 'data-error-for': 'amount_fen', hidden: '' })),
    el('div', { class: 'field' }, el('label', { for: reference.id, i18n: 'cterms.reference' }), reference,
      el('p', { class: 'field-error', 'data-error-for': 'reference', hidden: '' })),
    el('div', { class: 'actions' }, save));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    withBusy(save, async () => {
      const fen = parseYuan(amount.value);
      if (Number.isNaN(fen)) {
        showErrors(form, validationError({ amount_fen: t('cterms.amount_invalid') }));
        return;
      }
      await api.post(`/credit/statements/${seg(s.id)}/payments`, { amount_fen: fen, reference: reference.value.trim() });
      flash(el('span', { i18n: 'cterms.recorded' }), 'success');
      await reload();
    }, (err) => showErrors(form, err));
  });
  return form;
}

function statementItem(s, finance, reload) {
  const lines = el('div', { 'data-testid': 'statement-lines' });
  const details = el('details', {},
    el('summary', { i18n: 'cterms.lines' }), lines);
  details.addEventListener('toggle', async () => {
    if (!details.open || lines.dataset.loaded) return;
    try {
      const full = await api.get(`/credit/statements/${seg(s.id)}`);
      lines.dataset.loaded = '1';
      replaceChildren(lines,
        el('ul', { class: 'list' }, full.lines.map((l) => el('li', {},
          el('span', { i18n: KIND[l.kind] }), ' ', el('span', { text: l.order_number || '' }), ' ',
          el('span', { class: 'money', text: formatFen(TAKES_OFF.has(l.kind) ? -l.amount_fen : l.amount_fen) })))),
        full.payments.length ? el('ul', { class: 'list' }, full.payments.map((p) => el('li', {},
          el('span', { i18n: KIND.payment }), ' ', el('span', { text: p.reference }), ' ',
          el('span', { class: 'money', text: formatFen(p.amount_fen) }), ' ',
          el('time', { datetime: p.at, text: formatTime(p.at) })))) : '');
    } catch (err) {
      flashError(err);
    }
  });
  return el('li', { class: 'card', 'data-testid': 'statement', dataset: { id: s.id, status: s.status } },
    el('div', { class: 'item-head' },
      el('strong', { text: s.month }),
      el('span', { class: 'badge', 'data-testid': 'statement-status', i18n: STATUS[s.status] })),
    facts([
      ['cterms.total', formatFen(s.total_fen), 'statement-total'],
      ['cterms.paid', formatFen(s.paid_fen)],
      ['cterms.left', formatFen(s.left_fen), 'statement-left'],
      ['cterms.due', s.due_date],
    ]),
    details,
    finance && s.left_fen > 0 ? paymentForm(s, reload) : '',
    !finance && s.left_fen > 0 ? el('p', { class: 'muted', i18n: 'cterms.how_to_pay' }) : '');
}

async function statementsOf(org, box, finance) {
  const reload = () => statementsOf(org, box, finance);
  const list = await api.get(`/orgs/${seg(org)}/credit/statements`);
  replaceChildren(box, list.length
    ? el('ul', { class: 'cards', 'data-testid': 'statements' }, list.map((s) => statementItem(s, finance, reload)))
    : note('empty', { i18n: 'cterms.no_statements' }));
}

async function buyerView(me) {
  const buyers = (me.memberships || []).filter((m) => m.org && m.org.kind === 'business_buyer');
  const org = pickOrg(buyers, params);
  if (!org) {
    replaceChildren(body, note('empty', { i18n: 'cterms.no_org' }));
    return;
  }
  replaceChildren($('#org-picker'), orgPicker(buyers, org, 'credit-org-select'));
  let line;
  try {
    line = await api.get(`/orgs/${seg(org.id)}/credit`);
  } catch (err) {
    if (err.status === 404) {
      replaceChildren(body, note('empty', { i18n: 'cterms.no_line' }));
      return;
    }
    throw err;
  }
  const box = el('div', {});
  replaceChildren(body, el('section', { class: 'card' }, summary(line)),
    el('section', { class: 'card' }, el('h2', { i18n: 'cterms.statements' }), box));
  await statementsOf(org.id, box, false);
}

async function staffView(role) {
  const finance = role === 'finance';
  const rec = await api.get('/credit/receivables');
  const holds = rec.charged_fen - rec.refunded_fen - rec.paid_fen === rec.outstanding_fen;
  const rows = rec.lines.map((l) => {
    const box = el('div', {});
    const open = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'cterms.statements', 'data-testid': 'line-statements' });
    open.addEventListener('click', () => withBusy(open, () => statementsOf(l.org_id, box, finance)));
    return el('li', { class: 'card', 'data-testid': 'receivable', dataset: { org: l.org_id } },
      el('div', { class: 'item-head' }, el('strong', { text: l.org_name })), summary(l), open, box);
  });
  replaceChildren($('#receivables-body'),
    facts([
      ['cterms.charged', formatFen(rec.charged_fen)],
      ['cterms.refunded', formatFen(rec.refunded_fen)],
      ['cterms.paid', formatFen(rec.paid_fen)],
      ['cterms.outstanding', formatFen(rec.outstanding_fen)],
      ['cterms.overdue', formatFen(rec.overdue_fen)],
    ], { 'data-testid': 'receivables-totals' }),
    el('p', { class: holds ? 'muted' : 'form-error', 'data-testid': 'receivables-identity', i18n: holds ? 'cterms.identity_holds' : 'cterms.identity_broken' }),
    rows.length ? el('ul', { class: 'cards' }, rows) : note('empty', { i18n: 'cterms.no_lines' }));
  $('#receivables').hidden = false;
  // Lines granted already, and (for the operator) every verified business buyer.
  const orgs = new Map(rec.lines.map((l) => [l.org_id, l.org_name]));
  if (role === 'operator') {
    try {
      const page = await api.get('/admin/orgs?kind=business_buyer&status=verified&limit=100');
      for (const o of page.items || []) orgs.set(o.id, o.name);
    } catch (err) {
      flashError(err);
    }
  }
  const wanted = params.get('org');
  if (wanted && !orgs.has(wanted)) orgs.set(wanted, wanted);
  const select = $('#grant-org');
  replaceChildren(select, [...orgs].map(([id, name]) => el('option', { value: id, text: name })));
  if (wanted) select.value = wanted;
  $('#grant').hidden = false;
  body.hidden = true;
}

$('#grant-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  withBusy($('#grant-save'), async () => {
    const fen = parseYuan(form.elements.limit_fen.value);
    if (Number.isNaN(fen)) {
      showErrors(form, validationError({ limit_fen: t('cterms.amount_invalid') }));
      return;
    }
    await api.put(`/orgs/${seg(form.elements.org.value)}/credit`, {
      limit_fen: fen,
      terms_days: Number(form.elements.terms_days.value),
      status: form.elements.status.value,
    });
    flash(el('span', { i18n: 'cterms.saved' }), 'success');
    await staffView(state.role);
  }, (err) => showErrors(form, err));
});

const state = { role: null };
const { me } = await initShell({ auth: 'required' });
if (me) {
  state.role = me.account.platform_role;
  try {
    if (state.role === 'operator' || state.role === 'finance') await staffView(state.role);
    else await buyerView(me);
  } catch (err) {
    replaceChildren(body, note('error', err.message || ''));
    flashError(err);
  }
}
