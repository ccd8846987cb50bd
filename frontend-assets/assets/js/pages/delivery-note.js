// A business buyer's delivery (送货与签收单, issue #22), one page for both sides of the door:
// the buyer books, moves or cancels the seller's delivery window before it ships and, once it
// has shipped, shows the 6-digit code to the driver; the driver photographs the goods with the
// phone's camera and the receiver signs (name, remarks, quantities received) — on the driver's
// phone with the code, or logged in as the buyer. The signed note is the receipt, printable.

import { api, query, seg } from '../api.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import { $, el, flash, flashError, formatTime, note, replaceChildren, withBusy } from '../ui.js';

const params = new URLSearchParams(location.search);
const sub = params.get('sub') || '';

function section(titleKey, testid, ...children) {
  const id = `dn-${testid}`;
  return el('section', { class: 'card', 'aria-labelledby': id, 'data-testid': testid },
    el('h2', { id, i18n: titleKey }), ...children);
}

function bookingText(b) {
  return `${b.date} ${b.start}–${b.end}`;
}

async function slotsEl(d) {
  const slots = await api.get(`/orgs/${seg(d.seller_org_id)}/delivery-slots` + query({ region: d.region_code || '' }), { redirectOn401: false });
  if (!slots.length) return note('empty', { i18n: 'dn.no_slots' });
  const form = el('form', { class: 'form', 'data-testid': 'slot-form' });
  const list = el('fieldset', {}, el('legend', { i18n: 'dn.pick' }));
  slots.forEach((s, i) => {
    const id = `slot-${i}`;
    const full = s.left <= 0;
    list.append(el('div', { class: 'choice' },
      el('input', { type: 'radio', id, name: 'slot', value: `${s.window_id}|${s.date}`, disabled: full, 'data-testid': 'slot-option' }),
      el('label', { for: id }, `${s.date} ${s.start}–${s.end} `,
        el('span', { class: 'muted', i18n: full ? 'dn.full' : 'dn.left', args: { n: s.left } }))));
  });
  const submit = el('button', { type: 'submit', class: 'btn btn-primary', i18n: d.booking ? 'dn.move' : 'dn.book', 'data-testid': 'slot-book' });
  form.append(list, el('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const picked = form.querySelector('input[name="slot"]:checked');
    if (!picked) {
      flash(t('dn.pick_first'), 'error');
      return;
    }
    const [windowId, date] = picked.value.split('|');
    withBusy(submit, async () => {
      await api.put(`/sub-orders/${seg(sub)}/delivery-slot`, { window_id: windowId, date });
      flash(t('dn.booked'), 'success');
      await load();
    });
  });
  return form;
}

function bookingSection(d, extra) {
  const rows = [el('p', { 'data-testid': 'booking' }, d.booking
    ? el('strong', { text: bookingText(d.booking) })
    : el('span', { class: 'muted', i18n: 'dn.not_booked' }))];
  if (d.can_book && d.booking) {
    const cancel = el('button', { type: 'button', class: 'btn btn-danger-quiet', i18n: 'dn.cancel', 'data-testid': 'slot-cancel' });
    cancel.addEventListener('click', () => withBusy(cancel, async () => {
      await api.del(`/sub-orders/${seg(sub)}/delivery-slot`);
      flash(t('dn.cancelled'), 'success');
      await load();
    }));
    rows.push(el('div', { class: 'actions' }, cancel));
  }
  return section('dn.window', 'booking-section', rows, extra);
}

function linesTable(d, editable) {
  return el('table', { class: 'table', 'data-testid': 'note-lines' },
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col', i18n: 'dn.item' }),
      el('th', { scope: 'col', i18n: 'dn.ordered' }),
      el('th', { scope: 'col', i18n: 'dn.received' }))),
    el('tbody', {}, d.lines.map((l, i) => el('tr', {},
      el('td', {}, `${l.title} ${l.sku_name}`),
      el('td', {}, `${l.ordered} ${l.unit}`),
      el('td', {}, editable
        ? el('input', { type: 'number', min: '0', max: String(l.ordered), value: String(l.ordered), name: `line-${i}`, 'data-line': l.line_id, class: 'input-narrow', 'aria-label': t('dn.received_of', { item: l.title }), 'data-testid': 'note-line-qty' })
        : el('span', { 'data-testid': 'note-line-received' }, `${l.received ?? l.ordered} ${l.unit}`))))));
}

function photoSection(d) {
  const input = el('input', { type: 'file', id: 'dn-photo', accept: 'image/*', capture: 'environment', 'data-testid': 'note-photo-input' });
  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    const data = new FormData();
    data.append('file', file);
    try {
      await api.upload(`/sub-orders/${seg(sub)}/delivery-note/photo`, data);
      flash(t('dn.photo_saved'), 'success');
      await load();
    } catch (err) {
      flashError(err);
    }
  });
  return el('div', { class: 'field' },
    el('label', { for: 'dn-photo', i18n: d.note && d.note.photo_url ? 'dn.photo_again' : 'dn.photo' }), input);
}

function signForm(d, withCode) {
  const form = el('form', { class: 'form', 'data-testid': 'sign-form' });
  const field = (id, key, input) => el('div', { class: 'field' }, el('label', { for: id, i18n: key }), input);
  const name = el('input', { id: 'dn-name', name: 'signer_name', maxlength: '40', required: true, autocomplete: 'name', 'data-testid': 'sign-name' });
  const remarks = el('textarea', { id: 'dn-remarks', name: 'remarks', maxlength: '200', rows: '2', 'data-testid': 'sign-remarks' });
  form.append(linesTable(d, true), field('dn-name', 'dn.signer', name), field('dn-remarks', 'dn.remarks', remarks));
  let code = null;
  if (withCode) {
    code = el('input', { id: 'dn-code', name: 'code', inputmode: 'numeric', pattern: '[0-9]{6}', maxlength: '6', required: true, autocomplete: 'one-time-code', class: 'mono', 'data-testid': 'sign-code' });
    form.append(field('dn-code', 'dn.code_input', code));
  }
  const submit = el('button', { type: 'submit', class: 'btn btn-primary', i18n: 'dn.sign', 'data-testid': 'sign-submit' });
  form.append(el('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const lines = [...form.querySelectorAll('input[data-line]')].map((i) => ({ line_id: i.dataset.line, quantity: Number(i.value) }));
    const body = { signer_name: name.value, remarks: remarks.value || null, lines };
    if (code) body.code = code.value.trim();
    withBusy(submit, async () => {
      await api.post(`/sub-orders/${seg(sub)}/delivery-note/sign`, body);
      flash(t('dn.signed'), 'success');
      await load();
    });
  });
  return form;
}

function signedNote(d) {
  const n = d.note;
  const print = el('button', { type: 'button', class: 'btn btn-secondary no-print', i18n: 'dn.print', 'data-testid': 'note-print' });
  print.addEventListener('click', () => window.print());
  return el('div', { class: 'signed-note', 'data-testid': 'signed-note' },
    el('p', {}, el('span', { i18n: 'dn.number' }), ' ', el('span', { class: 'mono', text: d.number })),
    linesTable(d, false),
    el('p', {}, el('span', { i18n: 'dn.signed_by' }), ' ', el('strong', { text: n.signer_name || '', 'data-testid': 'note-signer' }),
      ' · ', el('span', { text: formatTime(n.signed_at) }), ' · ', el('span', { i18n: `dn.via_${n.signed_via}` })),
    n.remarks ? el('p', {}, el('span', { i18n: 'dn.remarks' }), ' ', el('span', { text: n.remarks })) : null,
    n.photo_url ? el('img', { src: n.photo_url, alt: t('dn.photo_alt'), class: 'note-photo', width: '320' }) : null,
    n.photo_sha256 ? el('p', { class: 'muted mono small' }, `SHA-256 ${n.photo_sha256}`) : null,
    el('div', { class: 'actions' }, print));
}

function noteSection(d) {
  const n = d.note;
  const body = [];
  if (n && n.status === 'signed') {
    body.push(signedNote(d));
  } else if (d.status !== 'shipped') {
    body.push(note('empty', { i18n: 'dn.after_shipping' }));
  } else {
    if (d.viewer === 'buyer' && d.code) {
      body.push(el('p', { i18n: 'dn.code_hint' }),
        el('p', { class: 'delivery-code mono', 'data-testid': 'delivery-code', text: d.code }));
    }
    if (d.viewer === 'seller') body.push(photoSection(d));
    if (n && n.photo_url) {
      body.push(el('img', { src: n.photo_url, alt: t('dn.photo_alt'), class: 'note-photo', width: '320', 'data-testid': 'note-photo' }));
      if (d.viewer === 'seller' && !n.code_locked) body.push(signForm(d, true));
      if (d.viewer === 'seller' && n.code_locked) body.push(note('error', { i18n: 'dn.locked' }));
      if (d.viewer === 'buyer') body.push(signForm(d, false));
    } else {
      body.push(note('empty', { i18n: 'dn.wait_photo' }));
    }
  }
  return section('dn.note', 'note-section', body);
}

async function load() {
  const box = $('#dn-body');
  const d = await api.get(`/sub-orders/${seg(sub)}/delivery`);
  const slots = d.can_book ? await slotsEl(d) : null;
  replaceChildren(box,
    el('p', {}, el('span', { i18n: 'dn.number' }), ' ', el('a', { class: 'mono', href: `/order.html?id=${encodeURIComponent(d.order_id)}`, text: d.number }),
      ' ', el('span', { class: 'badge', 'data-testid': 'delivery-status', i18n: `sub_status.${d.status}` })),
    bookingSection(d, slots),
    noteSection(d));
  box.dataset.ready = 'true';
}

const { me } = await initShell({ auth: 'required' });
if (me) {
  try {
    if (!sub) throw new Error(t('dn.no_sub'));
    await load();
  } catch (err) {
    replaceChildren($('#dn-body'), note('error', err.message || ''));
    flashError(err);
  }
}
