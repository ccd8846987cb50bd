// A business buyer's purchasing console (issue #22): the owner sets the buyer's kind and the
// approval limit; managers and the owner approve or reject purchasers' orders above it.

import { api, query, seg } from '../api.js';
import { fenToYuan, formatFen, parseYuan } from '../catalog.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, el, flash, flashError, formatTime, note, orgPicker, pickOrg, replaceChildren, showErrors,
  validationError, withBusy,
} from '../ui.js';

const params = new URLSearchParams(location.search);
const body = $('#purch-body');
const state = { org: null, role: null };

const approves = (role) => role === 'owner' || role === 'manager';

async function loadSettings() {
  const p = await api.get(`/orgs/${seg(state.org.id)}/purchasing`);
  const form = $('#settings-form');
  form.elements.buyer_kind.value = p.buyer_kind || '';
  form.elements.approval_limit_fen.value = fenToYuan(p.approval_limit_fen);
  const owner = state.role === 'owner';
  for (const input of form.elements) input.disabled = !owner;
  $('#settings-save').hidden = !owner;
  replaceChildren($('#my-role'), el('span', { i18n: 'purch.my_role' }), ' ',
    el('strong', { i18n: `role.${state.role}` }));
  $('#settings').hidden = false;
}

$('#settings-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget;
  withBusy($('#settings-save'), async () => {
    const raw = form.elements.approval_limit_fen.value.trim();
    const fen = raw === '' ? null : parseYuan(raw);
    if (Number.isNaN(fen)) {
      showErrors(form, validationError({ approval_limit_fen: t('purch.limit_invalid') }));
      return;
    }
    await api.put(`/orgs/${seg(state.org.id)}/purchasing`, {
      buyer_kind: form.elements.buyer_kind.value || null,
      approval_limit_fen: fen,
    });
    flash(el('span', { i18n: 'purch.saved' }), 'success');
    await loadSettings();
  }, (err) => showErrors(form, err));
});

function approvalCard(a) {
  const reasonId = `reason-${a.order_id}`;
  const reason = el('input', { id: reasonId, type: 'text', maxlength: '200', 'data-testid': 'approval-reason' });
  const decide = (what, button) => withBusy(button, async () => {
    await api.post(`/orders/${seg(a.order_id)}/${what}`, { reason: reason.value.trim() || null });
    flash(el('span', { i18n: what === 'approve' ? 'purch.approved' : 'purch.rejected', args: { number: a.order_number } }), 'success');
    await loadApprovals();
  });
  const approve = el('button', { type: 'button', class: 'btn btn-primary', i18n: 'purch.approve', 'data-testid': 'approval-approve' });
  const reject = el('button', { type: 'button', class: 'btn btn-danger-quiet', i18n: 'purch.reject', 'data-testid': 'approval-reject' });
  approve.addEventListener('click', () => decide('approve', approve));
  reject.addEventListener('click', () => decide('reject', reject));
  return el('li', { class: 'card', 'data-testid': 'approval-item', dataset: { order: a.order_id } },
    el('div', { class: 'item-head' },
      el('strong', { text: a.order_number }),
      el('span', { class: 'money', 'data-testid': 'approval-total', text: formatFen(a.total_fen) })),
    el('p', { class: 'muted' },
      el('span', { i18n: 'purch.requested_by', args: { name: a.requested_by_name, limit: formatFen(a.limit_fen) } }),
      ' · ', el('time', { datetime: a.requested_at, text: formatTime(a.requested_at) })),
    el('ul', { class: 'list' }, a.lines.map((l) => el('li', {
      text: `${l.title} · ${l.sku_name} × ${l.quantity} = ${formatFen(l.line_fen)}`,
    }))),
    el('div', { class: 'inline-field' },
      el('label', { for: reasonId, i18n: 'purch.reason' }), reason),
    el('div', { class: 'actions' }, approve, reject));
}

async function loadApprovals() {
  const box = $('#approvals-body');
  const page = await api.get(`/orgs/${seg(state.org.id)}/approvals` + query({ status: 'pending', limit: 50 }));
  const items = (page && page.items) || [];
  replaceChildren(box, items.length
    ? el('ul', { class: 'cards' }, items.map(approvalCard))
    : note('empty', { i18n: 'purch.no_approvals' }));
  box.dataset.state = 'done';
  $('#approvals').hidden = false;
}

const { me } = await initShell({ auth: 'required' });
if (me) {
  const buyers = (me.memberships || []).filter((m) => m.org && m.org.kind === 'business_buyer');
  const org = pickOrg(buyers, params);
  if (!org) {
    replaceChildren(body, el('section', { class: 'card', 'data-testid': 'purchasing-no-org' },
      el('p', { i18n: 'purch.no_org' }),
      el('p', {}, el('a', { class: 'btn btn-secondary', href: '/org.html', i18n: 'purch.to_orgs' }))));
  } else {
    state.org = org;
    state.role = buyers.find((m) => m.org.id === org.id).role;
    replaceChildren($('#org-picker'), orgPicker(buyers, org, 'purchasing-org-select'));
    replaceChildren(body);
    try {
      await loadSettings();
      if (approves(state.role)) await loadApprovals();
    } catch (err) {
      replaceChildren(body, note('error', err.message || ''));
      flashError(err);
    }
  }
}
