// My tickets and a new one: a buyer or a seller asks the platform about anything that is not a
// parcel claim. Other pages link here with ?kind=&link_kind=&link_id= to say what it is about.

import { api, newIdempotencyKey, query } from '../api.js';
import { initShell } from '../shell.js';
import { $, el, errorMessage, flashError, note, replaceChildren, showErrors, clearErrors, value, optional, withBusy } from '../ui.js';
import { KINDS, STATUSES, countdown, label } from '../desk.js';
import { attachControl } from '../attachments.js';

const box = $('#tickets');
const form = $('#ticket-form');
const params = new URLSearchParams(location.search);
// One key per filled-in form: a double click or a retry after a lost answer opens one ticket;
// changing the form makes it another request, with a new key.
let idempotencyKey = newIdempotencyKey();
const photos = attachControl('ticket');
form.querySelector('[data-form-error]').before(photos.node);
form.addEventListener('input', () => { idempotencyKey = newIdempotencyKey(); });

async function load() {
  try {
    const page = await api.get('/desk/tickets' + query({ limit: 50 }));
    const items = (page && page.items) || [];
    replaceChildren(box, items.length
      ? el('ul', { class: 'cards' }, items.map((t) => el('li', { class: 'card', 'data-testid': 'ticket-item' },
        el('p', {}, el('a', { href: `/ticket.html?id=${encodeURIComponent(t.id)}`, text: `${t.number} · ${t.subject}` })),
        el('p', { class: 'muted' }, label(KINDS, t.kind), ' · ', label(STATUSES, t.status, { 'data-testid': 'ticket-item-status' }), ' · ', countdown(t)))))
      : el('p', { class: 'muted', i18n: 'desk.none_yet', 'data-testid': 'tickets-empty' }));
  } catch (err) {
    if (!err.redirecting) replaceChildren(box, note('error', errorMessage(err)));
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(form);
  const body = {
    kind: value(form, 'kind'),
    subject: value(form, 'subject'),
    body: value(form, 'body'),
    contact_phone: optional(form, 'contact_phone'),
    attachment_ids: photos.ids(),
  };
  if (params.get('link_kind') && params.get('link_id')) {
    body.link_kind = params.get('link_kind');
    body.link_id = params.get('link_id');
  }
  withBusy($('#ticket-submit'), async () => {
    const t = await api.post('/desk/tickets', body, { headers: { 'Idempotency-Key': idempotencyKey } });
    location.assign(`/ticket.html?id=${encodeURIComponent(t.id)}`);
  }, (err) => showErrors(form, err));
});

for (const [kind, key] of Object.entries(KINDS)) {
  form.elements.namedItem('kind').append(el('option', { value: kind, i18n: key, selected: params.get('kind') === kind }));
}
if (params.get('link_kind') && params.get('link_id')) {
  $('#ticket-link').hidden = false;
  replaceChildren($('#ticket-link-id'), `${params.get('link_kind')} ${params.get('link_id')}`);
}

const { me, error } = await initShell({ auth: 'required' });
if (me) await load();
else if (error && !error.redirecting) { flashError(error); replaceChildren(box, note('muted', { i18n: 'common.unavailable' })); }
