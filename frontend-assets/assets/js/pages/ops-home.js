// The operator's home (运营工作台): where the operator lands after logging in. Every queue the
// platform works, from `GET /admin/console`, counted with its oldest item or nearest deadline
// and linked to the queue itself: listings and organisations awaiting review, claims to
// arbitrate (overdue first), tickets nobody holds or past their limits, reports to moderate,
// paid orders sellers leave waiting, payouts at the bank, accounts to verify, reconciliation.

import { api } from '../api.js';
import { formatFen } from '../catalog.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import { $, flashError, note, replaceChildren, timeEl } from '../ui.js';
import { dueHint, oldestHint, tile } from '../console.js';

function render(c) {
  replaceChildren($('#tiles-review'),
    tile({ href: '/ops/listings.html', count: c.listings.awaiting_review, labelKey: 'ohome.listings',
      hint: oldestHint(c.listings.oldest_submitted_at), testid: 'ohome-listings' }),
    tile({ href: '/ops/verify.html?status=pending', count: c.organisations.awaiting_review, labelKey: 'ohome.orgs',
      hint: oldestHint(c.organisations.oldest_waiting_since), testid: 'ohome-orgs' }),
    tile({ href: '/ops/moderation.html?tab=reviews', count: c.reports.reviews, labelKey: 'ohome.review_reports',
      hint: oldestHint(c.reports.oldest_review_report_at), testid: 'ohome-review-reports' }),
    tile({ href: '/ops/moderation.html?tab=messages', count: c.reports.conversation_messages, labelKey: 'ohome.conversation_reports',
      testid: 'ohome-conversation-reports' }));
  replaceChildren($('#tiles-service'),
    tile({ href: '/ops/claims.html?status=in_arbitration', count: c.claims.overdue, labelKey: 'ohome.claims_overdue',
      urgent: true, testid: 'ohome-claims-overdue' }),
    tile({ href: '/ops/claims.html?status=in_arbitration', count: c.claims.in_arbitration, labelKey: 'ohome.claims',
      hint: dueHint(c.claims.next_due), testid: 'ohome-claims' }),
    tile({ href: '/ops/desk.html', count: c.tickets.overdue, labelKey: 'ohome.tickets_overdue', urgent: true,
      testid: 'ohome-tickets-overdue' }),
    tile({ href: '/ops/desk.html', count: c.tickets.unassigned, labelKey: 'ohome.tickets_unassigned',
      hint: oldestHint(c.tickets.oldest_unassigned_at), testid: 'ohome-tickets-unassigned' }));
  replaceChildren($('#tiles-orders'),
    tile({ href: '/ops/orders.html?status=paid', count: c.orders.unacknowledged_late, labelKey: 'ohome.unacknowledged',
      hint: t('ohome.unacknowledged_hint', { minutes: c.orders.acknowledge_within_minutes }), urgent: true,
      testid: 'ohome-unacknowledged' }),
    tile({ href: '/ops/orders.html?ship_by=overdue', count: c.orders.ship_by_overdue, labelKey: 'ohome.ship_overdue',
      urgent: true, testid: 'ohome-ship-overdue' }));
  replaceChildren($('#tiles-money'),
    tile({ href: '/ops/payouts.html', count: c.money.pending_payouts, labelKey: 'ohome.payouts',
      hint: c.money.pending_payouts ? formatFen(c.money.pending_payout_fen) : null, testid: 'ohome-payouts' }),
    tile({ href: '/ops/payouts.html', count: c.money.bank_accounts_to_verify, labelKey: 'ohome.bank_accounts',
      testid: 'ohome-bank-accounts' }),
    tile({ href: '/ops/reconciliation.html', count: c.money.reconciliation_differences, labelKey: 'ohome.reconciliation',
      urgent: true, testid: 'ohome-reconciliation' }));
  replaceChildren($('#as-of'), timeEl(c.at));
}

async function load() {
  try {
    render(await api.get('/admin/console'));
  } catch (err) {
    if (err.status === 403) {
      $('#console').hidden = true;
      $('#forbidden').hidden = false;
    } else if (!err.redirecting) {
      replaceChildren($('#tiles-review'), note('error', err.message));
      flashError(err);
    }
  }
}

const { me } = await initShell({ auth: 'required' });
if (me) {
  if (me.account.platform_role !== 'operator') {
    $('#forbidden').hidden = false;
  } else {
    $('#console').hidden = false;
    await load();
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') load();
    });
  }
}
