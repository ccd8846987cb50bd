// Home: who is logged in and what their role lets them do from here.

import { api } from '../api.js';
import { initShell } from '../shell.js';
import { $, badge, el, note, replaceChildren } from '../ui.js';

const body = $('#you-body');

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

  if (role === 'operator') {
    entries.append(entry('/ops/verify.html', 'home.verify_title', 'home.verify_text', 'home-verify'));
  }
  entries.append(entry('/org.html', 'home.orgs_title',
    memberships.length ? 'home.orgs_text_member' : 'home.orgs_text_new', 'home-orgs', orgSummary(memberships)));
  entries.append(entry('/account.html', 'home.account_title', 'home.account_text', 'home-account'));
  if (role === 'official') entries.append(entry(null, 'home.stats_title', 'home.coming_soon', 'home-stats'));
  if (role === 'after_sales_agent') entries.append(entry(null, 'home.aftersales_title', 'home.coming_soon', 'home-aftersales'));

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
        el('span', { i18n: 'home.invites', args: { n: pending.length } }),
        ' ',
        el('a', { href: '/account.html#invitations', i18n: 'home.invites_link' })));
    }
  } catch {
    // The invitations hint is a courtesy; the account page shows them with errors.
  }
}

const { me, error } = await initShell({ auth: 'optional' });
if (me) {
  await signedIn(me);
} else {
  anonymous();
  // Server unreachable: say so instead of pretending nobody is logged in.
  if (error && error.status !== 401) body.prepend(note('error', { i18n: 'error.me_failed' }));
}
