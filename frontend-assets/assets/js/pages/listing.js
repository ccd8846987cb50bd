// A listing: photos, price, SKUs with stock, wholesale tiers when the server shows them to
// this visitor, origin and keeping facts, the seller, a quantity to put in the cart, and what
// buyers who received it said (stars, words, photos). Its seller and the operator also see the
// review status, the pending change, and (operator) the forced delisting.

import { api, seg } from '../api.js';
import { showCredit } from '../credit.js';
import {
  formatFen, formatGrams, localName, pendingRevision, placeholderPicture, priceEl, reasonForm, rememberViewed, stockEl, stockState,
  unitEl,
} from '../catalog.js';
import { t, translate } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, badge, clearErrors, el, errorMessage, facts, flash, note, regionText, replaceChildren, setBusy,
  showErrors, timeEl, validationError,
} from '../ui.js';
import { MAX_QUANTITY, STARS, parseQuantity, starsEl } from '../orders.js';
import { shareCard } from '../wechat-sdk.js';

const id = new URLSearchParams(location.search).get('id');
const view = { listing: null, me: null, sku: null };

// ---- loading -------------------------------------------------------------------------------

async function loadListing() {
  if (!id) return { missing: true };
  try {
    return { listing: await api.get(`/listings/${seg(id)}`, { redirectOn401: false }) };
  } catch (err) {
    if (err.status === 404) return { missing: true };
    return { error: err };
  }
}

function showMissing() {
  $('#loading').hidden = true;
  $('#listing').hidden = true;
  $('#missing').hidden = false;
}

function showLoadError(err) {
  const retry = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.retry', 'data-testid': 'retry' });
  retry.addEventListener('click', () => location.reload());
  replaceChildren($('#loading-text'), note('error', errorMessage(err)), retry);
}

// ---- pieces --------------------------------------------------------------------------------

function gallery(listing) {
  const images = Array.isArray(listing.images) ? listing.images : [];
  const box = $('#gallery');
  if (!images.length) {
    replaceChildren(box, el('div', { class: 'gallery-empty' }, placeholderPicture(listing.title, 'picture-placeholder picture-large')));
    return;
  }
  // A horizontal scroller with snap points: a finger swipes it natively; the buttons and the
  // thumbnails scroll it for everyone else.
  const track = el('div', {
    class: 'gallery-track',
    tabindex: '0',
    role: 'region',
    'data-i18n-aria-label': 'listing.photos',
    'data-testid': 'gallery-track',
  });
  images.forEach((image, i) => {
    track.append(el('figure', { class: 'gallery-slide' },
      el('img', {
        src: image.url,
        alt: images.length > 1 ? `${listing.title} ${i + 1}/${images.length}` : listing.title,
        width: image.width ? String(image.width) : null,
        height: image.height ? String(image.height) : null,
        loading: i === 0 ? 'eager' : 'lazy',
        decoding: 'async',
        'data-testid': 'gallery-image',
      })));
  });
  replaceChildren(box, track);
  if (images.length < 2) return;

  const counter = el('span', { class: 'gallery-count', 'data-testid': 'gallery-count', 'aria-live': 'polite' });
  const prev = el('button', { type: 'button', class: 'gallery-button', 'data-i18n-aria-label': 'listing.prev_photo', 'data-testid': 'gallery-prev', text: '‹' });
  const next = el('button', { type: 'button', class: 'gallery-button', 'data-i18n-aria-label': 'listing.next_photo', 'data-testid': 'gallery-next', text: '›' });
  const thumbs = el('div', { class: 'gallery-thumbs' });
  const current = () => Math.round(track.scrollLeft / Math.max(1, track.clientWidth));
  const go = (i) => {
    const n = (i + images.length) % images.length;
    track.scrollTo({ left: n * track.clientWidth, behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
    update(n);
  };
  const update = (n = current()) => {
    counter.textContent = `${n + 1} / ${images.length}`;
    thumbs.querySelectorAll('button').forEach((b, j) => b.setAttribute('aria-current', String(j === n)));
  };
  images.forEach((image, i) => {
    const b = el('button', { type: 'button', class: 'gallery-thumb', 'data-i18n-aria-label': 'listing.photo_n', args: { n: i + 1 } },
      el('img', { src: image.thumb_url || image.url, alt: '', loading: 'lazy', width: '64', height: '64' }));
    b.addEventListener('click', () => go(i));
    thumbs.append(b);
  });
  prev.addEventListener('click', () => go(current() - 1));
  next.addEventListener('click', () => go(current() + 1));
  let pending = 0;
  track.addEventListener('scroll', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => update());
  }, { passive: true });
  track.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowLeft') { event.preventDefault(); go(current() - 1); }
    if (event.key === 'ArrowRight') { event.preventDefault(); go(current() + 1); }
  });
  box.append(el('div', { class: 'gallery-controls' }, prev, counter, next), thumbs);
  update(0);
}

function skuOption(sku, checked) {
  const inputId = `sku-${sku.id}`;
  const input = el('input', { type: 'radio', id: inputId, name: 'sku', value: sku.id, checked });
  input.addEventListener('change', () => selectSku(sku));
  return el('div', { class: 'sku-option', 'data-testid': 'sku-option', dataset: { skuId: sku.id } },
    input,
    el('label', { for: inputId },
      el('span', { class: 'sku-name', 'data-testid': 'sku-name', text: sku.name }),
      priceEl(sku.price, sku.unit, 'sku-price'),
      stockEl(sku, 'sku-stock')));
}

// ---- what this quantity costs: the tier that applies and the total, as the server prices it ----

let quoteTimer = 0;
let quoteSeq = 0;

/** Marks the tier a quantity reaches (the largest threshold not above it). */
function highlightTier(sku, qty) {
  let best = null;
  for (const row of document.querySelectorAll('[data-testid="tier-row"]')) {
    const min = Number(row.dataset.min);
    if (Number.isInteger(qty) && qty >= min && (!best || min > Number(best.dataset.min))) best = row;
  }
  for (const row of document.querySelectorAll('[data-testid="tier-row"]')) {
    const on = row === best;
    row.classList.toggle('is-current', on);
    if (on) row.setAttribute('aria-current', 'true'); else row.removeAttribute('aria-current');
  }
}

/** The quote's figures under the quantity: unit price (tier applied), shipping, total. */
function renderTotal(quote) {
  const box = $('#buy-total');
  const line = quote && Array.isArray(quote.lines) ? quote.lines[0] : null;
  if (!line || line.state === 'unavailable') {
    replaceChildren(box);
    delete box.dataset.fen;
    return;
  }
  box.dataset.fen = String(quote.total);
  box.dataset.unitFen = String(line.unit_price);
  replaceChildren(box,
    el('span', { class: 'muted', i18n: 'listing.total' }), ' ',
    el('strong', { class: 'money', 'data-testid': 'buy-total-amount', text: formatFen(quote.total) }), ' ',
    el('span', { class: 'muted' },
      '(', el('span', { i18n: 'listing.unit_now', args: { price: formatFen(line.unit_price) } }), ' · ',
      quote.shipping
        ? el('span', { i18n: 'listing.shipping_fee', args: { fee: formatFen(quote.shipping) } })
        : el('span', { i18n: 'catalog.free_shipping' }),
      ')'));
}

/**
 * As the quantity changes: the tier it reaches lights up at once, and (signed in) the server's
 * quote for it — the buyer's own price and shipping, nothing put in the cart — follows shortly.
 */
function refreshTotal() {
  const sku = view.sku;
  const qty = parseQuantity(quantityInput().value);
  if (sku) highlightTier(sku, qty);
  clearTimeout(quoteTimer);
  if (!view.me || !sku || !Number.isInteger(qty) || qty < 1) {
    quoteSeq += 1;
    renderTotal(null);
    return;
  }
  quoteTimer = setTimeout(async () => {
    quoteSeq += 1;
    const seq = quoteSeq;
    try {
      const quote = await api.post('/cart/quote', { items: [{ sku_id: sku.id, quantity: qty }] }, { redirectOn401: false });
      if (seq === quoteSeq) renderTotal(quote);
    } catch {
      if (seq === quoteSeq) renderTotal(null);
    }
  }, 250);
}

function tiersTable(sku) {
  // Only verified business buyers, the seller and the operator are sent tiers at all.
  if (!Array.isArray(sku.tiers) || !sku.tiers.length) return null;
  return el('table', { class: 'tiers', 'data-testid': 'tiers' },
    el('caption', { i18n: 'listing.tiers_caption' }),
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col', i18n: 'listing.tier_qty' }),
      el('th', { scope: 'col', i18n: 'listing.tier_price' }))),
    el('tbody', {}, sku.tiers.map((tier) => el('tr', { 'data-testid': 'tier-row', dataset: { min: String(tier.min_quantity), fen: String(tier.price) } },
      el('td', {}, el('span', { i18n: 'listing.tier_from' }), ' ', unitEl(sku.unit, tier.min_quantity)),
      el('td', {}, priceEl(tier.price, sku.unit))))));
}

const grams = formatGrams;

/** Sold by catch weight (多退少补): about this much a unit, the difference settled at packing. */
function catchWeightEl(sku) {
  if (!sku.catch_tolerance_permille || !sku.net_weight_grams) return null;
  return el('span', {
    'data-testid': 'catch-weight',
    dataset: { nominal: String(sku.net_weight_grams), tolerance: String(sku.catch_tolerance_permille) },
    i18n: 'listing.catch_weight_value',
    args: { weight: grams(sku.net_weight_grams), tolerance: `${sku.catch_tolerance_permille / 10}%` },
  });
}

function selectSku(sku) {
  view.sku = sku;
  replaceChildren($('#selected-sku'),
    el('p', { class: 'selected-line' },
      el('span', { class: 'muted', i18n: 'listing.selected' }), ' ',
      el('strong', { text: sku.name }), ' ',
      priceEl(sku.price, sku.unit, 'selected-price'), ' ',
      stockEl(sku, 'selected-stock')),
    facts([
      ['listing.net_weight', grams(sku.net_weight_grams)],
      ['listing.catch_weight', catchWeightEl(sku)],
      ['listing.ship_weight', grams(sku.weight_grams)],
      ['listing.gtin', sku.gtin ? el('span', { class: 'mono', text: sku.gtin }) : null],
    ], { class: 'facts facts-compact' }));
  replaceChildren($('#tiers'), tiersTable(sku));
  const state = stockState(sku);
  const buyable = state === 'in' || state === 'low';
  const button = $('[data-testid="buy-button"]');
  button.disabled = !buyable;
  button.setAttribute('data-i18n', buyable ? 'listing.add_to_cart' : 'stock.' + state);
  translate(button);
  $('#buy-now').disabled = !buyable;
  refreshTotal();
}

// ---- putting it in the cart ------------------------------------------------------------------

function quantityInput() {
  return $('#buy-qty');
}

function step(delta) {
  const input = quantityInput();
  const n = parseQuantity(input.value);
  const current = Number.isFinite(n) && n ? n : 1;
  input.value = String(Math.min(MAX_QUANTITY, Math.max(1, current + delta)));
  input.removeAttribute('aria-invalid');
}

$('#qty-minus').addEventListener('click', () => { step(-1); refreshTotal(); });
$('#qty-plus').addEventListener('click', () => { step(1); refreshTotal(); });
quantityInput().addEventListener('input', refreshTotal);

// ---- 收藏: the heart (signed in; otherwise it leads to the login and back) ---------------------

const fav = $('#fav');

function showFavourite(on) {
  fav.setAttribute('aria-pressed', String(on));
  fav.querySelector('.heart').textContent = on ? '♥' : '♡';
  const label = fav.querySelector('[data-i18n]');
  label.setAttribute('data-i18n', on ? 'listing.favourited' : 'listing.favourite');
  translate(label);
}

async function loadFavourite() {
  if (!view.me || !view.listing) return;
  try {
    const state = await api.get(`/me/favourites/${seg(view.listing.id)}`, { redirectOn401: false });
    showFavourite(Boolean(state && state.favourite));
  } catch {
    // The heart stays empty; tapping it still works.
  }
}

fav.addEventListener('click', async () => {
  if (!view.listing) return;
  if (!view.me) {
    location.assign('/login.html?next=' + encodeURIComponent(location.pathname + location.search));
    return;
  }
  const on = fav.getAttribute('aria-pressed') !== 'true';
  setBusy(fav, true);
  try {
    const path = `/me/favourites/${seg(view.listing.id)}`;
    const state = on ? await api.put(path, {}) : await api.del(path);
    showFavourite(Boolean(state && state.favourite));
    flash(t(on ? 'listing.favourite_added' : 'listing.favourite_removed'), 'success', { focus: false });
  } catch (err) {
    if (!err.redirecting) flash(errorMessage(err), 'error');
  } finally {
    setBusy(fav, false);
  }
});

/** The quantity typed, or null after saying on the form what is wrong with it. */
function wantedQuantity(form, sku) {
  clearErrors(form);
  const quantity = parseQuantity(quantityInput().value);
  if (quantity === null || Number.isNaN(quantity)) {
    showErrors(form, validationError({ quantity: t('cart.qty_invalid', { max: MAX_QUANTITY }) }));
    return null;
  }
  if (sku.stock >= 0 && quantity > sku.stock) {
    showErrors(form, validationError({ quantity: t('cart.short', { n: sku.stock }) }));
    return null;
  }
  return quantity;
}

// 立即购买: straight to checkout with this SKU and quantity; the cart is left as it is.
$('#buy-now').addEventListener('click', () => {
  const sku = view.sku;
  if (!sku) return;
  const quantity = wantedQuantity($('#sku-form'), sku);
  if (quantity === null) return;
  location.assign(`/checkout.html?buy=${encodeURIComponent(sku.id)}&qty=${quantity}`);
});

$('#sku-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const sku = view.sku;
  if (!sku) return;
  const quantity = wantedQuantity(form, sku);
  if (quantity === null) return;
  const button = $('[data-testid="buy-button"]');
  setBusy(button, true);
  try {
    await api.post('/cart/items', { sku_id: sku.id, quantity });
    flash(el('span', { i18n: 'listing.added', args: { name: sku.name, n: quantity } }), 'success',
      { link: { href: '/cart.html', i18n: 'listing.to_cart' }, focus: false });
    $('#flash').scrollIntoView({ block: 'nearest' });
  } catch (err) {
    if (!err.redirecting) showErrors(form, err, { sku_id: 'quantity' });
  } finally {
    setBusy(button, false);
  }
});

// ---- what buyers said --------------------------------------------------------------------------

const REVIEWS_PAGE = 10;
const reviews = { offset: 0, total: 0 };

function distribution(stars, count) {
  const list = Array.isArray(stars) ? stars : [];
  return el('ul', { class: 'star-bars', 'data-testid': 'reviews-stars' },
    [...STARS].reverse().map((n) => {
      const c = Number(list[n - 1]) || 0;
      const pct = count ? Math.round((c / count) * 100) : 0;
      const fill = el('span', { class: 'bar-fill' });
      // Through the CSSOM, not a style attribute: allowed under any style-src policy.
      fill.style.width = `${pct}%`;
      return el('li', { class: 'star-bar', dataset: { stars: String(n), count: String(c) } },
        el('span', { class: 'star-bar-label', i18n: 'ratings.n_stars', args: { count: n } }),
        el('span', { class: 'bar', 'aria-hidden': 'true' }, fill),
        el('span', { class: 'star-bar-count', text: String(c) }));
    }));
}

function reviewItem(r) {
  const photos = Array.isArray(r.photos) ? r.photos : [];
  return el('li', { class: 'review-item', 'data-testid': 'review-item', dataset: { reviewId: r.id, rating: String(r.rating) } },
    el('p', { class: 'review-head' },
      starsEl(r.rating, 'review-stars'), ' ',
      el('strong', { class: 'reviewer', text: r.reviewer || '' }), ' ',
      timeEl(r.created_at)),
    r.sku_name ? el('p', { class: 'muted small' }, el('span', { i18n: 'ratings.sku' }), ' ', el('span', { text: r.sku_name })) : null,
    r.text ? el('p', { class: 'review-text pre-line', 'data-testid': 'review-text', text: r.text }) : null,
    photos.length
      ? el('ul', { class: 'review-thumbs' }, photos.map((p, i) => el('li', {},
        el('a', { href: p.url, target: '_blank', rel: 'noopener', 'data-i18n-aria-label': 'listing.photo_n', args: { n: i + 1 } },
          el('img', { src: p.thumb_url || p.url, alt: '', width: '72', height: '72', loading: 'lazy' })))))
      : null,
    // The seller's one public reply, under the review.
    r.reply ? el('p', { class: 'review-reply pre-line', 'data-testid': 'review-reply' },
      el('strong', { i18n: 'listing.seller_reply' }), ' ', el('span', { text: r.reply.text })) : null,
    reviewActions(r));
}

/** Asks for a text, then posts it; the reviews reload after a change that shows. */
async function reviewAction(button, key, path, field, done) {
  const text = window.prompt(t(key));
  if (!text || !text.trim()) return;
  setBusy(button, true);
  try {
    await api.post(path, { [field]: text });
    flash(t(done), 'success');
    await loadReviews();
  } catch (err) {
    flash(errorMessage(err), 'error');
  } finally {
    setBusy(button, false);
  }
}

// The listing's seller replies once; people report a review; the operator hides one.
function reviewActions(r) {
  const me = view.me;
  if (!me || !view.listing) return null;
  const role = me.account.platform_role;
  const path = (tail) => `/reviews/${seg(r.id)}/${tail}`;
  const button = (key, testid, onClick) => el('button', {
    type: 'button', class: 'btn btn-quiet btn-small', i18n: key, 'data-testid': testid,
    on: { click: (event) => onClick(event.currentTarget) },
  });
  return el('p', { class: 'actions review-actions' },
    isMember(me, view.listing) && !r.reply
      ? button('listing.reply', 'review-reply-button', (b) => reviewAction(b, 'listing.reply_prompt', path('reply'), 'text', 'listing.replied'))
      : null,
    !role
      ? button('listing.report', 'review-report-button', (b) => reviewAction(b, 'listing.report_prompt', path('reports'), 'text', 'listing.reported'))
      : null,
    role === 'operator'
      ? button('listing.hide_review', 'review-hide-button', (b) => reviewAction(b, 'listing.hide_prompt', path('hide'), 'text', 'listing.hidden_done'))
      : null);
}

async function loadReviews(more = false) {
  const listBox = $('#reviews-list');
  const moreButton = $('#reviews-more');
  if (!more) reviews.offset = 0;
  setBusy(moreButton, true);
  try {
    const page = await api.get(`/listings/${seg(id)}/reviews?limit=${REVIEWS_PAGE}&offset=${reviews.offset}`, { redirectOn401: false });
    const items = Array.isArray(page.items) ? page.items : [];
    const count = Number(page.count ?? page.total) || 0;
    reviews.total = Number(page.total ?? count) || 0;
    if (!more) {
      replaceChildren($('#reviews-summary'), count
        ? el('div', { class: 'reviews-summary' },
          el('p', { class: 'reviews-average' },
            el('strong', { class: 'average', 'data-testid': 'reviews-average', text: page.average === null || page.average === undefined ? '—' : Number(page.average).toFixed(1) }),
            ' ', starsEl(page.average), ' ',
            el('span', { class: 'muted', i18n: 'ratings.count', args: { count }, 'data-testid': 'reviews-count', dataset: { count: String(count) } })),
          distribution(page.stars, count))
        : null);
      replaceChildren(listBox, items.length
        ? el('ul', { class: 'list review-list' }, items.map(reviewItem))
        : note('muted', { i18n: 'ratings.none' }));
    } else if (items.length) {
      const list = listBox.querySelector('.review-list');
      if (list) list.append(...items.map(reviewItem));
    }
    reviews.offset += items.length;
    moreButton.hidden = reviews.offset >= reviews.total || !items.length;
    listBox.dataset.state = 'done';
  } catch {
    // The reviews are a courtesy: the listing stands without them.
    listBox.dataset.state = 'error';
    replaceChildren(listBox, note('muted', { i18n: 'ratings.unavailable' }));
    moreButton.hidden = true;
  } finally {
    setBusy(moreButton, false);
  }
}

$('#reviews-more').addEventListener('click', () => loadReviews(true));

function sellerCard(seller) {
  if (!seller) return null;
  return el('a', { class: 'seller-card', href: '/seller.html?id=' + encodeURIComponent(seller.id), 'data-testid': 'seller-card' },
    el('span', { class: 'seller-card-head' },
      el('strong', { class: 'seller-name', 'data-testid': 'seller-name', text: seller.name }),
      seller.verified ? el('span', { class: 'badge badge-verified', i18n: 'catalog.verified' }) : null),
    el('span', { class: 'tag', i18n: 'kind.' + seller.kind }),
    el('span', { class: 'muted seller-region', text: regionText(seller.region) }),
    el('span', { class: 'seller-more', i18n: 'listing.visit_seller' }));
}

function originEl(origin) {
  const parts = [origin.province, origin.city, origin.county, origin.township, origin.village].filter(Boolean);
  return el('span', { 'data-testid': 'listing-origin', text: parts.join(' › ') });
}

function breadcrumb(category) {
  const path = (category && Array.isArray(category.path) && category.path.length) ? category.path : (category ? [category] : []);
  const nodes = [];
  path.forEach((node, i) => {
    if (i) nodes.push(' › ');
    nodes.push(el('a', { href: '/search.html?category=' + encodeURIComponent(node.id) }, localName(node.name, node.name_en)));
  });
  return nodes;
}

function availabilityBanner(listing) {
  if (listing.availability === 'sold_out') {
    return el('div', { class: 'banner banner-sold-out', role: 'status', 'data-testid': 'sold-out-banner' },
      el('strong', { i18n: 'stock.out' }), ' ', el('span', { i18n: 'listing.sold_out_text' }));
  }
  if (listing.availability === 'hidden') {
    return el('div', { class: 'banner banner-hidden', role: 'status', 'data-testid': 'hidden-banner' },
      el('strong', { i18n: 'availability.hidden' }), ' ', el('span', { i18n: 'listing.hidden_text' }));
  }
  return null;
}

// ---- the seller's and the operator's view ----------------------------------------------------

function isMember(me, listing) {
  return Boolean(me && Array.isArray(me.memberships) && listing.seller
    && me.memberships.some((m) => m.org && m.org.id === listing.seller.id));
}

function isOperator(me) {
  return Boolean(me && me.account && me.account.platform_role === 'operator');
}

function revisionBlock(rev) {
  if (!rev) return null;
  return el('div', { class: 'revision', 'data-testid': 'pending-revision' },
    el('p', {},
      el('span', { class: `badge badge-${rev.kind}`, i18n: 'revision_kind.' + rev.kind }), ' ',
      el('span', { i18n: 'listing.revision_waiting' }), ' ',
      timeEl(rev.submitted_at)),
    facts([
      ['listing.f_title', el('span', { text: rev.title })],
      ['listing.f_origin', el('span', { text: regionText(rev.origin) })],
      ['listing.f_origin_note', rev.origin_note ? el('span', { text: rev.origin_note }) : null],
    ]));
}

function renderAdmin(listing, me) {
  const box = $('#admin-box');
  if (!('status' in listing) || !(isMember(me, listing) || isOperator(me))) {
    replaceChildren(box);
    return;
  }
  const reason = (listing.status === 'rejected' || listing.status === 'delisted') && listing.status_reason
    ? el('p', { class: 'reason', 'data-testid': 'listing-status-reason' },
      el('strong', { i18n: listing.status === 'delisted' ? 'listing.delist_reason' : 'listing.reject_reason' }), ' ',
      el('span', { text: listing.status_reason }))
    : null;
  const actions = el('div', { class: 'actions' });
  if (isMember(me, listing)) {
    actions.append(el('a', { class: 'btn btn-secondary', href: '/seller/edit.html?id=' + encodeURIComponent(listing.id), i18n: 'listing.edit', 'data-testid': 'listing-edit' }));
  }
  if (isOperator(me) && pendingRevision(listing)) {
    actions.append(el('a', { class: 'btn btn-secondary', href: '/ops/listings.html', i18n: 'listing.to_reviews' }));
  }
  replaceChildren(box, el('section', { class: 'card admin-card', 'aria-labelledby': 'admin-title', 'data-testid': 'listing-admin' },
    el('h2', { id: 'admin-title', i18n: 'listing.admin_title' }),
    el('p', { class: 'meta' },
      el('span', { class: 'muted', i18n: 'listing.status' }),
      badge('listing_status', listing.status, 'listing-status'),
      el('span', { class: 'muted', i18n: 'listing.availability' }),
      badge('availability', listing.availability, 'listing-availability')),
    reason,
    revisionBlock(pendingRevision(listing)),
    actions));
}

function renderOps(listing, me) {
  const box = $('#ops-box');
  // Forced delisting (非正常下架) applies to what is live or waiting; the server decides.
  if (!isOperator(me) || !['approved', 'pending'].includes(listing.status)) {
    replaceChildren(box);
    return;
  }
  const slot = el('div');
  const open = el('button', { type: 'button', class: 'btn btn-danger-quiet', i18n: 'listing.delist', 'data-testid': 'delist-open' });
  open.addEventListener('click', () => {
    const { form, focus } = reasonForm({
      id: 'delist-reason',
      labelKey: 'listing.delist_reason_label',
      hintKey: 'listing.delist_reason_hint',
      submitKey: 'listing.delist_confirm',
      testid: 'delist',
      onCancel: () => { replaceChildren(slot); open.hidden = false; open.focus(); },
      onSubmit: async (reason) => {
        const updated = await api.post(`/admin/listings/${seg(listing.id)}/delist`, { reason });
        flash(el('span', { i18n: 'listing.delisted', args: { title: listing.title } }), 'success');
        render({ ...listing, ...updated });
        $('#flash').scrollIntoView({ block: 'nearest' });
      },
    });
    open.hidden = true;
    replaceChildren(slot, form);
    focus();
  });
  replaceChildren(box, el('section', { class: 'card ops-card', 'aria-labelledby': 'ops-title', 'data-testid': 'listing-ops' },
    el('h2', { id: 'ops-title', i18n: 'listing.ops_title' }),
    el('p', { class: 'muted', i18n: 'listing.delist_intro' }),
    open,
    slot));
}

// ---- the page ------------------------------------------------------------------------------

function render(listing) {
  view.listing = listing;
  $('#loading').hidden = true;
  $('#missing').hidden = true;
  $('#listing').hidden = false;
  $('#listing').dataset.listingId = listing.id;
  $('#listing').dataset.availability = listing.availability || '';

  const title = document.querySelector('title');
  title.setAttribute('data-i18n', 'listing.doc_title_named');
  title.setAttribute('data-i18n-args', JSON.stringify({ title: listing.title }));
  translate(title);

  replaceChildren($('#availability-banner'), availabilityBanner(listing));
  gallery(listing);
  replaceChildren($('#listing-category'), breadcrumb(listing.category));
  $('#listing-title').textContent = listing.title;

  const skus = (Array.isArray(listing.skus) ? listing.skus : []).filter((s) => s.active !== false || 'status' in listing);
  const prices = new Set(skus.filter((s) => s.on_sale !== false).map((s) => s.price));
  const cheapest = skus.find((s) => s.price === listing.price_from) || skus[0];
  const hasPrice = listing.price_from !== null && listing.price_from !== undefined;
  replaceChildren($('[data-testid="listing-price-from"]'),
    hasPrice ? priceEl(listing.price_from, cheapest && cheapest.unit, 'price-from') : null,
    hasPrice && prices.size > 1 ? el('span', { class: 'muted from', i18n: 'listing.from' }) : null,
    listing.sales ? el('span', { class: 'muted sales', i18n: 'listing.sales', args: { n: listing.sales } }) : null,
    // The handling time its category promises (issue #18): the order's ship-by counts from payment.
    listing.ship_within_hours ? el('span', { class: 'muted ship-within', i18n: 'listing.ship_within', args: { h: listing.ship_within_hours }, 'data-testid': 'listing-ship-within' }) : null);

  const keep = view.sku && skus.find((s) => s.id === view.sku.id);
  const initial = keep || skus.find((s) => s.on_sale !== false && s.stock > 0) || skus[0];
  replaceChildren($('#sku-options'), skus.length
    ? skus.map((s) => skuOption(s, initial && s.id === initial.id))
    : note('empty', { i18n: 'listing.no_skus' }));
  if (initial) selectSku(initial);
  else {
    replaceChildren($('#selected-sku'));
    replaceChildren($('#tiers'));
  }

  const origin = listing.origin || {};
  replaceChildren($('#listing-facts'), facts([
    ['listing.f_origin', originEl(origin), 'fact-origin'],
    ['listing.f_origin_note', listing.origin_note ? el('span', { text: listing.origin_note }) : null, 'fact-origin-note'],
    ['listing.f_season', listing.season ? el('span', { text: listing.season }) : null, 'fact-season'],
    ['listing.f_storage', listing.storage ? el('span', { text: listing.storage }) : null, 'fact-storage'],
    ['listing.f_shelf_life', listing.shelf_life_days ? el('span', { i18n: 'listing.days', args: { count: listing.shelf_life_days } }) : null, 'fact-shelf-life'],
    ['listing.f_category', listing.category ? el('span', {}, breadcrumb(listing.category)) : null],
    ['listing.f_updated', listing.updated_at ? timeEl(listing.updated_at) : null],
  ]));

  // Plain text: the line breaks the seller typed stay (CSS pre-line), markup shows as typed.
  const description = $('#listing-description');
  if (listing.description && listing.description.trim()) {
    description.textContent = listing.description;
    description.classList.remove('muted');
  } else {
    replaceChildren(description, el('span', { class: 'muted', i18n: 'listing.no_description' }));
  }

  replaceChildren($('#listing-seller'), sellerCard(listing.seller),
    // A question for the seller (咨询): anyone but its own members and the platform's staff.
    listing.seller && !isMember(view.me, listing) && !(view.me && view.me.account.platform_role)
      ? el('a', { class: 'btn btn-secondary btn-small', href: '/conversation.html?listing=' + encodeURIComponent(listing.id), i18n: 'conv.contact_seller', 'data-testid': 'contact-seller' })
      : null,
    // Who grew or made it, when not the seller (the platform's own store names its producer).
    listing.producer
      ? el('p', { class: 'producer-line', 'data-testid': 'listing-producer' },
        el('span', { class: 'muted', i18n: 'listing.producer' }), ' ',
        el('a', { href: '/seller.html?id=' + encodeURIComponent(listing.producer.id), text: listing.producer.name }),
        ' ', el('span', { class: 'tag', i18n: 'kind.' + listing.producer.kind }))
      : null);
  // 信用 (#20): the seller's credit line; the page works without it.
  if (listing.seller) showCredit($('#listing-credit'), listing.seller.id);
  renderAdmin(listing, view.me);
  renderOps(listing, view.me);
  // 联系客服: a ticket about this listing (platform staff answer tickets, they do not open them).
  const support = $('#listing-support');
  support.href = '/tickets.html?kind=misleading_listing&link_kind=listing&link_id=' + encodeURIComponent(listing.id);
  support.hidden = Boolean(!view.me || (view.me.account && view.me.account.platform_role) || isMember(view.me, listing));
}

// The share card (og: tags; inside WeChat, when offered, the JS-SDK's share data): the
// title, the price and origin, the first photo, and this listing's plain address.
function shareListing(listing) {
  const images = Array.isArray(listing.images) ? listing.images : [];
  const origin = listing.origin || {};
  const place = [origin.province, origin.city, origin.county].filter(Boolean).join('');
  const price = listing.price_from !== null && listing.price_from !== undefined ? formatFen(listing.price_from) : '';
  shareCard({
    title: listing.title,
    description: [price, place, listing.seller && listing.seller.name].filter(Boolean).join(' · '),
    link: '/listing.html?id=' + encodeURIComponent(listing.id),
    image: images[0] ? images[0].url : '',
  });
}

const [shell, loaded] = await Promise.all([initShell({ auth: 'optional' }), loadListing()]);
view.me = shell.me;
if (loaded.listing) {
  render(loaded.listing);
  shareListing(loaded.listing);
  rememberViewed(loaded.listing);
  refreshTotal();
  loadFavourite();
  loadReviews();
}
else if (loaded.missing) showMissing();
else {
  showLoadError(loaded.error);
  // The shell may already have said the server is unreachable; otherwise say it here.
  if (!shell.error || shell.error.status === 401) flash(errorMessage(loaded.error), 'error');
}
