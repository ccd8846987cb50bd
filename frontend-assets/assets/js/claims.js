// After-sales pieces the claim pages share: the claim contract's states, kinds and events, the
// refund arithmetic the seller previews before answering (the server's rules, to the fen), the
// liability shares, a ticking deadline, the event timeline, evidence thumbnails and the photo
// picker that takes a picture with the phone's camera. Nothing here touches the page when it is
// imported, so the pure functions can be checked without a browser.

import { api } from './api.js';
import { formatFen, unitEl } from './catalog.js';
import { t, translate } from './i18n.js';
import { el, flash, flashError, replaceChildren, timeEl } from './ui.js';
import { PHOTO_MAX_BYTES, formatLeft, moneyEl, starsEl, statusBadge, timeLeft } from './orders.js';

export const CLAIM_STATUSES = ['awaiting_seller', 'awaiting_buyer', 'in_arbitration', 'resolved'];
export const CLAIM_KINDS = ['damaged_in_transit', 'spoiled_on_arrival', 'missing_items', 'wrong_item', 'not_received', 'lost'];
/** Kinds filed before receipt, on a parcel that has not come. */
export const BEFORE_RECEIPT_KINDS = ['not_received', 'lost'];
export const CLAIM_EVENTS = ['filed', 'offered', 'rejected', 'accepted', 'escalated', 'decided', 'auto_approved',
  'refunded', 'rated', 'recourse_opened'];
/** Who acted: the three parties, and the deadline scheduler. */
export const CLAIM_ROLES = ['buyer', 'seller', 'operator', 'system'];
/** Who bears the loss, in the order the forms list them. */
export const PARTIES = ['carrier', 'seller', 'buyer', 'platform'];
export const DECISIONS = ['full_refund', 'partial_refund', 'reship', 'reject'];
export const BASES = ['quantity', 'damage_level', 'agreed'];
export const DAMAGE_LEVELS = [10, 30, 50, 80, 100];
export const CLAIM_PHOTOS_MAX = 9;
export const DESCRIPTION_MIN = 5;
export const DESCRIPTION_MAX = 1000;
export const REJECT_MIN = 5;
export const TEXT_MAX = 500;
export const MESSAGE_MAX = 1000;
export const STAFF_ROLES = ['operator', 'after_sales_agent'];

// ---- pure helpers ------------------------------------------------------------------------------

/** The seller's latest offer or rejection (the event), or null. */
export function lastAnswer(claim) {
  return [...((claim && claim.events) || [])].reverse().find((e) => e.kind === 'offered' || e.kind === 'rejected') || null;
}

/** Whether the seller's standing answer is to send the goods again (补发) rather than refund. */
export function isReshipOffer(claim) {
  const answer = lastAnswer(claim);
  return Boolean(answer && answer.kind === 'offered' && answer.data && answer.data.decision === 'reship');
}

/** The replacement part an accepted reship made: `{id, number}`, or null. */
export function replacementOf(claim) {
  const accepted = [...((claim && claim.events) || [])].reverse()
    .find((e) => e.kind === 'accepted' && e.data && e.data.replacement_sub_order_id);
  return accepted ? { id: accepted.data.replacement_sub_order_id, number: accepted.data.number || '' } : null;
}

/** Where a part of an order shows on the order page. */
export function subHref(orderId, subId) {
  return '/order.html?id=' + encodeURIComponent(orderId) + '#sub-' + encodeURIComponent(subId);
}

/**
 * What a reship names, with each line's title from the claim: `[{line_id, quantity, title,
 * sku_name, unit}]`. Lines the claim does not know are kept with their id.
 */
export function reshipLines(data, claimLines) {
  const byId = new Map((claimLines || []).map((l) => [l.line_id, l]));
  return (Array.isArray(data && data.lines) ? data.lines : []).map((l) => {
    const known = byId.get(l.line_id) || {};
    return { line_id: l.line_id, quantity: l.quantity, title: known.title || '', sku_name: known.sku_name || '', unit: known.unit || '' };
  });
}

export function claimHref(id) {
  return '/claim.html?id=' + encodeURIComponent(id);
}

/** The claim form of one received parcel (the order is named too: it carries the lines). */
export function newClaimHref(orderId, subId) {
  return '/claim-new.html?order=' + encodeURIComponent(orderId) + '&sub=' + encodeURIComponent(subId);
}

/** The operator and the after-sales agents work the arbitration queue. */
export function isStaff(me) {
  return Boolean(me && me.account && STAFF_ROLES.includes(me.account.platform_role));
}

/** A received parcel whose after-sales window is still open at `now`. */
export function windowOpen(sub, now = Date.now()) {
  if (!sub || sub.status !== 'received' || !sub.window_closes_at) return false;
  const closes = Date.parse(sub.window_closes_at);
  return Number.isFinite(closes) && closes > now;
}

/** Units of each line (line id → quantity) already named by earlier claims on this parcel. */
export function claimedSoFar(claims, subId) {
  const out = new Map();
  for (const c of claims || []) {
    if (subId && c.sub_order_id !== subId) continue;
    for (const l of c.lines || []) out.set(l.line_id, (out.get(l.line_id) || 0) + (Number(l.quantity) || 0));
  }
  return out;
}

/** `fen × num / den`, half away from zero, as the server's Money::mul_ratio rounds. */
export function mulRatio(fen, num, den) {
  if (!den) return 0;
  const p = fen * num;
  const q = Math.trunc(p / den);
  const r = p - q * den;
  if (2 * Math.abs(r) >= Math.abs(den)) return q + ((p < 0) === (den < 0) ? 1 : -1);
  return q;
}

/** Damaged units × the price paid: `[{unit_price, quantity}]`. */
export function amountByQuantity(lines) {
  return (lines || []).reduce((sum, l) => sum + (Number(l.unit_price) || 0) * (Number(l.quantity) || 0), 0);
}

/**
 * A damage level of the claimed part of each line (claimed units × price) with its share of
 * the parcel's shipping (shipping × part / goods), half up: `lines` are `[{line_total}]`, the
 * claimed part's worth (the claim view's `amount`).
 */
export function amountByDamageLevel(lines, goods, shipping, percent) {
  if (!DAMAGE_LEVELS.includes(percent)) return null;
  let total = 0;
  for (const l of lines || []) {
    const lineTotal = Number(l.line_total) || 0;
    const share = goods > 0 ? mulRatio(shipping, lineTotal, goods) : 0;
    total += mulRatio(lineTotal + share, percent, 100);
  }
  return total;
}

/**
 * What is wrong with a liability split, as a dictionary key (null when it is fine): every
 * party once, each share 1–100, together 100.
 */
export function sharesProblem(shares) {
  const list = shares || [];
  if (!list.length) return 'claim.e_shares_empty';
  const parties = new Set(list.map((s) => s.party));
  if (parties.size !== list.length) return 'claim.e_shares_twice';
  if (list.some((s) => !Number.isInteger(s.percent) || s.percent < 1 || s.percent > 100)) return 'claim.e_shares_range';
  if (list.reduce((sum, s) => sum + s.percent, 0) !== 100) return 'claim.e_shares_sum';
  return null;
}

/** Time left as words: `{key, args}` for `2 天 3 小时`, `5 小时 12 分`, `12 分钟`; null when over. */
export function leftWords(iso, now = Date.now()) {
  const left = timeLeft(iso, now);
  if (!left || left.total <= 0) return null;
  const d = Math.floor(left.h / 24);
  if (d > 0) return { key: 'claim.left_dh', args: { d, h: left.h % 24 } };
  if (left.h > 0) return { key: 'claim.left_hm', args: { h: left.h, m: left.min } };
  return { key: 'claim.left_m', args: { m: Math.max(1, left.min) } };
}

// ---- small views -------------------------------------------------------------------------------

export function claimStatusBadge(value, testid = 'claim-status') {
  return statusBadge('claim_status', value, CLAIM_STATUSES, testid);
}

export function kindEl(kind) {
  return CLAIM_KINDS.includes(kind) ? el('span', { i18n: 'claim_kind.' + kind }) : el('span', { text: kind || '' });
}

export function roleEl(role) {
  return CLAIM_ROLES.includes(role) ? el('span', { i18n: 'claim_role.' + role }) : el('span', { text: role || '' });
}

export function partyEl(party) {
  return PARTIES.includes(party) ? el('span', { i18n: 'party.' + party }) : el('span', { text: party || '' });
}

/** `承运方 70% · 卖家 30%` */
export function liabilityEl(shares) {
  const list = Array.isArray(shares) ? shares : [];
  if (!list.length) return null;
  return el('span', { class: 'liability', 'data-testid': 'claim-liability' },
    list.map((s, i) => [i ? ' · ' : null, el('span', { class: 'share', dataset: { party: s.party, percent: String(s.percent) } },
      partyEl(s.party), ` ${s.percent}%`)]));
}

/**
 * A ticking "time left" for a deadline: `labelKey` before the time, then `剩余 hh:mm:ss` or
 * `overKey` once it has passed. Follows the language switch; stops when it leaves the page.
 */
export function deadlineEl(iso, { labelKey, overKey, testid }) {
  const node = el('p', { class: 'countdown', role: 'timer', 'aria-live': 'off', 'data-testid': testid });
  const text = el('span');
  node.append(el('span', { i18n: labelKey }), ' ', timeEl(iso), ' · ', text);
  const tick = () => {
    const left = timeLeft(iso);
    if (!left) return;
    if (left.total <= 0) {
      text.setAttribute('data-i18n', overKey);
      text.removeAttribute('data-i18n-args');
      node.classList.add('is-over');
    } else {
      text.setAttribute('data-i18n', 'order.pay_left');
      text.setAttribute('data-i18n-args', JSON.stringify({ left: formatLeft(left) }));
    }
    translate(text);
    node.dataset.left = String(left.total);
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

/** `还剩 5 小时 12 分` / `已超时` for a list row (refreshed when the list reloads). */
export function leftEl(iso, testid = 'claim-left') {
  const words = leftWords(iso);
  const left = timeLeft(iso);
  return el('span', {
    class: 'time-left' + (words ? '' : ' late'),
    'data-testid': testid,
    dataset: { left: String(left ? left.total : '') },
  }, words ? el('span', { i18n: words.key, args: words.args }) : el('span', { i18n: 'claim.overdue' }));
}

/** The claimed lines: what, how many of how many bought, for how much. */
export function claimLinesEl(lines) {
  return el('ul', { class: 'list order-lines', 'data-testid': 'claim-lines' },
    (lines || []).map((l) => el('li', { class: 'order-line', 'data-testid': 'claim-line', dataset: { lineId: l.line_id, quantity: String(l.quantity) } },
      el('div', { class: 'line-main' },
        el('span', { class: 'line-title', text: l.title }),
        el('span', { class: 'muted line-sku', text: l.sku_name })),
      el('p', { class: 'line-money' },
        el('span', { class: 'line-qty' },
          el('span', { i18n: 'claim.line_quantity', args: { n: l.quantity, bought: l.bought } }), ' ', unitEl(l.unit),
          ` · ${formatFen(l.unit_price)}`),
        moneyEl(l.amount, 'claim-line-amount', 'money line-total')))));
}

/** Evidence thumbnails; each opens the photo (the session cookie goes with an <img>). */
export function evidenceEl(evidence, { original = false } = {}) {
  const list = Array.isArray(evidence) ? evidence : [];
  if (!list.length) return null;
  return el('ul', { class: 'image-list evidence-list', 'data-testid': 'claim-evidence' },
    list.map((e, i) => el('li', { class: 'image-item evidence-item', 'data-testid': 'evidence-item', dataset: { id: e.id, sha256: e.sha256 || '' } },
      el('a', { href: e.url, target: '_blank', rel: 'noopener', title: e.sha256 ? 'SHA-256 ' + e.sha256 : null },
        el('img', { src: e.url, alt: t('claim.photo_n', { n: i + 1 }), width: '100', height: '100', loading: 'lazy', 'data-testid': 'evidence-img' })),
      el('span', { class: 'muted small mono evidence-hash', text: (e.sha256 || '').slice(0, 12) }),
      original ? el('a', { class: 'small', href: e.url + '?original=true', target: '_blank', rel: 'noopener', i18n: 'claim.original' }) : null)));
}

/** Photos attached to a message (URLs only). */
export function attachmentsEl(urls) {
  const list = Array.isArray(urls) ? urls : [];
  if (!list.length) return null;
  return el('ul', { class: 'image-list message-photos', 'data-testid': 'message-photos' },
    list.map((url, i) => el('li', { class: 'image-item' },
      el('a', { href: url, target: '_blank', rel: 'noopener' },
        el('img', { src: url, alt: t('claim.photo_n', { n: i + 1 }), width: '100', height: '100', loading: 'lazy' })))));
}

function basisEl(basis) {
  if (!basis || typeof basis !== 'object') return null;
  if (basis.by === 'damage_level') return el('span', { i18n: 'claim.basis_damage_level_n', args: { n: basis.percent } });
  if (BASES.includes(basis.by)) return el('span', { i18n: 'claim.basis_' + basis.by });
  return null;
}

/** `脐橙 5斤装 × 2 箱、…`: what a reship sends again. */
export function reshipLinesEl(lines, testid = 'reship-lines') {
  if (!lines.length) return null;
  return el('ul', { class: 'mini-list reship-lines', 'data-testid': testid },
    lines.map((l) => el('li', { 'data-testid': 'reship-line', dataset: { lineId: l.line_id, quantity: String(l.quantity) } },
      el('span', { text: [l.title, l.sku_name].filter(Boolean).join(' · ') || l.line_id }), ` × ${l.quantity} `, l.unit ? unitEl(l.unit) : null)));
}

/** What an event's data says that a person cares about. */
function claimEventDetail(kind, data, claim) {
  if (!data || typeof data !== 'object') return null;
  const parts = [];
  const extra = [];
  if (kind === 'offered' && data.decision === 'reship') extra.push(reshipLinesEl(reshipLines(data, claim && claim.lines), 'event-reship-lines'));
  if (kind === 'accepted' && data.replacement_sub_order_id) {
    const label = el('span', { i18n: 'claim.replacement_n', args: { number: data.number || '' } });
    parts.push(claim && claim.order_id
      ? el('a', { href: subHref(claim.order_id, data.replacement_sub_order_id), 'data-testid': 'event-replacement-link' }, label)
      : label);
  }
  if (kind === 'filed' && CLAIM_KINDS.includes(data.kind)) parts.push(kindEl(data.kind));
  if (typeof data.decision === 'string' && DECISIONS.includes(data.decision)) parts.push(el('span', { i18n: 'claim_decision.' + data.decision }));
  const basis = basisEl(data.basis);
  if (basis) parts.push(basis);
  const amount = typeof data.amount_fen === 'number' ? data.amount_fen : (typeof data.claimed_fen === 'number' ? data.claimed_fen : null);
  if (amount !== null) parts.push(el('span', {}, el('span', { i18n: 'order.amount' }), ' ', moneyEl(amount, 'claim-event-amount')));
  if (typeof data.carrier === 'string' && data.carrier) parts.push(el('span', { text: data.carrier }));
  if (Array.isArray(data.liability) && data.liability.length) parts.push(el('span', {}, el('span', { i18n: 'claim.liability' }), ' ', liabilityEl(data.liability)));
  if (typeof data.rating === 'number') parts.push(starsEl(data.rating, 'claim-event-stars'));
  if (typeof data.respond_by === 'string') parts.push(el('span', {}, el('span', { i18n: 'claim.respond_by' }), ' ', timeEl(data.respond_by)));
  const words = [];
  if (data.reason === 'seller_missed_deadline') {
    words.push(el('p', { class: 'event-detail muted', i18n: 'claim.missed_deadline' }));
  } else if (typeof data.reason === 'string' && data.reason) {
    words.push(el('p', { class: 'event-detail pre-line' }, el('span', { class: 'muted', i18n: 'order.reason' }), ' ', el('span', { text: data.reason })));
  }
  if (typeof data.note === 'string' && data.note) {
    words.push(el('p', { class: 'event-detail pre-line' }, el('span', { class: 'muted', i18n: 'claim.note' }), ' ', el('span', { text: data.note })));
  }
  if (typeof data.comment === 'string' && data.comment) words.push(el('p', { class: 'event-detail pre-line', text: data.comment }));
  return [
    parts.length ? el('p', { class: 'event-detail muted' }, parts.map((p, i) => [i ? ' · ' : null, p])) : null,
    extra,
    words,
  ];
}

/** An event's name; an offer to send the goods again reads as such, not as a refund offer. */
function eventLabel(e) {
  if (e.kind === 'offered' && e.data && e.data.decision === 'reship') return el('span', { i18n: 'claim_event.offered_reship' });
  if (e.kind === 'accepted' && e.data && e.data.reship) return el('span', { i18n: 'claim_event.accepted_reship' });
  return CLAIM_EVENTS.includes(e.kind) ? el('span', { i18n: 'claim_event.' + e.kind }) : el('span', { text: e.kind });
}

/** The claim's log (append-only), oldest first, with Chinese labels; `claim` names reship lines. */
export function claimEventsEl(events, claim = null) {
  const list = Array.isArray(events) ? events : [];
  if (!list.length) return null;
  return el('ol', { class: 'timeline claim-events', 'data-testid': 'claim-events' },
    list.map((e) => el('li', { class: 'timeline-item', 'data-testid': 'claim-event', dataset: { kind: e.kind, role: e.actor_role || '' } },
      el('p', { class: 'event-line' }, timeEl(e.at), ' ',
        el('strong', {}, eventLabel(e)),
        e.actor_role ? el('span', { class: 'muted' }, ' · ', roleEl(e.actor_role)) : null),
      claimEventDetail(e.kind, e.data, claim))));
}

/** The carrier recourse opened from the waybill when the carrier bears a share. */
export function recourseEl(r) {
  if (!r) return null;
  return el('div', { class: 'shipment recourse', 'data-testid': 'claim-recourse', dataset: { status: r.status || '' } },
    el('h3', { i18n: 'claim.recourse' }),
    el('p', { class: 'hint', i18n: 'claim.recourse_hint' }),
    el('dl', { class: 'facts facts-compact' },
      el('div', { class: 'fact' }, el('dt', { i18n: 'order.carrier' }), el('dd', { text: r.carrier })),
      el('div', { class: 'fact' }, el('dt', { i18n: 'order.tracking_no' }), el('dd', { class: 'mono', text: r.tracking_no })),
      el('div', { class: 'fact' }, el('dt', { i18n: 'order.amount' }), el('dd', {}, moneyEl(r.amount, 'recourse-amount'))),
      el('div', { class: 'fact' }, el('dt', { i18n: 'claim.recourse_status' }),
        el('dd', {}, r.status === 'open' ? el('span', { i18n: 'claim.recourse_open' }) : el('span', { text: r.status }))),
      el('div', { class: 'fact' }, el('dt', { i18n: 'claim.created_at' }), el('dd', {}, timeEl(r.created_at)))));
}

/** A claim in a list: number, status, what and whose, the money, the deadline. */
export function claimCard(c, { party = 'buyer' } = {}) {
  const href = claimHref(c.id);
  const urgent = c.status === 'awaiting_seller';
  const overdue = Boolean(c.arbitration_overdue);
  return el('li', {
    class: 'card claim-card' + ((urgent && !leftWords(c.respond_by)) || overdue ? ' is-late' : ''),
    'data-testid': 'claim-card',
    dataset: { claimId: c.id, status: c.status, orderId: c.order_id, subOrderId: c.sub_order_id },
  },
  el('div', { class: 'item-head' },
    el('a', { class: 'item-title mono', href, 'data-testid': 'claim-number' },
      el('span', { class: 'visually-hidden', i18n: 'claim.number' }), c.number),
    claimStatusBadge(c.status),
    overdue ? el('span', { class: 'badge badge-overdue', i18n: 'claim.arbitration_overdue', 'data-testid': 'claim-overdue' }) : null),
  el('p', { class: 'meta' },
    el('span', { class: 'tag' }, kindEl(c.kind)),
    party !== 'seller' ? el('span', { text: c.seller_name }) : null,
    party !== 'buyer' ? el('span', {}, el('span', { class: 'muted', i18n: 'claim.contact' }), ' ', el('span', { text: c.contact_name })) : null,
    el('span', { class: 'muted' }, el('span', { i18n: 'order.number' }), ' ', el('span', { class: 'mono', text: c.order_number }))),
  el('p', { class: 'meta muted' },
    el('span', {}, el('span', { i18n: 'claim.claimed' }), ' ', moneyEl(c.claimed, 'claim-claimed')),
    c.offered && c.status !== 'resolved' ? el('span', {}, el('span', { i18n: 'claim.offered' }), ' ', moneyEl(c.offered, 'claim-offered')) : null,
    isReshipOffer(c) || replacementOf(c) ? el('span', { class: 'tag tag-reship', i18n: 'claim_decision.reship', 'data-testid': 'claim-reship-tag' }) : null,
    c.refunded ? el('span', {}, el('span', { i18n: 'claim.refunded' }), ' ', moneyEl(c.refunded, 'claim-refunded')) : null,
    el('span', {}, el('span', { i18n: 'claim.created_at' }), ' ', timeEl(c.created_at))),
  urgent
    ? el('p', { class: 'meta claim-due' }, el('span', { i18n: 'claim.respond_by' }), ' ', timeEl(c.respond_by), ' ', leftEl(c.respond_by))
    : null,
  c.status === 'awaiting_buyer' && c.answer_by
    ? el('p', { class: 'meta claim-due' }, el('span', { i18n: 'claim.answer_by' }), ' ', timeEl(c.answer_by), ' ', leftEl(c.answer_by))
    : null,
  c.status === 'in_arbitration' && c.arbitrate_by
    ? el('p', { class: 'meta claim-due', 'data-testid': 'claim-arbitrate-by' }, el('span', { i18n: 'claim.arbitrate_by' }), ' ', timeEl(c.arbitrate_by), ' ', leftEl(c.arbitrate_by))
    : null,
  c.status === 'resolved' && c.resolved_at
    ? el('p', { class: 'meta muted' }, el('span', { i18n: 'claim.resolved_at' }), ' ', timeEl(c.resolved_at),
      c.satisfaction ? [' ', starsEl(c.satisfaction, 'claim-satisfaction')] : null)
    : null,
  el('div', { class: 'actions' },
    el('a', { class: urgent && party === 'seller' ? 'btn btn-primary' : 'btn btn-secondary', href, i18n: urgent && party === 'seller' ? 'claim.handle' : 'claim.open', 'data-testid': 'claim-open' })));
}

// ---- the photo picker ----------------------------------------------------------------------------

/**
 * Photos for a claim or a message: "take a photo" opens the phone's camera (capture), "choose"
 * the album; each is uploaded at once to /claim-evidence and shown as a thumbnail that can be
 * removed again. `ids()` are what the claim or message names.
 */
export function photoPicker({ id, testid, max = CLAIM_PHOTOS_MAX, describedBy = null }) {
  const photos = [];
  const list = el('ul', { class: 'image-list', 'data-testid': `${testid}-list` });
  const status = el('p', { class: 'hint', 'aria-live': 'polite', 'data-testid': `${testid}-status` });
  const camera = el('input', {
    id: `${id}-camera`, type: 'file', class: 'file-input', accept: 'image/*', capture: 'environment',
    'aria-describedby': describedBy, 'data-testid': `${testid}-camera`,
  });
  const album = el('input', {
    id: `${id}-album`, type: 'file', class: 'file-input', accept: 'image/*', multiple: true,
    'aria-describedby': describedBy, 'data-testid': `${testid}-album`,
  });
  const node = el('div', { class: 'photo-picker', 'data-testid': testid },
    list,
    el('div', { class: 'file-buttons' },
      el('label', { for: camera.id, class: 'btn btn-secondary btn-small file-button', i18n: 'claim.take_photo' }), camera,
      el('label', { for: album.id, class: 'btn btn-quiet btn-small file-button', i18n: 'claim.choose_photos' }), album),
    status);

  const render = () => {
    node.dataset.count = String(photos.length);
    replaceChildren(list, photos.map((p, i) => {
      const remove = el('button', { type: 'button', class: 'btn btn-quiet btn-tiny', i18n: 'ratings.photo_remove', 'data-testid': `${testid}-remove` });
      remove.addEventListener('click', () => { photos.splice(i, 1); render(); });
      return el('li', { class: 'image-item', 'data-testid': `${testid}-photo`, dataset: { id: p.id } },
        el('img', { src: p.url, alt: t('claim.photo_n', { n: i + 1 }), width: '100', height: '100' }), remove);
    }));
  };

  const take = async (input) => {
    const chosen = Array.from(input.files || []);
    input.value = '';
    for (const f of chosen) {
      if (photos.length >= max) {
        flash(t('ratings.photos_max', { count: max }), 'error');
        break;
      }
      if (f.type && !f.type.startsWith('image/')) {
        flash(t('claim.e_photo_type', { name: f.name }), 'error');
        continue;
      }
      if (f.size > PHOTO_MAX_BYTES) {
        flash(t('ratings.e_photo_size', { name: f.name }), 'error');
        continue;
      }
      status.textContent = t('edit.uploading');
      node.dataset.busy = 'true';
      try {
        const data = new FormData();
        data.append('file', f, f.name || 'photo.jpg');
        photos.push(await api.upload('/claim-evidence', data));
        render();
      } catch (err) {
        flashError(err);
      } finally {
        status.textContent = '';
        delete node.dataset.busy;
      }
    }
  };
  camera.addEventListener('change', () => take(camera));
  album.addEventListener('change', () => take(album));
  render();
  return {
    node,
    ids: () => photos.map((p) => p.id),
    count: () => photos.length,
    busy: () => node.dataset.busy === 'true',
    clear: () => { photos.splice(0, photos.length); render(); },
    focus: () => camera.focus(),
  };
}
