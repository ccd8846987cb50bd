// The back-office homes' tiles (the seller's /seller/home.html and the operator's
// /ops/home.html): a count that links to the filtered list it is the length of, a label, and a
// hint (the oldest item's age or the nearest deadline). A tile whose work is late is marked
// urgent; a zero is shown quietly, never hidden, so the layout does not jump.

import { t } from './i18n.js';
import { el, formatTime } from './ui.js';

/** How long ago `iso` was, in words ("12 分钟" / "3 hours"), from `now` (ms). */
export function ageWords(iso, now = Date.now()) {
  if (!iso) return '';
  const ms = now - new Date(iso).getTime();
  if (!Number.isFinite(ms)) return '';
  const minutes = Math.max(0, Math.floor(ms / 60000));
  if (minutes < 60) return t('home.minutes', { count: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t('home.hours', { count: hours });
  return t('home.days', { count: Math.floor(hours / 24) });
}

/**
 * One tile. `count` is a number; `hint` a string or null; `urgent` marks late work.
 * The count never wraps (a KPI amount is one unbreakable run).
 */
export function tile({ href, count, labelKey, hint = null, urgent = false, testid }) {
  const n = Number(count) || 0;
  return el('a', {
    class: 'console-tile' + (urgent && n > 0 ? ' is-urgent' : '') + (n === 0 ? ' is-zero' : ''),
    href,
    'data-testid': testid,
    dataset: { count: String(n) },
  },
  el('span', { class: 'console-count kpi-amount', text: String(n) }),
  el('span', { class: 'console-label', i18n: labelKey }),
  hint ? el('span', { class: 'console-hint muted small', text: hint }) : null);
}

/** "最早 3 小时前" for the oldest item, or null. */
export function oldestHint(iso) {
  return iso ? t('home.oldest', { age: ageWords(iso) }) : null;
}

/** "最近截止 12-07 10:30" (overdue: "已超时 …"), or null. */
export function dueHint(iso, now = Date.now()) {
  if (!iso) return null;
  return t(new Date(iso).getTime() < now ? 'home.due_past' : 'home.due_next', { at: formatTime(iso) });
}
