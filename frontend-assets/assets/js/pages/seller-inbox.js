// A seller's inbox of conversations (咨询): the latest first, with what is unread, and the
// shop's first-response figure over the last 30 days.

import { api, query, seg } from '../api.js';
import { sellingMemberships } from '../catalog.js';
import { initShell } from '../shell.js';
import { $, el, loadList, noOrg, note, offsetParam, orgPicker, pagerButtons, pickOrg, replaceChildren, formatTime } from '../ui.js';

const LIMIT = 20;
const params = new URLSearchParams(location.search);
const listBox = $('#inbox');
const page = { org: null, offset: offsetParam(params) };

function card(c) {
  return el('li', { class: 'card', 'data-testid': 'inbox-item', dataset: { unread: String(c.unread) } },
    el('a', { href: '/conversation.html?id=' + encodeURIComponent(c.id) },
      el('strong', { text: c.buyer_name }), ' · ', el('span', { text: c.title })),
    c.unread ? el('span', { class: 'badge', 'data-testid': 'inbox-unread', i18n: 'conv.unread', args: { count: c.unread } }) : null,
    c.last_message_at ? el('p', { class: 'muted' }, el('time', { datetime: c.last_message_at, text: formatTime(c.last_message_at) })) : null);
}

async function figure(org) {
  const to = new Date(Date.now() + 8 * 3600e3);
  const from = new Date(to.getTime() - 29 * 86400e3);
  const day = (d) => d.toISOString().slice(0, 10);
  try {
    const f = await api.get(`/orgs/${seg(org.id)}/conversation-figures` + query({ from: day(from), to: day(to) }));
    replaceChildren($('#figure'), el('span', { i18n: 'conv.figure', args: { answered: f.answered, total: f.conversations, p50: f.first_response_p50_minutes ?? '—' } }));
  } catch {
    replaceChildren($('#figure'));
  }
}

async function load() {
  history.replaceState(null, '', location.pathname + query({ org: page.org.id, offset: page.offset || '' }));
  await loadList(listBox, {
    offset: page.offset,
    limit: LIMIT,
    fetch: () => api.get(`/orgs/${seg(page.org.id)}/conversations` + query({ limit: LIMIT, offset: page.offset })),
    render: (items) => (items.length
      ? el('ul', { class: 'cards' }, items.map(card))
      : note('empty', { i18n: 'conv.inbox_none' })),
  });
}

const { me } = await initShell({ auth: 'required' });
if (me) {
  const memberships = sellingMemberships(me);
  const org = pickOrg(memberships, params);
  if (!org) {
    replaceChildren(listBox, noOrg('inbox-no-org'));
  } else {
    page.org = org;
    replaceChildren($('#org-picker'), orgPicker(memberships, org, 'inbox-org-select'));
    pagerButtons(page, LIMIT, load);
    await figure(org);
    await load();
  }
}
