// One of my tickets: the conversation with the desk, writing back, closing, reopening within
// 7 days, and the satisfaction survey once it is closed.

import { api, seg } from '../api.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import { $, el, errorMessage, flash, note, replaceChildren, showErrors, clearErrors, value, optional, withBusy, formatTime } from '../ui.js';
import { thread, ticketHead } from '../desk.js';
import { attachControl } from '../attachments.js';

const id = new URLSearchParams(location.search).get('id') || '';
const box = $('#ticket');
const reply = $('#reply-form');
const survey = $('#survey-form');
const photos = attachControl('reply');
reply.querySelector('#reply-submit').before(photos.node);

function render(t) {
  replaceChildren(box, ticketHead(t), thread(t),
    t.merged_into ? note('muted', { i18n: 'desk.merged_note' }) : null,
    t.survey ? el('p', { class: 'muted', 'data-testid': 'survey-done' },
      el('span', { i18n: 'desk.survey_thanks' }), ` ${t.survey.speed}/${t.survey.attitude}/${t.survey.result}`) : null);
  reply.hidden = !t.can.write;
  $('#close-ticket').hidden = !t.can.close;
  $('#reopen-ticket').hidden = !t.can.reopen;
  if (t.can.reopen) replaceChildren($('#reopen-until'), el('span', { i18n: 'desk.reopen_until', args: { at: formatTime(t.reopen_until) } }));
  survey.hidden = !t.can.rate;
  box.dataset.state = 'done';
}

async function load() {
  try {
    render(await api.get(`/desk/tickets/${seg(id)}`));
  } catch (err) {
    box.dataset.state = 'error';
    if (!err.redirecting) replaceChildren(box, note('error', errorMessage(err)));
  }
}

reply.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(reply);
  withBusy($('#reply-submit'), async () => {
    render(await api.post(`/desk/tickets/${seg(id)}/messages`, { body: value(reply, 'body'), attachment_ids: photos.ids() }));
    reply.reset();
    photos.reset();
  }, (err) => showErrors(reply, err));
});

$('#close-ticket').addEventListener('click', (event) => withBusy(event.currentTarget, async () => {
  render(await api.post(`/desk/tickets/${seg(id)}/close`));
}));
$('#reopen-ticket').addEventListener('click', (event) => withBusy(event.currentTarget, async () => {
  render(await api.post(`/desk/tickets/${seg(id)}/reopen`));
}));

survey.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(survey);
  withBusy($('#survey-submit'), async () => {
    render(await api.post(`/desk/tickets/${seg(id)}/survey`, {
      speed: Number(value(survey, 'speed')),
      attitude: Number(value(survey, 'attitude')),
      result: Number(value(survey, 'result')),
      comment: optional(survey, 'comment'),
    }));
    flash(t('desk.survey_thanks'), 'success');
  }, (err) => showErrors(survey, err));
});

const { me, error } = await initShell({ auth: 'required' });
if (me) await load();
else if (error && !error.redirecting) replaceChildren(box, note('muted', { i18n: 'common.unavailable' }));
