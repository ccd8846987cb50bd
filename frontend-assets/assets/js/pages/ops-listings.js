// The operator's listing review queue (上架审核): new listings and changes to the reviewed facts
// of live ones (title, category, origin), oldest first. A change shows what it replaces side by
// side. Approve after an in-page confirmation; reject with a reason the seller will read.

import { api, query, seg } from '../api.js';
import {
  loadCategories, pathEl, priceEl, reasonForm, unitEl,
} from '../catalog.js';
import { initShell } from '../shell.js';
import {
  $, badge, el, facts, flash, note, regionText, replaceChildren, timeEl, withBusy,
} from '../ui.js';

const LIMIT = 20;
const results = $('#results');
const count = $('#results-count');
const pager = $('#pager');
const state = { offset: 0, index: null };

function readUrl() {
  const p = new URLSearchParams(location.search);
  state.offset = Math.max(0, Number.parseInt(p.get('offset') || '0', 10) || 0);
}

function writeUrl() {
  history.replaceState(null, '', location.pathname + query({ offset: state.offset || '' }));
}

async function load() {
  writeUrl();
  results.setAttribute('aria-busy', 'true');
  try {
    const [page, index] = await Promise.all([
      api.get('/admin/listing-reviews' + query({ status: 'pending', limit: LIMIT, offset: state.offset })),
      loadCategories().catch(() => state.index),
    ]);
    state.index = index;
    const items = (page && page.items) || [];
    // Deciding the last card of a page leaves it empty: step back instead of showing nothing.
    if (!items.length && state.offset > 0 && page.total > 0) {
      state.offset = Math.max(0, state.offset - LIMIT);
      await load();
      return;
    }
    render({ ...page, items });
  } catch (err) {
    if (err.redirecting) return;
    replaceChildren(results, note('error', err.message));
    replaceChildren(count);
    pager.hidden = true;
  } finally {
    results.removeAttribute('aria-busy');
  }
}

function render(page) {
  const total = Number(page.total) || 0;
  const offset = Number(page.offset) || 0;
  replaceChildren(count, el('span', { i18n: 'reviews.count', args: { n: total } }));
  replaceChildren(results, page.items.length
    ? el('ul', { class: 'cards' }, page.items.map((item) => el('li', {}, card(item))))
    : note('empty', { i18n: 'reviews.empty' }));
  const to = offset + page.items.length;
  pager.hidden = total <= LIMIT && offset === 0;
  $('#page-prev').disabled = offset <= 0;
  $('#page-next').disabled = to >= total;
  replaceChildren($('#page-info'), el('span', { i18n: 'verify.page_info', args: { from: total ? offset + 1 : 0, to, total } }));
}

function categoryEl(id) {
  if (state.index && state.index.byId.has(id)) return pathEl(state.index.path(id));
  return el('span', { i18n: 'search.unknown_category' });
}

function originEl(origin, note) {
  return el('span', {},
    el('span', { text: regionText(origin) }),
    note ? el('span', { class: 'muted origin-note' }, ' · ', el('span', { text: note })) : null);
}

/** Previous and proposed values, side by side; changed rows stand out. */
function diff(rev) {
  const prev = rev.previous || {};
  const rows = [
    ['reviews.f_title', el('span', { text: prev.title || '' }), el('span', { text: rev.title }), prev.title !== rev.title],
    ['reviews.f_category', prev.category_id ? categoryEl(prev.category_id) : null, categoryEl(rev.category_id), prev.category_id !== rev.category_id],
    ['reviews.f_origin', prev.origin ? originEl(prev.origin) : null, originEl(rev.origin, rev.origin_note),
      regionText(prev.origin) !== regionText(rev.origin)],
  ];
  return el('div', { class: 'diff', 'data-testid': 'review-diff' },
    el('div', { class: 'diff-head', 'aria-hidden': 'true' },
      el('span'), el('span', { i18n: 'reviews.before' }), el('span', { i18n: 'reviews.after' })),
    rows.map(([key, before, after, changed]) => el('div', { class: 'diff-row' + (changed ? ' is-changed' : ''), 'data-testid': 'diff-row', dataset: { changed: String(changed) } },
      el('span', { class: 'diff-label' }, el('span', { i18n: key }),
        changed ? el('span', { class: 'badge badge-change badge-small', i18n: 'reviews.changed' }) : null),
      el('div', { class: 'diff-before' }, el('span', { class: 'visually-hidden', i18n: 'reviews.before' }), ' ', before || el('span', { class: 'muted', text: '—' })),
      el('div', { class: 'diff-after' }, el('span', { class: 'visually-hidden', i18n: 'reviews.after' }), ' ', after))));
}

const gramsText = (g) => (g ? (g >= 1000 ? `${(g / 1000).toFixed(g % 1000 ? 2 : 0)} kg` : `${g} g`) : '—');

/** Every SKU that will go live, one row each: price, wholesale tiers, stock, unit, weights, GTIN. */
function skuTable(listing) {
  const skus = listing.skus || [];
  if (!skus.length) return el('p', { class: 'note note-warn', i18n: 'reviews.no_skus' });
  // The table scrolls sideways on a phone: a named region the keyboard can reach and scroll.
  return el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'data-i18n-aria-label': 'reviews.sku_name' },
    el('table', { class: 'review-skus', 'data-testid': 'review-skus' },
      el('thead', {}, el('tr', {},
        ['reviews.sku_name', 'reviews.sku_price', 'reviews.sku_tiers', 'reviews.sku_stock', 'reviews.sku_weight', 'reviews.sku_gtin']
          .map((k) => el('th', { scope: 'col', i18n: k })))),
      el('tbody', {}, skus.map((s) => el('tr', {
        'data-testid': 'review-sku', dataset: { skuId: s.id, active: String(s.active !== false) },
        class: s.active === false ? 'is-inactive' : '',
      },
      el('th', { scope: 'row' }, el('span', { text: s.name }),
        s.active === false ? el('span', { class: 'badge badge-small', i18n: 'stock.inactive' }) : null),
      el('td', { class: 'num kpi-amount' }, priceEl(s.price, s.unit, 'review-sku-price')),
      el('td', { 'data-testid': 'review-sku-tiers' }, Array.isArray(s.tiers) && s.tiers.length
        ? el('ul', { class: 'mini-list' }, s.tiers.map((tier) => el('li', { class: 'kpi-amount' },
          el('span', { i18n: 'reviews.tier', args: { n: tier.min_quantity } }), ' ', priceEl(tier.price, s.unit))))
        : el('span', { class: 'muted', text: '—' })),
      el('td', { class: 'num' }, el('span', { class: 'kpi-amount', 'data-testid': 'review-sku-stock', text: String(s.stock) }), ' ', unitEl(s.unit)),
      el('td', { class: 'num' }, el('span', { text: gramsText(s.weight_grams) }),
        s.net_weight_grams ? el('span', { class: 'muted small' }, ' / ', el('span', { i18n: 'reviews.net' }), ' ', gramsText(s.net_weight_grams)) : null),
      el('td', { class: 'mono small', text: s.gtin || '—' }))))));
}

/** Every photo, at a size an operator can judge (each opens full size). */
function gallery(listing) {
  const images = listing.images || [];
  if (!images.length) return el('p', { class: 'note note-warn', i18n: 'reviews.no_images', 'data-testid': 'review-no-photos' });
  return el('ul', { class: 'review-thumbs review-gallery', 'data-testid': 'review-photos' }, images.map((im, i) =>
    el('li', {}, el('a', { href: im.url, target: '_blank', rel: 'noopener' },
      el('img', { src: im.thumb_url || im.url, alt: '', width: '160', height: '160', loading: i < 4 ? 'eager' : 'lazy', 'data-testid': 'review-photo' }),
      el('span', { class: 'visually-hidden', i18n: 'reviews.photo_n', args: { n: i + 1 } })))));
}

// The sellers' batches, once per seller and page load: the trace records this listing ships from.
const batchCache = new Map();
async function batchesFor(listing, box) {
  const org = listing.seller && listing.seller.id;
  if (!org) return;
  try {
    if (!batchCache.has(org)) batchCache.set(org, api.get(`/orgs/${seg(org)}/batches`));
    const all = (await batchCache.get(org)) || [];
    const mine = all.filter((b) => b.listing_id === listing.id);
    replaceChildren(box, mine.length
      ? el('ul', { class: 'mini-list' }, mine.slice(0, 10).map((b) => el('li', { 'data-testid': 'review-batch' },
        el('a', { class: 'mono', href: '/t/' + encodeURIComponent(b.code), target: '_blank', rel: 'noopener', text: b.code_display || b.code }),
        b.lot ? el('span', { class: 'muted' }, ' ', b.lot) : null,
        b.shippable ? el('span', { class: 'tag', i18n: 'reviews.batch_ok' }) : null)))
      : el('span', { class: 'muted', i18n: 'reviews.no_batches' }));
  } catch {
    replaceChildren(box, el('span', { class: 'muted', text: '—' }));
  }
}

function card({ revision: rev, listing }) {
  const titleId = `rev-${rev.id}-title`;
  const seller = listing.seller || {};
  const article = el('article', {
    class: 'card queue-card review-card',
    'aria-labelledby': titleId,
    'data-testid': 'review-card',
    dataset: { revisionId: rev.id, listingId: listing.id, kind: rev.kind },
  });
  const actions = el('div', { class: 'actions' });
  const rejectSlot = el('div');
  const approve = el('button', { type: 'button', class: 'btn btn-primary', i18n: 'reviews.approve', 'data-testid': 'review-approve' });
  const reject = el('button', { type: 'button', class: 'btn btn-danger', i18n: 'reviews.reject', 'data-testid': 'review-reject' });
  approve.addEventListener('click', () => confirmApprove(rev, actions));
  reject.addEventListener('click', () => openReject(rev, rejectSlot, reject));
  actions.append(approve, reject,
    el('a', { class: 'btn btn-quiet', href: '/listing.html?id=' + encodeURIComponent(listing.id), i18n: 'reviews.open_listing', 'data-testid': 'review-open' }));

  const description = (listing.description || '').trim();
  const batches = el('span', {}, el('span', { class: 'muted', i18n: 'common.loading' }));
  batchesFor(listing, batches);
  replaceChildren(article,
    el('div', { class: 'item-head' },
      el('span', { class: `badge badge-${rev.kind}`, i18n: 'revision_kind.' + rev.kind, 'data-testid': 'review-kind', dataset: { value: rev.kind } }),
      el('h3', { id: titleId, class: 'item-title', 'data-testid': 'review-title', text: rev.title })),
    el('p', { class: 'meta' },
      el('span', { 'data-testid': 'review-seller' },
        el('span', { class: 'muted', i18n: 'reviews.seller' }), ' ', el('strong', { text: seller.name || '' })),
      seller.kind ? el('span', { class: 'tag', i18n: 'kind.' + seller.kind }) : null,
      el('span', { class: 'muted' }, el('span', { i18n: 'reviews.submitted' }), ' ', timeEl(rev.submitted_at))),
    rev.kind === 'change'
      ? diff(rev)
      : facts([
        ['reviews.f_category', categoryEl(rev.category_id), 'review-category'],
        ['reviews.f_origin', originEl(rev.origin, rev.origin_note), 'review-origin'],
      ]),
    el('div', { class: 'review-sheet' },
      el('div', { class: 'review-side' },
        gallery(listing),
        description ? el('p', { class: 'description pre-line', 'data-testid': 'review-description', text: description }) : null),
      el('div', { class: 'review-side' },
        skuTable(listing),
        facts([
          ['reviews.seller_region', el('span', { text: regionText(seller.region) }), 'review-seller-region'],
          ['reviews.status', badge('listing_status', listing.status)],
          ['reviews.ship_within', listing.ship_within_hours ? el('span', { i18n: 'reviews.ship_within_value', args: { n: listing.ship_within_hours } }) : null, 'review-ship-within'],
          ['reviews.season', listing.season ? el('span', { text: listing.season }) : null],
          ['reviews.storage', listing.storage ? el('span', { text: listing.storage }) : null],
          ['reviews.shelf_life', listing.shelf_life_days ? el('span', { i18n: 'reviews.days', args: { count: listing.shelf_life_days } }) : null],
          ['reviews.producer', listing.producer && listing.producer.name ? el('span', { text: listing.producer.name }) : null],
          ['reviews.batches', batches, 'review-batches'],
        ].filter((row) => row && row[1]), { class: 'facts review-facts' }))),
    actions,
    rejectSlot);
  return article;
}

function confirmApprove(rev, actions) {
  const previous = Array.from(actions.childNodes);
  const yes = el('button', { type: 'button', class: 'btn btn-primary', i18n: 'reviews.approve_confirm', 'data-testid': 'review-approve-confirm' });
  const no = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel' });
  no.addEventListener('click', () => {
    replaceChildren(actions, previous);
    actions.querySelector('button').focus();
  });
  yes.addEventListener('click', () => withBusy(yes, async () => {
    await api.post(`/admin/listing-reviews/${seg(rev.id)}/approve`);
    flash(el('span', { i18n: rev.kind === 'change' ? 'reviews.approved_change' : 'reviews.approved', args: { title: rev.title } }), 'success');
    await load();
    $('#results-title').focus();
  }));
  replaceChildren(actions, el('p', { class: 'confirm-question', i18n: 'reviews.approve_question', args: { title: rev.title } }), yes, no);
  yes.focus();
}

function openReject(rev, slot, opener) {
  if (slot.firstChild) {
    slot.querySelector('textarea').focus();
    return;
  }
  const { form, focus } = reasonForm({
    id: `reason-${rev.id}`,
    labelKey: 'reviews.reason_label',
    hintKey: 'verify.reason_hint',
    submitKey: 'reviews.reject_confirm',
    testid: 'review-reject',
    onCancel: () => {
      replaceChildren(slot);
      opener.focus();
    },
    onSubmit: async (reason) => {
      await api.post(`/admin/listing-reviews/${seg(rev.id)}/reject`, { reason });
      flash(el('span', { i18n: 'reviews.rejected', args: { title: rev.title } }), 'success');
      await load();
      $('#results-title').focus();
    },
  });
  replaceChildren(slot, form);
  focus();
}

$('#page-prev').addEventListener('click', () => {
  state.offset = Math.max(0, state.offset - LIMIT);
  load();
});
$('#page-next').addEventListener('click', () => {
  state.offset += LIMIT;
  load();
});

const { me, error } = await initShell({ auth: 'required' });
if (me && me.account.platform_role === 'operator') {
  $('#queue').hidden = false;
  readUrl();
  await load();
} else if (me) {
  $('#forbidden').hidden = false;
} else if (error && !error.redirecting) {
  $('#queue').hidden = false;
  replaceChildren(results, note('muted', { i18n: 'common.unavailable' }));
}
