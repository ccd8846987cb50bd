// A testing body's page (issue #20): record a third-party test (第三方检测) on a batch by the
// trace code on the sampled box — report PDF uploaded first, then the test named with it — and
// the tests the lab recorded. A recorded test is never changed: a correction is a new record.

import { api, seg } from '../api.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import { $, $$, clearErrors, el, flash, flashError, replaceChildren, showErrors, timeEl, value, withBusy } from '../ui.js';

function itemRow() {
  const row = el('div', { class: 'inline-input lab-item', 'data-testid': 'lab-item' },
    el('input', { name: 'item_name', type: 'text', maxlength: 60, 'aria-label': t('lab.item_name'), placeholder: t('lab.item_name') }),
    el('input', { name: 'item_result', type: 'text', maxlength: 30, 'aria-label': t('lab.item_result'), placeholder: t('lab.item_result') }),
    el('input', { name: 'item_limit', type: 'text', maxlength: 30, 'aria-label': t('lab.item_limit'), placeholder: t('lab.item_limit') }),
    el('input', { name: 'item_unit', type: 'text', maxlength: 16, value: 'mg/kg', 'aria-label': t('lab.item_unit') }),
    el('label', {}, el('input', { name: 'item_passed', type: 'checkbox', checked: true }), ' ', t('lab.item_passed')),
  );
  $('#items').append(row);
}

function items() {
  return $$('.lab-item').map((row) => ({
    name: $('[name=item_name]', row).value,
    result: $('[name=item_result]', row).value,
    limit: $('[name=item_limit]', row).value || null,
    unit: $('[name=item_unit]', row).value || null,
    passed: $('[name=item_passed]', row).checked,
  })).filter((i) => i.name || i.result);
}

async function load(org) {
  const list = await api.get(`/labs/${seg(org.id)}/checks`);
  $('#none').hidden = list.length > 0;
  replaceChildren($('#checks'), list.map((c) => el('li', { 'data-testid': 'lab-check-row', 'data-result': c.result },
    el('a', { href: c.trace_path }, c.code_display), ' · ',
    el('span', { class: c.result === 'pass' ? 'badge' : 'badge badge-rejected' }, t(c.result === 'pass' ? 'lab.pass' : 'lab.fail')), ' · ',
    c.report_no, ' · ', timeEl(c.recorded_at))));
}

async function submit(form, org) {
  clearErrors(form);
  const attachments = [];
  const file = $('#f-file').files[0];
  const code = value(form, 'code');
  if (file) {
    const data = new FormData();
    data.append('file', file);
    const a = await api.upload(`/labs/${seg(org.id)}/reports?code=${encodeURIComponent(code)}`, data);
    attachments.push(a.id);
  }
  // Typed in the browser's own time zone, sent as an instant.
  const typed = value(form, 'sampled_at');
  const made = await api.post(`/labs/${seg(org.id)}/checks`, {
    code,
    check_kind: value(form, 'check_kind'),
    sampled_at: typed ? new Date(typed).toISOString() : '',
    sampling_place: value(form, 'sampling_place'),
    report_no: value(form, 'report_no'),
    standard: value(form, 'standard'),
    method: value(form, 'method'),
    items: items(),
    result: value(form, 'result'),
    attachments,
  });
  flash(t('lab.recorded', { code: made.code_display }), 'success');
  form.reset();
  replaceChildren($('#items'));
  itemRow();
  await load(org);
}

const { me } = await initShell({ auth: 'required' });
if (me) {
  const labs = (me.memberships || []).filter((m) => m.org && m.org.kind === 'testing_body' && m.org.status === 'verified');
  const wanted = new URLSearchParams(location.search).get('org');
  const chosen = (labs.find((m) => m.org.id === wanted) || labs[0] || {}).org;
  if (!chosen) {
    $('#forbidden').hidden = false;
  } else {
    $('#lab-name').textContent = chosen.name;
    $('#record').hidden = false;
    $('#mine').hidden = false;
    itemRow();
    $('#add-item').addEventListener('click', itemRow);
    const form = $('#check-form');
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      withBusy(form.querySelector('[type=submit]'), () => submit(form, chosen), (err) => showErrors(form, err));
    });
    try {
      await load(chosen);
    } catch (err) {
      flashError(err);
    }
  }
}
