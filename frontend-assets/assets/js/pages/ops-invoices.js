// Platform finance's invoice desk: every seller's invoices by where they stand, newest first
// (`GET /finance/invoices`). Finance is not a member of the platform's own store, so this is
// where it issues or rejects the store's (the server says which: `can.issue`); the other
// sellers' are shown read-only. A seller's name filters the list to that seller (kept in the
// address, like the status and the page).

import { api, query } from '../api.js';
import { initShell } from '../shell.js';
import { $, el, loadList, note, offsetParam, pagerButtons, replaceChildren, statusTabs } from '../ui.js';
import { INVOICE_STATUSES, invoiceEl, sellerActions } from '../invoices.js';

const LIMIT = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const params = new URLSearchParams(location.search);
const listBox = $('#invoices');
const page = {
  status: INVOICE_STATUSES.includes(params.get('status')) ? params.get('status') : 'requested',
  org: UUID.test(params.get('org') || '') ? params.get('org') : null,
  orgName: '',
  offset: offsetParam(params),
};

function filterBy(inv) {
  page.org = inv.seller_org_id;
  page.orgName = inv.seller_name;
  page.offset = 0;
  load();
}

function card(inv) {
  const seller = el('button', { type: 'button', class: 'btn btn-quiet btn-small', 'data-testid': 'oinv-seller', text: inv.seller_name,
    on: { click: () => filterBy(inv) } });
  const heading = el('span', {}, el('span', { class: 'mono', text: inv.sub_order_number }), ' · ', seller);
  return el('li', { class: 'card', 'data-testid': 'oinv-invoice', dataset: { invoiceId: inv.id, sellerId: inv.seller_org_id } },
    invoiceEl(inv, { showBuyer: true, heading, actions: sellerActions(inv, load) }));
}

function showFilter(items) {
  const box = $('#seller-filter');
  box.hidden = !page.org;
  if (!page.org) return;
  if (!page.orgName && items.length) page.orgName = items[0].seller_name;
  $('#seller-filter-name').textContent = page.orgName || page.org;
}

async function load() {
  history.replaceState(null, '', location.pathname + query({ status: page.status, org: page.org || '', offset: page.offset || '' }));
  await loadList(listBox, {
    offset: page.offset,
    limit: LIMIT,
    fetch: () => api.get('/finance/invoices' + query({ status: page.status, org: page.org || '', limit: LIMIT, offset: page.offset })),
    render: (items, total) => {
      showFilter(items);
      replaceChildren($('#oinv-count'), el('span', { i18n: 'oinv.count', args: { count: total } }));
      listBox.dataset.status = page.status;
      return items.length
        ? el('ul', { class: 'cards' }, items.map(card))
        : note('empty', { i18n: 'oinv.none_' + page.status });
    },
  });
}

const { me, error } = await initShell({ auth: 'required' });
if (me) {
  if (!['finance', 'operator'].includes(me.account.platform_role)) {
    $('#forbidden').hidden = false;
  } else {
    $('#console').hidden = false;
    $('#seller-filter-clear').addEventListener('click', () => {
      page.org = null;
      page.orgName = '';
      page.offset = 0;
      load();
    });
    statusTabs(page, load);
    pagerButtons(page, LIMIT, load);
    await load();
  }
} else if (error && !error.redirecting) {
  replaceChildren($('#state-box'), note('muted', { i18n: 'common.unavailable' }));
}
