// Home: the shop's front page (search, the categories, what sells), then who is logged in and
// what their role lets them do from here.

import { api } from '../api.js';
import { childrenOf, loadCategories, localName, productGrid, sellingMemberships } from '../catalog.js';
import { initShell } from '../shell.js';
import { enhanceSearchBoxes } from '../suggest.js';
import { $, badge, el, note, replaceChildren } from '../ui.js';

const body = $('#you-body');
const catsBody = $('#cats-body');
const featuredBody = $('#featured-body');
const FEATURED = 8;
const TOP_CATEGORIES = 8;

// ---- the shop ------------------------------------------------------------------------------

function categoryTile(cat, i) {
  const first = Array.from(cat.name || cat.name_en || '')[0] || '';
  const kids = childrenOf(cat).slice(0, 3);
  return el('li', {},
    el('a', {
      class: `category-tile tone-${i % 8}`,
      href: '/search.html?category=' + encodeURIComponent(cat.id),
      'data-testid': 'category-tile',
      dataset: { categoryId: cat.id },
    },
    el('span', { class: 'category-mark', 'aria-hidden': 'true', text: first }),
    el('span', { class: 'category-name' }, localName(cat.name, cat.name_en)),
    kids.length
      ? el('span', { class: 'category-kids' }, kids.map((k, j) => [j ? ' · ' : null, localName(k.name, k.name_en)]))
      : null));
}

async function loadShopCategories() {
  try {
    const { roots } = await loadCategories();
    if (!roots.length) {
      replaceChildren(catsBody, note('empty', { i18n: 'home.no_categories' }));
      return;
    }
    replaceChildren(catsBody, el('ul', { class: 'category-tiles' }, roots.slice(0, TOP_CATEGORIES).map(categoryTile)));
  } catch {
    replaceChildren(catsBody, note('error', { i18n: 'home.categories_failed' }));
  }
}

async function loadFeatured() {
  try {
    const result = await api.get(`/search?sort=sales&per_page=${FEATURED}&in_stock=true`, { redirectOn401: false });
    const grid = productGrid(result && result.hits, { highlight: false });
    replaceChildren(featuredBody, grid || note('empty', { i18n: 'home.no_featured' }));
  } catch {
    replaceChildren(featuredBody, note('error', { i18n: 'home.featured_failed' }));
  }
}

// Pinned notices (资讯): titles as their writers wrote them; the section stays hidden when
// nothing is pinned or the list cannot be had (the shop matters more).
async function loadNotices() {
  try {
    const { items } = await api.get('/news/pinned', { redirectOn401: false });
    if (!items || !items.length) return;
    replaceChildren($('#notices-body'), items.map((n) => el('li', {},
      el('a', { href: n.url, text: n.title, 'data-testid': 'home-notice' }))));
    $('[data-testid="home-notices"]').hidden = false;
  } catch {
    // No notices shown.
  }
}

// ---- you -----------------------------------------------------------------------------------

function entry(href, titleKey, textKey, testid, extra) {
  const head = href
    ? el('a', { href, class: 'entry-title', i18n: titleKey, 'data-testid': testid })
    : el('span', { class: 'entry-title', i18n: titleKey, 'data-testid': testid });
  return el('li', { class: 'entry' }, head, el('p', { class: 'muted', i18n: textKey }), extra);
}

function anonymous() {
  replaceChildren(body,
    el('p', { i18n: 'home.anon_text' }),
    el('div', { class: 'actions' },
      el('a', { class: 'btn btn-primary', href: '/login.html', i18n: 'nav.login', 'data-testid': 'home-login' }),
      el('a', { class: 'btn btn-secondary', href: '/register.html', i18n: 'nav.register', 'data-testid': 'home-register' })));
}

function orgSummary(memberships) {
  if (!memberships.length) return null;
  return el('ul', { class: 'mini-list' }, memberships.map(({ org, role }) =>
    el('li', {},
      el('a', { href: '/org.html?id=' + encodeURIComponent(org.id), text: org.name }),
      ' ',
      badge('status', org.status),
      ' ',
      el('span', { class: 'muted', i18n: 'role.' + role }))));
}

async function signedIn(me) {
  const { account } = me;
  const memberships = Array.isArray(me.memberships) ? me.memberships : [];
  const role = account.platform_role;
  const entries = el('ul', { class: 'entries' });

  // Buyers (consumers and business buyers) start from the shop.
  if (!role && !sellingMemberships(me).length) {
    entries.append(entry('/search.html', 'home.shop_title', 'home.shop_text', 'home-shop'));
  }
  entries.append(entry('/orders.html', 'home.orders_title', 'home.orders_text', 'home-orders',
    el('p', {},
      el('a', { href: '/cart.html', i18n: 'nav.cart', 'data-testid': 'home-cart' }), ' · ',
      el('a', { href: '/claims.html', i18n: 'claims.heading', 'data-testid': 'home-claims' }))));
  if (role === 'operator') {
    entries.append(entry('/ops/verify.html', 'home.verify_title', 'home.verify_text', 'home-verify'));
    entries.append(entry('/ops/listings.html', 'home.reviews_title', 'home.reviews_text', 'home-reviews'));
    entries.append(entry('/ops/orders.html', 'home.ops_orders_title', 'home.ops_orders_text', 'home-ops-orders'));
    entries.append(entry('/ops/categories.html', 'home.categories_ops_title', 'home.categories_ops_text', 'home-ops-categories'));
  }
  if (role === 'operator' || role === 'after_sales_agent') {
    entries.append(entry('/ops/claims.html', 'home.ops_claims_title', 'home.ops_claims_text', 'home-ops-claims'));
  }
  if (role === 'operator' || role === 'after_sales_agent' || role === 'official') {
    entries.append(entry('/ops/recalls.html', 'home.recalls_title', 'home.recalls_text', 'home-recalls'));
    entries.append(entry('/ops/quality.html', 'home.quality_title', 'home.quality_text', 'home-quality'));
  }
  const myShop = sellingMemberships(me).find((m) => m.org.status === 'verified');
  if (myShop) {
    entries.append(entry('/seller.html?id=' + encodeURIComponent(myShop.org.id), 'home.seller_page_title', 'home.seller_page_text', 'home-seller-page'));
  }
  if (sellingMemberships(me).length) {
    entries.append(entry('/seller/orders.html', 'home.seller_orders_title', 'home.seller_orders_text', 'home-seller-orders'));
    entries.append(entry('/seller/claims.html', 'home.seller_claims_title', 'home.seller_claims_text', 'home-seller-claims'));
    entries.append(entry('/seller/listings.html', 'home.seller_title', 'home.seller_text', 'home-seller'));
  }
  entries.append(entry('/org.html', 'home.orgs_title',
    memberships.length ? 'home.orgs_text_member' : 'home.orgs_text_new', 'home-orgs', orgSummary(memberships)));
  entries.append(entry('/account.html', 'home.account_title', 'home.account_text', 'home-account'));
  if (role === 'official') entries.append(entry('/ops/stats.html', 'home.stats_title', 'home.stats_text', 'home-stats'));

  const invitesSlot = el('div');
  replaceChildren(body,
    el('p', { class: 'greeting', 'data-testid': 'home-greeting' },
      el('span', { i18n: 'home.hello' }),
      el('strong', { text: account.display_name }),
      role ? el('span', { class: 'badge badge-role', i18n: 'platform_role.' + role }) : null),
    invitesSlot,
    entries);

  try {
    const invitations = await api.get('/me/invitations');
    const pending = (invitations || []).filter((inv) => inv.status === 'pending');
    if (pending.length) {
      replaceChildren(invitesSlot, el('p', { class: 'note note-info' },
        el('span', { i18n: 'home.invites', args: { count: pending.length } }),
        ' ',
        el('a', { href: '/account.html#invitations', i18n: 'home.invites_link' })));
    }
  } catch {
    // The invitations hint is a courtesy; the account page shows them with errors.
  }
}

// The shop does not wait for the login check: both are public.
const shop = Promise.all([loadShopCategories(), loadFeatured(), loadNotices()]);
// Search as you type in the search box (#21).
enhanceSearchBoxes();
const { me, error } = await initShell({ auth: 'optional' });
if (me) {
  await signedIn(me);
} else {
  anonymous();
  // Server unreachable: say so instead of pretending nobody is logged in.
  if (error && error.status !== 401) body.prepend(note('error', { i18n: 'error.me_failed' }));
}
await shop;
