// Standing orders (定期订单, issue #22), what the buyer's and the seller's pages both show: a
// standing order as a card (its lines, schedule, state and next delivery) and the history of its
// periods (the order each made, what was short).

import { api, seg } from './api.js';
import { t } from './i18n.js';
import { el, replaceChildren } from './ui.js';

const STATUS = {
  pending: 'so.status_pending',
  active: 'so.status_active',
  paused: 'so.status_paused',
  declined: 'so.status_declined',
  ended: 'so.status_ended',
};

const OUTCOME = {
  generated: 'so.outcome_generated',
  short: 'so.outcome_short',
  paused: 'so.outcome_paused',
  failed: 'so.outcome_failed',
};

export const WEEKDAYS = ['so.wd_1', 'so.wd_2', 'so.wd_3', 'so.wd_4', 'so.wd_5', 'so.wd_6', 'so.wd_7'];

/** "每周一、四" or "每 3 天", and the lead time. */
export function scheduleText(s) {
  const when = s.schedule.kind === 'weekly'
    ? t('so.weekly', { days: s.schedule.weekdays.map((d) => t(WEEKDAYS[d - 1])).join('、') })
    : t('so.every_days', { days: s.schedule.days });
  return `${when} · ${t('so.lead', { days: s.lead_days })}`;
}

function runItem(r) {
  const short = (r.shortages || []).map((x) => `${x.title} ${x.ordered}/${x.wanted}`).join('，');
  return el('li', { 'data-testid': 'standing-run', dataset: { outcome: r.outcome, period: r.period } },
    el('strong', { text: r.period }), ' ',
    el('span', { class: `badge badge-${r.outcome}`, i18n: OUTCOME[r.outcome] }),
    r.order_id ? [' ', el('a', { href: `/order.html?id=${encodeURIComponent(r.order_id)}`, i18n: 'so.see_order', 'data-testid': 'standing-run-order' })] : null,
    short ? el('p', { class: 'muted small' }, el('span', { i18n: 'so.short', args: { lines: short } })) : null);
}

/** Loads and shows a standing order's periods into `box`. */
export async function showRuns(id, box) {
  const s = await api.get(`/standing-orders/${seg(id)}`);
  const runs = s.runs || [];
  replaceChildren(box, runs.length
    ? el('ul', { class: 'list', 'data-testid': 'standing-runs' }, runs.map(runItem))
    : el('p', { class: 'muted', i18n: 'so.no_runs' }));
  box.hidden = false;
}

/** A standing order as a card; `actions` are the buttons this side may press. */
export function standingCard(s, actions) {
  const runs = el('div', { class: 'standing-runs', hidden: true });
  const history = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'so.history', 'data-testid': 'standing-history' });
  history.addEventListener('click', () => showRuns(s.id, runs));
  return el('li', { class: 'card', 'data-testid': 'standing-item', dataset: { id: s.id, status: s.status } },
    el('div', { class: 'item-head' },
      el('span', { class: `badge badge-${s.status}`, i18n: STATUS[s.status], 'data-testid': 'standing-status' }),
      s.next_delivery
        ? el('span', { class: 'muted', 'data-testid': 'standing-next' }, el('span', { i18n: 'so.next', args: { date: s.next_delivery } }))
        : null),
    el('ul', { class: 'list' }, s.lines.map((l) => el('li', { text: `${l.title} · ${l.sku_name} × ${l.quantity}` }))),
    el('p', { class: 'muted', text: scheduleText(s) }),
    el('p', { class: 'muted' }, el('span', { i18n: 'so.dates', args: { start: s.start_date, end: s.end_date || '—' } })),
    el('div', { class: 'actions' }, actions, history),
    runs);
}
