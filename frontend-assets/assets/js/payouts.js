// What the payout pages share: the states the finance contract names, the checks a form
// makes before the server does the same ones (account numbers, CNAPS codes, references, dates)
// and money shown to the fen.

import { formatFen } from './catalog.js';
import { badge, el, timeEl } from './ui.js';

export const PAYOUT_STATUSES = ['pending', 'paid', 'failed'];
export const ACCOUNT_STATUSES = ['pending', 'verified', 'rejected'];
export const HELD_REASONS = ['no_account', 'account_pending', 'account_rejected', 'negative_balance'];

/** An account number as typed: digits with spaces or dashes; `null` when it is not 8–32 digits. */
export function accountDigits(raw) {
  const digits = String(raw ?? '').replace(/[\s-]/g, '');
  return /^\d{8,32}$/.test(digits) ? digits : null;
}

/** A CNAPS bank code (联行号): empty is fine, otherwise exactly 12 digits. */
export function cnapsValid(raw) {
  const digits = String(raw ?? '').replace(/[\s-]/g, '');
  return digits === '' || /^\d{12}$/.test(digits);
}

/** A bank reference: 1–64 characters without spaces. */
export function referenceValid(raw) {
  const s = String(raw ?? '').trim();
  return s.length >= 1 && s.length <= 64 && !/\s/.test(s);
}

/** The API path of a batch's bank file. */
export function exportHref(batchId, format) {
  return `/api/v1/finance/payout-batches/${encodeURIComponent(String(batchId))}/export?format=${format}`;
}

/** An amount in fen as `¥1234.50`, keeping the fen in `data-fen`. */
export function moneyEl(fen, testid) {
  return el('span', { class: 'money', 'data-testid': testid, dataset: { fen: String(fen ?? '') }, text: formatFen(fen) });
}

/** Today in Beijing, `YYYY-MM-DD`, whatever the device's zone. */
export function beijingToday(now = new Date()) {
  const d = new Date(now.getTime() + 8 * 3600 * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** A `YYYY-MM-DD` that is a real calendar day. */
export function validDay(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(value || ''));
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** What a payout's sub-orders come to (fen): its amount less the refunds it takes back. */
export function linesTotal(p) {
  return Number(p.amount) - Number(p.adjusted || 0);
}

/** What an adjustment can be: a refund taken back, or that refund given back (a reversal). */
export const ADJUSTMENT_KINDS = ['refund', 'reversal'];

/**
 * The refunds a payout takes back (negative) or gives back (a reversal, positive: the payout
 * that held the sub-order failed after the refund was taken back) as table rows: sub-order,
 * kind and reason, when, amount.
 */
export function adjustmentRows(adjustments) {
  return (adjustments || []).map((a) => el('tr', { 'data-testid': 'adjustment', dataset: { refundId: a.refund_id, kind: a.kind || 'refund' } },
    el('td', { class: 'mono', text: a.sub_order_number }),
    el('td', {}, badge('adjustment_kind', a.kind || 'refund', 'adjustment-kind'), ' ', a.reason),
    el('td', {}, timeEl(a.at)),
    el('td', { class: 'num' }, moneyEl(a.amount, 'adjustment-amount'))));
}
