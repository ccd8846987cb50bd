// Catalogue pieces the shop pages share: money in fen, units, stock states, the category tree,
// the search engine's highlighted titles, product cards. Nothing here touches the page when it
// is imported, so the pure functions can be checked without a browser.

import { api, viewer } from './api.js';
import { getLang, onLangChange, t } from './i18n.js';
import { charCount, clearErrors, el, setBusy, showErrors, validationError } from './ui.js';

export const UNITS = ['jin', 'kg', 'box', 'bag', 'piece'];
export const SELLING_KINDS = ['cooperative', 'family_farm', 'specialised_household', 'agri_enterprise', 'platform_store'];
export const PRICE_MAX_FEN = 100_000_000;
/** At or below this many units left, a SKU shows "only N left". */
export const LOW_STOCK = 10;

// ---- money ---------------------------------------------------------------------------------

/** `¥12.30` from integer fen; integer arithmetic only, so 0.1 + 0.2 never shows. */
export function formatFen(fen) {
  if (fen === null || fen === undefined || fen === '') return '—';
  const n = Number(fen);
  if (!Number.isFinite(n)) return '—';
  const abs = Math.round(Math.abs(n));
  return `${n < 0 ? '-' : ''}¥${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** A weight in grams as people read it: `850 g`, `1.5 kg`, `3 kg`; null for nothing. */
export function formatGrams(g) {
  const n = Number(g);
  if (!g || !Number.isFinite(n)) return null;
  // Up to three decimals, trailing zeros dropped: 1.45 kg, 1.5 kg, 10 kg.
  return n >= 1000 ? `${Number((n / 1000).toFixed(3))} kg` : `${n} g`;
}

/** `12.30` for an input that takes yuan; '' for nothing. */
export function fenToYuan(fen) {
  if (fen === null || fen === undefined || fen === '') return '';
  const n = Math.round(Number(fen));
  if (!Number.isFinite(n)) return '';
  return `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
}

/**
 * Yuan as people type it (`12`, `12.3`, `¥12.30`, full-width `１２．５` from a Chinese
 * keyboard) to integer fen. null for an empty input, NaN for anything that is not an amount
 * with at most two decimals.
 */
export function parseYuan(raw) {
  let s = String(raw ?? '')
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFF10 + 48))
    .replace(/[．。]/g, '.')
    .replace(/\s+/g, '');
  s = s.replace(/^[¥￥]/, '').replace(/元$/, '');
  if (s === '') return null;
  const m = /^(\d{0,9})(?:\.(\d{0,2}))?$/.exec(s);
  if (!m || (m[1] === '' && !m[2])) return Number.NaN;
  return Number(m[1] || '0') * 100 + Number((m[2] || '').padEnd(2, '0'));
}

/** A whole number typed with either keyboard; null for empty, NaN when not an integer. */
export function parseInteger(raw) {
  const s = String(raw ?? '')
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFF10 + 48))
    .replace(/\s+/g, '');
  if (s === '') return null;
  return /^\d{1,10}$/.test(s) ? Number(s) : Number.NaN;
}

/** GS1 mod-10 check digit over 8, 12, 13 or 14 digits (the server stores 14). */
export function gtinValid(raw) {
  const digits = String(raw || '').replace(/[\s-]/g, '');
  if (![8, 12, 13, 14].includes(digits.length) || !/^\d+$/.test(digits)) return false;
  const values = digits.padStart(14, '0').split('').map(Number);
  const check = values.pop();
  let sum = 0;
  values.reverse().forEach((d, i) => { sum += i % 2 === 0 ? d * 3 : d; });
  return (10 - (sum % 10)) % 10 === check;
}

// ---- the search engine's highlighted titles ---------------------------------------------------

const ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** The five entities the server escapes, undone in one pass (`&amp;lt;` stays `&lt;`). */
export function unescapeEntities(s) {
  return String(s).replace(/&(?:amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m]);
}

/**
 * `烟台红富士<mark>苹果</mark>` as [{text, mark}] segments. The server escapes everything but
 * its own <mark> tags; we never hand the string to an HTML parser, so even a server mistake
 * shows as text rather than becoming markup.
 */
export function parseHighlight(html) {
  const segments = [];
  let marked = false;
  for (const part of String(html ?? '').split(/(<mark>|<\/mark>)/)) {
    if (part === '<mark>') marked = true;
    else if (part === '</mark>') marked = false;
    else if (part) segments.push({ text: unescapeEntities(part), mark: marked });
  }
  return segments;
}

/** Text nodes and <mark> elements for a highlighted title; the plain title when there is none. */
export function highlighted(html, fallback) {
  if (typeof html !== 'string' || !html) return [document.createTextNode(fallback || '')];
  return parseHighlight(html).map((s) => (s.mark ? el('mark', { text: s.text }) : document.createTextNode(s.text)));
}

// ---- names that come in both languages (categories) ------------------------------------------

/** A name the server gives in Chinese and English; follows the language switch. */
export function localName(zh, en) {
  const span = el('span', { class: 'l10n' });
  span.dataset.zh = zh || en || '';
  span.dataset.en = en || zh || '';
  span.textContent = getLang() === 'en' ? span.dataset.en : span.dataset.zh;
  return span;
}

/** The same for an <option>, which can hold text only. */
export function localOption(value, zh, en, props = {}) {
  const option = el('option', { value, class: 'l10n', ...props });
  option.dataset.zh = zh || en || '';
  option.dataset.en = en || zh || '';
  option.textContent = getLang() === 'en' ? option.dataset.en : option.dataset.zh;
  return option;
}

onLangChange((lang) => {
  for (const node of document.querySelectorAll('.l10n')) {
    node.textContent = lang === 'en' ? node.dataset.en : node.dataset.zh;
  }
});

// ---- categories ----------------------------------------------------------------------------

let categoriesPromise = null;

/** The category tree, fetched once per page: { roots, byId, path(id) }. */
export function loadCategories() {
  if (!categoriesPromise) {
    categoriesPromise = api.get('/categories', { redirectOn401: false })
      .then((tree) => indexCategories(Array.isArray(tree) ? tree : []))
      .catch((err) => {
        categoriesPromise = null;
        throw err;
      });
  }
  return categoriesPromise;
}

export function indexCategories(tree) {
  const byId = new Map();
  const visit = (node, parent) => {
    byId.set(node.id, { cat: node, parent });
    for (const child of node.children || []) visit(child, node);
  };
  const roots = tree.filter((c) => c.active !== false)
    .sort((a, b) => (a.sort_order ?? 0) - (b.sort_order ?? 0));
  for (const root of tree) visit(root, null);
  const path = (id) => {
    const out = [];
    let entry = byId.get(id);
    while (entry) {
      out.unshift(entry.cat);
      entry = entry.parent ? byId.get(entry.parent.id) : null;
    }
    return out;
  };
  return { roots, byId, path };
}

/** `水果 › 柑橘橙柚` from a list of {name, name_en}. */
export function pathEl(nodes) {
  const span = el('span', { class: 'category-path' });
  nodes.forEach((node, i) => {
    if (i) span.append(' › ');
    span.append(localName(node.name, node.name_en));
  });
  return span;
}

/** Active children, in their order. */
export function childrenOf(cat) {
  return (cat.children || []).filter((c) => c.active !== false)
    .sort((a, b) => (a.sort_order ?? 0) - (b.sort_order ?? 0));
}

// ---- small views ---------------------------------------------------------------------------

/** A unit's word (`箱`), or with `count` the quantity and its word (`2 箱`, `2 boxes`). */
export function unitEl(unit, count) {
  const u = UNITS.includes(unit) ? unit : 'piece';
  // With its number: the word agrees with it in English (1 box, 2 boxes); Chinese has one form.
  if (Number.isFinite(count)) return el('span', { i18n: 'units.' + u, args: { count } });
  return el('span', { i18n: 'unit.' + u });
}

/** `¥39.90/箱` */
export function priceEl(fen, unit, testid) {
  return el('span', { class: 'price', 'data-testid': testid, dataset: { fen: String(fen) } },
    el('strong', { class: 'price-amount', text: formatFen(fen) }),
    unit ? el('span', { class: 'price-unit' }, '/', unitEl(unit)) : null);
}

/** in | low | out | inactive */
export function stockState(sku) {
  if (sku.active === false) return 'inactive';
  if (!(sku.stock > 0) || sku.on_sale === false) return 'out';
  if (sku.stock <= LOW_STOCK) return 'low';
  return 'in';
}

export function stockEl(sku, testid) {
  const state = stockState(sku);
  return el('span', {
    class: `stock stock-${state}`,
    i18n: 'stock.' + state,
    args: state === 'low' ? { n: sku.stock } : undefined,
    'data-testid': testid,
    dataset: { state },
  });
}

export function verifiedBadge(testid) {
  return el('span', { class: 'badge badge-verified badge-small', i18n: 'catalog.verified_short', 'data-testid': testid });
}

/** A stand-in picture: the first character of the title on a field-coloured tile. */
export function placeholderPicture(title, className = 'picture-placeholder') {
  const first = Array.from(String(title || '').trim())[0] || '';
  return el('span', { class: className, 'aria-hidden': 'true', text: first });
}

/**
 * A product card for a SearchHit. Titles and names are user text: they go in as text nodes,
 * the highlight only as the <mark> elements parsed above.
 */
export function productCard(hit, options = {}) {
  const href = '/listing.html?id=' + encodeURIComponent(hit.id);
  const seller = hit.seller || {};
  const picture = hit.thumb_url
    ? el('img', { src: hit.thumb_url, alt: '', loading: 'lazy', decoding: 'async', width: '320', height: '320' })
    : placeholderPicture(hit.title);
  return el('li', {
    class: 'product-card' + (hit.in_stock === false ? ' is-sold-out' : ''),
    'data-testid': 'product-card',
    dataset: {
      listingId: hit.id,
      township: hit.township || '',
      sellerKind: seller.kind || '',
      sellerId: seller.id || '',
      inStock: String(hit.in_stock !== false),
    },
  },
  el('a', { class: 'product-link', href },
    el('span', { class: 'product-thumb' }, picture,
      hit.in_stock === false ? el('span', { class: 'sold-out-tag', i18n: 'stock.out' }) : null),
    el('h3', { class: 'product-title', 'data-testid': 'product-title' },
      options.highlight === false ? hit.title : highlighted(hit.title_highlight, hit.title))),
  el('p', { class: 'product-price' }, priceEl(hit.price_from, hit.unit, 'product-price')),
  el('p', { class: 'product-deal' },
    el('span', { class: 'ship-tag', 'data-testid': 'product-shipping', dataset: { fen: String(hit.price_from) }, hidden: true }),
    el('span', { class: 'tier-tag', 'data-testid': 'product-wholesale', hidden: true }),
    Number(hit.sales) > 0
      ? el('span', { class: 'product-sales', 'data-testid': 'product-sales', dataset: { sales: String(hit.sales) }, i18n: 'catalog.sold', args: { count: Number(hit.sales) } })
      : null),
  el('p', { class: 'product-seller', 'data-testid': 'product-seller' },
    el('span', { class: 'product-seller-name', text: seller.name || '' }),
    seller.verified === false ? null : verifiedBadge()),
  hit.township
    ? el('p', { class: 'product-origin', 'data-testid': 'product-township' },
      el('span', { class: 'visually-hidden', i18n: 'catalog.origin' }), hit.township)
    : null);
}

// ---- shipping on cards: 包邮 / 满 ¥X 包邮, from the server's terms (never a copy) -------------

let termsPromise = null;
let terms = null;

/** The viewer's shipping terms (`GET /shipping/terms`), asked once a page; null when unknown. */
export function loadShippingTerms() {
  if (!termsPromise) {
    termsPromise = api.get('/shipping/terms', { redirectOn401: false })
      .then((answer) => { terms = answer && Number.isFinite(answer.free_from) ? answer : null; return terms; })
      .catch(() => null);
  }
  return termsPromise;
}

/** Fills a card's shipping tag: 包邮 when one box already reaches the threshold. */
function fillShipTag(tag) {
  if (!terms) return;
  const price = Number(tag.dataset.fen);
  const free = Number.isFinite(price) && price >= terms.free_from;
  tag.dataset.free = String(free);
  tag.replaceChildren(free
    ? el('span', { i18n: 'catalog.free_shipping' })
    : el('span', { i18n: 'catalog.free_over', args: { amount: terms.free_from % 100 ? formatFen(terms.free_from) : `¥${terms.free_from / 100}` } }));
  tag.hidden = false;
}

// ---- wholesale on cards: a verified business buyer sees each listing's cheapest tier ---------

/** Whether the person logged in buys for a verified business (and so is shown tier prices). */
export function buysWholesale(me) {
  return Boolean(me && Array.isArray(me.memberships)
    && me.memberships.some((m) => m.org && m.org.kind === 'business_buyer' && m.org.status === 'verified'));
}

/** The most listings one `GET /wholesale-prices` names (the server's limit). */
const WHOLESALE_MAX = 60;

/** Shows `批发价 ¥40.00/箱 ≥20 箱` on the cards of `grid` whose listings have tiers. */
async function fillWholesaleTags(grid) {
  if (!buysWholesale(await viewer)) return;
  const cards = [...grid.querySelectorAll('[data-testid="product-card"]')];
  const ids = [...new Set(cards.map((c) => c.dataset.listingId))].slice(0, WHOLESALE_MAX);
  if (!ids.length) return;
  let answer = null;
  try {
    answer = await api.get('/wholesale-prices?listings=' + ids.map(encodeURIComponent).join(','), { redirectOn401: false });
  } catch {
    return; // Retail prices stay; the listing page shows the tiers.
  }
  const byListing = new Map(((answer && answer.prices) || []).map((p) => [p.listing_id, p]));
  for (const card of cards) {
    const price = byListing.get(card.dataset.listingId);
    const tag = card.querySelector('.tier-tag');
    if (!price || !tag) continue;
    tag.dataset.fen = String(price.price);
    tag.dataset.min = String(price.min_quantity);
    tag.replaceChildren(el('span', { i18n: 'catalog.wholesale' }), ' ',
      priceEl(price.price, price.unit), ' ≥', unitEl(price.unit, price.min_quantity));
    tag.hidden = false;
  }
}

/** A grid of product cards, or null for none. */
export function productGrid(hits, options) {
  if (!hits || !hits.length) return null;
  const grid = el('ul', { class: 'product-grid', 'data-testid': 'product-grid' }, hits.map((h) => productCard(h, options)));
  fillWholesaleTags(grid);
  if (terms) {
    for (const tag of grid.querySelectorAll('.ship-tag')) fillShipTag(tag);
  } else {
    loadShippingTerms().then(() => { for (const tag of grid.querySelectorAll('.ship-tag')) fillShipTag(tag); });
  }
  return grid;
}

/** The organisations of mine that sell (every kind but the business buyer). */
export function sellingMemberships(me) {
  const list = (me && Array.isArray(me.memberships)) ? me.memberships : [];
  return list.filter((m) => m.org && m.org.kind !== 'business_buyer');
}

/**
 * The revision waiting for the operator, if any. The contract names it `pending_revision`;
 * the server may also send the latest revision as `revision` (pending or decided).
 */
export function pendingRevision(listing) {
  if (!listing) return null;
  if (listing.pending_revision) return listing.pending_revision;
  const rev = listing.revision;
  return rev && (rev.status || 'pending') === 'pending' ? rev : null;
}

/** The last decided revision when it was a refused change (its reason is for the seller). */
export function refusedChange(listing) {
  const rev = listing && listing.revision;
  return rev && rev.kind === 'change' && rev.status === 'rejected' ? rev : null;
}

/** The listing page of an id. */
export function listingHref(id) {
  return '/listing.html?id=' + encodeURIComponent(id);
}

// ---- a reason the other side will read (reject, forced delisting) ---------------------------

export const REASON_MIN = 2;
export const REASON_MAX = 500;

/**
 * A small form asking for a reason of 2–500 characters, checked before sending.
 * `onSubmit(reason)` does the request; a failure shows next to the text box.
 */
export function reasonForm({ id, labelKey, hintKey, submitKey, testid, onSubmit, onCancel }) {
  const counter = el('span', { class: 'counter', 'aria-live': 'off' });
  const textarea = el('textarea', {
    id,
    name: 'reason',
    rows: '3',
    required: true,
    maxlength: String(REASON_MAX * 2),
    'aria-describedby': `${id}-hint ${id}-error`,
    'data-testid': `${testid}-reason`,
  });
  const updateCounter = () => { counter.textContent = `${charCount(textarea.value.trim())} / ${REASON_MAX}`; };
  textarea.addEventListener('input', updateCounter);
  updateCounter();
  const submit = el('button', { type: 'submit', class: 'btn btn-danger', i18n: submitKey, 'data-testid': `${testid}-confirm` });
  const cancel = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel', 'data-testid': `${testid}-cancel` });
  const form = el('form', { class: 'subform reason-form', method: 'post', action: '#', novalidate: true, 'data-testid': `${testid}-form` },
    el('p', { class: 'form-error', 'data-form-error': '', role: 'alert', hidden: true }),
    el('div', { class: 'field' },
      el('label', { for: id, i18n: labelKey }),
      textarea,
      el('p', { class: 'hint', id: `${id}-hint` }, el('span', { i18n: hintKey }), ' ', counter),
      el('p', { class: 'field-error', id: `${id}-error`, 'data-error-for': 'reason', hidden: true })),
    el('div', { class: 'actions' }, submit, cancel));
  cancel.addEventListener('click', () => onCancel && onCancel());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const reason = textarea.value.trim();
    const n = charCount(reason);
    if (n < REASON_MIN || n > REASON_MAX) {
      showErrors(form, validationError({ reason: t('catalog.reason_length', { min: REASON_MIN, max: REASON_MAX }) }));
      return;
    }
    setBusy(submit, true);
    try {
      await onSubmit(reason);
    } catch (err) {
      showErrors(form, err);
    } finally {
      setBusy(submit, false);
    }
  });
  return { form, focus: () => textarea.focus() };
}

// ---- recently viewed (最近浏览): kept in this browser only, never sent anywhere -------------------

const RECENT_KEY = 'fg_recent_v1';
export const RECENT_MAX = 20;

/** The listings this browser opened, newest first: `{ id, title, image, price, unit, at }`. */
export function recentlyViewed() {
  try {
    const list = JSON.parse(localStorage.getItem(RECENT_KEY) || '[]');
    return Array.isArray(list) ? list.filter((x) => x && typeof x.id === 'string').slice(0, RECENT_MAX) : [];
  } catch {
    return [];
  }
}

/** Remembers a listing as just viewed (once, at the front; the oldest beyond 20 drop off). */
export function rememberViewed(listing) {
  if (!listing || !listing.id) return;
  const image = Array.isArray(listing.images) && listing.images[0] ? listing.images[0].thumb_url || null : null;
  const entry = { id: listing.id, title: String(listing.title || '').slice(0, 100), image, price: listing.price_from ?? null, unit: (listing.skus && listing.skus[0] && listing.skus[0].unit) || null, at: Date.now() };
  try {
    const rest = recentlyViewed().filter((x) => x.id !== listing.id);
    localStorage.setItem(RECENT_KEY, JSON.stringify([entry, ...rest].slice(0, RECENT_MAX)));
  } catch {
    // Private mode or a full store: nothing is remembered, nothing breaks.
  }
}

/** Forgets everything viewed in this browser. */
export function forgetViewed() {
  try {
    localStorage.removeItem(RECENT_KEY);
  } catch {
    // nothing to do
  }
}
