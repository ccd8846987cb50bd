// The frame every page shares: header with brand, navigation for who is logged in, the
// language switch and the logout button; on buyer pages (`<body data-tabbar>`) a phone's
// bottom tab bar (首页, 分类, 购物车 with its count, 我的). initShell() never throws: a page always renders,
// even when the server cannot be reached.

import { api, setViewer } from './api.js';
import { applyI18n, getLang, LANGS, onLangChange, setLang, t } from './i18n.js';
import { el, flashError, replaceChildren } from './ui.js';

const SVG = 'http://www.w3.org/2000/svg';

function sprout() {
  // A small sprout, drawn inline so nothing is fetched.
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '28');
  svg.setAttribute('height', '28');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.classList.add('brand-mark');
  const paths = [
    ['M12 21v-8', 'stem'],
    ['M12 13c0-4 3-7 8-7 0 4-3 7-8 7z', 'leaf'],
    ['M12 11C12 7.5 9.5 5 5 5c0 3.5 2.5 6 7 6z', 'leaf'],
  ];
  for (const [d, cls] of paths) {
    const p = document.createElementNS(SVG, 'path');
    p.setAttribute('d', d);
    p.setAttribute('class', cls);
    svg.append(p);
  }
  return svg;
}

function magnifier() {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '18');
  svg.setAttribute('height', '18');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.classList.add('icon');
  const circle = document.createElementNS(SVG, 'circle');
  circle.setAttribute('cx', '10.5');
  circle.setAttribute('cy', '10.5');
  circle.setAttribute('r', '6.5');
  const handle = document.createElementNS(SVG, 'path');
  handle.setAttribute('d', 'M15.5 15.5L21 21');
  svg.append(circle, handle);
  return svg;
}

function cartIcon() {
  // A basket: two handles and a body, drawn inline like the magnifier.
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '18');
  svg.setAttribute('height', '18');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.classList.add('icon');
  for (const d of ['M3 9h18l-2 11H5L3 9z', 'M8 9l3-5', 'M16 9l-3-5']) {
    const p = document.createElementNS(SVG, 'path');
    p.setAttribute('d', d);
    p.setAttribute('stroke-linejoin', 'round');
    svg.append(p);
  }
  return svg;
}

/** Members of an organisation that sells (any kind but the business buyer) manage listings. */
function sells(me) {
  return Array.isArray(me.memberships) && me.memberships.some((m) => m.org && m.org.kind !== 'business_buyer');
}

// Links are grouped for the desktop header (one row at 1366 px: a menu per group); below
// 1024 px the same links sit flat in one horizontally scrolling strip, so a phone's header
// stays one row (≤ 64 px) and every link stays one tap away.
const GROUPS = {
  mine: 'nav.group_mine',
  selling: 'nav.group_selling',
  review: 'nav.group_review',
  service: 'nav.group_service',
  money: 'nav.group_money',
};

function navLinks(me) {
  const links = [
    { href: '/', key: 'nav.home', testid: 'nav-home' },
    { href: '/search.html', key: 'nav.search', testid: 'nav-search', icon: magnifier },
    // The county's market in public: prices (行情) and the quality bulletin.
    { href: '/market.html', key: 'nav.market', testid: 'nav-market' },
    { href: '/quality', key: 'nav.quality_bulletin', testid: 'nav-quality-bulletin' },
    // News and notices (资讯), public once approved.
    { href: '/news', key: 'nav.news', testid: 'nav-news' },
  ];
  if (me) {
    const role = me.account.platform_role;
    const staff = ['operator', 'after_sales_agent'].includes(role);
    links.push({ href: '/cart.html', key: 'nav.cart', testid: 'nav-cart', icon: cartIcon });
    links.push({ href: '/orders.html', key: 'nav.orders', testid: 'nav-orders', group: 'mine' });
    links.push({ href: '/account.html', key: 'nav.account', testid: 'nav-account', group: 'mine' });
    links.push({ href: '/org.html', key: 'nav.orgs', testid: 'nav-orgs', group: 'mine' });
    // The service desk: customers ask it; the platform's staff answer at the desk.
    if (staff) {
      links.push({ href: '/ops/desk.html', key: 'nav.desk', testid: 'nav-ops-desk', group: 'service' });
    } else {
      links.push({ href: '/tickets.html', key: 'nav.tickets', testid: 'nav-tickets', group: 'mine' });
    }
    if (sells(me)) {
      links.push({ href: '/seller/home.html', key: 'nav.seller_home', testid: 'nav-seller-home', group: 'selling' });
      links.push({ href: '/seller/analytics.html', key: 'nav.seller_analytics', testid: 'nav-seller-analytics', group: 'selling' });
      links.push({ href: '/seller/orders.html', key: 'nav.seller_orders', testid: 'nav-seller-orders', group: 'selling' });
      links.push({ href: '/seller/inbox.html', key: 'nav.seller_inbox', testid: 'nav-seller-inbox', group: 'selling' });
      links.push({ href: '/seller/listings.html', key: 'nav.seller_listings', testid: 'nav-seller-listings', group: 'selling' });
      links.push({ href: '/seller/batches.html', key: 'nav.seller_batches', testid: 'nav-seller-batches', group: 'selling' });
    }
    // A business buyer's members: purchasing settings and the approvals queue (issue #22).
    if (me.memberships.some((m) => m.org.kind === 'business_buyer')) {
      links.push({ href: '/purchasing.html', key: 'nav.purchasing', testid: 'nav-purchasing', group: 'mine' });
    }
    // A verified testing body records its spot checks.
    if (me.memberships.some((m) => m.org.kind === 'testing_body' && m.org.status === 'verified')) {
      links.push({ href: '/lab/checks.html', key: 'nav.lab_checks', testid: 'nav-lab-checks', group: 'mine' });
    }
    if (staff) {
      links.push({ href: '/ops/my-desk.html', key: 'nav.my_desk', testid: 'nav-ops-my-desk', group: 'service' });
    }
    if (role === 'operator') {
      links.push({ href: '/ops/home.html', key: 'nav.ops_home', testid: 'nav-ops-home', group: 'review' });
      links.push({ href: '/ops/credit.html', key: 'nav.ops_credit', testid: 'nav-ops-credit', group: 'review' });
      links.push({ href: '/ops/moderation.html', key: 'nav.moderation', testid: 'nav-ops-moderation', group: 'service' });
      links.push({ href: '/ops/customers.html', key: 'nav.customers', testid: 'nav-ops-customers', group: 'service' });
      links.push({ href: '/ops/verify.html', key: 'nav.verify', testid: 'nav-verify', group: 'review' });
      links.push({ href: '/ops/listings.html', key: 'nav.listing_reviews', testid: 'nav-listing-reviews', group: 'review' });
      links.push({ href: '/ops/orders.html', key: 'nav.ops_orders', testid: 'nav-ops-orders', group: 'service' });
      links.push({ href: '/ops/categories.html', key: 'nav.categories', testid: 'nav-ops-categories', group: 'review' });
      links.push({ href: '/ops/vocabulary.html', key: 'nav.vocabulary', testid: 'nav-ops-vocabulary', group: 'review' });
    }
    // The arbitration queue is the after-sales agents' work too.
    if (staff) {
      links.push({ href: '/ops/claims.html', key: 'nav.ops_claims', testid: 'nav-ops-claims', group: 'service' });
    }
    // Offline payments are confirmed by platform finance, and nobody else.
    if (role === 'finance') {
      links.push({ href: '/ops/payments.html', key: 'nav.ops_payments', testid: 'nav-ops-payments', group: 'money' });
    }
    // Reconciliation of the providers' bills: the operator and platform finance.
    if (['operator', 'finance'].includes(role)) {
      // Platform analytics: the shared 销售分析 label (the order page's common dictionary is at its budget).
      links.push({ href: '/ops/analytics.html', key: 'nav.seller_analytics', testid: 'nav-ops-analytics', group: 'money' });
      links.push({ href: '/ops/reconciliation.html', key: 'nav.reconciliation', testid: 'nav-ops-reconciliation', group: 'money' });
    }
    // County statistics: the county's officials only (the statistics API answers no one else).
    if (role === 'official') {
      links.push({ href: '/ops/stats.html', key: 'nav.stats', testid: 'nav-ops-stats' });
    }
    // Seller payouts and the settlement accounts to review: platform finance.
    if (role === 'finance') {
      links.push({ href: '/ops/payouts.html', key: 'nav.payouts', testid: 'nav-ops-payouts', group: 'money' });
    }
    // Recalls and service quality: the platform's staff and the county's officials.
    if (['operator', 'after_sales_agent', 'official'].includes(role)) {
      links.push({ href: '/ops/recalls.html', key: 'nav.recalls', testid: 'nav-ops-recalls', group: 'service' });
      links.push({ href: '/ops/quality.html', key: 'nav.quality', testid: 'nav-ops-quality', group: 'service' });
    }
    // News: the operator and the county's officials write it; the operator reviews it there.
    if (['operator', 'official'].includes(role)) {
      links.push({ href: '/ops/news.html', key: 'nav.news_desk', testid: 'nav-ops-news', group: role === 'operator' ? 'review' : 'service' });
    }
    // The trace file audit's alerts: the operator and the county's officials.
    if (['operator', 'official'].includes(role)) {
      links.push({ href: '/ops/trace-audit.html', key: 'nav.trace_audit', testid: 'nav-ops-trace-audit', group: 'service' });
    }
    // The carrier recourse and the platform's money view: the operator and platform finance.
    if (['operator', 'finance'].includes(role)) {
      links.push({ href: '/ops/recourse.html', key: 'nav.recourse', testid: 'nav-ops-recourse', group: 'money' });
      links.push({ href: '/ops/money.html', key: 'nav.platform_money', testid: 'nav-ops-money', group: 'money' });
    }
    // Every seller's invoices; finance issues the platform's own store's there.
    if (['operator', 'finance'].includes(role)) {
      links.push({ href: '/ops/invoices.html', key: 'nav.ops_invoices', testid: 'nav-ops-invoices', group: 'money' });
    }
  } else {
    links.push({ href: '/login.html', key: 'nav.login', testid: 'nav-login' });
    links.push({ href: '/register.html', key: 'nav.register', testid: 'nav-register' });
  }
  return links;
}

/** The links in display order, a group of two or more as one entry where its first link was. */
function grouped(links) {
  const out = [];
  const seen = new Map();
  const sizes = {};
  for (const l of links) if (l.group) sizes[l.group] = (sizes[l.group] || 0) + 1;
  for (const l of links) {
    if (!l.group || sizes[l.group] < 2) {
      out.push({ link: l });
    } else if (seen.has(l.group)) {
      seen.get(l.group).links.push(l);
    } else {
      const g = { group: l.group, links: [l] };
      seen.set(l.group, g);
      out.push(g);
    }
  }
  return out;
}

function closeMenus(except) {
  for (const g of document.querySelectorAll('.nav-group.open')) {
    if (g === except) continue;
    g.classList.remove('open');
    const b = g.querySelector('.nav-group-toggle');
    if (b) b.setAttribute('aria-expanded', 'false');
  }
}

document.addEventListener('click', (event) => {
  if (!(event.target instanceof Element) || !event.target.closest('.nav-group')) closeMenus(null);
});
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') return;
  const open = document.querySelector('.nav-group.open');
  if (!open) return;
  closeMenus(null);
  const b = open.querySelector('.nav-group-toggle');
  if (b) b.focus();
});

function groupEl(g, linkEl, here) {
  const id = `nav-menu-${g.group}`;
  const holdsCurrent = g.links.some((l) => l.href === here);
  const toggle = el('button', {
    type: 'button',
    class: 'nav-group-toggle' + (holdsCurrent ? ' holds-current' : ''),
    'aria-expanded': 'false',
    'aria-controls': id,
    'data-testid': `nav-group-${g.group}`,
  }, el('span', { i18n: GROUPS[g.group] }), el('span', { class: 'caret', 'aria-hidden': 'true', text: '▾' }));
  const li = el('li', { class: 'nav-group', dataset: { group: g.group } },
    toggle,
    el('ul', { class: 'nav-sub', id }, g.links.map((l) => el('li', {}, linkEl(l)))));
  toggle.addEventListener('click', () => {
    const open = !li.classList.contains('open');
    closeMenus(li);
    li.classList.toggle('open', open);
    toggle.setAttribute('aria-expanded', String(open));
  });
  // Tabbing out of an open menu closes it.
  li.addEventListener('focusout', (event) => {
    if (li.classList.contains('open') && !li.contains(event.relatedTarget)) closeMenus(null);
  });
  return li;
}

function langSwitch() {
  const group = el('div', {
    class: 'lang-switch',
    role: 'group',
    'data-i18n-aria-label': 'lang.switch',
    'data-testid': 'lang-switch',
  });
  const labels = { 'zh-CN': '中文', en: 'EN' };
  for (const lang of LANGS) {
    const button = el('button', {
      type: 'button',
      lang,
      'aria-pressed': String(getLang() === lang),
      'data-testid': lang === 'en' ? 'lang-en' : 'lang-zh',
      text: labels[lang],
      on: {
        click: () => {
          // The other language's strings may still be on their way: say so until they are in.
          group.setAttribute('aria-busy', 'true');
          setLang(lang).finally(() => group.removeAttribute('aria-busy'));
        },
      },
    });
    group.append(button);
  }
  return group;
}

export async function logout(button) {
  button.disabled = true;
  try {
    await api.post('/auth/logout', undefined, { redirectOn401: false });
  } catch (err) {
    // Already logged out is fine; anything else is worth telling.
    if (err.status !== 401) {
      button.disabled = false;
      flashError(err);
      return;
    }
  }
  location.assign('/login.html');
}

export function logoutButton(props = {}) {
  const button = el('button', { type: 'button', class: 'btn btn-quiet', i18n: 'nav.logout', ...props });
  button.addEventListener('click', () => logout(button));
  return button;
}

function renderHeader(header, me) {
  const here = location.pathname.replace(/\/index\.html$/, '/');
  const linkEl = (link) => el('a', {
    href: link.href,
    'data-testid': link.testid,
    'aria-current': here === link.href ? 'page' : null,
  }, link.icon ? link.icon() : null, el('span', { i18n: link.key }));
  const list = el('ul', { class: 'nav-list' },
    grouped(navLinks(me)).map((entry) => (entry.link
      ? el('li', {}, linkEl(entry.link))
      : groupEl(entry, linkEl, here))));
  const user = me
    ? el('div', { class: 'user-box' },
      bell(here === '/notifications.html'),
      el('span', { class: 'user-name', 'data-testid': 'header-user', text: me.account.display_name }),
      logoutButton({ 'data-testid': 'logout' }))
    : null;

  const nav = el('nav', { class: 'nav', 'data-i18n-aria-label': 'nav.label' }, list, user);
  replaceChildren(header,
    el('div', { class: 'header-inner' },
      el('a', { class: 'brand', href: '/', 'data-testid': 'brand' },
        sprout(),
        el('span', { class: 'brand-name' },
          el('span', { class: 'brand-zh', lang: 'zh-CN', text: '农源直供' }),
          el('span', { class: 'brand-en', lang: 'en', text: 'Farmgate' }))),
      nav,
      langSwitch()));
  applyI18n(header);
  // On a phone the strip scrolls: bring the page's own link into view.
  const current = nav.querySelector('[aria-current="page"]');
  if (current && nav.scrollWidth > nav.clientWidth) {
    nav.scrollLeft = Math.max(0, current.offsetLeft - nav.clientWidth / 3);
  }
}

// ---- the bottom tab bar (buyer pages on a phone) --------------------------------------------

function tabIcon(paths) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '22');
  svg.setAttribute('height', '22');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.classList.add('icon');
  for (const d of paths) {
    const p = document.createElementNS(SVG, 'path');
    p.setAttribute('d', d);
    p.setAttribute('stroke-linejoin', 'round');
    svg.append(p);
  }
  return svg;
}

const TABS = [
  { href: '/', key: 'tab.home', testid: 'tab-home', paths: ['M3 11l9-7 9 7', 'M5 10v10h14V10'] },
  { href: '/search.html', key: 'tab.categories', testid: 'tab-categories', paths: ['M4 4h7v7H4z', 'M13 4h7v7h-7z', 'M4 13h7v7H4z', 'M13 13h7v7h-7z'] },
  { href: '/cart.html', key: 'tab.cart', testid: 'tab-cart', paths: ['M3 9h18l-2 11H5L3 9z', 'M8 9l3-5', 'M16 9l-3-5'], count: true },
  { href: '/account.html', key: 'tab.me', testid: 'tab-me', paths: ['M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z', 'M4 21c0-4 4-6 8-6s8 2 8 6'] },
];

/** The cart's line count on the tab bar's 购物车 (hidden at 0). */
export function showCartCount(count) {
  const badge = document.getElementById('tab-cart-count');
  if (!badge) return;
  const n = Number(count) || 0;
  badge.hidden = n === 0;
  badge.textContent = n > 99 ? '99+' : String(n);
  badge.dataset.count = String(n);
}

function renderTabbar() {
  const here = location.pathname.replace(/\/index\.html$/, '/');
  const bar = el('nav', { class: 'tabbar', id: 'tabbar', 'data-testid': 'tabbar', 'data-i18n-aria-label': 'tab.label' },
    TABS.map((tab) => el('a', {
      href: tab.href,
      class: 'tabbar-item',
      'data-testid': tab.testid,
      'aria-current': here === tab.href ? 'page' : null,
    },
    tabIcon(tab.paths),
    el('span', { class: 'tab-label', i18n: tab.key }),
    tab.count ? el('span', { class: 'tab-badge', id: 'tab-cart-count', 'data-testid': 'tab-cart-count', hidden: true }) : null)));
  document.body.append(bar);
  document.body.classList.add('has-tabbar');
  applyI18n(bar);
}

async function refreshCartCount() {
  try {
    const cart = await api.get('/cart', { redirectOn401: false });
    showCartCount(cart && cart.count);
  } catch {
    // The count is a hint: without it the tab still leads to the cart.
  }
}

// The notification bell: a link to the centre with the unread count, polled every 25 s (and
// when the tab comes back into view) from the cheap count endpoint, so a seller sees a new
// paid order without reloading. One poller per page; it stops when the session ends.
const POLL_MS = 25000;
let poller = null;

function bell(current) {
  return el('a', {
    class: 'notify-bell', href: '/notifications.html', 'data-testid': 'nav-notifications',
    'aria-current': current ? 'page' : null,
  },
  // A bell drawn for a desk's crowded English header, where the word gives way to it (app.css).
  tabIcon(['M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9', 'M10.3 21a1.94 1.94 0 0 0 3.4 0']),
  el('span', { class: 'bell-label', i18n: 'nav.notifications' }),
  el('span', { class: 'notify-badge', id: 'notify-badge', 'data-testid': 'notify-badge', hidden: true }));
}

export function showUnread(count) {
  const badge = document.getElementById('notify-badge');
  if (!badge) return;
  const n = Number(count) || 0;
  badge.hidden = n === 0;
  badge.textContent = n > 99 ? '99+' : String(n);
  badge.dataset.count = String(n);
  badge.setAttribute('aria-label', t('nav.unread', { count: n }));
}

export async function refreshUnread() {
  try {
    const r = await api.get('/notifications/unread-count', { redirectOn401: false });
    showUnread(r && r.unread);
  } catch (err) {
    if (err.status === 401 && poller) {
      clearInterval(poller);
      poller = null;
    }
  }
}

function startPolling() {
  if (poller) return;
  refreshUnread();
  poller = setInterval(refreshUnread, POLL_MS);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refreshUnread();
  });
}

function renderFooter() {
  const footer = document.getElementById('site-footer');
  if (!footer) return;
  replaceChildren(footer,
    el('p', { i18n: 'footer.tagline' }),
    el('p', { class: 'muted', i18n: 'footer.times' }));
}

// "Show password" checkboxes: typing a password on a phone keyboard is error-prone.
function wirePasswordToggles() {
  for (const box of document.querySelectorAll('[data-toggle-password]')) {
    const input = document.getElementById(box.getAttribute('data-toggle-password'));
    if (!input) continue;
    box.addEventListener('change', () => {
      input.type = box.checked ? 'text' : 'password';
    });
  }
}

/**
 * Sets up the page frame and finds out who is logged in.
 * auth: 'optional' (public page; null when nobody is) or 'required' (401 goes to the login
 * page). Returns the /auth/me answer, or null; `shell.error` tells a failure apart.
 */
export async function initShell({ auth = 'optional' } = {}) {
  applyI18n(document);
  const header = document.getElementById('site-header');
  onLangChange((lang) => {
    for (const b of document.querySelectorAll('.lang-switch button')) {
      b.setAttribute('aria-pressed', String(b.lang === lang));
    }
  });
  renderFooter();
  if (header) renderHeader(header, null);
  const tabbar = document.body.hasAttribute('data-tabbar');
  if (tabbar) renderTabbar();
  wirePasswordToggles();

  let me = null;
  let error = null;
  try {
    me = await api.get('/auth/me', { redirectOn401: auth === 'required' });
  } catch (err) {
    error = err;
    if (!(err.status === 401 && auth === 'optional')) flashError(err);
  }
  setViewer(me);
  if (header) renderHeader(header, me);
  if (header && me) startPolling();
  if (tabbar && me) refreshCartCount();
  document.body.classList.add('ready');
  return { me, error };
}

