// The seller's invoice queue: the invoices business buyers asked for, by where they stand, newest
// first. A requested invoice is issued here (the server works out the amount and makes the PDF)
// or rejected with a reason the buyer reads on the order page.

import { api, query, seg } from '../api.js';
import { sellingMemberships } from '../catalog.js';
import { initShell } from '../shell.js';
import {
  $, badge, el, loadList, noOrg, note, offsetParam, orgPicker, pagerButtons, pickOrg, replaceChildren, statusTabs,
} from '../ui.js';
import { INVOICE_STATUSES, invoiceEl, sellerActions } from '../invoices.js';
import { orderHref } from '../orders.js';

const LIMIT = 20;
const params = new URLSearchParams(location.search);
const listBox = $('#invoices');
const page = {
  org: null,
  status: INVOICE_STATUSES.includes(params.get('status')) ? params.get('status') : 'requested',
  offset: offsetParam(params),
};

function card(inv) {
  const heading = el('a', { class: 'mono', href: orderHref(inv.order_id) + '#sub-' + inv.sub_order_id, text: inv.sub_order_number });
  return el('li', { class: 'card' }, invoiceEl(inv, { showBuyer: true, heading, actions: sellerActions(inv, load) }));
}

async function load() {
  history.replaceState(null, '', location.pathname + query({ org: page.org.id, status: page.status, offset: page.offset || '' }));
  await loadList(listBox, {
    offset: page.offset,
    limit: LIMIT,
    fetch: () => api.get(`/orgs/${seg(page.org.id)}/invoices` + query({ status: page.status, limit: LIMIT, offset: page.offset })),
    render: (items, total) => {
      replaceChildren($('#sinv-count'), el('span', { i18n: 'sinv.count', args: { count: total } }));
      listBox.dataset.status = page.status;
      return items.length
        ? el('ul', { class: 'cards' }, items.map(card))
        : note('empty', { i18n: 'sinv.none_' + page.status });
    },
  });
}

const { me, error } = await initShell({ auth: 'required' });
if (me) {
  const memberships = sellingMemberships(me);
  const org = pickOrg(memberships, params);
  if (!org) {
    replaceChildren($('#state-box'), noOrg('sinv-no-org'));
  } else {
    page.org = org;
    replaceChildren($('#org-picker'), orgPicker(memberships, org, 'sinv-org-select'));
    if (org.status !== 'verified') {
      replaceChildren($('#state-box'), el('section', { class: 'card', 'data-testid': 'sinv-unverified' },
        el('h2', { text: org.name }),
        el('p', { class: 'meta' }, badge('status', org.status)),
        el('p', { class: 'note note-info', i18n: 'sorders.org_unverified' })));
    } else {
      $('#console').hidden = false;
      $('#org-title').textContent = org.name;
      $('#orders-link').href = '/seller/orders.html' + query({ org: org.id });
      statusTabs(page, load);
      pagerButtons(page, LIMIT, load);
      await load();
    }
  }
} else if (error && !error.redirecting) {
  replaceChildren($('#state-box'), note('muted', { i18n: 'common.unavailable' }));
}
