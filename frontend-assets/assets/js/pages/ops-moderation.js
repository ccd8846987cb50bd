// The operator's report queues (举报处理): reported reviews (hide with a reason, or keep),
// reported conversation messages (hide with a reason, or dismiss), oldest first with how long
// each has waited, and the hidden reviews to restore. Every action is an API call the
// documentation lists: `GET /review-reports`, `POST /reviews/{id}/hide|keep|restore`,
// `GET /hidden-reviews`, `GET /desk/conversation-reports`,
// `POST /desk/conversation-messages/{id}/hide`, `POST /desk/conversation-reports/{id}/dismiss`.

import { api, seg } from '../api.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, $$, clearErrors, el, flash, flashError, note, replaceChildren, setBusy, showErrors, timeEl, validationError,
} from '../ui.js';

const PANES = ['reviews', 'messages', 'hidden'];
const state = { tab: 'reviews' };

/** How long something has waited: `3 天 4 小时`, `2 小时 5 分`, `7 分钟`. */
export function ageArgs(iso, now = Date.now()) {
  const minutes = Math.max(0, Math.floor((now - new Date(iso).getTime()) / 60000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return { key: 'mod.age_days', args: { d, h } };
  if (h > 0) return { key: 'mod.age_hours', args: { h, m } };
  return { key: 'mod.age_minutes', args: { m } };
}

function age(iso) {
  const a = ageArgs(iso);
  return el('span', { class: 'muted', 'data-testid': 'mod-age' },
    el('span', { i18n: 'mod.waited' }), ' ', el('span', { i18n: a.key, args: a.args }));
}

function stars(rating) {
  return el('span', { class: 'stars', 'aria-label': `${rating}/5`, text: '★'.repeat(rating) + '☆'.repeat(Math.max(0, 5 - rating)) });
}

/**
 * An in-place "hide with a reason" form: `send(reason)` does the hiding; `field` is the name the
 * API gives the reason's errors (`text` for reviews, `reason` for messages).
 */
function hideForm(slot, opener, field, send) {
  const id = `reason-${Math.random().toString(36).slice(2)}`;
  const form = el('form', { class: 'form inline-form', novalidate: true, 'data-testid': 'hide-form' },
    el('label', { for: id, i18n: 'mod.hide_reason' }),
    el('textarea', { id, name: field, rows: '2', maxlength: '200', required: true, 'data-testid': 'hide-reason' }),
    el('p', { class: 'field-error', 'data-error-for': field, hidden: true }),
    el('p', { class: 'form-error', 'data-form-error': true, hidden: true }),
    el('div', { class: 'actions' },
      el('button', { type: 'submit', class: 'btn btn-danger btn-small', i18n: 'mod.hide_confirm', 'data-testid': 'hide-confirm' }),
      el('button', { type: 'button', class: 'btn btn-secondary btn-small', i18n: 'common.cancel', 'data-testid': 'hide-cancel',
        on: { click: () => { replaceChildren(slot); opener.focus(); } } })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const reason = form.elements[field].value.trim();
    if (!reason) {
      showErrors(form, validationError({ [field]: t('mod.reason_required') }));
      return;
    }
    const submit = $('[data-testid="hide-confirm"]', form);
    setBusy(submit, true);
    try {
      await send(reason);
    } catch (err) {
      showErrors(form, err);
      setBusy(submit, false);
    }
  });
  replaceChildren(slot, form);
  form.elements[field].focus();
}

function reviewBody(review) {
  return el('div', {},
    el('div', { class: 'item-head' },
      stars(review.review.rating), ' ',
      el('span', { text: review.review.reviewer }), ' ',
      el('span', { class: 'muted', text: review.review.sku_name }), ' ',
      timeEl(review.review.created_at)),
    el('p', { class: 'quote', lang: 'zh-CN', text: review.review.text || '', 'data-testid': 'review-text' }),
    el('p', {}, el('a', { href: `/listing.html?id=${encodeURIComponent(review.review.listing_id)}`, i18n: 'mod.open_listing', 'data-testid': 'review-listing' })));
}

function reviewCard(group) {
  const { review, reports } = group;
  const slot = el('div');
  const hide = el('button', { type: 'button', class: 'btn btn-danger-quiet btn-small', i18n: 'mod.hide', 'data-testid': 'review-hide' });
  const keep = el('button', { type: 'button', class: 'btn btn-secondary btn-small', i18n: 'mod.keep', 'data-testid': 'review-keep' });
  hide.addEventListener('click', () => hideForm(slot, hide, 'text', async (text) => {
    await api.post(`/reviews/${seg(review.review.id)}/hide`, { text });
    flash(el('span', { i18n: 'mod.review_hidden' }), 'success');
    await loadAll();
  }));
  keep.addEventListener('click', async () => {
    setBusy(keep, true);
    try {
      await api.post(`/reviews/${seg(review.review.id)}/keep`);
      flash(el('span', { i18n: 'mod.review_kept' }), 'success');
      await loadAll();
    } catch (err) {
      flashError(err);
      setBusy(keep, false);
    }
  });
  return el('li', { class: 'list-item', 'data-testid': 'reported-review', dataset: { reviewId: review.review.id } },
    reviewBody(review),
    el('h3', { class: 'small-heading', i18n: 'mod.reports', args: { count: reports.length } }),
    el('ul', { class: 'plain-list' }, reports.map((r) => el('li', { 'data-testid': 'review-report' },
      el('span', { lang: 'zh-CN', text: r.report.reason }), ' · ', age(r.report.created_at)))),
    el('div', { class: 'actions' }, hide, keep),
    slot);
}

/** The queue lists reports; one card per review, in the order of its oldest open report. */
function groupByReview(items) {
  const groups = new Map();
  for (const item of items) {
    const id = item.review.review.id;
    if (!groups.has(id)) groups.set(id, { review: item.review, reports: [] });
    groups.get(id).reports.push(item);
  }
  return [...groups.values()];
}

async function loadReviews() {
  const box = $('#reviews');
  box.setAttribute('aria-busy', 'true');
  try {
    const page = await api.get('/review-reports?status=open&limit=100');
    const groups = groupByReview(page.items);
    $('#count-reviews').textContent = String(groups.length);
    replaceChildren(box, groups.length
      ? el('ul', { class: 'cards' }, groups.map(reviewCard))
      : note('empty', { i18n: 'mod.no_reviews' }));
    box.dataset.state = 'done';
  } catch (err) {
    box.dataset.state = 'error';
    if (!err.redirecting) replaceChildren(box, note('error', err.message));
  } finally {
    box.removeAttribute('aria-busy');
  }
}

function messageCard(report) {
  const m = report.message || {};
  const slot = el('div');
  const hide = el('button', { type: 'button', class: 'btn btn-danger-quiet btn-small', i18n: 'mod.hide', 'data-testid': 'message-hide', disabled: m.hidden });
  const dismiss = el('button', { type: 'button', class: 'btn btn-secondary btn-small', i18n: 'mod.dismiss', 'data-testid': 'message-dismiss' });
  hide.addEventListener('click', () => hideForm(slot, hide, 'reason', async (reason) => {
    await api.post(`/desk/conversation-messages/${seg(report.message_id)}/hide`, { reason });
    flash(el('span', { i18n: 'mod.message_hidden' }), 'success');
    await loadAll();
  }));
  dismiss.addEventListener('click', async () => {
    setBusy(dismiss, true);
    try {
      await api.post(`/desk/conversation-reports/${seg(report.id)}/dismiss`);
      flash(el('span', { i18n: 'mod.report_dismissed' }), 'success');
      await loadAll();
    } catch (err) {
      flashError(err);
      setBusy(dismiss, false);
    }
  });
  return el('li', { class: 'list-item', 'data-testid': 'reported-message', dataset: { messageId: report.message_id, reportId: report.id } },
    el('div', { class: 'item-head' },
      el('span', { class: 'badge', i18n: `mod.side_${m.side === 'seller' ? 'seller' : 'buyer'}` }), ' ',
      el('span', { text: m.author_name || '' }), ' ', timeEl(m.at)),
    el('p', { class: 'quote', lang: 'zh-CN', text: m.body || '', 'data-testid': 'message-text' }),
    m.hidden ? el('p', { class: 'muted' }, el('span', { i18n: 'mod.already_hidden' }), ' ', el('span', { text: m.hidden_reason || '' })) : null,
    el('p', {}, el('span', { class: 'muted', i18n: 'mod.report_reason' }), ' ',
      el('span', { lang: 'zh-CN', text: report.reason, 'data-testid': 'message-report-reason' }), ' · ', age(report.created_at)),
    el('div', { class: 'actions' }, hide, dismiss),
    slot);
}

async function loadMessages() {
  const box = $('#messages');
  box.setAttribute('aria-busy', 'true');
  try {
    const page = await api.get('/desk/conversation-reports?status=open&limit=100');
    $('#count-messages').textContent = String(page.total);
    replaceChildren(box, page.items.length
      ? el('ul', { class: 'cards' }, page.items.map(messageCard))
      : note('empty', { i18n: 'mod.no_messages' }));
    box.dataset.state = 'done';
  } catch (err) {
    box.dataset.state = 'error';
    if (!err.redirecting) replaceChildren(box, note('error', err.message));
  } finally {
    box.removeAttribute('aria-busy');
  }
}

function hiddenCard(review) {
  const restore = el('button', { type: 'button', class: 'btn btn-secondary btn-small', i18n: 'mod.restore', 'data-testid': 'review-restore' });
  restore.addEventListener('click', async () => {
    setBusy(restore, true);
    try {
      await api.post(`/reviews/${seg(review.review.id)}/restore`);
      flash(el('span', { i18n: 'mod.review_restored' }), 'success');
      await loadAll();
    } catch (err) {
      flashError(err);
      setBusy(restore, false);
    }
  });
  return el('li', { class: 'list-item', 'data-testid': 'hidden-review', dataset: { reviewId: review.review.id } },
    reviewBody(review),
    el('p', {}, el('span', { class: 'muted', i18n: 'mod.hidden_because' }), ' ',
      el('span', { lang: 'zh-CN', text: review.hidden_reason || '', 'data-testid': 'hidden-reason' }), ' · ', timeEl(review.hidden_at)),
    el('div', { class: 'actions' }, restore));
}

async function loadHidden() {
  const box = $('#hidden');
  box.setAttribute('aria-busy', 'true');
  try {
    const page = await api.get('/hidden-reviews?limit=100');
    $('#count-hidden').textContent = String(page.total);
    replaceChildren(box, page.items.length
      ? el('ul', { class: 'cards' }, page.items.map(hiddenCard))
      : note('empty', { i18n: 'mod.no_hidden' }));
    box.dataset.state = 'done';
  } catch (err) {
    box.dataset.state = 'error';
    if (!err.redirecting) replaceChildren(box, note('error', err.message));
  } finally {
    box.removeAttribute('aria-busy');
  }
}

async function loadAll() {
  await Promise.all([loadReviews(), loadMessages(), loadHidden()]);
}

function show(tab) {
  state.tab = PANES.includes(tab) ? tab : 'reviews';
  for (const b of $$('.tab')) b.setAttribute('aria-pressed', String(b.dataset.status === state.tab));
  for (const p of PANES) $(`#pane-${p}`).hidden = p !== state.tab;
  const url = new URL(location.href);
  url.searchParams.set('tab', state.tab);
  history.replaceState(null, '', url);
}

for (const b of $$('.tab')) b.addEventListener('click', () => show(b.dataset.status));

const { me } = await initShell({ auth: 'required' });
if (me && me.account.platform_role === 'operator') {
  $('#console').hidden = false;
  show(new URLSearchParams(location.search).get('tab'));
  await loadAll();
} else if (me) {
  $('#forbidden').hidden = false;
}
