// The seller's console: the listings of one selling organisation I belong to, with where each
// stands in review and whether buyers can buy it, and the way to a new one.

import { api, query, seg } from '../api.js';
import { formatFen, pendingRevision, placeholderPicture, sellingMemberships } from '../catalog.js';
import { initShell } from '../shell.js';
import { $, badge, el, note, replaceChildren, timeEl } from '../ui.js';

const STATUSES = ['draft', 'pending', 'approved', 'rejected', 'delisted'];
// The console home's "low on stock" count links here with ?low_stock=1: the listings on sale
// with a SKU at or below the same threshold the count uses.
const LOW_STOCK = 10;
const params = new URLSearchParams(location.search);
const stateBox = $('#state-box');
const listingsBox = $('#listings');
const statusFilter = $('#status-filter');

function pickOrg(memberships) {
  const wanted = params.get('org');
  const chosen = memberships.find((m) => m.org.id === wanted) || memberships[0];
  return chosen ? chosen.org : null;
}

function orgPicker(memberships, org) {
  if (memberships.length < 2) return null;
  const select = el('select', { id: 'org-select', name: 'org', 'data-testid': 'console-org-select' },
    memberships.map((m) => el('option', { value: m.org.id, selected: m.org.id === org.id, text: m.org.name })));
  select.addEventListener('change', () => {
    location.assign(location.pathname + query({ org: select.value }));
  });
  return el('div', { class: 'inline-field org-picker' },
    el('label', { for: 'org-select', i18n: 'console.org' }), select);
}

function notVerified(org) {
  return el('section', { class: 'card', 'data-testid': 'console-unverified', dataset: { status: org.status } },
    el('h2', { text: org.name }),
    el('p', { class: 'meta' }, badge('status', org.status)),
    el('p', { class: 'note note-info', i18n: org.status === 'rejected' ? 'console.org_rejected' : 'console.org_pending' }),
    el('p', {}, el('a', { class: 'btn btn-secondary', href: '/org.html?id=' + encodeURIComponent(org.id), i18n: 'console.to_org' })));
}

function totalStock(listing) {
  return (listing.skus || []).filter((s) => s.active !== false).reduce((sum, s) => sum + (Number(s.stock) || 0), 0);
}

function row(listing, org) {
  const thumb = listing.images && listing.images[0]
    ? el('img', { src: listing.images[0].thumb_url || listing.images[0].url, alt: '', loading: 'lazy', width: '72', height: '72' })
    : placeholderPicture(listing.title);
  const edit = '/seller/edit.html?id=' + encodeURIComponent(listing.id);
  const reason = (listing.status === 'rejected' || listing.status === 'delisted') && listing.status_reason
    ? el('p', { class: 'reason', 'data-testid': 'seller-listing-reason' },
      el('strong', { i18n: listing.status === 'delisted' ? 'listing.delist_reason' : 'listing.reject_reason' }), ' ',
      el('span', { text: listing.status_reason }))
    : null;
  const skuCount = (listing.skus || []).filter((s) => s.active !== false).length;
  return el('li', {
    class: 'list-item listing-row',
    'data-testid': 'seller-listing',
    dataset: { listingId: listing.id, status: listing.status },
  },
  el('a', { class: 'row-thumb', href: edit, tabindex: '-1', 'aria-hidden': 'true' }, thumb),
  el('div', { class: 'row-body' },
    el('div', { class: 'item-head' },
      el('a', { class: 'item-title', href: edit, text: listing.title, 'data-testid': 'seller-listing-title' })),
    el('p', { class: 'meta' },
      badge('listing_status', listing.status, 'seller-listing-status'),
      badge('availability', listing.availability, 'seller-listing-availability'),
      pendingRevision(listing) && listing.status === 'approved'
        ? el('span', { class: 'badge badge-change', i18n: 'console.change_pending' }) : null),
    reason,
    el('p', { class: 'meta muted' },
      listing.price_from !== null && listing.price_from !== undefined ? el('span', { text: formatFen(listing.price_from) }) : null,
      el('span', { i18n: 'console.skus', args: { n: skuCount } }),
      el('span', { i18n: 'console.stock', args: { n: totalStock(listing) } }),
      el('span', {}, el('span', { i18n: 'console.updated' }), ' ', timeEl(listing.updated_at))),
    el('div', { class: 'actions' },
      el('a', { class: 'btn btn-secondary', href: edit, i18n: 'console.edit', 'data-testid': 'seller-listing-edit' }),
      el('a', { class: 'btn btn-quiet', href: '/listing.html?id=' + encodeURIComponent(listing.id), i18n: 'console.view' }),
      // Batches (and their trace codes) belong to listings that are live.
      listing.status === 'approved' && org
        ? el('a', { class: 'btn btn-quiet', href: '/seller/batches.html' + query({ org: org.id, listing: listing.id }), i18n: 'console.batches', 'data-testid': 'seller-listing-batches' })
        : null)));
}

async function loadListings(org) {
  listingsBox.setAttribute('aria-busy', 'true');
  const status = statusFilter.value;
  try {
    let listings = (await api.get(`/orgs/${seg(org.id)}/listings` + query({ status }))) || [];
    if (params.get('low_stock') === '1') {
      listings = listings.filter((l) => l.status === 'approved'
        && (l.skus || []).some((k) => k.active !== false && Number(k.stock) <= LOW_STOCK));
      replaceChildren($('#low-stock-note'), el('p', { class: 'note note-info', 'data-testid': 'low-stock-note' },
        el('span', { i18n: 'slistings.low_stock', args: { n: LOW_STOCK } }), ' ',
        el('a', { href: location.pathname + query({ org: org.id }), i18n: 'slistings.low_stock_all' })));
    }
    replaceChildren($('#listings-count'), el('span', { i18n: 'console.count', args: { n: listings.length } }));
    replaceChildren(listingsBox, listings.length
      ? el('ul', { class: 'list' }, listings.map((l) => row(l, org)))
      : note('empty', { i18n: status ? 'console.none_status' : 'console.none' }));
  } catch (err) {
    if (!err.redirecting) replaceChildren(listingsBox, note('error', err.message));
  } finally {
    listingsBox.removeAttribute('aria-busy');
  }
}

const { me, error } = await initShell({ auth: 'required' });
if (me) {
  const memberships = sellingMemberships(me);
  const org = pickOrg(memberships);
  if (!org) {
    replaceChildren(stateBox, el('section', { class: 'card', 'data-testid': 'console-no-org' },
      el('p', { i18n: 'console.no_org' }),
      el('p', {}, el('a', { class: 'btn btn-secondary', href: '/org.html', i18n: 'console.to_orgs' }))));
  } else {
    replaceChildren($('#org-picker'), orgPicker(memberships, org));
    if (org.status !== 'verified') {
      replaceChildren(stateBox, notVerified(org));
    } else {
      $('#console').hidden = false;
      $('#org-title').textContent = org.name;
      $('#new-listing').href = '/seller/edit.html' + query({ org: org.id });
      const wanted = params.get('status');
      statusFilter.value = STATUSES.includes(wanted) ? wanted : '';
      statusFilter.addEventListener('change', () => {
        const url = new URL(location.href);
        url.searchParams.set('org', org.id);
        if (statusFilter.value) url.searchParams.set('status', statusFilter.value);
        else url.searchParams.delete('status');
        history.replaceState(null, '', url);
        loadListings(org);
      });
      await loadListings(org);
    }
  }
} else if (error && !error.redirecting) {
  replaceChildren(stateBox, note('muted', { i18n: 'common.unavailable' }));
}
