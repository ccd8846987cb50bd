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
const TABS = ['all', 'pending_payment', 'to_ship', 'to_receive', 'to_review'];
const state = { offset: 0, tab: 'all' };

function readUrl() {
  const p = new URLSearchParams(location.search);
  state.offset = Math.max(0, Number.parseInt(p.get('offset') || '0', 10) || 0);
  state.tab = TABS.includes(p.get('tab')) ? p.get('tab') : 'all';
}

// ---- the tabs: 全部 待付款 待发货 待收货 待评价 售后, each with its count ------------------------

function markTabs() {
  for (const a of document.querySelectorAll('#order-tabs a')) {
    a.setAttribute('aria-current', a.dataset.tab === state.tab ? 'page' : 'false');
  }
}

function showCount(tab, n) {
  const a = document.querySelector(`#order-tabs a[data-tab="${tab}"]`);
  if (!a) return;
  a.dataset.count = String(n);
  a.querySelector('.tab-count').textContent = n ? String(n > 99 ? '99+' : n) : '';
}

/** The counts: the orders API's per tab, and the buyer's claims for 售后. A failure leaves them blank. */
async function loadCounts() {
  const [counts, claims] = await Promise.allSettled([api.get('/orders/counts'), api.get('/claims?limit=1')]);
  if (counts.status === 'fulfilled' && counts.value) {
    for (const tab of TABS) showCount(tab, Number(counts.value[tab]) || 0);
  }
  if (claims.status === 'fulfilled' && claims.value) showCount('after_sales', Number(claims.value.total) || 0);
  $('#order-tabs').dataset.state = 'done';
}

for (const a of document.querySelectorAll('#order-tabs a[data-tab]')) {
  if (!TABS.includes(a.dataset.tab)) continue;
  a.addEventListener('click', (event) => {
    event.preventDefault();
    state.tab = a.dataset.tab;
    state.offset = 0;
    markTabs();
    load();
  });
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
    el('div', { class: 'actions order-actions' },
      nextActions(order, href),
      el('a', { class: 'btn btn-secondary', href, i18n: 'orders.open', 'data-testid': 'order-open' })));
}

/**
 * What the buyer can do next with this order, as the server says (`can_pay`, `can_cancel`,
 * each part's `can_request_cancel`/`can_receive`, each line's `can_review`, the after-sales
 * window). Each leads to where it is done: paying, cancelling, receiving and reviewing on the
 * order page, claiming on the claim form.
 */
/** The claim form of one received parcel (as claims.js builds it; not imported for one line). */
function newClaimHref(orderId, subId) {
  return '/claim-new.html?order=' + encodeURIComponent(orderId) + '&sub=' + encodeURIComponent(subId);
}

function nextActions(order, href) {
  const subs = order.sub_orders || [];
  const out = [];
  const link = (key, testid, to, primary = false) => el('a', { class: `btn ${primary ? 'btn-primary' : 'btn-secondary'}`, href: to, i18n: key, 'data-testid': testid });
  if (order.status === 'pending_payment') out.push(link('order.pay', 'order-pay-link', href, true));
  if (order.can_cancel) out.push(link('orders.act_cancel', 'order-act-cancel', href));
  if (subs.some((s) => s.can_request_cancel)) out.push(link('orders.act_request_cancel', 'order-act-request-cancel', href));
  if (subs.some((s) => s.can_receive)) out.push(link('orders.act_receive', 'order-act-receive', href, true));
  if (subs.some((s) => (s.lines || []).some((l) => l.can_review))) out.push(link('orders.act_review', 'order-act-review', href));
  const now = Date.now();
  const claimable = subs.find((s) => s.status === 'received' && s.window_closes_at && Date.parse(s.window_closes_at) > now);
  if (claimable) out.push(link('orders.act_claim', 'order-act-claim', newClaimHref(order.id, claimable.id)));
  return out;
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
  history.replaceState(null, '', location.pathname + query({ tab: state.tab === 'all' ? '' : state.tab, offset: state.offset || '' }));
  box.setAttribute('aria-busy', 'true');
  try {
    const page = await api.get('/orders' + query({ limit: LIMIT, offset: state.offset, tab: state.tab === 'all' ? '' : state.tab }));
    const items = (page && page.items) || [];
    const total = Number(page && page.total) || 0;
    replaceChildren($('#orders-count'), el('span', { i18n: 'orders.count', args: { count: total } }));
    replaceChildren(box, items.length
      ? el('ul', { class: 'cards' }, items.map(orderCard))
      : el('div', { class: 'card empty-state', 'data-testid': 'orders-empty' },
        el('p', { class: 'empty-title', i18n: state.tab === 'all' ? 'orders.empty' : 'orders.empty_tab' }),
        el('a', { class: 'btn btn-primary', href: '/search.html', i18n: 'cart.go_shopping' })));
    const to = state.offset + items.length;
    pager.hidden = total <= LIMIT && state.offset === 0;
    $('#page-prev').disabled = state.offset <= 0;
    $('#page-next').disabled = to >= total;
    replaceChildren($('#page-info'), el('span', { i18n: 'verify.page_info', args: { from: total ? state.offset + 1 : 0, to, total } }));
    box.dataset.state = 'done';
    box.dataset.tab = state.tab;
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
markTabs();
const { me, error } = await initShell({ auth: 'required' });
if (me) await Promise.all([loadRecalls(), load(), loadCounts()]);
else if (error && !error.redirecting) replaceChildren(box, note('muted', { i18n: 'common.unavailable' }));
