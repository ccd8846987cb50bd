// Platform finance confirms offline payments (bank transfer, cash on delivery) once the money
// is in the platform's account: each order waiting for its money, the amount to check, the
// channel and the bank's reference. Sellers never confirm their own money.

import { api, query } from '../api.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import { $, el, flash, flashError, replaceChildren, timeEl, withBusy } from '../ui.js';
import { formatFen } from '../catalog.js';

const CHANNELS = ['bank_transfer', 'cash_on_delivery'];

function confirmForm(order) {
  const channel = el('select', { 'aria-label': t('opsrecv.channel'), 'data-testid': 'opsrecv-channel' },
    ...CHANNELS.map((c) => el('option', { value: c }, t(`opsrecv.channel_${c}`))));
  const reference = el('input', {
    type: 'text', required: true, maxLength: 64, autocomplete: 'off',
    'aria-label': t('opsrecv.reference'), placeholder: t('opsrecv.reference_placeholder'),
    'data-testid': 'opsrecv-reference',
  });
  const button = el('button', { type: 'submit', class: 'btn btn-primary btn-small', 'data-testid': 'opsrecv-confirm' },
    t('opsrecv.confirm'));
  const form = el('form', { class: 'form-inline' }, channel, reference, button);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    withBusy(button, async () => {
      await api.post(`/orders/${order.id}/offline-payment`, { reference: reference.value.trim(), channel: channel.value });
      flash(t('opsrecv.confirmed', { number: order.number, total: formatFen(order.total) }), 'success');
      await load();
    });
  });
  return form;
}

async function load() {
  try {
    const page = await api.get('/ops/orders' + query({ payment_method: 'offline', status: 'pending_payment', limit: 100 }));
    $('#count').textContent = t('opsrecv.count', { total: page.total });
    $('#empty').hidden = page.items.length > 0;
    replaceChildren($('#rows'), page.items.map((o) => el('tr', { 'data-testid': 'opsrecv-row', 'data-order': o.id },
      el('td', { class: 'mono' }, o.number),
      el('td', {}, o.address && o.address.name ? o.address.name : '—'),
      el('td', { class: 'money', 'data-testid': 'opsrecv-total' }, formatFen(o.total)),
      el('td', {}, timeEl(o.created_at)),
      el('td', {}, timeEl(o.pay_by)),
      el('td', {}, confirmForm(o)),
    )));
  } catch (err) {
    flashError(err);
  }
}

const { me } = await initShell({ auth: 'required' });
if (me) {
  if (me.account.platform_role !== 'finance') {
    $('#forbidden').hidden = false;
  } else {
    $('#work').hidden = false;
    $('#refresh').addEventListener('click', load);
    await load();
  }
}
