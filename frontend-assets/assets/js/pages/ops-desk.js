// The agents' desk: the queue with countdowns (overdue first), one ticket to answer (replies,
// canned replies, internal notes, assignment, urgency, merge, close, the follow-up call), the
// hotline form, duty, canned replies and the figures.

import { api, query, seg } from '../api.js';
import { initShell } from '../shell.js';
import { $, el, errorMessage, flash, flashError, note, replaceChildren, showErrors, clearErrors, value, optional, withBusy, formatTime } from '../ui.js';
import { t } from '../i18n.js';
import { KINDS, OUTCOMES, STATUSES, URGENCIES, countdown, label, thread, ticketHead } from '../desk.js';
import { attachControl } from '../attachments.js';

const queueBox = $('#queue');
const detail = $('#detail');
const filters = $('#filters');
const state = { current: null, agents: [], canned: [], me: null };

function fill(select, map, { blank } = {}) {
  if (blank) select.append(el('option', { value: '', i18n: blank }));
  for (const [v, key] of Object.entries(map)) select.append(el('option', { value: v, i18n: key }));
}

async function loadQueue() {
  const q = {
    status: value(filters, 'status'),
    kind: value(filters, 'kind'),
    mine: filters.elements.namedItem('mine').checked || '',
    unassigned: filters.elements.namedItem('unassigned').checked || '',
    overdue: filters.elements.namedItem('overdue').checked || '',
    limit: 100,
  };
  try {
    const page = await api.get('/desk/queue' + query(q));
    const items = (page && page.items) || [];
    replaceChildren(queueBox, items.length
      ? el('table', { class: 'table' },
        el('thead', {}, el('tr', {},
          el('th', { i18n: 'desk.col_number' }), el('th', { i18n: 'desk.col_subject' }), el('th', { i18n: 'desk.col_customer' }),
          el('th', { i18n: 'desk.col_status' }), el('th', { i18n: 'desk.col_assignee' }), el('th', { i18n: 'desk.time_left' }))),
        el('tbody', {}, items.map((x) => el('tr', { 'data-testid': 'queue-row', dataset: { id: x.id }, class: x.overdue ? 'overdue' : null },
          el('td', {}, el('button', { type: 'button', class: 'btn btn-quiet', text: x.number, on: { click: () => open(x.id) }, 'data-testid': 'queue-open' })),
          el('td', { text: x.subject }),
          el('td', { text: x.customer_name }),
          el('td', {}, label(STATUSES, x.status), ' · ', label(URGENCIES, x.urgency)),
          el('td', { text: x.assignee ? x.assignee.name : '—' }),
          el('td', {}, countdown(x))))))
      : el('p', { class: 'muted', i18n: 'desk.queue_empty', 'data-testid': 'queue-empty' }));
    queueBox.dataset.state = 'done';
  } catch (err) {
    if (!err.redirecting) replaceChildren(queueBox, note('error', errorMessage(err)));
  }
}

function actions(tk) {
  const active = tk.can.write;
  const replyPhotos = attachControl('desk-reply');
  const replyForm = el('form', { class: 'form', 'data-testid': 'desk-reply-form', novalidate: true },
    el('label', { for: 'desk-canned', i18n: 'desk.canned_pick' }),
    el('select', { id: 'desk-canned', 'data-testid': 'desk-canned', on: { change: (e) => {
      const c = state.canned.find((x) => x.id === e.target.value);
      if (c) replyForm.elements.namedItem('body').value = c.body;
    } } }, el('option', { value: '', i18n: 'desk.canned_none' }), state.canned.map((c) => el('option', { value: c.id, text: c.title }))),
    el('label', { for: 'desk-reply-body', i18n: 'desk.reply_label' }),
    el('textarea', { id: 'desk-reply-body', name: 'body', rows: '4', maxlength: '2000', 'data-testid': 'desk-reply-body' }),
    el('p', { class: 'field-error', 'data-error-for': 'body', hidden: true }),
    el('label', {}, el('input', { type: 'checkbox', name: 'internal', 'data-testid': 'desk-reply-internal' }), ' ', el('span', { i18n: 'desk.internal_note' })),
    replyPhotos.node,
    el('p', { class: 'form-error', 'data-form-error': true, hidden: true }),
    el('button', { type: 'submit', class: 'btn', i18n: 'desk.send', 'data-testid': 'desk-reply-submit' }));
  replyForm.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(replyForm);
    withBusy(e.submitter, async () => {
      show(await api.post(`/desk/tickets/${seg(tk.id)}/messages`, { body: value(replyForm, 'body'), internal: replyForm.elements.namedItem('internal').checked, attachment_ids: replyPhotos.ids() }));
      loadQueue();
    }, (err) => showErrors(replyForm, err));
  });
  const act = (labelKey, testid, fn) => el('button', { type: 'button', class: 'btn btn-secondary', i18n: labelKey, 'data-testid': testid,
    on: { click: (e) => withBusy(e.currentTarget, async () => { show(await fn()); loadQueue(); }) } });
  const assignSelect = el('select', { id: 'desk-assign', 'data-testid': 'desk-assign' },
    el('option', { value: '', i18n: 'desk.round_robin' }), state.agents.map((a) => el('option', { value: a.id, text: a.name })));
  const urgencySelect = el('select', { id: 'desk-urgency', 'data-testid': 'desk-urgency' });
  fill(urgencySelect, URGENCIES);
  urgencySelect.value = tk.urgency;
  const mergeInput = el('input', { id: 'desk-merge', 'data-testid': 'desk-merge', autocomplete: 'off' });
  const owed = (tk.follow_ups || []).find((f) => !f.done_at);
  const followForm = el('form', { class: 'form', 'data-testid': 'desk-follow-form', novalidate: true },
    el('label', { for: 'desk-outcome', i18n: 'desk.follow_up' }),
    el('select', { id: 'desk-outcome', name: 'outcome' }),
    el('label', { for: 'desk-follow-note', i18n: 'desk.note_label' }),
    el('input', { id: 'desk-follow-note', name: 'note', maxlength: '1000' }),
    el('p', { class: 'form-error', 'data-form-error': true, hidden: true }),
    el('button', { type: 'submit', class: 'btn', i18n: 'desk.record_follow_up' }));
  fill(followForm.elements.namedItem('outcome'), OUTCOMES);
  followForm.addEventListener('submit', (e) => {
    e.preventDefault();
    withBusy(e.submitter, async () => show(await api.post(`/desk/tickets/${seg(tk.id)}/follow-up`, { outcome: value(followForm, 'outcome'), note: optional(followForm, 'note') })),
      (err) => showErrors(followForm, err));
  });
  return el('div', { class: 'stack' },
    active ? replyForm : null,
    active ? el('div', { class: 'actions' },
      act('desk.take', 'desk-take', () => api.post(`/desk/tickets/${seg(tk.id)}/take`)),
      el('label', { for: 'desk-assign', i18n: 'desk.assign_to' }), assignSelect,
      act('desk.assign', 'desk-assign-submit', () => api.post(`/desk/tickets/${seg(tk.id)}/assign`, { agent_id: assignSelect.value || null })),
      el('label', { for: 'desk-urgency', i18n: 'desk.urgency' }), urgencySelect,
      act('desk.change_urgency', 'desk-urgency-submit', () => api.post(`/desk/tickets/${seg(tk.id)}/urgency`, { urgency: urgencySelect.value })),
      el('label', { for: 'desk-merge', i18n: 'desk.merge_into' }), mergeInput,
      act('desk.merge', 'desk-merge-submit', () => api.post(`/desk/tickets/${seg(tk.id)}/merge`, { into: mergeInput.value.trim() })),
      act('desk.close', 'desk-close', () => api.post(`/desk/tickets/${seg(tk.id)}/close`))) : null,
    owed ? followForm : null);
}

function show(tk) {
  state.current = tk.id;
  replaceChildren(detail,
    ticketHead(tk),
    el('p', { class: 'muted', 'data-testid': 'desk-customer' },
      el('span', { text: tk.customer_name }), tk.contact_phone ? ` · ${tk.contact_phone}` : '',
      tk.link ? ` · ${tk.link.kind} ${tk.link.id}` : ''),
    (tk.customer_records || []).filter((r) => !r.withdrawn_at).map((r) =>
      note('error', `${t('desk.customer_record')}: ${r.evidence} → ${r.decision}`)),
    thread(tk),
    tk.survey ? el('p', { class: 'muted', 'data-testid': 'desk-survey' }, el('span', { i18n: 'desk.survey_result' }), ` ${tk.survey.speed}/${tk.survey.attitude}/${tk.survey.result} ${tk.survey.comment || ''}`) : null,
    actions(tk));
  detail.hidden = false;
  detail.dataset.state = 'done';
}

async function open(id) {
  try {
    show(await api.get(`/desk/tickets/${seg(id)}`));
  } catch (err) {
    flashError(err);
  }
}

async function loadAgents() {
  state.agents = await api.get('/desk/agents');
  const mine = state.agents.find((a) => state.me && a.id === state.me.account.id);
  $('#duty').checked = Boolean(mine && mine.on_duty);
}

async function loadCanned() {
  state.canned = await api.get('/desk/canned-replies');
  replaceChildren($('#canned-list'), state.canned.map((c) => el('li', { text: `${c.title}：${c.body}` })));
}

$('#duty').addEventListener('change', async (e) => {
  try {
    state.agents = await api.put('/desk/agents', { on_duty: e.target.checked });
    flash(t(e.target.checked ? 'desk.on_duty_now' : 'desk.off_duty_now'), 'success');
  } catch (err) { flashError(err); }
});

filters.addEventListener('change', loadQueue);

const hotline = $('#hotline-form');
fill(hotline.elements.namedItem('kind'), KINDS);
fill(hotline.elements.namedItem('urgency'), URGENCIES);
hotline.elements.namedItem('urgency').value = 'normal';
hotline.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(hotline);
  withBusy($('#hotline-submit'), async () => {
    const tk = await api.post('/desk/hotline', {
      caller_name: value(hotline, 'caller_name'), phone: value(hotline, 'phone'),
      kind: value(hotline, 'kind'), urgency: value(hotline, 'urgency'), summary: value(hotline, 'summary'),
    });
    hotline.reset();
    show(tk);
    loadQueue();
  }, (err) => showErrors(hotline, err));
});

const cannedForm = $('#canned-form');
cannedForm.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(cannedForm);
  withBusy($('#canned-submit'), async () => {
    await api.post('/desk/canned-replies', { title: value(cannedForm, 'title'), body: value(cannedForm, 'body') });
    cannedForm.reset();
    await loadCanned();
  }, (err) => showErrors(cannedForm, err));
});

const figuresForm = $('#figures-form');
figuresForm.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(figuresForm);
  withBusy($('#figures-submit'), async () => {
    const f = await api.get('/desk/figures' + query({ from: value(figuresForm, 'from'), to: value(figuresForm, 'to'), group: value(figuresForm, 'group') }));
    const pct = (x) => (x === null || x === undefined ? '—' : `${Math.round(x * 1000) / 10}%`);
    const num = (x) => (x === null || x === undefined ? '—' : String(x));
    const row = (g) => el('tr', { 'data-testid': 'figures-row' },
      el('td', { text: g.label }), el('td', { text: String(g.tickets) }),
      el('td', { text: `${num(g.first_response_p50_minutes)} / ${num(g.first_response_p90_minutes)}` }),
      el('td', { text: `${num(g.resolution_p50_minutes)} / ${num(g.resolution_p90_minutes)}` }),
      el('td', { text: `${pct(g.responded_within_limit)} / ${pct(g.resolved_within_limit)}` }),
      el('td', { text: pct(g.reopen_rate) }),
      el('td', { text: `${num(g.satisfaction.speed)} / ${num(g.satisfaction.attitude)} / ${num(g.satisfaction.result)}` }),
      el('td', { text: pct(g.follow_up_completion) }));
    replaceChildren($('#figures'), el('table', { class: 'table' },
      el('thead', {}, el('tr', {}, ['desk.fig_group', 'desk.fig_tickets', 'desk.fig_response', 'desk.fig_resolution', 'desk.fig_within', 'desk.fig_reopen', 'desk.fig_satisfaction', 'desk.fig_follow_up'].map((k) => el('th', { i18n: k })))),
      el('tbody', {}, f.groups.map(row), row(f.total))));
  }, (err) => showErrors(figuresForm, err));
});

fill(filters.elements.namedItem('status'), STATUSES, { blank: 'desk.all_active' });
fill(filters.elements.namedItem('kind'), KINDS, { blank: 'desk.all_kinds' });
const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
figuresForm.elements.namedItem('from').value = today.slice(0, 8) + '01';
figuresForm.elements.namedItem('to').value = today;
replaceChildren($('#desk-now'), formatTime(new Date().toISOString()));

const { me, error } = await initShell({ auth: 'required' });
state.me = me;
// The report queues and problem-customer records are the operator's.
$('#desk-links').hidden = !(me && me.account.platform_role === 'operator');
if (me && ['operator', 'after_sales_agent'].includes(me.account.platform_role)) {
  try {
    await Promise.all([loadAgents(), loadCanned()]);
  } catch (err) { flashError(err); }
  await loadQueue();
  // A notification links here with ?ticket=<id>: open that ticket at once.
  const linked = new URLSearchParams(window.location.search).get('ticket');
  if (linked) await open(linked);
  setInterval(loadQueue, 30_000);
} else if (me) {
  replaceChildren(queueBox, note('error', { i18n: 'desk.agents_only' }));
} else if (error && !error.redirecting) {
  replaceChildren(queueBox, note('muted', { i18n: 'common.unavailable' }));
}
