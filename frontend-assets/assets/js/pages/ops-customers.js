// The operator's problem customers (劣质客户备案): find an account by phone (or name), see its
// restrictions in force and lifted (who, when, why), apply one or lift one with a reason, and
// record or withdraw a note agents see on that person's tickets. Below, every restriction in
// force. All of it is the documented API: `GET /admin/accounts?q=`,
// `GET|POST /admin/accounts/{id}/restrictions`, `POST /admin/accounts/{id}/restrictions/{kind}/lift`,
// `GET /admin/restrictions`, `GET|POST /desk/customer-records`,
// `POST /desk/customer-records/{id}/withdraw`.

import { api, query, seg } from '../api.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, clearErrors, el, flash, flashError, note, phoneEl, replaceChildren, setBusy, showErrors, timeEl, validationError,
} from '../ui.js';

const state = { account: null };

function who(name, at) {
  return el('span', {}, el('span', { text: name || '—' }), ' · ', timeEl(at));
}

function liftForm(slot, opener, r) {
  const id = `lift-${r.id}`;
  const form = el('form', { class: 'form', novalidate: true, 'data-testid': 'pc-lift-form' },
    el('label', { for: id, i18n: 'pc.lift_reason' }),
    el('textarea', { id, name: 'reason', rows: '2', maxlength: '500', 'data-testid': 'pc-lift-reason' }),
    el('p', { class: 'field-error', 'data-error-for': 'reason', hidden: true }),
    el('p', { class: 'form-error', 'data-form-error': true, hidden: true }),
    el('div', { class: 'actions' },
      el('button', { type: 'submit', class: 'btn btn-primary btn-small', i18n: 'pc.lift_confirm', 'data-testid': 'pc-lift-confirm' }),
      el('button', { type: 'button', class: 'btn btn-secondary btn-small', i18n: 'common.cancel',
        on: { click: () => { replaceChildren(slot); opener.focus(); } } })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const reason = form.elements.reason.value.trim();
    if (!reason) {
      showErrors(form, validationError({ reason: t('pc.reason_required') }));
      return;
    }
    const submit = $('[data-testid="pc-lift-confirm"]', form);
    setBusy(submit, true);
    try {
      await api.post(`/admin/accounts/${seg(r.account_id)}/restrictions/${seg(r.kind)}/lift`, { reason });
      flash(el('span', { i18n: 'pc.lifted' }), 'success');
      await Promise.all([loadAccount(), loadInForce()]);
    } catch (err) {
      showErrors(form, err);
      setBusy(submit, false);
    }
  });
  replaceChildren(slot, form);
  form.elements.reason.focus();
}

function restrictionItem(r) {
  const slot = el('div');
  let lift = null;
  if (r.active) {
    lift = el('button', { type: 'button', class: 'btn btn-secondary btn-small', i18n: 'pc.lift', 'data-testid': 'pc-lift' });
    lift.addEventListener('click', () => liftForm(slot, lift, r));
  }
  return el('li', { class: 'list-item', 'data-testid': 'pc-restriction', dataset: { kind: r.kind, active: String(r.active) } },
    el('div', { class: 'item-head' },
      el('span', { class: 'item-title', i18n: `pc.kind.${r.kind}` }), ' ',
      el('span', { class: `badge ${r.active ? 'badge-rejected' : 'badge-revoked'}`, i18n: r.active ? 'pc.active' : 'pc.lifted_badge' })),
    el('p', {}, el('span', { class: 'muted', i18n: 'pc.applied' }), ' ', who(r.applied_by_name, r.applied_at), ' — ',
      el('span', { lang: 'zh-CN', text: r.reason })),
    r.active ? null : el('p', {}, el('span', { class: 'muted', i18n: 'pc.lifted_by' }), ' ', who(r.lifted_by_name, r.lifted_at), ' — ',
      el('span', { lang: 'zh-CN', text: r.lift_reason || '' })),
    lift ? el('div', { class: 'actions' }, lift) : null,
    slot);
}

function recordItem(r) {
  let withdraw = null;
  if (!r.withdrawn_at) {
    withdraw = el('button', { type: 'button', class: 'btn btn-secondary btn-small', i18n: 'pc.withdraw', 'data-testid': 'pc-record-withdraw' });
    withdraw.addEventListener('click', async () => {
      setBusy(withdraw, true);
      try {
        await api.post(`/desk/customer-records/${seg(r.id)}/withdraw`);
        flash(el('span', { i18n: 'pc.withdrawn' }), 'success');
        await loadAccount();
      } catch (err) {
        flashError(err);
        setBusy(withdraw, false);
      }
    });
  }
  return el('li', { class: 'list-item', 'data-testid': 'pc-record', dataset: { withdrawn: String(Boolean(r.withdrawn_at)) } },
    el('div', { class: 'item-head' },
      el('span', { class: 'item-title', i18n: `pc.rk_${r.kind}` }), ' ', timeEl(r.recorded_at),
      r.withdrawn_at ? el('span', { class: 'badge badge-revoked', i18n: 'pc.withdrawn_badge' }) : null),
    el('p', { lang: 'zh-CN', text: r.evidence }),
    el('p', {}, el('span', { class: 'muted', i18n: 'pc.decision_is' }), ' ', el('span', { lang: 'zh-CN', text: r.decision })),
    withdraw ? el('div', { class: 'actions' }, withdraw) : null);
}

async function loadAccount() {
  const a = state.account;
  if (!a) return;
  $('#account').hidden = false;
  replaceChildren($('#account-name'), el('span', { text: a.display_name }));
  replaceChildren($('#account-facts'), phoneEl(a.phone), ' · ', el('span', { i18n: 'pc.since' }), ' ', timeEl(a.created_at));
  const [restrictions, records] = await Promise.all([
    api.get(`/admin/accounts/${seg(a.id)}/restrictions`),
    api.get(`/desk/customer-records${query({ account_id: a.id })}`),
  ]);
  const active = restrictions.filter((r) => r.active);
  const lifted = restrictions.filter((r) => !r.active);
  replaceChildren($('#restrictions'), restrictions.length
    ? el('ul', { class: 'cards' }, [...active, ...lifted].map(restrictionItem))
    : note('empty', { i18n: 'pc.no_restrictions' }));
  replaceChildren($('#records'), records.length
    ? el('ul', { class: 'cards' }, records.map(recordItem))
    : note('empty', { i18n: 'pc.no_records' }));
}

async function choose(account) {
  state.account = account;
  const url = new URL(location.href);
  url.searchParams.set('account', account.id);
  history.replaceState(null, '', url);
  try {
    await loadAccount();
    $('#account-name').scrollIntoView({ block: 'nearest' });
  } catch (err) {
    flashError(err);
  }
}

function accountButton(a) {
  return el('li', { class: 'list-item', 'data-testid': 'pc-result' },
    el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-testid': 'pc-choose', on: { click: () => choose(a) } },
      el('span', { text: a.display_name })), ' ', phoneEl(a.phone), ' ',
    a.status === 'active' ? null : el('span', { class: 'badge', text: a.status }));
}

async function loadInForce() {
  const box = $('#in-force');
  box.setAttribute('aria-busy', 'true');
  try {
    const page = await api.get('/admin/restrictions?active=true&limit=100');
    replaceChildren(box, page.items.length
      ? el('ul', { class: 'cards' }, page.items.map((r) => el('li', { class: 'list-item', 'data-testid': 'pc-in-force-item' },
        el('div', { class: 'item-head' },
          el('button', { type: 'button', class: 'btn btn-quiet btn-small', 'data-testid': 'pc-in-force-open',
            on: { click: () => findAndChoose(r.account_id, r.account_phone) } }, el('span', { text: r.account_name || '—' })), ' ',
          phoneEl(r.account_phone), ' ',
          el('span', { class: 'badge badge-rejected', i18n: `pc.kind.${r.kind}` })),
        el('p', {}, el('span', { class: 'muted', i18n: 'pc.applied' }), ' ', who(r.applied_by_name, r.applied_at), ' — ',
          el('span', { lang: 'zh-CN', text: r.reason })))))
      : note('empty', { i18n: 'pc.none_in_force' }));
    box.dataset.state = 'done';
  } catch (err) {
    box.dataset.state = 'error';
    if (!err.redirecting) replaceChildren(box, note('error', err.message));
  } finally {
    box.removeAttribute('aria-busy');
  }
}

async function search(q) {
  const page = await api.get(`/admin/accounts${query({ q, limit: 20 })}`);
  return page.items;
}

async function findAndChoose(id, phone) {
  try {
    const found = (await search(phone || '')).find((a) => a.id === id);
    if (found) await choose(found);
  } catch (err) {
    flashError(err);
  }
}

$('#search-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const q = form.elements.q.value.trim();
  if (!q) {
    showErrors(form, validationError({ q: t('pc.q_required') }));
    return;
  }
  const submit = $('[data-testid="pc-search-submit"]', form);
  setBusy(submit, true);
  try {
    const items = await search(q);
    replaceChildren($('#results'), items.length
      ? el('ul', { class: 'plain-list' }, items.map(accountButton))
      : note('empty', { i18n: 'pc.nobody' }));
    if (items.length === 1) await choose(items[0]);
  } catch (err) {
    showErrors(form, err);
  } finally {
    setBusy(submit, false);
  }
});

$('#apply-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const body = { kind: form.elements.kind.value, reason: form.elements.reason.value.trim() };
  if (!body.reason) {
    showErrors(form, validationError({ reason: t('pc.reason_required') }));
    return;
  }
  const submit = $('[data-testid="pc-apply-submit"]', form);
  setBusy(submit, true);
  try {
    await api.post(`/admin/accounts/${seg(state.account.id)}/restrictions`, body);
    flash(el('span', { i18n: 'pc.applied_ok' }), 'success');
    form.elements.reason.value = '';
    await Promise.all([loadAccount(), loadInForce()]);
  } catch (err) {
    showErrors(form, err);
  } finally {
    setBusy(submit, false);
  }
});

$('#record-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const body = {
    account_id: state.account.id,
    kind: form.elements.kind.value,
    evidence: form.elements.evidence.value.trim(),
    decision: form.elements.decision.value.trim(),
  };
  const missing = {};
  if (!body.evidence) missing.evidence = t('pc.evidence_required');
  if (!body.decision) missing.decision = t('pc.decision_required');
  if (Object.keys(missing).length) {
    showErrors(form, validationError(missing));
    return;
  }
  const submit = $('[data-testid="pc-record-submit"]', form);
  setBusy(submit, true);
  try {
    await api.post('/desk/customer-records', body);
    flash(el('span', { i18n: 'pc.recorded' }), 'success');
    form.elements.evidence.value = '';
    form.elements.decision.value = '';
    await loadAccount();
  } catch (err) {
    showErrors(form, err);
  } finally {
    setBusy(submit, false);
  }
});

const { me } = await initShell({ auth: 'required' });
if (me && me.account.platform_role === 'operator') {
  $('#console').hidden = false;
  await loadInForce();
} else if (me) {
  $('#forbidden').hidden = false;
}
