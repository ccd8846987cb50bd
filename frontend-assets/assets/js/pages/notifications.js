// The notification centre: the person's notifications newest first (only unread, one kind),
// opening one marks it read, "mark all read"; and their preferences (text message and WeChat
// per kind, quiet hours in Beijing time). Every action is the documented API.

import { api, query, seg } from '../api.js';
import { getLang, onLangChange, t } from '../i18n.js';
import { refreshUnread, initShell } from '../shell.js';
import { $, clearErrors, el, errorMessage, flash, flashError, formatTime, note, replaceChildren, showErrors, withBusy } from '../ui.js';

const LIMIT = 20;
const box = $('#notifications');
const pager = $('#pager');
const state = { offset: 0, unread: false, kind: '', prefs: null };

function text(pair) {
  if (!pair) return '';
  return getLang() === 'en' ? pair.en : pair.zh;
}

async function open(n) {
  try {
    if (!n.read_at) await api.post('/notifications/' + seg(n.id) + '/read');
  } catch (err) {
    flashError(err);
  }
  await refreshUnread();
  if (n.link) location.assign(n.link);
  else load();
}

function item(n) {
  return el('li', { class: 'card notify-item' + (n.read_at ? '' : ' unread'), 'data-testid': 'notification', dataset: { kind: n.kind, read: n.read_at ? 'yes' : 'no' } },
    el('p', { class: 'notify-title', text: text(n.title) }),
    el('p', { text: text(n.body) }),
    el('p', { class: 'muted' },
      el('span', { text: formatTime(n.created_at) }),
      n.urgent ? el('span', { class: 'badge', i18n: 'notifications.urgent' }) : null),
    el('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'notification-open', i18n: n.link ? 'notifications.open' : 'notifications.mark_read', on: { click: () => open(n) } }));
}

async function load() {
  history.replaceState(null, '', location.pathname + query({ unread: state.unread ? 'true' : '', kind: state.kind, offset: state.offset || '' }));
  box.setAttribute('aria-busy', 'true');
  try {
    const page = await api.get('/notifications' + query({ unread: state.unread ? 'true' : '', kind: state.kind, limit: LIMIT, offset: state.offset }));
    const items = (page && page.items) || [];
    const total = Number(page && page.total) || 0;
    replaceChildren($('#notifications-count'), el('span', { i18n: 'notifications.count', args: { count: total } }));
    replaceChildren(box, items.length
      ? el('ul', { class: 'cards' }, items.map(item))
      : el('div', { class: 'card empty-state', 'data-testid': 'notifications-empty' },
        el('p', { class: 'empty-title', i18n: 'notifications.empty' })));
    const to = state.offset + items.length;
    pager.hidden = total <= LIMIT && state.offset === 0;
    $('#page-prev').disabled = state.offset <= 0;
    $('#page-next').disabled = to >= total;
    replaceChildren($('#page-info'), el('span', { i18n: 'verify.page_info', args: { from: total ? state.offset + 1 : 0, to, total } }));
    box.dataset.state = 'done';
  } catch (err) {
    box.dataset.state = 'error';
    if (!err.redirecting) {
      replaceChildren(box, note('error', errorMessage(err)));
      flashError(err);
    }
  } finally {
    box.removeAttribute('aria-busy');
  }
}

function renderKinds() {
  const select = $('#filter-kind');
  replaceChildren(select, el('option', { value: '', i18n: 'notifications.all_kinds' }),
    ...(state.prefs ? state.prefs.kinds : []).map((k) => el('option', { value: k.kind, text: text(k.label), selected: k.kind === state.kind })));
}

function renderPrefs() {
  const p = state.prefs;
  if (!p) return;
  $('#quiet-hours').value = p.quiet_hours || '';
  const sms = p.channels.includes('sms');
  const wechat = p.channels.includes('wechat');
  const rows = p.kinds.map((k) => el('tr', { dataset: { kind: k.kind } },
    el('td', { text: text(k.label) }),
    el('td', {}, el('input', { type: 'checkbox', checked: true, disabled: true, 'aria-label': t('notifications.in_app') })),
    sms ? el('td', {}, k.sms_available
      ? el('input', { type: 'checkbox', name: 'sms-' + k.kind, checked: k.sms, disabled: k.urgent, 'data-testid': 'pref-sms-' + k.kind, 'aria-label': t('notifications.sms') })
      : el('span', { class: 'muted', text: '—' })) : null,
    wechat ? el('td', {}, k.wechat_available
      ? el('input', { type: 'checkbox', name: 'wechat-' + k.kind, checked: k.wechat, disabled: k.urgent, 'aria-label': t('notifications.wechat') })
      : el('span', { class: 'muted', text: '—' })) : null));
  replaceChildren($('#prefs-kinds'), el('table', {},
    el('thead', {}, el('tr', {},
      el('th', { i18n: 'notifications.kind' }),
      el('th', { i18n: 'notifications.in_app' }),
      sms ? el('th', { i18n: 'notifications.sms' }) : null,
      wechat ? el('th', { i18n: 'notifications.wechat' }) : null)),
    el('tbody', {}, rows)));
}

async function loadPrefs() {
  try {
    state.prefs = await api.get('/notifications/preferences');
    renderKinds();
    renderPrefs();
  } catch (err) {
    if (!err.redirecting) flashError(err);
  }
}

async function savePrefs(event) {
  event.preventDefault();
  const form = $('#prefs-form');
  clearErrors(form);
  const checked = (name) => {
    const input = form.elements.namedItem(name);
    return input ? input.checked : false;
  };
  const body = {
    quiet_hours: $('#quiet-hours').value.trim() || null,
    kinds: state.prefs.kinds.filter((k) => !k.urgent).map((k) => ({
      kind: k.kind,
      sms: k.sms_available ? checked('sms-' + k.kind) : false,
      wechat: k.wechat_available && state.prefs.channels.includes('wechat') ? checked('wechat-' + k.kind) : k.wechat && k.wechat_available,
    })),
  };
  await withBusy($('#prefs-save'), async () => {
    state.prefs = await api.put('/notifications/preferences', body);
    renderPrefs();
    flash(t('notifications.saved'), 'success');
  }, (err) => showErrors(form, err));
}

$('#filter-unread').addEventListener('change', (e) => { state.unread = e.target.checked; state.offset = 0; load(); });
$('#filter-kind').addEventListener('change', (e) => { state.kind = e.target.value; state.offset = 0; load(); });
$('#read-all').addEventListener('click', (e) => withBusy(e.target, async () => {
  const r = await api.post('/notifications/read-all');
  flash(t('notifications.marked', { count: (r && r.marked) || 0 }), 'success');
  await refreshUnread();
  await load();
}));
$('#page-prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - LIMIT); load(); });
$('#page-next').addEventListener('click', () => { state.offset += LIMIT; load(); });
$('#prefs-form').addEventListener('submit', savePrefs);
onLangChange(() => { renderKinds(); renderPrefs(); if (box.dataset.state === 'done') load(); });

const params = new URLSearchParams(location.search);
state.unread = params.get('unread') === 'true';
state.kind = params.get('kind') || '';
state.offset = Math.max(0, Number.parseInt(params.get('offset') || '0', 10) || 0);
$('#filter-unread').checked = state.unread;
const { me, error } = await initShell({ auth: 'required' });
if (me) {
  await loadPrefs();
  await load();
} else if (error && !error.redirecting) replaceChildren(box, note('muted', { i18n: 'common.unavailable' }));
