// Batch recall (召回) pieces the pages share: reading a trace code or a batch id someone pasted,
// the recall action itself (a reason, then a confirmation, then one request), a recall report
// (aggregates only, so officials may read it) and the notice a buyer of a recalled batch sees
// with its refund button. Nothing here touches the page when it is imported, so the pure
// functions can be checked without a browser.

import { api, seg } from './api.js';
import { formatFen, unitEl } from './catalog.js';
import { getLang, onLangChange, t } from './i18n.js';
import { charCount, clearErrors, el, flash, flashError, replaceChildren, setBusy, showErrors, timeEl, validationError } from './ui.js';
import { moneyEl, orderHref } from './orders.js';
import { displayCode, publicHref } from './trace.js';

export const RECALL_REASON_MIN = 2;
export const RECALL_REASON_MAX = 200;
/** Who ordered a recall, as the report says. */
export const RECALL_ROLES = ['operator', 'official', 'seller', 'system'];
export const NOTICE_STATUSES = ['offered', 'refunded', 'nothing_due'];
/** Who may order a recall of any batch (a seller recalls its own from the batch page). */
export const RECALL_STAFF = ['operator', 'after_sales_agent', 'official'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CODE_CHARS = /^[0-9A-Z*~$=]{16}$/;

// ---- pure helpers ------------------------------------------------------------------------------

/**
 * What someone pasted to name a batch: a trace code (any case, with or without dashes and
 * spaces, I/L read as 1 and O as 0 like the server), the scan link that carries one (`…/t/CODE`),
 * or the batch's id. `{code}` or `{id}`, or null when it is neither.
 */
export function parseBatchRef(raw) {
  let s = String(raw ?? '').trim();
  if (!s) return null;
  if (UUID.test(s)) return { id: s.toLowerCase() };
  const path = /\/t\/([^/?#\s]+)/.exec(s);
  if (path) {
    try {
      s = decodeURIComponent(path[1]);
    } catch {
      s = path[1];
    }
  }
  const code = s.replace(/[\s-]/g, '').toUpperCase().replace(/[IL]/g, '1').replace(/O/g, '0');
  return CODE_CHARS.test(code) ? { code } : null;
}

/** Whether a person may order a recall of any batch. */
export function isRecallStaff(me) {
  return Boolean(me && me.account && RECALL_STAFF.includes(me.account.platform_role));
}

/** A reason problem as a dictionary message, or null when it is fine. */
export function reasonProblem(reason) {
  const n = charCount(String(reason || '').trim());
  return n < RECALL_REASON_MIN || n > RECALL_REASON_MAX
    ? t('recall.e_reason', { min: RECALL_REASON_MIN, max: RECALL_REASON_MAX })
    : null;
}

// ---- the recall action ---------------------------------------------------------------------------

/**
 * The recall of one batch: a button opens the reason (2–200 characters), "next" asks once more
 * naming the lot, and only then is the recall ordered. `onDone(report)` gets the server's report.
 */
export function recallAction({ batchId, lot, testid = 'recall', onDone }) {
  const slot = el('div', { class: 'recall-slot' });
  const open = el('button', { type: 'button', class: 'btn btn-danger', i18n: 'recall.action', 'data-testid': `${testid}-open` });
  const box = el('div', { class: 'recall-action', 'data-testid': testid }, el('div', { class: 'actions' }, open), slot);

  const reasonStep = () => {
    const id = `${testid}-reason`;
    const counter = el('span', { class: 'counter' });
    const textarea = el('textarea', {
      id, name: 'reason', rows: '3', maxlength: String(RECALL_REASON_MAX * 2),
      'aria-describedby': `${id}-hint ${id}-error`, 'data-testid': `${testid}-reason`,
    });
    const count = () => { counter.textContent = `${charCount(textarea.value.trim())} / ${RECALL_REASON_MAX}`; };
    textarea.addEventListener('input', count);
    count();
    const next = el('button', { type: 'submit', class: 'btn btn-danger', i18n: 'recall.next', 'data-testid': `${testid}-next` });
    const cancel = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel', 'data-testid': `${testid}-cancel` });
    const confirmSlot = el('div');
    const form = el('form', { class: 'subform reason-form recall-form', method: 'post', action: '#', novalidate: true, 'data-testid': `${testid}-form` },
      el('p', { class: 'form-error', 'data-form-error': '', role: 'alert', hidden: true }),
      el('div', { class: 'field' },
        el('label', { for: id, i18n: 'recall.reason' }),
        textarea,
        el('p', { class: 'hint', id: `${id}-hint` }, el('span', { i18n: 'recall.reason_hint' }), ' ', counter),
        el('p', { class: 'field-error', id: `${id}-error`, 'data-error-for': 'reason', hidden: true })),
      el('div', { class: 'actions' }, next, cancel),
      confirmSlot);
    cancel.addEventListener('click', () => { replaceChildren(slot); open.hidden = false; open.focus(); });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      clearErrors(form);
      const reason = textarea.value.trim();
      const problem = reasonProblem(reason);
      if (problem) {
        showErrors(form, validationError({ reason: problem }));
        return;
      }
      // The confirmation names the lot: a recall cannot be undone.
      const yes = el('button', { type: 'button', class: 'btn btn-danger', i18n: 'recall.confirm', 'data-testid': `${testid}-confirm` });
      const no = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel', 'data-testid': `${testid}-confirm-cancel` });
      replaceChildren(confirmSlot, el('div', { class: 'actions confirm', role: 'alertdialog', 'aria-labelledby': `${testid}-question`, 'data-testid': `${testid}-confirm-box` },
        el('p', { class: 'confirm-question', id: `${testid}-question`, i18n: 'recall.confirm_question', args: { lot: lot || '' } }), yes, no));
      next.disabled = true;
      textarea.readOnly = true;
      no.addEventListener('click', () => { replaceChildren(confirmSlot); next.disabled = false; textarea.readOnly = false; textarea.focus(); });
      yes.addEventListener('click', async () => {
        setBusy(yes, true);
        no.disabled = true;
        try {
          const report = await api.post(`/batches/${seg(batchId)}/recall`, { reason });
          flash(t('recall.done', {
            lot: report.lot || lot || '',
            orders: t('recall.n_orders', { count: report.orders }),
            buyers: t('recall.n_buyers', { count: report.buyers_reached }),
          }), 'success');
          replaceChildren(slot);
          if (onDone) await onDone(report);
        } catch (err) {
          replaceChildren(confirmSlot);
          next.disabled = false;
          textarea.readOnly = false;
          showErrors(form, err);
        } finally {
          setBusy(yes, false);
        }
      });
      yes.focus();
    });
    open.hidden = true;
    replaceChildren(slot, form);
    textarea.focus();
  };
  open.addEventListener('click', reasonStep);
  return box;
}

// ---- a report ------------------------------------------------------------------------------------

export function roleLabel(role) {
  return RECALL_ROLES.includes(role) ? el('span', { i18n: 'recall_role.' + role }) : el('span', { text: role || '' });
}

/** `6 箱 · 20 斤`: the quantities recalled, by unit. */
export function quantitiesEl(quantities) {
  const list = Array.isArray(quantities) ? quantities : [];
  if (!list.length) return el('span', { class: 'muted', text: '—' });
  return el('span', { 'data-testid': 'recall-quantities' },
    list.map((q, i) => [i ? ' · ' : null, el('span', { class: 'qty', dataset: { unit: q.unit, quantity: String(q.quantity) } }, `${q.quantity} `, unitEl(q.unit))]));
}

/**
 * What a report's batch is (product, seller), from the batch's public record: the report itself
 * carries only ids. Filled in after the card shows; a failure leaves the ids' place empty.
 */
async function fillProduct(slot, code) {
  try {
    const b = await api.get(`/trace/${seg(code)}`, { redirectOn401: false });
    replaceChildren(slot,
      el('strong', { 'data-testid': 'recall-product', text: (b.listing && b.listing.title) || '' }),
      b.seller ? el('span', { class: 'muted', 'data-testid': 'recall-seller', text: ' · ' + b.seller.name }) : null);
  } catch {
    // The lot and the code still say which batch it is.
  }
}

/** One recall: what, why, who ordered it and when, and what it reached. */
export function reportCard(r) {
  const stat = (key, value, testid) => el('div', { class: 'stat', 'data-testid': testid },
    el('dt', { i18n: key }), el('dd', {}, value));
  const productSlot = el('p', { class: 'recall-product' });
  if (r.code) fillProduct(productSlot, r.code);
  return el('li', {
    class: 'card recall-card',
    'data-testid': 'recall-report',
    dataset: { recallId: r.id, batchId: r.batch_id, lot: r.lot || '', role: r.ordered_role || '' },
  },
  el('div', { class: 'item-head' },
    el('h3', { class: 'item-title' },
      el('span', { class: 'visually-hidden', i18n: 'recall.lot' }),
      el('span', { class: 'mono', 'data-testid': 'recall-lot', text: r.lot || '' })),
    el('span', { class: 'badge badge-recalled', i18n: 'batch_status.recalled' })),
  productSlot,
  el('p', { class: 'meta' },
    el('a', { class: 'mono', href: publicHref(r.code), 'data-testid': 'recall-code', dataset: { code: r.code || '' } }, displayCode(r.code)),
    el('span', { class: 'muted' }, el('span', { i18n: 'recall.ordered_by' }), ' ', el('span', { 'data-testid': 'recall-role' }, roleLabel(r.ordered_role))),
    el('span', { class: 'muted' }, el('span', { i18n: 'recall.ordered_at' }), ' ', timeEl(r.created_at))),
  el('p', { class: 'recall-reason pre-line' }, el('span', { class: 'muted', i18n: 'recall.reason' }), ' ', el('span', { 'data-testid': 'recall-reason', text: r.reason || '' })),
  el('dl', { class: 'stats' },
    stat('recall.orders', el('span', { class: 'num', text: String(r.orders ?? 0) }), 'recall-orders'),
    stat('recall.buyers', el('span', { class: 'num', text: String(r.buyers_reached ?? 0) }), 'recall-buyers'),
    stat('recall.quantities', quantitiesEl(r.quantities), 'recall-quantity'),
    stat('recall.offered', moneyEl(r.offered, 'recall-offered'), 'recall-offered-stat'),
    stat('recall.refunded', moneyEl(r.refunded, 'recall-refunded'), 'recall-refunded-stat'),
    stat('recall.refunds_taken', el('span', { class: 'num', text: `${r.refunds_taken ?? 0} / ${r.orders ?? 0}` }), 'recall-taken')));
}

// ---- a buyer's notice ----------------------------------------------------------------------------

function instructions(notice) {
  const body = el('p', { class: 'pre-line', 'data-testid': 'notice-instructions' });
  const show = (lang) => {
    body.textContent = (lang === 'en' ? notice.instructions_en : notice.instructions_zh) || notice.instructions_zh || notice.instructions_en || '';
  };
  show(getLang());
  onLangChange((lang) => { if (body.isConnected) show(lang); });
  return body;
}

function noticeLines(lines) {
  const list = Array.isArray(lines) ? lines : [];
  if (!list.length) return null;
  return el('ul', { class: 'mini-list notice-lines', 'data-testid': 'notice-lines' },
    list.map((l) => el('li', { dataset: { lineId: l.line_id || '' } },
      el('span', { text: l.title || '' }), ` × ${l.quantity ?? ''} `, unitEl(l.unit),
      typeof l.amount_fen === 'number' ? [' · ', moneyEl(l.amount_fen)] : null)));
}

/**
 * A recall notice: the batch, why, what of mine it concerns, what to do, and the refund — a
 * button while it is offered, the amount once taken. `sub` (optional) names the parcel;
 * `onRefunded(notice)` runs after the refund (to reload the order, say).
 */
export function noticeEl(notice, { sub = null, showOrderLink = true, onRefunded = null } = {}) {
  const node = el('section', {
    class: 'recall-notice',
    role: 'region',
    'aria-labelledby': `notice-${notice.id}`,
    'data-testid': 'recall-notice',
    dataset: { noticeId: notice.id, orderId: notice.order_id, subOrderId: notice.sub_order_id, status: notice.status, lot: notice.lot || '' },
  });
  const render = (n) => {
    node.dataset.status = n.status;
    const offered = Number(n.offered) || 0;
    let money;
    if (n.status === 'refunded' || n.status === 'nothing_due') {
      money = n.status === 'refunded' && offered > 0
        ? el('p', { class: 'notice-refunded', 'data-testid': 'notice-refunded' },
          el('span', { class: 'badge badge-received', i18n: 'notice.refunded' }), ' ', moneyEl(offered, 'notice-refunded-amount', 'money money-big'))
        : el('p', { class: 'muted', 'data-testid': 'notice-refunded', i18n: 'notice.nothing_left' });
    } else {
      const button = el('button', { type: 'button', class: 'btn btn-primary', i18n: 'notice.refund', 'data-testid': 'notice-refund' });
      button.addEventListener('click', async () => {
        setBusy(button, true);
        try {
          const updated = await api.post(`/recall-notices/${seg(n.id)}/refund`, {});
          flash(t('notice.refund_done', { amount: formatFen(updated.offered) }), 'success', { focus: false });
          render(updated);
          if (onRefunded) await onRefunded(updated);
        } catch (err) {
          flashError(err);
          setBusy(button, false);
        }
      });
      money = el('div', { class: 'actions' },
        el('p', { class: 'notice-offer' }, el('span', { i18n: 'notice.offered' }), ' ', moneyEl(offered, 'notice-offered', 'money money-big')),
        button);
    }
    const what = [
      el('div', { class: 'notice-what' },
        el('p', { class: 'label', i18n: 'notice.items' }),
        sub ? el('p', { class: 'muted small' }, el('span', { text: sub.seller_name || '' }), ' · ', el('span', { class: 'mono', text: sub.number || '' })) : null,
        noticeLines(n.lines)),
      el('div', { class: 'notice-instructions' }, el('p', { class: 'label', i18n: 'notice.instructions' }), instructions(n)),
    ];
    replaceChildren(node,
      el('h2', { id: `notice-${n.id}`, class: 'notice-title' },
        el('span', { 'aria-hidden': 'true', text: '⚠ ' }), el('span', { i18n: 'notice.title' }), ' ',
        el('span', { class: 'mono', text: n.lot || '' })),
      el('p', { class: 'notice-lead', i18n: 'notice.lead', args: { lot: n.lot || '' } }),
      el('p', { class: 'pre-line' }, el('strong', { i18n: 'notice.reason' }), ' ', el('span', { 'data-testid': 'notice-reason', text: n.reason || '' })),
      // Once refunded, what it concerns and what to do fold away; the warning stays in view.
      n.status !== 'offered' ? el('details', { class: 'notice-more' }, el('summary', { i18n: 'notice.more' }), what) : what,
      money,
      el('p', { class: 'meta small' },
        showOrderLink ? el('a', { href: orderHref(n.order_id), i18n: 'notice.to_order', 'data-testid': 'notice-order-link' }) : null,
        el('a', { href: publicHref(n.code), i18n: 'notice.trace', 'data-testid': 'notice-trace-link' }),
        el('span', { class: 'muted' }, timeEl(n.created_at))));
  };
  render(notice);
  return node;
}

/** The buyer's recall notices (an empty list when the call fails: the page stands without them). */
export async function loadNotices() {
  try {
    const list = await api.get('/me/recall-notices');
    return Array.isArray(list) ? list : [];
  } catch (err) {
    if (!err.redirecting) flashError(err);
    return [];
  }
}
