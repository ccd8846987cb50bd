// My account (我的): my orders by tab with their counts, my delivery addresses (收货地址: add,
// edit, make default, delete; the 省/市/区 cascade and paste-to-recognise of address-form.js),
// my favourites (收藏) and what I viewed lately (最近浏览, this browser only), profile, pending invitations (accept with a code to my
// phone / decline), sessions (revoke), logout, password change, my data (download, erase).

import { api, seg } from '../api.js';
import { forgetViewed, formatFen, listingHref, placeholderPicture, recentlyViewed } from '../catalog.js';
import { initShell, logout } from '../shell.js';
import { enhanceAddressForm, fillAddress, readAddress } from '../address-form.js';
import { onLangChange } from '../i18n.js';
import { t } from '../i18n.js';
import {
  $, badge, charCount, clearErrors, describeAgent, el, facts, flash, note, replaceChildren,
  setBusy, showErrors, timeEl, validationError, withBusy,
} from '../ui.js';

const profileBody = $('#profile-body');
const invitationsBody = $('#invitations-body');
const sessionsBody = $('#sessions-body');
let sessions = null;
let myPhone = '';

$('#logout').addEventListener('click', (event) => logout(event.currentTarget));

function renderProfile(account) {
  replaceChildren(profileBody, facts([
    ['account.display_name', el('span', { text: account.display_name }), 'profile-name'],
    ['account.phone', account.phone ? el('span', { text: account.phone }) : null, 'profile-phone'],
    ['account.email', account.email ? el('span', { text: account.email }) : null, 'profile-email'],
    ['account.platform_role', account.platform_role ? badge('platform_role', account.platform_role) : null],
    ['account.created_at', timeEl(account.created_at)],
  ]));
}

// ---- invitations ---------------------------------------------------------------------------

async function loadInvitations() {
  try {
    const list = await api.get('/me/invitations');
    renderInvitations((list || []).filter((inv) => inv.status === 'pending'));
  } catch (err) {
    if (!err.redirecting) replaceChildren(invitationsBody, note('error', err.message));
  }
}

function renderInvitations(list) {
  if (!list.length) {
    replaceChildren(invitationsBody, note('empty', { i18n: 'account.no_invitations' }));
    return;
  }
  const ul = el('ul', { class: 'list' });
  for (const inv of list) {
    const accept = el('button', { type: 'button', class: 'btn btn-primary', i18n: 'account.accept', 'data-testid': 'invitation-accept' });
    const decline = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'account.decline', 'data-testid': 'invitation-decline' });
    // Accepting proves the invited phone: a code goes to it, and is typed here.
    const code = el('input', {
      type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6',
      'aria-label': t('codes.code_label'), 'data-testid': 'invitation-code',
    });
    const confirm = el('button', { type: 'button', class: 'btn btn-primary', i18n: 'account.accept_confirm', 'data-testid': 'invitation-confirm' });
    const codeRow = el('div', { class: 'inline-input', hidden: true }, code, confirm);
    accept.addEventListener('click', () => withBusy(accept, async () => {
      const sent = await api.post('/auth/codes', { phone: myPhone, purpose: 'accept_invitation' });
      flash(t('codes.sent', { phone: sent.phone, minutes: Math.round(sent.expires_in_secs / 60) }), 'success');
      codeRow.hidden = false;
      code.focus();
    }));
    confirm.addEventListener('click', () => withBusy(confirm, async () => {
      const result = await api.post(`/invitations/${seg(inv.id)}/accept`, { code: code.value.trim() });
      const org = (result && result.org) || inv.org;
      flash(el('span', { i18n: 'account.accepted', args: { org: org.name } }), 'success', {
        link: { href: '/org.html?id=' + encodeURIComponent(org.id), i18n: 'account.go_to_org' },
      });
      await loadInvitations();
    }));
    decline.addEventListener('click', () => withBusy(decline, async () => {
      await api.post(`/invitations/${seg(inv.id)}/decline`);
      flash(el('span', { i18n: 'account.declined', args: { org: inv.org.name } }), 'info');
      await loadInvitations();
    }));
    ul.append(el('li', { class: 'list-item', 'data-testid': 'invitation', dataset: { id: inv.id } },
      el('div', { class: 'item-head' },
        el('strong', { class: 'item-title', text: inv.org.name }),
        el('span', { class: 'tag', i18n: 'kind.' + inv.org.kind })),
      facts([
        ['account.inv_role', el('span', { i18n: 'role.' + inv.role })],
        ['account.inv_by', el('span', { text: inv.invited_by })],
        ['account.inv_at', timeEl(inv.created_at)],
      ]),
      el('div', { class: 'actions' }, accept, decline),
      codeRow));
  }
  replaceChildren(invitationsBody, ul);
}

// ---- sessions ------------------------------------------------------------------------------

async function loadSessions() {
  try {
    sessions = await api.get('/auth/sessions');
    renderSessions();
  } catch (err) {
    if (!err.redirecting) replaceChildren(sessionsBody, note('error', err.message));
  }
}

function renderSessions() {
  if (!sessions) return;
  if (!sessions.length) {
    replaceChildren(sessionsBody, note('empty', { i18n: 'account.no_sessions' }));
    return;
  }
  // The current device first, then the most recently used.
  const sorted = [...sessions].sort((a, b) =>
    Number(b.current) - Number(a.current) || String(b.last_seen_at).localeCompare(String(a.last_seen_at)));
  const ul = el('ul', { class: 'list' });
  for (const s of sorted) {
    const revoke = el('button', {
      type: 'button',
      class: 'btn btn-secondary',
      i18n: s.current ? 'account.revoke_current' : 'account.revoke',
      'data-testid': 'session-revoke',
    });
    revoke.addEventListener('click', () => withBusy(revoke, async () => {
      await api.del(`/auth/sessions/${seg(s.id)}`);
      if (s.current) {
        location.assign('/login.html');
        return;
      }
      flash(el('span', { i18n: 'account.revoked' }), 'success');
      await loadSessions();
    }));
    const device = describeAgent(s.user_agent);
    ul.append(el('li', { class: 'list-item', 'data-testid': 'session', dataset: { id: s.id, current: String(Boolean(s.current)) } },
      el('div', { class: 'item-head' },
        device ? el('strong', { class: 'item-title', text: device, title: s.user_agent })
          : el('strong', { class: 'item-title', i18n: 'device.unknown' }),
        s.current ? el('span', { class: 'badge badge-verified', i18n: 'account.this_device', 'data-testid': 'session-current' }) : null),
      facts([
        ['account.ip', s.ip ? el('span', { text: s.ip }) : null],
        ['account.last_seen', timeEl(s.last_seen_at)],
        ['account.signed_in', timeEl(s.created_at)],
        ['account.expires', timeEl(s.expires_at)],
      ]),
      el('div', { class: 'actions' }, revoke)));
  }
  replaceChildren(sessionsBody, ul);
}

// ---- password and my data ----------------------------------------------------------------------

const passwordForm = $('#password-form');
passwordForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(passwordForm);
  const current = $('#current_password').value;
  const next = $('#new_password').value;
  if (charCount(next) < 8) {
    showErrors(passwordForm, validationError({ new_password: t('account.password_short') }));
    return;
  }
  const button = $('[type="submit"]', passwordForm);
  setBusy(button, true);
  try {
    await api.post('/me/password', { current_password: current, new_password: next });
    passwordForm.reset();
    flash(t('account.password_changed'), 'success');
    await loadSessions();
  } catch (err) {
    showErrors(passwordForm, err, { password: 'new_password' });
  } finally {
    setBusy(button, false);
  }
});

const eraseForm = $('#erase-form');
eraseForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(eraseForm);
  const button = $('[type="submit"]', eraseForm);
  setBusy(button, true);
  try {
    await api.post('/me/erase', { current_password: $('#erase_password').value });
    location.assign('/');
  } catch (err) {
    showErrors(eraseForm, err);
    setBusy(button, false);
  }
});

// Device names are built from the dictionary ("微信 · Android"), so redraw on a switch.
onLangChange(renderSessions);

// ---- WeChat log-in ---------------------------------------------------------------------------

// Shown only where the platform offers WeChat log-in: bound since when, and unbinding.
async function loadWechat() {
  const section = $('#wechat');
  const body = $('#wechat-body');
  let wx;
  try {
    wx = await api.get('/auth/wechat');
  } catch {
    return;
  }
  if (!wx.enabled) return;
  section.hidden = false;
  if (!wx.bound) {
    replaceChildren(body, el('p', { class: 'muted', i18n: 'account.wechat_none', 'data-testid': 'wechat-unbound' }));
    return;
  }
  const unbind = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'account.wechat_unbind', 'data-testid': 'wechat-unbind' });
  unbind.addEventListener('click', () => withBusy(unbind, async () => {
    await api.del('/auth/wechat');
    flash(el('span', { i18n: 'account.wechat_unbound' }), 'success');
    await loadWechat();
  }));
  replaceChildren(body,
    el('p', { 'data-testid': 'wechat-bound' }, el('span', { i18n: 'account.wechat_bound' }), ' ', timeEl(wx.bound_at)),
    unbind);
}

// ---- my orders by tab, favourites, recently viewed ------------------------------------------

async function loadOrderCounts() {
  const [counts, claims] = await Promise.allSettled([api.get('/orders/counts'), api.get('/claims?limit=1')]);
  const show = (tab, n) => {
    const a = document.querySelector(`.mine-order-links a[data-tab="${tab}"]`);
    if (!a) return;
    a.dataset.count = String(n);
    a.querySelector('.tab-count').textContent = n ? String(n > 99 ? '99+' : n) : '';
  };
  if (counts.status === 'fulfilled' && counts.value) {
    for (const tab of ['pending_payment', 'to_ship', 'to_receive', 'to_review']) show(tab, Number(counts.value[tab]) || 0);
  }
  if (claims.status === 'fulfilled' && claims.value) show('after_sales', Number(claims.value.total) || 0);
  $('[data-testid="mine-orders"]').dataset.state = 'done';
}

function thumb(image, title) {
  return el('span', { class: 'line-thumb' },
    image ? el('img', { src: image, alt: '', width: '56', height: '56', loading: 'lazy' }) : placeholderPicture(title));
}

function favouriteItem(f) {
  const remove = el('button', { type: 'button', class: 'btn btn-quiet btn-small', i18n: 'account.favourite_remove', 'data-testid': 'favourite-remove' });
  remove.addEventListener('click', () => withBusy(remove, async () => {
    await api.del(`/me/favourites/${seg(f.listing_id)}`);
    await loadFavourites();
  }));
  return el('li', { class: 'mine-item' + (f.available ? '' : ' is-off'), 'data-testid': 'favourite-item', dataset: { listingId: f.listing_id, state: f.state } },
    thumb(f.image, f.title),
    el('span', { class: 'mine-body' },
      f.available
        ? el('a', { href: listingHref(f.listing_id), text: f.title })
        : el('span', { class: 'muted', text: f.title }),
      f.available ? null : el('span', { class: 'tag', 'data-testid': 'favourite-unavailable', i18n: 'account.favourite_unavailable' })),
    remove);
}

async function loadFavourites() {
  const body = $('#favourites-body');
  try {
    const page = await api.get('/me/favourites?limit=50');
    const items = (page && page.items) || [];
    replaceChildren(body, items.length
      ? el('ul', { class: 'mine-list' }, items.map(favouriteItem))
      : note('muted', { i18n: 'account.favourites_empty' }));
    body.dataset.state = 'done';
    body.dataset.count = String(items.length);
  } catch (err) {
    if (!err.redirecting) replaceChildren(body, note('muted', { i18n: 'common.unavailable' }));
  }
}

function renderRecent() {
  const body = $('#recent-body');
  const items = recentlyViewed();
  const clear = el('button', { type: 'button', class: 'btn btn-quiet btn-small', i18n: 'account.recent_clear', 'data-testid': 'recent-clear' });
  clear.addEventListener('click', () => { forgetViewed(); renderRecent(); });
  replaceChildren(body, items.length
    ? [el('ul', { class: 'mine-list' }, items.map((r) => el('li', { class: 'mine-item', 'data-testid': 'recent-item', dataset: { listingId: r.id } },
      thumb(r.image, r.title),
      el('span', { class: 'mine-body' },
        el('a', { href: listingHref(r.id), text: r.title }),
        Number.isFinite(r.price) ? el('span', { class: 'muted', text: formatFen(r.price) }) : null)))),
    el('div', { class: 'actions' }, clear)]
    : note('muted', { i18n: 'account.recent_empty' }));
}

renderRecent();

// ---- addresses ---------------------------------------------------------------------------

const addressForm = $('#address-form');
const addressBook = { list: [], editing: null };

function openAddressForm(open, address = null) {
  addressBook.editing = open && address ? address.id : null;
  addressForm.hidden = !open;
  $('#address-new').setAttribute('aria-expanded', String(open && !address));
  $('#address-form-title').setAttribute('data-i18n', address ? 'address.edit_title' : 'address.new_title');
  $('#address-form-title').textContent = t(address ? 'address.edit_title' : 'address.new_title');
  clearErrors(addressForm);
  addressForm.reset();
  if (open && address) fillAddress(addressForm, address);
  if (open) addressForm.elements.namedItem('name').focus();
}

function addressItem(a) {
  const edit = el('button', { type: 'button', class: 'btn btn-quiet btn-small', i18n: 'address.edit', 'data-testid': 'address-edit' });
  edit.addEventListener('click', () => openAddressForm(true, a));
  const remove = el('button', { type: 'button', class: 'btn btn-quiet btn-small', i18n: 'address.delete', 'data-testid': 'address-delete' });
  remove.addEventListener('click', () => {
    if (!window.confirm(t('address.delete_question'))) return;
    withBusy(remove, async () => {
      await api.del(`/me/addresses/${seg(a.id)}`);
      flash(t('address.deleted'), 'success', { focus: false });
      await loadAddresses();
    });
  });
  const makeDefault = a.is_default ? null
    : el('button', { type: 'button', class: 'btn btn-quiet btn-small', i18n: 'address.make_default', 'data-testid': 'address-make-default' });
  if (makeDefault) {
    makeDefault.addEventListener('click', () => withBusy(makeDefault, async () => {
      const { name, phone, province, city, district, street } = a;
      await api.put(`/me/addresses/${seg(a.id)}`, { name, phone, province, city, district, street, is_default: true });
      await loadAddresses();
    }));
  }
  return el('li', { class: 'address-option', 'data-testid': 'address-item', dataset: { addressId: a.id } },
    el('span', { class: 'address-who' },
      el('strong', { text: a.name }), ' ', el('span', { class: 'mono', text: a.phone }),
      a.is_default ? el('span', { class: 'badge badge-default', i18n: 'address.default' }) : null),
    el('span', { class: 'address-where', text: `${a.province}${a.city}${a.district} ${a.street}` }),
    el('span', { class: 'actions' }, makeDefault, edit, remove));
}

async function loadAddresses() {
  const box = $('#address-list');
  try {
    addressBook.list = await api.get('/me/addresses');
    replaceChildren(box, addressBook.list.length
      ? el('ul', { class: 'mine-list' }, addressBook.list.map(addressItem))
      : note('muted', { i18n: 'address.none' }));
  } catch (err) {
    if (!err.redirecting) replaceChildren(box, note('error', err.message));
  }
}

enhanceAddressForm(addressForm);
$('#address-new').addEventListener('click', () => openAddressForm(addressForm.hidden));
$('#address-cancel').addEventListener('click', () => openAddressForm(false));
addressForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(addressForm);
  const { input, invalid } = readAddress(addressForm);
  if (invalid) {
    showErrors(addressForm, invalid);
    return;
  }
  const submit = addressForm.querySelector('button[type="submit"]');
  setBusy(submit, true);
  try {
    if (addressBook.editing) await api.put(`/me/addresses/${seg(addressBook.editing)}`, input);
    else await api.post('/me/addresses', input);
    openAddressForm(false);
    flash(t('address.saved'), 'success', { focus: false });
    await loadAddresses();
  } catch (err) {
    showErrors(addressForm, err);
  } finally {
    setBusy(submit, false);
  }
});

const { me, error } = await initShell({ auth: 'required' });
if (me) {
  myPhone = me.account.phone || '';
  renderProfile(me.account);
  await Promise.all([loadOrderCounts(), loadAddresses(), loadFavourites(), loadInvitations(), loadSessions(), loadWechat()]);
} else if (error && !error.redirecting) {
  // The flash above says what went wrong; the sections just say they are empty for now.
  for (const body of [profileBody, invitationsBody, sessionsBody]) {
    replaceChildren(body, note('muted', { i18n: 'common.unavailable' }));
  }
  $('#logout').hidden = true;
}
