// Reconciliation (对账) for the operator and platform finance: the open differences between
// the providers' daily bills and the ledger, each resolved with a note; a day reconciled by
// hand; the runs. The ledger is never changed from here.

import { api, query } from '../api.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import { $, el, flash, flashError, replaceChildren, timeEl, withBusy } from '../ui.js';
import { formatFen } from '../catalog.js';

const BILLING = ['wechat', 'alipay'];

function providerName(p) {
  return BILLING.includes(p) ? t(`opsrecon.provider_${p}`) : p;
}

function resolveCell(d) {
  const input = el('input', {
    type: 'text', maxLength: 500, required: true,
    'aria-label': t('opsrecon.note_label'), placeholder: t('opsrecon.note_placeholder'),
    'data-testid': 'opsrecon-note',
  });
  const button = el('button', { type: 'submit', class: 'btn btn-small', 'data-testid': 'opsrecon-resolve' },
    t('opsrecon.resolve'));
  const form = el('form', { class: 'form-inline' }, input, button);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    withBusy(button, async () => {
      await api.post(`/reconciliation/differences/${d.id}/resolve`, { note: input.value });
      flash(t('opsrecon.resolved'), 'success');
      await loadDifferences();
    });
  });
  return form;
}

async function loadDifferences() {
  const page = await api.get('/reconciliation/differences' + query({ resolved: false, limit: 100 }));
  $('#open-count').textContent = t('opsrecon.open_count', { total: page.total });
  replaceChildren($('#diff-rows'), page.items.map((d) => el('tr', { 'data-testid': 'opsrecon-difference' },
    el('td', {}, d.date),
    el('td', {}, providerName(d.provider)),
    el('td', { 'data-testid': 'opsrecon-kind', 'data-kind': d.kind }, document.documentElement.lang === 'en' ? d.kind_en : d.kind_zh),
    el('td', { class: 'mono' }, d.out_refund_no || d.out_trade_no || '—'),
    el('td', { class: 'money' }, formatFen(d.ours_fen)),
    el('td', { class: 'money' }, formatFen(d.theirs_fen)),
    el('td', {}, resolveCell(d)),
  )));
}

async function loadRuns() {
  const page = await api.get('/reconciliation/runs' + query({ limit: 60 }));
  replaceChildren($('#run-rows'), page.items.map((r) => el('tr', { 'data-testid': 'opsrecon-run' },
    el('td', {}, r.date),
    el('td', {}, providerName(r.provider)),
    el('td', { 'data-status': r.status, title: r.error || '' }, t(`opsrecon.status_${r.status}`)),
    el('td', {}, String(r.bill_entries)),
    el('td', {}, String(r.matched)),
    el('td', {}, String(r.differences)),
    el('td', {}, r.finished_at ? timeEl(r.finished_at) : '—'),
  )));
}

async function loadAll() {
  try {
    await Promise.all([loadDifferences(), loadRuns()]);
  } catch (err) {
    flashError(err);
  }
}

async function setUpForm() {
  const offered = await api.get('/payments/methods').catch(() => ({ methods: [] }));
  const providers = [...new Set(offered.methods.map((m) => m.provider))].filter((p) => BILLING.includes(p));
  if (!providers.length) {
    $('#run-form').hidden = true;
    $('#no-providers').hidden = false;
    return;
  }
  replaceChildren($('#run-provider'), providers.map((p) => el('option', { value: p }, providerName(p))));
  const yesterday = new Date(Date.now() + 8 * 3600e3 - 86400e3).toISOString().slice(0, 10);
  $('#run-date').value = yesterday;
  $('#run-date').max = yesterday;
  $('#run-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const button = $('[data-testid=opsrecon-run]');
    withBusy(button, async () => {
      const run = await api.post('/reconciliation/runs', {
        provider: $('#run-provider').value, date: $('#run-date').value,
      });
      flash(t(`opsrecon.status_${run.status}`), run.status === 'failed' ? 'error' : 'success');
      await loadAll();
    });
  });
}

const { me } = await initShell({ auth: 'required' });
if (me) {
  if (!['operator', 'finance'].includes(me.account.platform_role)) {
    $('#forbidden').hidden = false;
  } else {
    $('#work').hidden = false;
    await setUpForm();
    await loadAll();
  }
}
