// A seller's standing orders (定期订单, issue #22): the business buyers' recurring orders with
// this shop, waiting ones first to accept or decline, each with its upcoming delivery and the
// history of its periods. Generated orders are ordinary orders on /seller/orders.html.

import { api, query, seg } from '../api.js';
import { sellingMemberships } from '../catalog.js';
import { initShell } from '../shell.js';
import { $, el, flash, flashError, note, pickOrg, replaceChildren, withBusy } from '../ui.js';
import { standingCard } from '../standing.js';

const params = new URLSearchParams(location.search);
const state = { org: null };

function sellerActions(s) {
  if (s.status !== 'pending') return [];
  const button = (key, what, testid, done) => {
    const b = el('button', { type: 'button', class: what === 'accept' ? 'btn btn-primary' : 'btn btn-danger-quiet', i18n: key, 'data-testid': testid });
    b.addEventListener('click', () => withBusy(b, async () => {
      await api.post(`/standing-orders/${seg(s.id)}/${what}`);
      flash(el('span', { i18n: done }), 'success');
      await loadList();
    }));
    return b;
  };
  return [
    button('sso.accept', 'accept', 'standing-accept', 'sso.accepted'),
    button('sso.decline', 'decline', 'standing-decline', 'sso.declined'),
  ];
}

async function loadList() {
  const box = $('#sso-list');
  const page = await api.get(`/orgs/${seg(state.org.id)}/standing-orders` + query({ limit: 50 }));
  const items = ((page && page.items) || []).filter((s) => s.seller_org_id === state.org.id);
  // Waiting ones first.
  items.sort((a, b) => (a.status === 'pending' ? 0 : 1) - (b.status === 'pending' ? 0 : 1));
  replaceChildren(box, items.length
    ? el('ul', { class: 'cards' }, items.map((s) => standingCard(s, sellerActions(s))))
    : note('empty', { i18n: 'sso.none' }));
  box.dataset.state = 'done';
}

const { me } = await initShell({ auth: 'required' });
if (me) {
  const org = pickOrg(sellingMemberships(me), params);
  const body = $('#sso-body');
  if (!org) {
    replaceChildren(body, note('empty', { i18n: 'sso.no_org' }));
  } else {
    state.org = org;
    replaceChildren(body);
    try {
      await loadList();
    } catch (err) {
      replaceChildren(body, note('error', err.message || ''));
      flashError(err);
    }
  }
}
