// One order: where it goes, each seller's part with its steps, its parcel and the trace codes of
// what was packed, and what I can do now — pay before the deadline, cancel while unpaid, confirm
// that a parcel arrived, review what I received. Sellers and the operator see the same page
// (a seller only its own part); the buyer's buttons are the buyer's, and which show is the
// server's word (`can_pay`, `can_cancel`, `can_receive`). A received parcel may be claimed for
// while its after-sales window is open; each part lists the claims made on it. A part sent again
// for a claim (补发) says which part it replaces; a recall of a batch I received from shows its
// notice at the top, with the refund. A business buyer asks for an invoice (发票) on each paid
// part and downloads it there, with the SHA-256 it was issued with.

import { api, newIdempotencyKey, query, seg } from '../api.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, charCount, clearErrors, el, errorMessage, facts, flash, flashError, note, phoneEl,
  replaceChildren, setBusy, showErrors, timeEl, validationError,
} from '../ui.js';
import {
  PHOTO_MAX_BYTES, PHOTO_TYPES, REVIEW_PHOTOS_MAX, REVIEW_TEXT_MAX, STARS, addressLine, countdownEl,
  eventsEl, instructionsEl, lineEl, methodEl, moneyEl, orderStatusBadge, shipmentEl, stepsEl,
  refundsEl, subMoneyEl, subNames, subStatusBadge, reasonForm, shipByEl, shipOverdue,
} from '../orders.js';
import { claimHref, claimStatusBadge, claimedSoFar, kindEl, leftEl, newClaimHref, windowOpen } from '../claims.js';
import { loadNotices, noticeEl } from '../recalls.js';
import { loadOrderInvoices, subInvoiceEl } from '../invoices.js';
import { rememberedProvider, startExtraPayment, startPayment } from '../payment.js';
import { formatFen, formatGrams } from '../catalog.js';

const params = new URLSearchParams(location.search);
const id = params.get('id');
// One key per visit for "pay this order": a retry of the same tap reuses it.
const payKey = newIdempotencyKey();
const view = { order: null, me: null, payment: null, reloadedAtEnd: false, claims: [], notices: [], invoices: { defaults: null, invoices: [] } };

// ---- who is looking -----------------------------------------------------------------------------

/** How I relate to this order, as the server says: `buyer`, `seller` or `operator`. */
function isBuyerView(order) {
  return order.viewer === 'buyer';
}

// ---- the pieces ---------------------------------------------------------------------------------

function confirmBox(slot, { questionKey, args, confirmKey, testid, danger = false, onConfirm }) {
  const yes = el('button', { type: 'button', class: danger ? 'btn btn-danger' : 'btn btn-primary', i18n: confirmKey, 'data-testid': `${testid}-confirm` });
  const no = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel', 'data-testid': `${testid}-cancel` });
  const box = el('div', { class: 'actions confirm', role: 'group', 'data-testid': `${testid}-box` },
    el('p', { class: 'confirm-question', i18n: questionKey, args }), yes, no);
  no.addEventListener('click', () => replaceChildren(slot));
  yes.addEventListener('click', async () => {
    setBusy(yes, true);
    try {
      await onConfirm();
      replaceChildren(slot);
    } catch (err) {
      flashError(err);
    } finally {
      setBusy(yes, false);
    }
  });
  replaceChildren(slot, box);
  yes.focus();
}

async function pay(button) {
  if (button) setBusy(button, true);
  try {
    const provider = params.get('pay') || rememberedProvider(view.order.id);
    const payment = await startPayment(view.order.id, provider, payKey);
    if (payment && payment.redirecting) return;
    view.payment = payment;
    replaceChildren($('#order-pay'), payBox(view.order));
  } catch (err) {
    flashError(err);
  } finally {
    if (button) setBusy(button, false);
  }
}

/**
 * 支付成功: what was paid, for which order, when each seller ships at the latest, and where to
 * go next. Shown once the order says it is paid, when the buyer arrives from paying.
 */
function showPaySuccess(order) {
  const box = $('#pay-success');
  if (order.status !== 'paid' || order.viewer !== 'buyer') return;
  const subs = (order.sub_orders || []).filter((s) => s.ship_by && ['paid', 'acknowledged'].includes(s.status));
  replaceChildren(box,
    el('p', { class: 'pay-success-mark', 'aria-hidden': 'true', text: '✓' }),
    el('h2', { id: 'pay-success-title', i18n: 'order.pay_success' }),
    el('p', { class: 'pay-success-amount' }, moneyEl(order.total, 'pay-success-amount', 'money money-big')),
    el('p', { class: 'muted' }, el('span', { i18n: 'order.number' }), ' ', el('span', { class: 'mono', text: order.number })),
    subs.length
      ? el('ul', { class: 'plain-list', 'data-testid': 'pay-success-ship-by' }, subs.map((s) => el('li', {},
        el('span', { i18n: 'order.pay_success_ship_by', args: { seller: s.seller_name } }), ' ', timeEl(s.ship_by))))
      : null,
    el('div', { class: 'actions' },
      el('a', { class: 'btn btn-primary', href: '#order', i18n: 'order.pay_success_view', 'data-testid': 'pay-success-view' }),
      el('a', { class: 'btn btn-secondary', href: '/orders.html?tab=to_ship', i18n: 'order.pay_success_orders', 'data-testid': 'pay-success-orders' }),
      el('a', { class: 'btn btn-secondary', href: '/', i18n: 'order.pay_success_shop', 'data-testid': 'pay-success-shop' })));
  box.hidden = false;
  box.scrollIntoView({ block: 'start' });
}

/** Back from a gateway's sheet: the order is paid when the gateway's notification says so. */
async function waitUntilPaid() {
  const waiting = note('info', { i18n: 'order.paying' });
  waiting.dataset.testid = 'order-paying';
  $('#order-pay').prepend(waiting);
  for (let i = 0; i < 30; i += 1) {
    await new Promise((r) => { setTimeout(r, 1000); });
    const order = await api.get(`/orders/${seg(id)}`);
    if (order.status !== 'pending_payment') {
      render(order);
      if (order.status === 'paid') {
        flash(t('order.paid'), 'success', { focus: false });
        showPaySuccess(order);
      }
      return;
    }
  }
  waiting.remove();
}

/** How the money came (the first payment): its channel, 模拟支付 marked. */
function paidWithEl(order) {
  const p = (order.payments || [])[0];
  if (!p || !p.channel) return null;
  return el('span', { 'data-testid': 'order-paid-with', dataset: { channel: p.channel } },
    el('span', { i18n: 'pay_channel.' + p.channel }),
    p.simulated ? el('span', { class: 'badge badge-pending', 'data-testid': 'simulated-badge', i18n: 'pay_channel.sandbox' }) : null,
    p.reference ? el('span', { class: 'mono small', text: ' ' + p.reference }) : null);
}

function payBox(order) {
  if (order.status !== 'pending_payment') return null;
  // When the time is up the server closes the order; look once more a little later.
  const onEnd = () => {
    if (view.reloadedAtEnd) return;
    view.reloadedAtEnd = true;
    setTimeout(reload, 5000);
  };
  return el('div', { class: 'pay-box' }, countdownEl(order.pay_by, onEnd), instructionsEl(view.payment));
}

function renderHead(order) {
  $('#order-number').textContent = order.number;
  // An order from an accepted quote names its request for quotation (#22): its number (XJ…) links to it.
  const rfq = ((order.events || []).find((e) => e.kind === 'placed')?.data || {}).rfq;
  $('#order-rfq')?.remove();
  if (rfq) {
    $('#order-number').after(el('a', {
      class: 'mono', id: 'order-rfq', href: `/rfq.html?id=${encodeURIComponent(rfq.id)}`, text: rfq.number, 'data-testid': 'order-rfq',
    }));
  }
  $('#order').dataset.orderId = order.id;
  $('#order').dataset.status = order.status;
  replaceChildren($('#order-status'), orderStatusBadge(order.status));
  replaceChildren($('#order-facts'), facts([
    ['order.placed_at', timeEl(order.created_at)],
    ['order.method', methodEl(order.payment_method)],
    ['order.paid_at', order.paid_at ? timeEl(order.paid_at) : null],
    ['order.paid_with', paidWithEl(order)],
    ['order.total', moneyEl(order.total, 'order-total', 'money money-big')],
    ['order.refunded', order.refunded ? moneyEl(order.refunded, 'order-refunded') : null],
    ['order.note', order.note ? el('span', { class: 'pre-line', text: order.note }) : null],
  ]));
  replaceChildren($('#order-pay'), payBox(order));

  const actions = $('#order-actions');
  replaceChildren(actions);
  replaceChildren($('#order-confirm'));
  // A purchaser's order above the business buyer's limit waits for a manager (issue #22).
  if (order.approval && order.approval.status === 'pending') {
    actions.append(el('p', { class: 'note note-info', 'data-testid': 'order-approval-pending', i18n: 'order.approval_pending', args: { limit: formatFen(order.approval.limit_fen) } }));
  } else if (order.approval && order.approval.status === 'rejected') {
    actions.append(el('p', { class: 'note note-error', 'data-testid': 'order-approval-rejected', i18n: 'order.approval_rejected' }));
  }
  if (order.can_pay) {
    const payButton = el('button', {
      type: 'button',
      class: 'btn btn-primary',
      i18n: order.payment_method === 'offline' ? 'order.pay_offline' : 'order.pay',
      'data-testid': 'order-pay',
    });
    payButton.addEventListener('click', () => pay(payButton));
    actions.append(payButton);
  }
  if (order.can_cancel) {
    const cancel = el('button', { type: 'button', class: 'btn btn-danger-quiet', i18n: 'order.cancel', 'data-testid': 'order-cancel' });
    cancel.addEventListener('click', () => confirmBox($('#order-confirm'), {
      questionKey: 'order.cancel_question',
      confirmKey: 'order.cancel_confirm',
      testid: 'order-cancel',
      danger: true,
      onConfirm: async () => {
        render(await api.post(`/orders/${seg(order.id)}/cancel`, {}));
        flash(t('order.cancelled'), 'success');
      },
    }));
    actions.append(cancel);
  }
  if (order.viewer === 'operator') {
    actions.append(el('a', { class: 'btn btn-quiet', href: '/ops/orders.html?number=' + encodeURIComponent(order.number), i18n: 'order.to_ops' }));
  } else if (order.viewer === 'buyer') {
    // 联系客服: a desk ticket linked to this order.
    actions.append(el('a', { class: 'btn btn-quiet', href: '/tickets.html?kind=seller_complaint&link_kind=order&link_id=' + encodeURIComponent(order.id), i18n: 'common.contact_support', 'data-testid': 'contact-support' }));
  }
}

function renderAddress(order) {
  const a = order.address || {};
  replaceChildren($('#order-address'), facts([
    ['address.name', el('span', { text: a.name || '' }), 'address-name'],
    ['address.phone', phoneEl(a.phone)],
    ['address.where', el('span', { text: addressLine(a) }), 'address-line'],
  ]));
}

// ---- reviews ------------------------------------------------------------------------------------

function reviewForm(line, slot, opener) {
  const formId = `review-${line.id}`;
  const photos = [];
  const photoList = el('ul', { class: 'image-list review-photos', 'data-testid': 'review-photos' });
  const status = el('p', { class: 'hint', 'aria-live': 'polite' });
  const fileId = `${formId}-file`;
  const file = el('input', { id: fileId, type: 'file', class: 'file-input', accept: PHOTO_TYPES.join(','), multiple: true, 'data-testid': 'review-photo-pick' });
  const counter = el('span', { class: 'counter' });
  const text = el('textarea', { id: `${formId}-text`, name: 'text', rows: '3', maxlength: String(REVIEW_TEXT_MAX * 2), 'aria-describedby': `${formId}-text-hint ${formId}-text-error`, 'data-testid': 'review-text' });
  const updateCounter = () => { counter.textContent = `${charCount(text.value.trim())} / ${REVIEW_TEXT_MAX}`; };
  text.addEventListener('input', updateCounter);
  updateCounter();

  const starInputs = STARS.map((n) => {
    const inputId = `${formId}-star-${n}`;
    return el('span', { class: 'star-choice' },
      el('input', { type: 'radio', id: inputId, name: 'rating', value: String(n), checked: n === 5, 'data-testid': `review-star-${n}` }),
      el('label', { for: inputId },
        el('span', { 'aria-hidden': 'true', text: '★' }),
        el('span', { class: 'visually-hidden', i18n: 'ratings.n_stars', args: { count: n } })));
  });

  const renderPhotos = () => {
    replaceChildren(photoList, photos.map((p, i) => {
      const remove = el('button', { type: 'button', class: 'btn btn-quiet btn-tiny', i18n: 'ratings.photo_remove' });
      remove.addEventListener('click', () => { photos.splice(i, 1); renderPhotos(); });
      return el('li', { class: 'image-item', 'data-testid': 'review-photo' },
        el('img', { src: p.thumb_url || p.url, alt: '', width: '100', height: '100' }), remove);
    }));
  };

  file.addEventListener('change', async () => {
    const chosen = Array.from(file.files || []);
    file.value = '';
    for (const f of chosen) {
      if (photos.length >= REVIEW_PHOTOS_MAX) {
        flash(t('ratings.photos_max', { count: REVIEW_PHOTOS_MAX }), 'error');
        break;
      }
      if (!PHOTO_TYPES.includes(f.type)) {
        flash(t('ratings.e_photo_type', { name: f.name }), 'error');
        continue;
      }
      if (f.size > PHOTO_MAX_BYTES) {
        flash(t('ratings.e_photo_size', { name: f.name }), 'error');
        continue;
      }
      status.textContent = t('edit.uploading');
      try {
        const data = new FormData();
        data.append('file', f, f.name);
        photos.push(await api.upload('/review-photos', data));
        renderPhotos();
      } catch (err) {
        flashError(err);
      } finally {
        status.textContent = '';
      }
    }
  });

  const submit = el('button', { type: 'submit', class: 'btn btn-primary', i18n: 'ratings.submit', 'data-testid': 'review-submit' });
  const cancel = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel' });
  const form = el('form', { class: 'subform review-form', method: 'post', action: '#', novalidate: true, 'data-testid': 'review-form', dataset: { lineId: line.id } },
    el('p', { class: 'form-error', 'data-form-error': '', role: 'alert', hidden: true }),
    el('fieldset', { class: 'star-picker' },
      el('legend', { i18n: 'ratings.rating' }),
      el('div', { class: 'star-row' }, starInputs),
      el('p', { class: 'field-error', 'data-error-for': 'rating', hidden: true })),
    el('div', { class: 'field' },
      el('label', { for: `${formId}-text`, i18n: 'ratings.text' }),
      text,
      el('p', { class: 'hint', id: `${formId}-text-hint` }, el('span', { i18n: 'ratings.text_hint' }), ' ', counter),
      el('p', { class: 'field-error', id: `${formId}-text-error`, 'data-error-for': 'text', hidden: true })),
    el('div', { class: 'field' },
      el('span', { class: 'label', i18n: 'ratings.photos' }),
      photoList,
      el('label', { for: fileId, class: 'btn btn-secondary btn-small file-button', i18n: 'ratings.add_photos' }),
      file,
      status,
      el('p', { class: 'field-error', 'data-error-for': 'photos', hidden: true })),
    el('div', { class: 'actions' }, submit, cancel));
  cancel.addEventListener('click', () => { replaceChildren(slot); opener.hidden = false; opener.focus(); });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const rating = Number((form.querySelector('input[name="rating"]:checked') || {}).value);
    const body = text.value.trim();
    if (!STARS.includes(rating)) {
      showErrors(form, validationError({ rating: t('ratings.e_rating') }));
      return;
    }
    if (charCount(body) > REVIEW_TEXT_MAX) {
      showErrors(form, validationError({ text: t('ratings.e_text', { n: REVIEW_TEXT_MAX }) }));
      return;
    }
    setBusy(submit, true);
    try {
      const payload = { rating };
      if (body) payload.text = body;
      if (photos.length) payload.photos = photos.map((p) => p.id);
      await api.post(`/order-lines/${seg(line.id)}/review`, payload);
      flash(t('ratings.thanks'), 'success');
      await reload();
    } catch (err) {
      showErrors(form, err);
    } finally {
      setBusy(submit, false);
    }
  });
  opener.hidden = true;
  replaceChildren(slot, form);
  form.querySelector('input[name="rating"]:checked').focus();
}

/**
 * Issue #22: a line weighed above its tolerance asks the buyer for the part above it (补差价).
 * The buyer pays it through the gateway (its own small payment) or declines; the parcel ships
 * either way.
 */
function extraChargeBox(line, order) {
  const c = line.catch_weight && line.catch_weight.extra_charge;
  if (!isBuyerView(order) || !c || !c.open) return null;
  const w = line.catch_weight;
  const slot = el('div');
  const payButton = el('button', { type: 'button', class: 'btn btn-primary btn-small', i18n: 'order.extra_pay', args: { extra: formatFen(c.amount) }, 'data-testid': 'extra-pay' });
  const declineButton = el('button', { type: 'button', class: 'btn btn-quiet btn-small', i18n: 'order.extra_decline', 'data-testid': 'extra-decline' });
  payButton.addEventListener('click', async () => {
    setBusy(payButton, true);
    try {
      const payment = await startExtraPayment(order.id, c.id);
      if (!payment || !payment.redirecting) await reload();
    } catch (err) {
      flashError(err);
    } finally {
      setBusy(payButton, false);
    }
  });
  declineButton.addEventListener('click', () => confirmBox(slot, {
    questionKey: 'order.extra_decline_question',
    args: { extra: formatFen(c.amount) },
    confirmKey: 'order.extra_decline_confirm',
    testid: 'extra-decline',
    onConfirm: async () => {
      render(await api.post(`/extra-charges/${seg(c.id)}/decline`, {}));
      flash(t('order.extra_declined_flash'), 'success');
    },
  }));
  return el('div', { class: 'extra-charge-box', role: 'group', 'data-testid': 'extra-charge', dataset: { chargeId: c.id } },
    el('p', { i18n: 'order.extra_question', args: { nominal: formatGrams(w.nominal_grams), actual: formatGrams(w.actual_grams), extra: formatFen(c.amount) } }),
    el('div', { class: 'actions' }, payButton, declineButton),
    slot);
}

function lineWithReview(line, buyer, order) {
  const extra = extraChargeBox(line, order);
  if (extra) return lineEl(line, el('div', { class: 'line-actions' }, extra));
  if (!buyer || !line.can_review || line.review) return lineEl(line);
  const slot = el('div', { class: 'review-slot' });
  const open = el('button', { type: 'button', class: 'btn btn-secondary btn-small', i18n: 'ratings.write', 'data-testid': 'line-review-open' });
  open.addEventListener('click', () => reviewForm(line, slot, open));
  return lineEl(line, el('div', { class: 'line-actions' }, open, slot));
}

// ---- after-sales ---------------------------------------------------------------------------------

/**
 * The buyer may claim on a received part while its window is open, something of it is still
 * unrefunded, and some unit has not been claimed already.
 */
function canClaim(sub, order) {
  if (!isBuyerView(order) || !windowOpen(sub)) return false;
  if ((Number(sub.total) || 0) - (Number(sub.refunded) || 0) <= 0) return false;
  const before = claimedSoFar(view.claims, sub.id);
  return (sub.lines || []).some((l) => l.quantity > (before.get(l.id) || 0));
}

/** The claims made on one part, and — for its buyer, while the window is open — a way to claim. */
function afterSalesEl(sub, order) {
  const claims = view.claims.filter((c) => c.sub_order_id === sub.id);
  const claimable = canClaim(sub, order);
  // A parcel on its way may be claimed as not received or lost (claim-new asks the server).
  const inTransit = order.viewer === 'buyer' && sub.status === 'shipped';
  if (!claimable && !claims.length && !inTransit) return null;
  return el('div', { class: 'after-sales', 'data-testid': 'sub-aftersales' },
    el('h3', { class: 'after-sales-title', i18n: 'claim.section' }),
    claimable
      ? el('p', { class: 'window-line', 'data-testid': 'sub-window-left' },
        el('span', { i18n: 'claim.window_until' }), ' ', timeEl(sub.window_closes_at), ' ', leftEl(sub.window_closes_at, 'window-left'))
      : null,
    claims.length
      ? el('ul', { class: 'mini-list', 'data-testid': 'sub-claims' }, claims.map((c) => el('li', {
        class: 'sub-claim', 'data-testid': 'sub-claim', dataset: { claimId: c.id, status: c.status },
      },
      el('a', { class: 'mono', href: claimHref(c.id), text: c.number }), ' ',
      claimStatusBadge(c.status, 'sub-claim-status'), ' ',
      el('span', { class: 'muted' }, kindEl(c.kind)), ' ',
      c.refunded ? el('span', {}, el('span', { i18n: 'claim.refunded' }), ' ', moneyEl(c.refunded)) : null)))
      : null,
    claimable
      ? el('div', { class: 'actions' },
        el('a', { class: 'btn btn-secondary', href: newClaimHref(order.id, sub.id), i18n: 'claim.apply', 'data-testid': 'sub-claim-new' }),
        el('span', { class: 'hint', i18n: 'claim.apply_hint' }))
      : null,
    inTransit
      ? el('div', { class: 'actions' },
        el('a', { class: 'btn btn-secondary', href: newClaimHref(order.id, sub.id), i18n: 'claim.apply_not_received', 'data-testid': 'sub-claim-not-received' }),
        el('span', { class: 'hint', i18n: 'claim.apply_not_received_hint' }))
      : null);
}

/** The claims this order has: mine when I bought it, my organisation's when I sell a part. */
async function loadClaims(order) {
  try {
    if (order.viewer === 'buyer') {
      const page = await api.get(`/claims?limit=100&order_id=${seg(order.id)}`);
      view.claims = ((page && page.items) || []).filter((c) => c.order_id === order.id);
    } else if (order.viewer === 'seller') {
      const orgs = [...new Set((order.sub_orders || []).map((s) => s.seller_id))];
      const pages = await Promise.all(orgs.map((org) => api.get(`/orgs/${seg(org)}/claims?limit=100&order_id=${seg(order.id)}`)));
      view.claims = pages.flatMap((p) => (p && p.items) || []).filter((c) => c.order_id === order.id);
    } else {
      view.claims = [];
    }
  } catch {
    // The order stands on its own; the claim pages show their own errors.
    view.claims = [];
  }
}

// ---- recalls and replacements --------------------------------------------------------------------

/** The recall notices about this order (the buyer's; nobody else gets any). */
async function loadOrderNotices(order) {
  view.notices = order.viewer === 'buyer'
    ? (await loadNotices()).filter((n) => n.order_id === order.id)
    : [];
}

async function loadInvoices(order) {
  view.invoices = await loadOrderInvoices(order.id);
}

function renderNotices(order) {
  const box = $('#order-recalls');
  const subs = order.sub_orders || [];
  replaceChildren(box, view.notices.map((n) => noticeEl(n, {
    sub: subs.find((s) => s.id === n.sub_order_id) || null,
    showOrderLink: false,
    onRefunded: reload,
  })));
  box.dataset.count = String(view.notices.length);
}

/** The part this one was sent to replace (补发), from the order's log; null for an ordinary part. */
function replaces(sub, order) {
  const made = (order.events || []).find((e) => e.kind === 'replacement' && e.sub_order_id === sub.id);
  if (!made) return null;
  const original = (order.sub_orders || []).find((s) => s.id === (made.data && made.data.replaces));
  return original || { id: made.data && made.data.replaces, number: '' };
}

/** The replacement parts sent for this one. */
function replacementsOf(sub, order) {
  const ids = (order.events || [])
    .filter((e) => e.kind === 'replacement' && e.data && e.data.replaces === sub.id)
    .map((e) => e.sub_order_id);
  return (order.sub_orders || []).filter((s) => ids.includes(s.id));
}

function replacementNote(sub, order) {
  const original = replaces(sub, order);
  const sent = replacementsOf(sub, order);
  const recalled = view.notices.some((n) => n.sub_order_id === sub.id);
  if (!original && !sent.length && !recalled) return null;
  return el('div', { class: 'part-notes' },
    original
      ? el('p', { class: 'note note-info replacement-note', 'data-testid': 'sub-replaces', dataset: { replaces: original.id || '' } },
        el('span', { class: 'tag tag-reship', i18n: 'order.replacement' }), ' ',
        el('span', { i18n: 'order.replaces', args: { number: original.number || '' } }))
      : null,
    sent.map((r) => el('p', { class: 'muted small', 'data-testid': 'sub-replaced-by', dataset: { subId: r.id } },
      el('span', { i18n: 'order.replaced_by' }), ' ',
      el('a', { class: 'mono', href: '#sub-' + r.id, text: r.number }))),
    recalled
      ? el('p', { class: 'note note-error', 'data-testid': 'sub-recalled' },
        el('a', { href: '#order-recalls', i18n: 'order.recalled_part' }))
      : null);
}

// ---- a seller's part ----------------------------------------------------------------------------

const SHIP_BY_KEYS = { left: 'order.ship_left', overdue: 'order.ship_overdue' };

/** The buyer's request to cancel and the seller's answer, when one was made. */
function cancelRequestEl(sub) {
  const r = sub.cancel_request;
  if (!r) return null;
  return el('span', { 'data-testid': 'sub-cancel-request', dataset: { status: r.status } },
    el('span', { class: 'badge', i18n: `cancel_request.${r.status}` }),
    r.reason ? el('span', {}, ' ', el('span', { class: 'muted', i18n: 'cancel_request.reason' }), ' ', el('span', { text: r.reason })) : null,
    r.status === 'open' && r.answer_by ? el('span', {}, ' ', el('span', { class: 'muted', i18n: 'cancel_request.answer_by' }), ' ', timeEl(r.answer_by)) : null,
    r.refusal ? el('span', {}, ' ', el('span', { class: 'muted', i18n: 'cancel_request.refusal' }), ' ', el('span', { text: r.refusal })) : null);
}


function subCard(sub, order) {
  const buyer = isBuyerView(order);
  const confirmSlot = el('div');
  const actions = el('div', { class: 'actions' });
  // A business buyer's part: its delivery window, the code and the signed note (issue #22).
  if (order.wholesale && !['cancelled', 'undelivered'].includes(sub.status)) {
    actions.append(el('a', { class: 'btn btn-secondary', href: `/delivery-note.html?sub=${encodeURIComponent(sub.id)}`, i18n: 'delivery.link', 'data-testid': 'sub-delivery' }));
  }
  if (sub.can_receive) {
    const receive = el('button', { type: 'button', class: 'btn btn-primary', i18n: 'order.receive', 'data-testid': 'sub-receive' });
    receive.addEventListener('click', () => confirmBox(confirmSlot, {
      questionKey: 'order.receive_question',
      args: { seller: sub.seller_name },
      confirmKey: 'order.receive_confirm',
      testid: 'sub-receive',
      onConfirm: async () => {
        render(await api.post(`/sub-orders/${seg(sub.id)}/receive`, {}));
        flash(t('order.received', { seller: sub.seller_name }), 'success');
      },
    }));
    actions.append(receive);
  }
  // Issue #18: past the ship-by deadline the buyer cancels at once; before it, asks the seller.
  if (buyer && shipOverdue(sub)) {
    const cancel = el('button', { type: 'button', class: 'btn btn-danger-quiet', i18n: 'order.cancel_overdue', 'data-testid': 'sub-cancel-overdue' });
    cancel.addEventListener('click', () => confirmBox(confirmSlot, {
      questionKey: 'order.cancel_overdue_question',
      confirmKey: 'order.cancel_overdue_confirm',
      testid: 'sub-cancel-overdue',
      danger: true,
      onConfirm: async () => {
        render(await api.post(`/sub-orders/${seg(sub.id)}/cancel`, {}));
        flash(t('order.cancelled_overdue'), 'success');
      },
    }));
    actions.append(cancel);
  } else if (sub.can_request_cancel) {
    const ask = el('button', { type: 'button', class: 'btn btn-quiet', i18n: 'order.request_cancel', 'data-testid': 'sub-request-cancel' });
    ask.addEventListener('click', () => reasonForm(confirmSlot, ask, {
      labelKey: 'order.request_cancel_reason',
      submitKey: 'order.request_cancel_send',
      testid: 'sub-request-cancel',
      onSubmit: async (reason) => {
        render(await api.post(`/sub-orders/${seg(sub.id)}/cancel-request`, { reason }));
        flash(t('order.cancel_requested', { seller: sub.seller_name }), 'success');
      },
    }));
    actions.append(ask);
  }
  const dates = facts([
    ['order.sub_number', el('span', { class: 'mono', text: sub.number })],
    // The ship-by deadline (issue #18), to both sides while the part waits to ship.
    ['order.ship_by', shipByEl(sub, SHIP_BY_KEYS), 'sub-ship-by'],
    ['order.cancel_request_label', cancelRequestEl(sub), 'sub-cancel'],
    ['order.shipped_late', sub.shipped_late ? el('span', { class: 'badge', i18n: 'order.shipped_late_yes' }) : null, 'sub-shipped-late'],
    ['order.auto_receive_at', sub.status === 'shipped' && sub.auto_receive_at ? timeEl(sub.auto_receive_at) : null, 'sub-auto-receive'],
    // While a claim can be made, the after-sales box says until when, with the time left.
    ['order.window_closes_at', sub.window_closes_at && !canClaim(sub, order) ? timeEl(sub.window_closes_at) : null, 'sub-window'],
  ], { class: 'facts facts-compact' });
  const original = replaces(sub, order);
  return el('section', {
    id: 'sub-' + sub.id,
    class: 'card seller-part-card' + (original ? ' is-replacement' : ''),
    'aria-labelledby': `sub-title-${sub.id}`,
    'data-testid': 'order-sub',
    dataset: { subId: sub.id, status: sub.status, sellerId: sub.seller_id, replacement: String(Boolean(original)) },
  },
  el('div', { class: 'item-head' },
    el('h2', { id: `sub-title-${sub.id}`, class: 'group-title' },
      el('a', { href: '/seller.html?id=' + encodeURIComponent(sub.seller_id), text: sub.seller_name })),
    subStatusBadge(sub.status),
    // The buyer asks this part's seller (咨询) about the order.
    isBuyerView(order)
      ? el('a', { class: 'btn btn-quiet btn-small', href: '/conversation.html' + query({ order: order.id, seller: sub.seller_id }), i18n: 'conv.contact_seller', 'data-testid': 'contact-seller' })
      : null),
  replacementNote(sub, order),
  stepsEl(sub, order),
  dates,
  el('ul', { class: 'list order-lines' }, (sub.lines || []).map((line) => lineWithReview(line, buyer, order))),
  shipmentEl(sub.shipment),
  subMoneyEl(sub),
  refundsEl(order.refunds, sub.id),
  actions,
  confirmSlot,
  afterSalesEl(sub, order),
  subInvoiceEl(sub, view.invoices, reload));
}

function renderMoney(order) {
  replaceChildren($('#order-money'), el('dl', { class: 'money-lines' },
    el('div', {}, el('dt', { i18n: 'order.goods' }), el('dd', {}, moneyEl(order.goods_total))),
    el('div', {}, el('dt', { i18n: 'order.shipping' }), el('dd', {}, order.shipping ? moneyEl(order.shipping) : el('span', { i18n: 'order.free_shipping' }))),
    order.refunded ? el('div', { class: 'is-refund' }, el('dt', { i18n: 'order.refunded' }), el('dd', {}, moneyEl(order.refunded))) : null,
    el('div', { class: 'money-total' }, el('dt', { i18n: 'order.total' }), el('dd', {}, moneyEl(order.total, null, 'money money-big')))));
}

// ---- the page -----------------------------------------------------------------------------------

function render(order) {
  view.order = order;
  $('#state-box').hidden = true;
  $('#order').hidden = false;
  renderHead(order);
  renderAddress(order);
  replaceChildren($('#subs'), (order.sub_orders || []).map((s) => subCard(s, order)));
  renderMoney(order);
  replaceChildren($('#order-events'), eventsEl(order.events, null, subNames(order)) || note('muted', { i18n: 'order.no_events' }));
  renderNotices(order);
  $('#order').dataset.ready = 'true';
}

/** The parts arrive after the page: a link to one of them (`#sub-…`) is followed once they are in. */
function followHash() {
  const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (target) target.scrollIntoView({ block: 'start' });
}

async function reload() {
  try {
    const order = await api.get(`/orders/${seg(id)}`);
    await Promise.all([loadClaims(order), loadOrderNotices(order), loadInvoices(order)]);
    render(order);
  } catch (err) {
    flashError(err);
  }
}

function stashedPayment() {
  try {
    const raw = sessionStorage.getItem('fg_payment_' + id);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

const { me, error } = await initShell({ auth: 'required' });
view.me = me;
if (!id) {
  replaceChildren($('#state-box'), note('empty', { i18n: 'order.missing' }));
} else if (me) {
  try {
    view.payment = stashedPayment();
    const order = await api.get(`/orders/${seg(id)}`);
    await Promise.all([loadClaims(order), loadOrderNotices(order), loadInvoices(order)]);
    render(order);
    followHash();
    if (params.get('placed') && order.status === 'pending_payment') flash(t('order.placed'), 'success', { focus: false });
    // Back from paying an extra charge (补差价): the order was paid long ago.
    if (params.get('extra') && params.get('paid')) flash(t('order.extra_paid_flash'), 'success', { focus: false });
    else if (params.get('paid') && order.status === 'paid') {
      flash(t('order.paid'), 'success', { focus: false });
      showPaySuccess(order);
    }
    if (params.get('unpaid') && order.status === 'pending_payment') flash(t('order.unpaid'), 'info', { focus: false });
    if (params.get('paying') && order.status === 'pending_payment') await waitUntilPaid();
    // Back from WeChat's authorisation: carry on paying.
    else if (params.get('pay') && order.can_pay) await pay(null);
  } catch (err) {
    if (!err.redirecting) {
      replaceChildren($('#state-box'), note(err.status === 404 ? 'empty' : 'error', err.status === 404 ? { i18n: 'order.missing' } : errorMessage(err)));
      if (err.status !== 404) flashError(err);
    }
  }
} else if (error && !error.redirecting) {
  replaceChildren($('#state-box'), note('muted', { i18n: 'common.unavailable' }));
}
