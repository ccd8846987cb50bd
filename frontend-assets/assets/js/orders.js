// Buying pieces the order pages share: statuses, money lines, addresses, a line with its trace
// codes, a seller's part with its steps and its parcel, the pay-by countdown, stars. Nothing here
// touches the page when it is imported, so the pure functions can be checked without a browser.

import { formatFen, formatGrams, listingHref, parseInteger, placeholderPicture, unitEl } from './catalog.js';
import { getLang, onLangChange, t, translate } from './i18n.js';
import { displayCode, publicHref } from './trace.js';
import { clearErrors, el, facts, flash, formatTime, replaceChildren, setBusy, showErrors, timeEl } from './ui.js';

export const ORDER_STATUSES = ['pending_payment', 'paid', 'cancelled', 'expired'];
export const SUB_STATUSES = ['pending_payment', 'paid', 'acknowledged', 'shipped', 'received', 'cancelled', 'undelivered'];
export const PAYMENT_METHODS = ['gateway', 'offline'];
export const LOGISTICS_KINDS = ['picked_up', 'in_transit', 'out_for_delivery', 'delivered', 'exception', 'lost'];
export const ORDER_EVENTS = ['placed', 'paid', 'cancelled', 'expired', 'acknowledged', 'shipped', 'logistics',
  'received', 'auto_received', 'refunded', 'reviewed', 'payment_failed', 'replacement',
  'cancel_requested', 'cancel_refused', 'ship_by_reminded', 'undelivered', 'waybill_corrected', 'weighed',
  'approval_requested', 'approved', 'extra_paid', 'extra_declined'];
/** The seller's console tabs, in the order a parcel lives them. */
export const SELLER_TABS = ['paid', 'acknowledged', 'shipped', 'received'];
export const MAX_QUANTITY = 9999;
export const STARS = [1, 2, 3, 4, 5];
export const REVIEW_TEXT_MAX = 500;
export const REVIEW_PHOTOS_MAX = 9;
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
export const PHOTO_MAX_BYTES = 8 * 1024 * 1024;

// ---- pure helpers ------------------------------------------------------------------------------

/** `江西省赣州市章贡区 红旗大道 18 号`, as the server's Address::one_line writes it. */
export function addressLine(a) {
  if (!a) return '';
  return `${a.province || ''}${a.city || ''}${a.district || ''} ${a.street || ''}`.trim();
}

/** A quantity typed with either keyboard: 1–9999, or NaN; null for empty. */
export function parseQuantity(raw) {
  const n = parseInteger(raw);
  if (n === null) return null;
  return Number.isInteger(n) && n >= 1 && n <= MAX_QUANTITY ? n : Number.NaN;
}

/**
 * Cart lines grouped by seller in the order they first appear; lines the server could not
 * find a seller for (no longer for sale) come last in a group of their own (`seller_id` null).
 */
export function groupBySeller(lines) {
  const groups = new Map();
  let gone = null;
  for (const line of lines || []) {
    if (!line.seller_id) {
      if (!gone) gone = { seller_id: null, seller_name: '', lines: [], goods_total: 0 };
      gone.lines.push(line);
      continue;
    }
    if (!groups.has(line.seller_id)) {
      groups.set(line.seller_id, { seller_id: line.seller_id, seller_name: line.seller_name, lines: [], goods_total: 0 });
    }
    const g = groups.get(line.seller_id);
    g.lines.push(line);
    if (line.state === 'on_sale') g.goods_total += Number(line.line_total) || 0;
  }
  const out = [...groups.values()];
  if (gone) out.push(gone);
  return out;
}

/** `{min, sec}` left until an instant (never negative); null for no instant. */
export function timeLeft(iso, now = Date.now()) {
  if (!iso) return null;
  const end = new Date(iso).getTime();
  if (Number.isNaN(end)) return null;
  const s = Math.max(0, Math.floor((end - now) / 1000));
  return { total: s, h: Math.floor(s / 3600), min: Math.floor((s % 3600) / 60), sec: s % 60 };
}

/** `29:05` or `23:59:05`: the countdown shown next to the pay-by time. */
export function formatLeft(left) {
  if (!left) return '';
  const p = (n) => String(n).padStart(2, '0');
  return left.h ? `${left.h}:${p(left.min)}:${p(left.sec)}` : `${p(left.min)}:${p(left.sec)}`;
}

/** The first day of this month and today, in Beijing (`YYYY-MM-DD`). */
export function monthSoFar(now = new Date()) {
  const d = new Date(now.getTime() + 8 * 3600 * 1000);
  const y = d.getUTCFullYear();
  const m = String(d.getUTCMonth() + 1).padStart(2, '0');
  const day = String(d.getUTCDate()).padStart(2, '0');
  return { from: `${y}-${m}-01`, to: `${y}-${m}-${day}` };
}

// ---- small views -------------------------------------------------------------------------------

export function moneyEl(fen, testid, className = 'money') {
  return el('span', { class: className, 'data-testid': testid, dataset: { fen: String(fen ?? '') }, text: formatFen(fen) });
}

/** A status badge; a value this page does not know shows as the server wrote it. */
export function statusBadge(group, value, known, testid) {
  if (known.includes(value)) {
    return el('span', { class: `badge badge-${value}`, i18n: `${group}.${value}`, 'data-testid': testid, dataset: { value } });
  }
  return el('span', { class: 'badge', text: String(value ?? ''), 'data-testid': testid, dataset: { value: String(value ?? '') } });
}

export function orderStatusBadge(value, testid = 'order-status') {
  return statusBadge('order_status', value, ORDER_STATUSES, testid);
}

export function subStatusBadge(value, testid = 'sub-status') {
  return statusBadge('sub_status', value, SUB_STATUSES, testid);
}

export function orderHref(id) {
  return '/order.html?id=' + encodeURIComponent(id);
}

/** Stars as text for the eye (★★★★☆) and a sentence for a screen reader. */
export function starsEl(rating, testid) {
  const n = Math.max(0, Math.min(5, Math.round(Number(rating) || 0)));
  return el('span', { class: 'stars', 'data-testid': testid, dataset: { rating: String(n) } },
    el('span', { 'aria-hidden': 'true', text: '★'.repeat(n) + '☆'.repeat(5 - n) }),
    el('span', { class: 'visually-hidden', i18n: 'ratings.n_stars', args: { count: n } }));
}

/** The trace codes of a line, each a link to its public page. */
export function traceLinks(codes) {
  const list = Array.isArray(codes) ? codes.filter(Boolean) : [];
  if (!list.length) return null;
  return el('p', { class: 'trace-links', 'data-testid': 'line-trace-codes' },
    el('span', { class: 'muted', i18n: 'order.trace_codes' }), ' ',
    list.map((code, i) => [i ? ' ' : null,
      el('a', { class: 'trace-link mono', href: publicHref(code), 'data-testid': 'trace-code-link', dataset: { code } }, displayCode(code))]));
}

/** A line's product photo (the listing's thumbnail), or its first character when it has none. */
export function lineThumb(line) {
  return el('span', { class: 'line-thumb', 'data-testid': 'line-thumb', dataset: { hasImage: String(Boolean(line.image)) } },
    line.image
      ? el('img', { src: line.image, alt: '', width: '56', height: '56', loading: 'lazy', decoding: 'async' })
      : placeholderPicture(line.title));
}

// What a weighing settled, by its outcome (each a whole key, so the dictionary check sees it).
const CATCH_KEYS = {
  light: 'order.catch_light',
  exact: 'order.catch_even',
  within: 'order.catch_even',
  over: 'order.catch_over',
};

/**
 * A line sold by catch weight (多退少补): its nominal weight and, once the seller weighed it at
 * packing, the actual one and what it settled; null for a line of fixed weight.
 */
export function catchWeightEl(line) {
  const w = line.catch_weight;
  if (!w) return null;
  const weighed = w.actual_grams !== null && w.actual_grams !== undefined;
  return el('p', {
    class: 'line-catch-weight small',
    'data-testid': 'line-catch-weight',
    dataset: { nominal: String(w.nominal_grams), actual: weighed ? String(w.actual_grams) : '', outcome: w.outcome || '', refund: String(w.refund || 0) },
    i18n: weighed ? CATCH_KEYS[w.outcome] || 'order.catch_even' : 'order.catch_pending',
    args: {
      nominal: formatGrams(w.nominal_grams),
      actual: weighed ? formatGrams(w.actual_grams) : '',
      refund: formatFen(w.refund || 0),
      extra: formatFen(w.extra || 0),
    },
  });
}

// Where an extra charge (补差价) stands, by its status.
const EXTRA_KEYS = {
  requested: 'order.extra_requested',
  paid: 'order.extra_paid',
  declined: 'order.extra_declined',
  expired: 'order.extra_expired',
};

/** A catch-weight line's extra charge as both sides see it: amount, status, and its deadline. */
export function extraChargeEl(line) {
  const c = line.catch_weight && line.catch_weight.extra_charge;
  if (!c) return null;
  return el('p', {
    class: 'line-extra-charge small',
    'data-testid': 'line-extra-charge',
    dataset: { status: c.status, amount: String(c.amount), chargeId: c.id },
    i18n: EXTRA_KEYS[c.status] || 'order.extra_requested',
    args: { extra: formatFen(c.amount), by: formatTime(c.answer_by) },
  });
}

/** One line of an order: what, how many at what price, its trace codes, its review. */
export function lineEl(line, extra = null) {
  return el('li', { class: 'order-line', 'data-testid': 'order-line', dataset: { lineId: line.id, listingId: line.listing_id || '', skuId: line.sku_id || '' } },
    lineThumb(line),
    el('div', { class: 'line-main' },
      el('a', { class: 'line-title', href: listingHref(line.listing_id), 'data-testid': 'line-title', text: line.title }),
      el('span', { class: 'muted line-sku', text: line.sku_name })),
    el('p', { class: 'line-money' },
      el('span', { class: 'line-qty', 'data-testid': 'line-quantity' }, `${formatFen(line.unit_price)} × `, unitEl(line.unit, line.quantity)),
      moneyEl(line.line_total, 'line-total', 'money line-total')),
    line.commission !== undefined && line.commission !== null
      ? el('p', { class: 'muted small' }, el('span', { i18n: 'order.commission' }), ' ', formatFen(line.commission))
      : null,
    catchWeightEl(line),
    extraChargeEl(line),
    traceLinks(line.trace_codes),
    line.review
      ? el('p', { class: 'line-review', 'data-testid': 'line-review' },
        el('span', { class: 'muted', i18n: 'order.your_review' }), ' ', starsEl(line.review.rating, 'line-review-stars'),
        line.review.text ? el('span', { class: 'review-text', text: ' ' + line.review.text }) : null)
      : null,
    // Hidden by the operator: only its buyer and the platform get the review, marked with why.
    line.review && line.review.hidden
      ? el('p', { class: 'line-review-hidden', role: 'note', 'data-testid': 'line-review-hidden', i18n: 'order.review_hidden', args: { reason: line.review.hidden.reason || '-' } })
      : null,
    line.review && line.review.reply
      ? el('p', { class: 'line-review muted', 'data-testid': 'line-review-reply', i18n: 'order.review_reply', args: { text: line.review.reply.text } })
      : null,
    extra);
}

/** The steps a seller's part goes through, each done (with its time) or still ahead. */
export function stepsEl(sub, order) {
  const cancelled = sub.status === 'cancelled';
  const steps = [
    ['placed', order && order.created_at],
    ['paid', sub.paid_at],
    ['acknowledged', sub.acknowledged_at],
    ['shipped', sub.shipped_at || (sub.shipment && sub.shipment.shipped_at)],
    ['received', sub.received_at],
  ];
  return el('ol', { class: 'steps' + (cancelled ? ' is-cancelled' : ''), 'data-testid': 'sub-steps' },
    steps.map(([key, at]) => el('li', {
      class: 'step' + (at ? ' is-done' : ''),
      'data-testid': 'sub-step',
      dataset: { step: key, done: String(Boolean(at)) },
    },
    el('span', { class: 'step-name', i18n: 'step.' + key }),
    at ? stepTime(at) : null)));
}

/** `11-24` over `00:46`: a step is a fifth of a phone's width. */
function stepTime(iso) {
  const full = formatTime(iso);
  const [day, time] = full.split(' ');
  return el('time', { datetime: iso, title: full }, el('span', { text: (day || '').slice(5) }), el('span', { text: time || '' }));
}

function eventName(kind) {
  return ORDER_EVENTS.includes(kind) ? el('span', { class: 'event-kind', i18n: 'order_event.' + kind }) : el('span', { class: 'event-kind', text: kind });
}

/** What the event's data says that a person cares about (a reason, an amount, a reference). */
function eventDetail(data) {
  if (!data || typeof data !== 'object') return null;
  const parts = [];
  if (typeof data.amount === 'number') parts.push(el('span', {}, el('span', { i18n: 'order.amount' }), ' ', formatFen(data.amount)));
  if (typeof data.reason === 'string' && data.reason) parts.push(el('span', {}, el('span', { i18n: 'order.reason' }), ' ', el('span', { text: data.reason })));
  if (typeof data.reference === 'string' && data.reference) parts.push(el('span', {}, el('span', { i18n: 'order.reference' }), ' ', el('span', { class: 'mono', text: data.reference })));
  if (typeof data.tracking_no === 'string' && data.tracking_no) parts.push(el('span', { class: 'mono', text: data.tracking_no }));
  // A corrected waybill: the old one, then the new one.
  if (data.old && data.new && typeof data.new.tracking_no === 'string') {
    parts.push(el('span', { class: 'mono', 'data-testid': 'waybill-change', text: `${data.old.tracking_no || ''} → ${data.new.tracking_no}` }));
  }
  return parts.length ? el('p', { class: 'event-detail muted' }, parts.map((p, i) => [i ? ' · ' : null, p])) : null;
}

/** Seller names by sub-order id, to say whose part an event of the log is about. */
export function subNames(order) {
  return Object.fromEntries(((order && order.sub_orders) || []).map((s) => [s.id, s.seller_name]));
}

/**
 * An order's log (append-only), oldest first; with `subId`, only that seller's part and the
 * order's own events. `names` (sub-order id → seller) labels the events of a part.
 */
export function eventsEl(events, subId = null, names = {}) {
  const list = (events || []).filter((e) => !subId || !e.sub_order_id || e.sub_order_id === subId);
  if (!list.length) return null;
  return el('ul', { class: 'timeline order-events', 'data-testid': 'order-events' },
    list.map((e) => el('li', { class: 'timeline-item', 'data-testid': 'order-event', dataset: { kind: e.kind } },
      el('p', { class: 'event-line' }, timeEl(e.at), ' ', eventName(e.kind),
        e.sub_order_id && names[e.sub_order_id] ? el('span', { class: 'muted', text: ` · ${names[e.sub_order_id]}` }) : null),
      eventDetail(e.data))));
}

export function logisticsName(kind) {
  return LOGISTICS_KINDS.includes(kind) ? el('span', { i18n: 'logistics.' + kind }) : el('span', { text: kind });
}

/** The parcel: carrier, tracking number, the batches it was packed from, where it has been. */
/**
 * Copies the waybill number: the clipboard API where the page may use it, else a selected
 * text field and the copy command (older WeChat browsers); says which happened.
 */
async function copyWaybill(text) {
  let done = false;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      done = true;
    }
  } catch {
    done = false;
  }
  if (!done) {
    const field = el('textarea', { class: 'visually-hidden', 'aria-hidden': 'true', readonly: true });
    field.value = text;
    document.body.append(field);
    field.select();
    try {
      done = document.execCommand('copy');
    } catch {
      done = false;
    }
    field.remove();
  }
  flash(t(done ? 'order.waybill_copied' : 'order.copy_failed', { number: text }), done ? 'success' : 'info', { focus: false });
  return done;
}

/**
 * A parcel: carrier, waybill (with 复制), the batches it was packed from, and its tracking
 * timeline, newest first — the carrier's updates, then the seller handing it over, so a
 * shipped parcel always shows where it is known to be.
 */
export function shipmentEl(shipment) {
  if (!shipment) return null;
  // A carrier of the list has an English name; one typed by hand is shown as typed.
  const carrier = (getLang() === 'en' && shipment.carrier_name_en) || shipment.carrier || '';
  const events = Array.isArray(shipment.events) ? shipment.events : [];
  const batches = Array.isArray(shipment.batches) ? shipment.batches : [];
  const copy = shipment.tracking_no
    ? el('button', { type: 'button', class: 'btn btn-quiet btn-small copy-waybill', i18n: 'order.copy_waybill', 'data-testid': 'copy-waybill' })
    : null;
  if (copy) {
    copy.addEventListener('click', async () => {
      copy.dataset.copied = String(await copyWaybill(shipment.tracking_no));
    });
  }
  const updates = [...events].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  const items = updates.map((e) => el('li', { class: 'timeline-item', 'data-testid': 'logistics-event', dataset: { kind: e.kind } },
    el('p', { class: 'event-line' }, el('strong', {}, logisticsName(e.kind)),
      e.location ? el('span', { text: ' · ' + e.location }) : null),
    e.note ? el('p', { class: 'small', text: e.note }) : null,
    el('p', { class: 'muted small' }, timeEl(e.at))));
  if (shipment.shipped_at) {
    items.push(el('li', { class: 'timeline-item', 'data-testid': 'logistics-handover', dataset: { kind: 'handed_over' } },
      el('p', { class: 'event-line' }, el('strong', { i18n: 'order.handed_over', args: { carrier } })),
      el('p', { class: 'muted small' }, timeEl(shipment.shipped_at))));
  }
  // Automatic tracking (issue #19): the carrier's updates arrive by themselves (the seller's
  // console says more: pending, refused).
  const tracking = shipment.tracking && shipment.tracking.status === 'subscribed'
    ? el('p', { class: 'muted small', 'data-testid': 'tracking-status', dataset: { status: 'subscribed' }, i18n: 'order.tracking_auto' })
    : null;
  return el('div', { class: 'shipment', 'data-testid': 'shipment', dataset: { carrierCode: shipment.carrier_code || '' } },
    el('h4', { i18n: 'order.shipment' }),
    facts([
      ['order.carrier', el('span', { text: carrier }), 'shipment-carrier'],
      ['order.shipped_at', shipment.shipped_at ? timeEl(shipment.shipped_at) : null],
      ['order.tracking_no', el('span', { class: 'waybill' }, el('span', { class: 'mono', 'data-testid': 'waybill-number', text: shipment.tracking_no || '' }), ' ', copy), 'shipment-tracking'],
      ['order.batches', batches.length
        ? el('span', {}, batches.map((b, i) => [i ? '、' : null,
          el('a', { class: 'mono', href: publicHref(b.code), 'data-testid': 'shipment-batch', dataset: { lineId: b.line_id, batchId: b.batch_id } },
            displayCode(b.code)), b.lot ? el('span', { class: 'muted', text: ` (${b.lot})` }) : null]))
        : null],
    ], { class: 'facts facts-compact' }),
    tracking,
    el('ol', { class: 'timeline logistics', 'data-testid': 'logistics-events', dataset: { count: String(events.length) } }, items),
    events.length ? null : el('p', { class: 'muted small', 'data-testid': 'no-logistics', i18n: 'order.no_logistics_yet' }));
}

export const REFUND_STATUSES = ['pending', 'succeeded'];

/** The refunds of one seller's part: how much, why, and whether the money is back yet. */
export function refundsEl(refunds, subId) {
  const list = (refunds || []).filter((r) => r.sub_order_id === subId);
  if (!list.length) return null;
  return el('ul', { class: 'refund-list', 'data-testid': 'refunds' },
    list.map((r) => el('li', { class: 'refund', 'data-testid': 'refund', dataset: { status: r.status } },
      el('p', { class: 'event-line' },
        timeEl(r.created_at), ' ',
        el('strong', {}, el('span', { i18n: 'order_event.refunded' }), ' ', formatFen(r.amount)), ' ',
        statusBadge('refund_status', r.status, REFUND_STATUSES)),
      r.reason ? el('p', { class: 'muted small' }, el('span', { i18n: 'order.reason' }), ' ', el('span', { text: r.reason })) : null)));
}

/** The money of a seller's part: goods, shipping, total (and refunds when there were some). */
export function subMoneyEl(sub) {
  return el('dl', { class: 'money-lines' },
    el('div', {}, el('dt', { i18n: 'order.goods' }), el('dd', {}, moneyEl(sub.goods_total))),
    el('div', {}, el('dt', { i18n: 'order.shipping' }), el('dd', {}, sub.shipping ? moneyEl(sub.shipping) : el('span', { i18n: 'order.free_shipping' }))),
    sub.commission !== undefined && sub.commission !== null
      ? el('div', {}, el('dt', { i18n: 'order.commission' }), el('dd', {}, moneyEl(sub.commission))) : null,
    sub.refunded ? el('div', { class: 'is-refund' }, el('dt', { i18n: 'order.refunded' }), el('dd', {}, moneyEl(sub.refunded, 'sub-refunded'))) : null,
    el('div', { class: 'money-total' }, el('dt', { i18n: 'order.sub_total' }), el('dd', {}, moneyEl(sub.total, 'sub-total'))));
}

/**
 * A ticking "pay within mm:ss" for an unpaid order. Calls `onEnd` once the time is up.
 * Follows the language switch; stops when the node leaves the page.
 */
export function countdownEl(payBy, onEnd) {
  const node = el('p', { class: 'countdown', role: 'timer', 'aria-live': 'off', 'data-testid': 'pay-countdown' });
  const text = el('span');
  node.append(el('span', { i18n: 'order.pay_by' }), ' ', timeEl(payBy), ' · ', text);
  let ended = false;
  const tick = () => {
    const left = timeLeft(payBy);
    if (!left) return;
    if (left.total <= 0) {
      text.setAttribute('data-i18n', 'order.pay_expired');
      text.removeAttribute('data-i18n-args');
    } else {
      text.setAttribute('data-i18n', 'order.pay_left');
      text.setAttribute('data-i18n-args', JSON.stringify({ left: formatLeft(left) }));
    }
    translate(text);
    node.dataset.left = String(left.total);
    if (left.total <= 0 && !ended) {
      ended = true;
      if (onEnd) onEnd();
    }
  };
  tick();
  const timer = setInterval(() => {
    if (!node.isConnected && node.dataset.started) {
      clearInterval(timer);
      return;
    }
    node.dataset.started = '1';
    tick();
  }, 1000);
  return node;
}

/** A payment's instructions in the reader's language (the server sends both). */
export function instructionsEl(payment) {
  if (!payment || (!payment.instructions_zh && !payment.instructions_en)) return null;
  const box = el('div', { class: 'note note-info instructions', 'data-testid': 'pay-instructions' });
  const body = el('p', { class: 'pre-line' });
  const show = (lang) => { body.textContent = (lang === 'en' ? payment.instructions_en : payment.instructions_zh) || payment.instructions_zh || payment.instructions_en; };
  show(document.documentElement.lang);
  onLangChange(show);
  box.append(el('p', { class: 'label', i18n: 'order.instructions' }), body);
  if (payment.expires_at) box.append(el('p', { class: 'small' }, el('span', { i18n: 'order.pay_by' }), ' ', timeEl(payment.expires_at)));
  return box;
}

/** The label of a payment method. */
export function methodEl(method) {
  return PAYMENT_METHODS.includes(method) ? el('span', { i18n: 'pay_method.' + method }) : el('span', { text: method || '' });
}


// ---- handling deadlines (issue #18) -------------------------------------------------------------

/** Whether a part waiting to ship is past its ship-by deadline (the buyer may then cancel). */
export function shipOverdue(sub, now = Date.now()) {
  if (!sub.ship_by || (sub.status !== 'paid' && sub.status !== 'acknowledged')) return false;
  const by = new Date(sub.ship_by).getTime();
  return Number.isFinite(by) && now > by;
}

/** The ship-by deadline with the time left, or "overdue", while the part waits to ship; `keys`
 *  are the page's own (`{ left, overdue }`: the order page's or the seller console's). */
export function shipByEl(sub, keys) {
  if (!sub.ship_by || (sub.status !== 'paid' && sub.status !== 'acknowledged')) return null;
  const left = timeLeft(sub.ship_by);
  const rest = shipOverdue(sub)
    ? el('span', { class: 'late', i18n: keys.overdue, 'data-testid': 'sub-ship-overdue' })
    : el('span', { i18n: keys.left, args: { left: formatLeft(left) }, 'data-testid': 'sub-ship-left' });
  return el('span', {}, timeEl(sub.ship_by), ' · ', rest);
}

/** A one-field form asking why (2–200 characters), shown in `slot` in place of `opener`. */
export function reasonForm(slot, opener, { labelKey, submitKey, testid, onSubmit }) {
  const fid = `${testid}-${Math.random().toString(36).slice(2, 8)}`;
  const submit = el('button', { type: 'submit', class: 'btn btn-primary', i18n: submitKey, 'data-testid': `${testid}-send` });
  const cancel = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel' });
  const form = el('form', { class: 'form', novalidate: true, 'data-testid': `${testid}-form` },
    el('div', { class: 'field' },
      el('label', { for: fid, i18n: labelKey }),
      el('input', { id: fid, name: 'reason', type: 'text', required: true, minlength: '2', maxlength: '200', 'data-testid': `${testid}-reason` }),
      el('p', { class: 'field-error', 'data-error-for': 'reason', hidden: true })),
    el('div', { class: 'actions' }, submit, cancel));
  const close = () => { replaceChildren(slot); opener.hidden = false; opener.focus(); };
  cancel.addEventListener('click', close);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    setBusy(submit, true);
    try {
      await onSubmit(form.elements.namedItem('reason').value.trim());
    } catch (err) {
      showErrors(form, err);
    } finally {
      setBusy(submit, false);
    }
  });
  opener.hidden = true;
  replaceChildren(slot, form);
  form.elements.namedItem('reason').focus();
}
