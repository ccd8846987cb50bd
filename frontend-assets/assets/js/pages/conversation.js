// One conversation (咨询) between a buyer and a seller: opened from a listing
// (`?listing=`) or an order (`?order=&seller=`), or shown by id (`?id=`). Both sides write;
// either reports the other's message as abusive. Reading it clears the unread count.

import { api, query, seg } from '../api.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import { $, el, errorMessage, flash, flashError, note, replaceChildren, showErrors, clearErrors, value, withBusy, formatTime } from '../ui.js';
import { attachControl, photoStrip } from '../attachments.js';

const params = new URLSearchParams(location.search);
const box = $('#conversation');
const form = $('#message-form');
let current = null;
const photos = attachControl('message');
form.querySelector('[data-form-error]').before(photos.node);

async function report(message) {
  const reason = window.prompt(t('conv.report_reason'));
  if (!reason || !reason.trim()) return;
  try {
    await api.post(`/conversation-messages/${seg(message.id)}/reports`, { reason });
    flash(t('conv.reported'), 'success');
  } catch (err) {
    flashError(err);
  }
}

function messageEl(m) {
  return el('li', { class: 'message' + (m.mine ? ' is-mine' : ''), 'data-testid': 'message', dataset: { side: m.side } },
    el('p', { class: 'meta' }, el('strong', { text: m.author_name }), ' ', el('time', { datetime: m.at, text: formatTime(m.at) })),
    m.hidden
      ? el('p', { class: 'muted', i18n: 'conv.hidden' })
      : el('p', { class: 'message-body', text: m.body }),
    photoStrip(m.attachments),
    !m.mine && !m.hidden && current.viewer !== 'staff'
      ? el('button', { type: 'button', class: 'btn btn-quiet btn-small', i18n: 'conv.report', 'data-testid': 'report-message', on: { click: () => report(m) } })
      : null);
}

function render(c) {
  current = c;
  const other = c.viewer === 'seller' ? c.buyer_name : c.seller_name;
  replaceChildren(box,
    el('p', { class: 'meta', 'data-testid': 'conversation-about' },
      el('span', { class: 'tag', i18n: 'conv.about_' + c.subject_kind }), ' ',
      el('a', { href: c.subject_kind === 'listing' ? '/listing.html?id=' + encodeURIComponent(c.subject_id) : '/order.html?id=' + encodeURIComponent(c.subject_id), text: c.title })),
    el('h2', { text: other }),
    c.messages.length
      ? el('ol', { class: 'messages', 'data-testid': 'messages' }, c.messages.map(messageEl))
      : note('empty', { i18n: 'conv.none' }));
  form.hidden = c.viewer === 'staff';
  box.dataset.state = 'done';
  if (c.viewer === 'buyer' && !params.get('id')) history.replaceState(null, '', location.pathname + query({ id: c.id }));
}

async function load() {
  try {
    if (params.get('id')) render(await api.get(`/conversations/${seg(params.get('id'))}`));
    else if (params.get('listing')) render(await api.post('/conversations', { listing_id: params.get('listing') }));
    else if (params.get('order')) {
      render(await api.post('/conversations', { order_id: params.get('order'), seller_org_id: params.get('seller') || null }));
    } else replaceChildren(box, note('muted', { i18n: 'conv.none' }));
  } catch (err) {
    box.dataset.state = 'error';
    if (!err.redirecting) replaceChildren(box, note('error', errorMessage(err)));
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(form);
  withBusy($('#message-submit'), async () => {
    render(await api.post(`/conversations/${seg(current.id)}/messages`, { body: value(form, 'body'), attachment_ids: photos.ids() }));
    form.reset();
    photos.reset();
  }, (err) => showErrors(form, err));
});

const { me, error } = await initShell({ auth: 'required' });
if (me) await load();
else if (error && !error.redirecting) replaceChildren(box, note('muted', { i18n: 'common.unavailable' }));
