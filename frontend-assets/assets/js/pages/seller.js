// A seller's public page: who they are, where they farm, what they sell now. Its own members
// also find their way to the seller's orders, claims, settlement statement, after-sales quality
// and recalls from here.

import { api, query, seg } from '../api.js';
import { productGrid } from '../catalog.js';
import { t, translate } from '../i18n.js';
import { initShell } from '../shell.js';
import { $, el, errorMessage, facts, flash, note, regionText, replaceChildren } from '../ui.js';
import { shareCard } from '../wechat-sdk.js';

const id = new URLSearchParams(location.search).get('id');
const heading = $('#seller-name');

async function loadSeller() {
  if (!id) return { missing: true };
  try {
    return { data: await api.get(`/sellers/${seg(id)}`, { redirectOn401: false }) };
  } catch (err) {
    return err.status === 404 ? { missing: true } : { error: err };
  }
}

/** For the seller's own members: where its orders and money are handled. */
function memberBox(me, seller) {
  const member = me && Array.isArray(me.memberships) && me.memberships.some((m) => m.org && m.org.id === seller.id);
  if (!member) return null;
  const org = query({ org: seller.id });
  return el('section', { class: 'card admin-card', 'aria-labelledby': 'seller-admin-title', 'data-testid': 'seller-admin' },
    el('h2', { id: 'seller-admin-title', i18n: 'seller.admin_title' }),
    el('div', { class: 'actions' },
      el('a', { class: 'btn btn-primary', href: '/seller/orders.html' + org, i18n: 'seller.to_orders', 'data-testid': 'seller-to-orders' }),
      el('a', { class: 'btn btn-secondary', href: '/seller/claims.html' + org, i18n: 'seller.to_claims', 'data-testid': 'seller-to-claims' }),
      el('a', { class: 'btn btn-secondary', href: '/seller/settlement.html' + org, i18n: 'seller.to_settlement', 'data-testid': 'seller-to-settlement' }),
      el('a', { class: 'btn btn-secondary', href: '/seller/quality.html' + org, i18n: 'seller.to_quality', 'data-testid': 'seller-to-quality' }),
      el('a', { class: 'btn btn-quiet', href: '/ops/recalls.html', i18n: 'seller.to_recalls', 'data-testid': 'seller-to-recalls' }),
      el('a', { class: 'btn btn-quiet', href: '/seller/listings.html' + org, i18n: 'nav.seller_listings' })));
}

function render({ seller, listings }, me) {
  // The heading now shows the seller's own name, which is not a dictionary string.
  heading.removeAttribute('data-i18n');
  heading.textContent = seller.name;
  const title = document.querySelector('title');
  title.setAttribute('data-i18n', 'seller.doc_title_named');
  title.setAttribute('data-i18n-args', JSON.stringify({ name: seller.name }));
  translate(title);

  replaceChildren($('#seller-badges'),
    seller.verified ? el('span', { class: 'badge badge-verified', i18n: 'catalog.verified', 'data-testid': 'seller-verified' }) : null);
  replaceChildren($('#seller-facts'), facts([
    ['seller.kind', el('span', { class: 'tag', i18n: 'kind.' + seller.kind, 'data-testid': 'seller-kind' })],
    ['seller.region', el('span', { text: regionText(seller.region), 'data-testid': 'seller-region' })],
  ]));
  replaceChildren($('#seller-admin'), memberBox(me, seller));
  const list = Array.isArray(listings) ? listings : [];
  replaceChildren($('#seller-listings-body'),
    productGrid(list, { highlight: false }) || note('empty', { i18n: 'seller.no_listings' }));
  // The share card (og: tags; inside WeChat the JS-SDK's share data): the shop, where it is,
  // and its first product's photo.
  const cover = list.find((l) => l.thumb_url);
  shareCard({
    title: seller.name,
    description: [regionText(seller.region), t('kind.' + seller.kind)].filter(Boolean).join(' · '),
    link: '/seller.html?id=' + encodeURIComponent(seller.id || id),
    image: cover ? cover.thumb_url : '',
  });
}

const [shell, loaded] = await Promise.all([initShell({ auth: 'optional' }), loadSeller()]);
if (loaded.data && loaded.data.seller) {
  render(loaded.data, shell.me);
} else if (loaded.missing) {
  replaceChildren($('#seller-facts'),
    note('empty', { i18n: 'seller.missing' }),
    el('p', {}, el('a', { href: '/search.html', i18n: 'listing.go_search' })));
} else {
  const err = loaded.error || {};
  replaceChildren($('#seller-facts'), note('error', errorMessage(err)));
  if (!shell.error || shell.error.status === 401) flash(errorMessage(err), 'error');
}

// 信用 (#20, wt-market): the shop's credit line under its facts, its own module (an import is
// hoisted, so it may sit here at the end).
import { showCredit } from '../credit.js';

showCredit($('#seller-credit'), id);
