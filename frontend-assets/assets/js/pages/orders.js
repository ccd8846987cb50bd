// My orders, newest first: each with where it stands, each seller's part with its own status,
// and every line with the trace codes of the batches it was packed from. Recall notices come
// first, above everything: a recalled batch is a safety matter, and the refund is one tap.

import { api, query } from '../api.js';
import { initShell } from '../shell.js';
import { $, el, errorMessage, flashError, note, replaceChildren, timeEl } from '../ui.js';
import { lineEl, moneyEl, orderHref, orderStatusBadge, subStatusBadge } from '../orders.js';
import { loadNotices, noticeEl } from '../recalls.js';

const LIMIT = 10;
const box = $('#orders');
const pager = $('#pager');
const state = { offset: 0 };

function readUrl() {
  const p = new URLSearchParams(location.search);
  state.offset = Math.max(0, Number.parseInt(p.get('offset') || '0', 10) || 0);
}

function subEl(sub, order) {
  const replacement = (order.events || []).some((e) => e.kind === 'replacement' && e.sub_order_id === sub.id);
  return el('section', { class: 'seller-part', 'data-testid': 'order-sub', dataset: { subId: sub.id, status: sub.status, sellerId: sub.seller_id, replacement: String(replacement) } },
    el('div', { class: 'item-head' },
      el('h3', { class: 'group-title', text: sub.seller_name }),
      replacement ? el('span', { class: 'tag tag-reship', i18n: 'order.replacement' }) : null,
      subStatusBadge(sub.status)),
    el('ul', { class: 'list order-lines' }, (sub.lines || []).map((line) => lineEl(line))));
}

function orderCard(order) {
  const href = orderHref(order.id);
  return el('li', { class: 'card order-card', 'data-testid': 'order-card', dataset: { orderId: order.id, status: order.status } },
    el('div', { class: 'item-head' },
      el('a', { class: 'item-title mono', href, 'data-testid': 'order-number' },
        el('span', { class: 'visually-hidden', i18n: 'order.number' }), order.number),
      orderStatusBadge(order.status)),
    el('p', { class: 'meta muted' },
      el('span', {}, el('span', { i18n: 'order.placed_at' }), ' ', timeEl(order.created_at)),
      el('span', {}, el('span', { i18n: 'order.total' }), ' ', moneyEl(order.total, 'order-total'))),
    (order.sub_orders || []).map((sub) => subEl(sub, order)),
    el('div', { class: 'actions' },
      order.status === 'pending_payment'
        ? el('a', { class: 'btn btn-primary', href, i18n: 'order.pay', 'data-testid': 'order-pay-link' }) : null,
      el('a', { class: 'btn btn-secondary', href, i18n: 'orders.open', 'data-testid': 'order-open' })));
}

/** The recall notices, those still waiting for the refund first. */
async function loadRecalls() {
  const section = $('#recalls');
  const notices = await loadNotices();
  const ordered = [...notices.filter((n) => n.status === 'offered'), ...notices.filter((n) => n.status !== 'offered')];
  replaceChildren($('#recalls-body'), ordered.map((n) => noticeEl(n, { onRefunded: load })));
  section.hidden = !ordered.length;
  section.dataset.count = String(ordered.length);
  section.dataset.state = 'done';
}

async function load() {
  history.replaceState(null, '', location.pathname + query({ offset: state.offset || '' }));
  box.setAttribute('aria-busy', 'true');
  try {
    const page = await api.get('/orders' + query({ limit: LIMIT, offset: state.offset }));
    const items = (page && page.items) || [];
    const total = Number(page && page.total) || 0;
    replaceChildren($('#orders-count'), el('span', { i18n: 'orders.count', args: { count: total } }));
    replaceChildren(box, items.length
      ? el('ul', { class: 'cards' }, items.map(orderCard))
      : el('div', { class: 'card empty-state', 'data-testid': 'orders-empty' },
        el('p', { class: 'empty-title', i18n: 'orders.empty' }),
        el('a', { class: 'btn btn-primary', href: '/search.html', i18n: 'cart.go_shopping' })));
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

$('#page-prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - LIMIT); load(); });
$('#page-next').addEventListener('click', () => { state.offset += LIMIT; load(); });

readUrl();
const { me, error } = await initShell({ auth: 'required' });
if (me) await Promise.all([loadRecalls(), load()]);
else if (error && !error.redirecting) replaceChildren(box, note('muted', { i18n: 'common.unavailable' }));
