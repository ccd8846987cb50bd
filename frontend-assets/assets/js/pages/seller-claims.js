// The seller's claim inbox: its claims by where they stand, the nearest answer deadline first
// (the server's order), each with the time left to answer. A claim opens on the claim page,
// where the seller answers on one screen.

import { api, query, seg } from '../api.js';
import { sellingMemberships } from '../catalog.js';
import { initShell } from '../shell.js';
import {
  $, badge, el, loadList, noOrg, note, offsetParam, orgPicker, pagerButtons, pickOrg, replaceChildren, statusTabs,
} from '../ui.js';
import { CLAIM_STATUSES, claimCard } from '../claims.js';

const LIMIT = 20;
const params = new URLSearchParams(location.search);
const listBox = $('#claims');
const page = {
  org: null,
  status: CLAIM_STATUSES.includes(params.get('status')) ? params.get('status') : 'awaiting_seller',
  offset: offsetParam(params),
};

async function load() {
  history.replaceState(null, '', location.pathname + query({ org: page.org.id, status: page.status, offset: page.offset || '' }));
  await loadList(listBox, {
    offset: page.offset,
    limit: LIMIT,
    fetch: () => api.get(`/orgs/${seg(page.org.id)}/claims` + query({ status: page.status, limit: LIMIT, offset: page.offset })),
    render: (items, total) => {
      replaceChildren($('#sclaims-count'), el('span', { i18n: 'sclaims.count', args: { count: total } }));
      listBox.dataset.status = page.status;
      return items.length
        ? el('ul', { class: 'cards' }, items.map((c) => claimCard(c, { party: 'seller' })))
        : note('empty', { i18n: 'sclaims.none_' + page.status });
    },
  });
}

const { me, error } = await initShell({ auth: 'required' });
if (me) {
  const memberships = sellingMemberships(me);
  const org = pickOrg(memberships, params);
  if (!org) {
    replaceChildren($('#state-box'), noOrg('sclaims-no-org'));
  } else {
    page.org = org;
    replaceChildren($('#org-picker'), orgPicker(memberships, org, 'sclaims-org-select'));
    if (org.status !== 'verified') {
      replaceChildren($('#state-box'), el('section', { class: 'card', 'data-testid': 'sclaims-unverified' },
        el('h2', { text: org.name }),
        el('p', { class: 'meta' }, badge('status', org.status)),
        el('p', { class: 'note note-info', i18n: 'sorders.org_unverified' })));
    } else {
      $('#console').hidden = false;
      $('#org-title').textContent = org.name;
      $('#orders-link').href = '/seller/orders.html' + query({ org: org.id });
      $('#quality-link').href = '/seller/quality.html' + query({ org: org.id });
      statusTabs(page, load);
      pagerButtons(page, LIMIT, load);
      await load();
    }
  }
} else if (error && !error.redirecting) {
  replaceChildren($('#state-box'), note('muted', { i18n: 'common.unavailable' }));
}
