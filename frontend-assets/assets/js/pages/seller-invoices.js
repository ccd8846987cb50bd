// The seller's invoice queue: the invoices business buyers asked for, by where they stand, newest
// first. A requested invoice is issued here (the server works out the amount and makes the PDF)
// or rejected with a reason the buyer reads on the order page.

import { api, query, seg } from '../api.js';
import { sellingMemberships } from '../catalog.js';
import { initShell } from '../shell.js';
import { $, $$, badge, el, errorMessage, flashError, note, replaceChildren } from '../ui.js';
import { INVOICE_STATUSES, invoiceEl, sellerActions } from '../invoices.js';
import { orderHref } from '../orders.js';

const LIMIT = 20;
const params = new URLSearchParams(location.search);
const listBox = $('#invoices');
const pager = $('#pager');
const page = {
  org: null,
  status: INVOICE_STATUSES.includes(params.get('status')) ? params.get('status') : 'requested',
  offset: Math.max(0, Number.parseInt(params.get('offset') || '0', 10) || 0),
};

function pickOrg(memberships) {
  const wanted = params.get('org');
  const chosen = memberships.find((m) => m.org.id === wanted) || memberships[0];
  return chosen ? chosen.org : null;
}

function orgPicker(memberships, org) {
  if (memberships.length < 2) return null;
  const select = el('select', { id: 'org-select', name: 'org', 'data-testid': 'sinv-org-select' },
    memberships.map((m) => el('option', { value: m.org.id, selected: m.org.id === org.id, text: m.org.name })));
  select.addEventListener('change', () => location.assign(location.pathname + query({ org: select.value })));
  return el('div', { class: 'inline-field org-picker' }, el('label', { for: 'org-select', i18n: 'console.org' }), select);
}

function setTab(status) {
  page.status = status;
  for (const b of $$('.tab')) b.setAttribute('aria-pressed', String(b.dataset.status === status));
}

function card(inv) {
  const heading = el('a', { class: 'mono', href: orderHref(inv.order_id) + '#sub-' + inv.sub_order_id, text: inv.sub_order_number });
  return el('li', { class: 'card' }, invoiceEl(inv, { showBuyer: true, heading, actions: sellerActions(inv, load) }));
}

async function load() {
  history.replaceState(null, '', location.pathname + query({ org: page.org.id, status: page.status, offset: page.offset || '' }));
  listBox.setAttribute('aria-busy', 'true');
  listBox.dataset.state = 'loading';
  try {
    const result = await api.get(`/orgs/${seg(page.org.id)}/invoices` + query({ status: page.status, limit: LIMIT, offset: page.offset }));
    const items = (result && result.items) || [];
    const total = Number(result && result.total) || 0;
    replaceChildren($('#sinv-count'), el('span', { i18n: 'sinv.count', args: { count: total } }));
    replaceChildren(listBox, items.length
      ? el('ul', { class: 'cards' }, items.map(card))
      : note('empty', { i18n: 'sinv.none_' + page.status }));
    const to = page.offset + items.length;
    pager.hidden = total <= LIMIT && page.offset === 0;
    $('#page-prev').disabled = page.offset <= 0;
    $('#page-next').disabled = to >= total;
    replaceChildren($('#page-info'), el('span', { i18n: 'verify.page_info', args: { from: total ? page.offset + 1 : 0, to, total } }));
    listBox.dataset.state = 'done';
    listBox.dataset.status = page.status;
  } catch (err) {
    listBox.dataset.state = 'error';
    if (!err.redirecting) {
      replaceChildren(listBox, note('error', errorMessage(err)));
      flashError(err);
    }
  } finally {
    listBox.removeAttribute('aria-busy');
  }
}

const { me, error } = await initShell({ auth: 'required' });
if (me) {
  const memberships = sellingMemberships(me);
  const org = pickOrg(memberships);
  if (!org) {
    replaceChildren($('#state-box'), el('section', { class: 'card', 'data-testid': 'sinv-no-org' },
      el('p', { i18n: 'console.no_org' }),
      el('p', {}, el('a', { class: 'btn btn-secondary', href: '/org.html', i18n: 'console.to_orgs' }))));
  } else {
    page.org = org;
    replaceChildren($('#org-picker'), orgPicker(memberships, org));
    if (org.status !== 'verified') {
      replaceChildren($('#state-box'), el('section', { class: 'card', 'data-testid': 'sinv-unverified' },
        el('h2', { text: org.name }),
        el('p', { class: 'meta' }, badge('status', org.status)),
        el('p', { class: 'note note-info', i18n: 'sorders.org_unverified' })));
    } else {
      $('#console').hidden = false;
      $('#org-title').textContent = org.name;
      $('#orders-link').href = '/seller/orders.html' + query({ org: org.id });
      setTab(page.status);
      for (const b of $$('.tab')) {
        b.addEventListener('click', () => {
          setTab(b.dataset.status);
          page.offset = 0;
          load();
        });
      }
      $('#page-prev').addEventListener('click', () => { page.offset = Math.max(0, page.offset - LIMIT); load(); });
      $('#page-next').addEventListener('click', () => { page.offset += LIMIT; load(); });
      await load();
    }
  }
} else if (error && !error.redirecting) {
  replaceChildren($('#state-box'), note('muted', { i18n: 'common.unavailable' }));
}
