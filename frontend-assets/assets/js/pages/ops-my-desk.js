// One agent's own view of the desk (我的工作台): the tickets assigned to them, overdue first
// then the nearest deadline, each with its ticking countdown (`GET /desk/queue?mine=true`, or
// `?assignee=` when the operator looks at a colleague); the follow-up calls they owe after
// closed tickets and resolved claims, recorded here (`GET /desk/follow-ups?mine=true`,
// `POST /desk/tickets/{id}/follow-up`, `POST /desk/claim-follow-ups/{id}`); and their figures
// over a period (`GET /desk/agent-figures`). An agent sees only their own; the operator picks
// any agent.

import { api, query, seg } from '../api.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import { $, clearErrors, el, flash, note, phoneEl, replaceChildren, showErrors, timeEl, value, withBusy } from '../ui.js';
import { KINDS, OUTCOMES, STATUSES, URGENCIES, countdown, label } from '../desk.js';

const state = { me: null, agent: null };
const figuresForm = $('#figures-form');

function isMe() {
  return !state.agent || state.agent === state.me.account.id;
}

async function loadTickets() {
  const box = $('#tickets');
  try {
    const q = isMe() ? { mine: true, limit: 100 } : { assignee: state.agent, limit: 100 };
    const page = await api.get('/desk/queue' + query(q));
    replaceChildren(box, page.items.length
      ? el('ul', { class: 'cards' }, page.items.map((x) => el('li', { class: `list-item${x.overdue ? ' overdue' : ''}`, 'data-testid': 'my-ticket', dataset: { id: x.id } },
        el('div', { class: 'item-head' },
          el('a', { href: `/ops/desk.html?ticket=${encodeURIComponent(x.id)}`, text: x.number, 'data-testid': 'my-ticket-open' }), ' ',
          label(STATUSES, x.status, { class: `badge badge-${x.status}` }), ' ', label(URGENCIES, x.urgency), ' ', label(KINDS, x.kind)),
        el('p', { text: x.subject }),
        el('p', { class: 'muted' }, el('span', { text: x.customer_name }), ' · ', el('span', { i18n: 'desk.time_left' }), ' ', countdown(x)))))
      : note('empty', { i18n: 'my.no_tickets' }));
    box.dataset.state = 'done';
  } catch (err) {
    box.dataset.state = 'error';
    if (!err.redirecting) replaceChildren(box, note('error', err.message));
  }
}

function followForm(f) {
  const id = `outcome-${f.id}`;
  const form = el('form', { class: 'form', novalidate: true, 'data-testid': 'my-follow-form' },
    el('label', { for: id, i18n: 'desk.follow_up' }),
    el('select', { id, name: 'outcome', 'data-testid': 'my-follow-outcome' },
      Object.entries(OUTCOMES).map(([v, k]) => el('option', { value: v, i18n: k }))),
    el('label', { for: `${id}-note`, i18n: 'desk.note_label' }),
    el('input', { id: `${id}-note`, name: 'note', maxlength: '1000' }),
    el('p', { class: 'field-error', 'data-error-for': 'note', hidden: true }),
    el('p', { class: 'form-error', 'data-form-error': true, hidden: true }),
    el('button', { type: 'submit', class: 'btn btn-small', i18n: 'desk.record_follow_up', 'data-testid': 'my-follow-submit' }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form);
    const note_ = value(form, 'note');
    const body = { outcome: value(form, 'outcome'), note: note_ || null };
    const path = f.source === 'claim' ? `/desk/claim-follow-ups/${seg(f.id)}` : `/desk/tickets/${seg(f.ticket_id)}/follow-up`;
    withBusy(e.submitter, async () => {
      await api.post(path, body);
      flash(t('my.follow_up_recorded'), 'success');
      await loadFollowUps();
    }, (err) => showErrors(form, err));
  });
  return form;
}

async function loadFollowUps() {
  const box = $('#follow-ups');
  try {
    const all = await api.get('/desk/follow-ups' + query({ mine: isMe() || '' }));
    const items = isMe() ? all : all.filter((f) => f.agent_id === state.agent);
    replaceChildren(box, items.length
      ? el('ul', { class: 'cards' }, items.map((f) => el('li', { class: 'list-item', 'data-testid': 'my-follow-up', dataset: { source: f.source } },
        el('div', { class: 'item-head' },
          el('span', { class: 'badge', i18n: f.source === 'claim' ? 'my.source_claim' : 'my.source_ticket' }), ' ',
          f.source === 'claim'
            ? el('a', { href: `/claim.html?id=${encodeURIComponent(f.claim_id)}`, text: f.number })
            : el('a', { href: `/ops/desk.html?ticket=${encodeURIComponent(f.ticket_id)}`, text: f.number }), ' ',
          el('span', { class: 'muted' }, el('span', { i18n: 'my.owed_since' }), ' ', timeEl(f.created_at))),
        f.source === 'claim' ? null : el('p', { text: f.subject }),
        el('p', {}, el('span', { text: f.customer_name }), ' ', phoneEl(f.contact_phone)),
        isMe() ? followForm(f) : null)))
      : note('empty', { i18n: 'my.no_follow_ups' }));
    box.dataset.state = 'done';
  } catch (err) {
    box.dataset.state = 'error';
    if (!err.redirecting) replaceChildren(box, note('error', err.message));
  }
}

const pct = (x) => (x === null || x === undefined ? '—' : `${Math.round(x * 1000) / 10}%`);
const num = (x) => (x === null || x === undefined ? '—' : String(x));

function figureRows(g) {
  return [
    ['my.fig_tickets', `${g.tickets} / ${g.closed}`],
    ['my.fig_response', `${num(g.first_response_p50_minutes)} / ${num(g.first_response_p90_minutes)}`],
    ['my.fig_resolution', `${num(g.resolution_p50_minutes)} / ${num(g.resolution_p90_minutes)}`],
    ['my.fig_within', `${pct(g.responded_within_limit)} / ${pct(g.resolved_within_limit)}`],
    ['my.fig_reopen', pct(g.reopen_rate)],
    ['my.fig_satisfaction', `${num(g.satisfaction.speed)} / ${num(g.satisfaction.attitude)} / ${num(g.satisfaction.result)} (${g.satisfaction.surveys})`],
    ['my.fig_follow_up', `${pct(g.follow_up_completion)} (${g.follow_ups_done}/${g.follow_ups_owed})`],
  ];
}

function factList(rows, testid) {
  return el('dl', { class: 'facts', 'data-testid': testid }, rows.map(([k, v]) => el('div', { class: 'fact' }, el('dt', { i18n: k }), el('dd', { text: v }))));
}

async function loadFigures() {
  clearErrors(figuresForm);
  const q = { from: value(figuresForm, 'from'), to: value(figuresForm, 'to'), agent: isMe() ? '' : state.agent };
  try {
    const f = await api.get('/desk/agent-figures' + query(q));
    replaceChildren($('#figures'),
      el('h3', { text: f.agent_name, 'data-testid': 'my-figures-agent' }),
      factList(figureRows(f.total), 'my-figures-total'),
      factList([['my.fig_claim_follow_up', `${pct(f.claim_follow_up_completion)} (${f.claim_follow_ups_done}/${f.claim_follow_ups_owed})`]], 'my-figures-claims'),
      f.by_kind.length ? el('h3', { i18n: 'my.by_kind' }) : null,
      f.by_kind.map((g) => el('details', { 'data-testid': 'my-figures-kind' }, el('summary', { text: `${g.label} (${g.tickets})` }), factList(figureRows(g)))));
  } catch (err) {
    showErrors(figuresForm, err);
  }
}

figuresForm.addEventListener('submit', (e) => {
  e.preventDefault();
  withBusy(e.submitter, loadFigures, (err) => showErrors(figuresForm, err));
});

async function loadAll() {
  await Promise.all([loadTickets(), loadFollowUps(), loadFigures()]);
}

const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
figuresForm.elements.namedItem('from').value = today.slice(0, 8) + '01';
figuresForm.elements.namedItem('to').value = today;

const { me } = await initShell({ auth: 'required' });
state.me = me;
if (me && ['operator', 'after_sales_agent'].includes(me.account.platform_role)) {
  $('#console').hidden = false;
  if (me.account.platform_role === 'operator') {
    const agents = await api.get('/desk/agents');
    const pick = $('#agent');
    replaceChildren(pick, agents.map((a) => el('option', { value: a.id, text: a.name, selected: a.id === me.account.id })));
    $('#agent-pick').hidden = agents.length < 2;
    pick.addEventListener('change', () => { state.agent = pick.value; loadAll(); });
  }
  await loadAll();
  setInterval(loadTickets, 30_000);
} else if (me) {
  $('#forbidden').hidden = false;
}
