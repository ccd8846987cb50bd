// The seller's home (工作台): where a seller lands after logging in. Today's work as counts
// from `GET /orgs/{id}/console`, each linking to the filtered list it counts — paid orders to
// acknowledge, parts past or near their ship-by deadline, claims awaiting the shop's answer
// (with the nearest deadline), unread conversations, SKUs low on stock — and the usual ways on.

import { api, query, seg } from '../api.js';
import { sellingMemberships } from '../catalog.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import { $, el, flashError, noOrg, note, orgPicker, pickOrg, replaceChildren, timeEl } from '../ui.js';
import { dueHint, oldestHint, tile } from '../console.js';

const params = new URLSearchParams(location.search);

function tiles(org, c) {
  const q = (path, extra = {}) => path + query({ org: org.id, ...extra });
  const o = c.orders;
  return [
    tile({ href: q('/seller/orders.html', { status: 'paid' }), count: o.new_paid, labelKey: 'shome.new_paid',
      hint: oldestHint(o.oldest_paid_at), urgent: true, testid: 'shome-new-paid' }),
    tile({ href: q('/seller/orders.html', { ship_by: 'overdue' }), count: o.ship_by_overdue, labelKey: 'shome.ship_overdue',
      urgent: true, testid: 'shome-ship-overdue' }),
    tile({ href: q('/seller/orders.html', { ship_by: 'soon' }), count: o.ship_by_soon, labelKey: 'shome.ship_soon',
      hint: t('shome.ship_soon_hint', { hours: o.ship_by_soon_hours }), testid: 'shome-ship-soon' }),
    tile({ href: q('/seller/claims.html', { status: 'awaiting_seller' }), count: c.claims.awaiting_answer,
      labelKey: 'shome.claims', hint: dueHint(c.claims.next_due), urgent: c.claims.overdue > 0, testid: 'shome-claims' }),
    tile({ href: q('/seller/inbox.html'), count: c.conversations.unread, labelKey: 'shome.conversations',
      testid: 'shome-conversations' }),
    tile({ href: q('/seller/listings.html', { low_stock: '1' }), count: c.stock.low, labelKey: 'shome.low_stock',
      testid: 'shome-low-stock' }),
  ];
}

function shortcuts(org) {
  const q = (path) => path + query({ org: org.id });
  const link = (href, key, testid) => el('a', { class: 'btn btn-secondary', href, i18n: key, 'data-testid': testid });
  return [
    link(q('/seller/orders.html'), 'shome.to_orders', 'shome-to-orders'),
    link(q('/seller/listings.html'), 'shome.to_listings', 'shome-to-listings'),
    link('/seller/edit.html' + query({ org: org.id }), 'shome.new_listing', 'shome-new-listing'),
    link(q('/seller/batches.html'), 'shome.to_batches', 'shome-to-batches'),
    link(q('/seller/claims.html'), 'shome.to_claims', 'shome-to-claims'),
    link(q('/seller/settlement.html'), 'shome.to_settlement', 'shome-to-settlement'),
    link('/seller.html?id=' + encodeURIComponent(org.id), 'shome.to_shop', 'shome-to-shop'),
  ];
}

async function load(org) {
  const box = $('#tiles');
  box.setAttribute('aria-busy', 'true');
  try {
    const c = await api.get(`/orgs/${seg(org.id)}/console`);
    replaceChildren(box, tiles(org, c));
    replaceChildren($('#as-of'), timeEl(c.at));
  } catch (err) {
    if (!err.redirecting) {
      replaceChildren(box, note('error', err.message));
      flashError(err);
    }
  } finally {
    box.removeAttribute('aria-busy');
  }
}

const { me, error } = await initShell({ auth: 'required' });
if (me) {
  const memberships = sellingMemberships(me);
  const org = pickOrg(memberships, params);
  if (!org) {
    replaceChildren($('#state-box'), noOrg('shome-no-org'));
  } else if (org.status !== 'verified') {
    replaceChildren($('#state-box'), el('section', { class: 'card', 'data-testid': 'shome-unverified' },
      el('h2', { text: org.name }),
      el('p', { class: 'note note-info', i18n: org.status === 'rejected' ? 'console.org_rejected' : 'console.org_pending' }),
      el('p', {}, el('a', { class: 'btn btn-secondary', href: '/org.html?id=' + encodeURIComponent(org.id), i18n: 'console.to_org' }))));
  } else {
    replaceChildren($('#org-picker'), orgPicker(memberships, org, 'shome-org-select'));
    $('#console').hidden = false;
    $('#org-title').textContent = org.name;
    replaceChildren($('#shortcuts'), shortcuts(org));
    await load(org);
    // Counts move as orders come in: refresh when the tab comes back into view.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') load(org);
    });
  }
} else if (error && !error.redirecting) {
  replaceChildren($('#state-box'), note('muted', { i18n: 'common.unavailable' }));
}
