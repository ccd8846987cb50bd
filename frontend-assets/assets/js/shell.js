// The frame every page shares: header with brand, navigation for who is logged in, the
// language switch and the logout button. initShell() never throws: a page always renders,
// even when the server cannot be reached.

import { api } from './api.js';
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

function navLinks(me) {
  const links = [
    { href: '/', key: 'nav.home', testid: 'nav-home' },
    { href: '/search.html', key: 'nav.search', testid: 'nav-search', icon: magnifier },
  ];
  if (me) {
    links.push({ href: '/cart.html', key: 'nav.cart', testid: 'nav-cart', icon: cartIcon });
    links.push({ href: '/orders.html', key: 'nav.orders', testid: 'nav-orders' });
    links.push({ href: '/account.html', key: 'nav.account', testid: 'nav-account' });
    links.push({ href: '/org.html', key: 'nav.orgs', testid: 'nav-orgs' });
    // The service desk: customers ask it; the platform's staff answer at the desk.
    if (['operator', 'after_sales_agent'].includes(me.account.platform_role)) {
      links.push({ href: '/ops/desk.html', key: 'nav.desk', testid: 'nav-ops-desk' });
    } else {
      links.push({ href: '/tickets.html', key: 'nav.tickets', testid: 'nav-tickets' });
    }
    if (sells(me)) {
      links.push({ href: '/seller/orders.html', key: 'nav.seller_orders', testid: 'nav-seller-orders' });
      links.push({ href: '/seller/inbox.html', key: 'nav.seller_inbox', testid: 'nav-seller-inbox' });
      links.push({ href: '/seller/listings.html', key: 'nav.seller_listings', testid: 'nav-seller-listings' });
      links.push({ href: '/seller/batches.html', key: 'nav.seller_batches', testid: 'nav-seller-batches' });
    }
    if (me.account.platform_role === 'operator') {
      links.push({ href: '/ops/verify.html', key: 'nav.verify', testid: 'nav-verify' });
      links.push({ href: '/ops/listings.html', key: 'nav.listing_reviews', testid: 'nav-listing-reviews' });
      links.push({ href: '/ops/orders.html', key: 'nav.ops_orders', testid: 'nav-ops-orders' });
      links.push({ href: '/ops/categories.html', key: 'nav.categories', testid: 'nav-ops-categories' });
      links.push({ href: '/ops/vocabulary.html', key: 'nav.vocabulary', testid: 'nav-ops-vocabulary' });
    }
    // The arbitration queue is the after-sales agents' work too.
    if (['operator', 'after_sales_agent'].includes(me.account.platform_role)) {
      links.push({ href: '/ops/claims.html', key: 'nav.ops_claims', testid: 'nav-ops-claims' });
    }
    // Offline payments are confirmed by platform finance, and nobody else.
    if (me.account.platform_role === 'finance') {
      links.push({ href: '/ops/payments.html', key: 'nav.ops_payments', testid: 'nav-ops-payments' });
    }
    // Reconciliation of the providers' bills: the operator and platform finance.
    if (['operator', 'finance'].includes(me.account.platform_role)) {
      links.push({ href: '/ops/reconciliation.html', key: 'nav.reconciliation', testid: 'nav-ops-reconciliation' });
    }
    // County statistics: the county's officials only (the statistics API answers no one else).
    if (me.account.platform_role === 'official') {
      links.push({ href: '/ops/stats.html', key: 'nav.stats', testid: 'nav-ops-stats' });
    }
    // Seller payouts and the settlement accounts to review: platform finance.
    if (me.account.platform_role === 'finance') {
      links.push({ href: '/ops/payouts.html', key: 'nav.payouts', testid: 'nav-ops-payouts' });
    }
    // Recalls and service quality: the platform's staff and the county's officials.
    if (['operator', 'after_sales_agent', 'official'].includes(me.account.platform_role)) {
      links.push({ href: '/ops/recalls.html', key: 'nav.recalls', testid: 'nav-ops-recalls' });
      links.push({ href: '/ops/quality.html', key: 'nav.quality', testid: 'nav-ops-quality' });
    }
    // The trace file audit's alerts: the operator and the county's officials.
    if (['operator', 'official'].includes(me.account.platform_role)) {
      links.push({ href: '/ops/trace-audit.html', key: 'nav.trace_audit', testid: 'nav-ops-trace-audit' });
    }
    // The carrier recourse and the platform's money view: the operator and platform finance.
    if (['operator', 'finance'].includes(me.account.platform_role)) {
      links.push({ href: '/ops/recourse.html', key: 'nav.recourse', testid: 'nav-ops-recourse' });
      links.push({ href: '/ops/money.html', key: 'nav.platform_money', testid: 'nav-ops-money' });
    }
    // Every seller's invoices; finance issues the platform's own store's there.
    if (['operator', 'finance'].includes(me.account.platform_role)) {
      links.push({ href: '/ops/invoices.html', key: 'nav.ops_invoices', testid: 'nav-ops-invoices' });
    }
  } else {
    links.push({ href: '/login.html', key: 'nav.login', testid: 'nav-login' });
    links.push({ href: '/register.html', key: 'nav.register', testid: 'nav-register' });
  }
  return links;
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
  const list = el('ul', { class: 'nav-list' });
  for (const link of navLinks(me)) {
    const current = here === link.href;
    list.append(el('li', {}, el('a', {
      href: link.href,
      'data-testid': link.testid,
      'aria-current': current ? 'page' : null,
    }, link.icon ? link.icon() : null, el('span', { i18n: link.key }))));
  }
  const user = me
    ? el('div', { class: 'user-box' },
      bell(here === '/notifications.html'),
      el('span', { class: 'user-name', 'data-testid': 'header-user', text: me.account.display_name }),
      logoutButton({ 'data-testid': 'logout' }))
    : null;

  replaceChildren(header,
    el('div', { class: 'header-inner' },
      el('div', { class: 'header-top' },
        el('a', { class: 'brand', href: '/', 'data-testid': 'brand' },
          sprout(),
          el('span', { class: 'brand-name' },
            el('span', { class: 'brand-zh', lang: 'zh-CN', text: '农源直供' }),
            el('span', { class: 'brand-en', lang: 'en', text: 'Farmgate' }))),
        langSwitch()),
      el('nav', { class: 'nav', 'data-i18n-aria-label': 'nav.label' }, list, user)));
  applyI18n(header);
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
  el('span', { i18n: 'nav.notifications' }),
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
  wirePasswordToggles();

  let me = null;
  let error = null;
  try {
    me = await api.get('/auth/me', { redirectOn401: auth === 'required' });
  } catch (err) {
    error = err;
    if (!(err.status === 401 && auth === 'optional')) flashError(err);
  }
  if (header) renderHeader(header, me);
  if (header && me) startPolling();
  document.body.classList.add('ready');
  return { me, error };
}

