// The service desk's shared helpers: labels for the desk's enums, the countdown to a ticket's
// running deadline, and the conversation as both the customer and the agents see it.

import { el, formatTime } from './ui.js';
import { photoStrip } from './attachments.js';

export const KINDS = {
  seller_complaint: 'desk.kind_seller_complaint',
  misleading_listing: 'desk.kind_misleading_listing',
  account_problem: 'desk.kind_account_problem',
  suggestion: 'desk.kind_suggestion',
  other: 'desk.kind_other',
};

export const URGENCIES = {
  low: 'desk.urgency_low',
  normal: 'desk.urgency_normal',
  high: 'desk.urgency_high',
  urgent: 'desk.urgency_urgent',
};

export const STATUSES = {
  open: 'desk.status_open',
  answered: 'desk.status_answered',
  closed: 'desk.status_closed',
  merged: 'desk.status_merged',
};

export const OUTCOMES = {
  satisfied: 'desk.outcome_satisfied',
  unsatisfied: 'desk.outcome_unsatisfied',
  unreachable: 'desk.outcome_unreachable',
  declined: 'desk.outcome_declined',
};

/** A label element for one of the maps above (the raw value if the map lacks it). */
export function label(map, value, props = {}) {
  const key = map[value];
  return key ? el('span', { i18n: key, dataset: { value }, ...props }) : el('span', { text: value, ...props });
}

/** `3:05:09` or `-0:12:00` from seconds: what is left of the running limit. */
export function formatLeft(seconds) {
  const s = Math.abs(Math.trunc(Number(seconds) || 0));
  const h = Math.floor(s / 3600);
  const m = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const sec = String(s % 60).padStart(2, '0');
  return `${seconds < 0 ? '-' : ''}${h}:${m}:${sec}`;
}

const timers = new Set();
setInterval(() => {
  for (const node of timers) {
    if (!node.isConnected) { timers.delete(node); continue; }
    const left = Number(node.dataset.left) - Math.round((Date.now() - Number(node.dataset.at)) / 1000);
    node.textContent = formatLeft(left);
    node.classList.toggle('overdue', left < 0);
  }
}, 1000);

/** The countdown to a ticket's running deadline, ticking each second; nothing once closed. */
export function countdown(ticket) {
  if (ticket.seconds_left === null || ticket.seconds_left === undefined) {
    return el('span', { class: 'muted', i18n: 'desk.no_deadline', 'data-testid': 'ticket-countdown' });
  }
  const node = el('span', {
    class: `countdown${ticket.overdue ? ' overdue' : ''}`,
    role: 'timer',
    'aria-live': 'off',
    'data-testid': 'ticket-countdown',
    dataset: { left: String(ticket.seconds_left), at: String(Date.now()) },
    text: formatLeft(ticket.seconds_left),
  });
  timers.add(node);
  return node;
}

/** The conversation: internal notes (agents only) marked as such. */
export function thread(ticket) {
  return el('ol', { class: 'thread', 'data-testid': 'ticket-thread' }, (ticket.messages || []).map((m) =>
    el('li', { class: `message message-${m.author_role}${m.internal ? ' message-internal' : ''}`, 'data-testid': m.internal ? 'ticket-note' : 'ticket-message' },
      el('p', { class: 'muted' },
        el('strong', { text: m.author_name }), ' · ',
        el('span', { i18n: m.author_role === 'agent' ? 'desk.author_agent' : 'desk.author_customer' }), ' · ',
        formatTime(m.at),
        m.internal ? el('span', { class: 'badge', i18n: 'desk.internal_note' }) : null),
      el('p', { class: 'message-body', text: m.body }),
      photoStrip(m.attachments))));
}

/** The head of a ticket: number, kind, status, urgency and the countdown. */
export function ticketHead(ticket) {
  return el('div', { class: 'ticket-head' },
    el('p', {},
      el('strong', { text: ticket.number, 'data-testid': 'ticket-number' }), ' · ',
      label(KINDS, ticket.kind), ' · ',
      label(STATUSES, ticket.status, { 'data-testid': 'ticket-status', class: `badge badge-${ticket.status}` }), ' · ',
      label(URGENCIES, ticket.urgency)),
    el('p', { class: 'muted' },
      el('span', { i18n: 'desk.time_left' }), ' ', countdown(ticket)),
    el('h2', { text: ticket.subject }));
}
