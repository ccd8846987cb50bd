// Search: keyword (Chinese, pinyin or initials), filters in a panel that suits a phone, sort,
// paging. Everything the visitor chose lives in the address, so the back button, a reload and
// a shared link all show the same results.

import { api, query } from '../api.js';
import {
  PRICE_MAX_FEN, SELLING_KINDS, fenToYuan, formatFen, loadCategories, parseYuan, pathEl, productGrid,
} from '../catalog.js';
import { t, translate } from '../i18n.js';
import { initShell } from '../shell.js';
import { enhanceSearchBoxes } from '../suggest.js';
import {
  $, clearErrors, el, errorMessage, note, replaceChildren, showErrors, validationError,
} from '../ui.js';

const PER_PAGE = 20;
const SORTS = ['relevance', 'price_asc', 'price_desc', 'newest', 'sales'];
const FACETS = ['category', 'township', 'seller_kind'];
// Search words to offer when nothing matched; the label follows the language, the word does not.
const SUGGESTIONS = [
  ['苹果', 'search.sugg_apple'],
  ['pingguo', 'search.sugg_pinyin'],
  ['土豆', 'search.sugg_potato'],
  ['脐橙', 'search.sugg_orange'],
  ['大米', 'search.sugg_rice'],
  ['鸡蛋', 'search.sugg_eggs'],
];

const searchForm = $('#search-form');
const panel = $('#filter-panel');
const toggle = $('#filter-toggle');
const results = $('#results');
const count = $('#results-count');
const took = $('#took');
const queryNotes = $('#query-notes');
const pager = $('#pager');
const sortSelect = $('#sort');

let state = readUrl();
let index = null;
let seq = 0;

// ---- the address is the state --------------------------------------------------------------

function readUrl() {
  const p = new URLSearchParams(location.search);
  const fen = (name) => {
    const v = p.get(name);
    return v && /^\d{1,10}$/.test(v) ? Number(v) : null;
  };
  const page = Number.parseInt(p.get('page') || '1', 10);
  return {
    q: (p.get('q') || '').trim(),
    category: p.get('category') || '',
    township: p.get('township') || '',
    seller_kind: p.get('seller_kind') || '',
    price_min: fen('price_min'),
    price_max: fen('price_max'),
    // On unless the address says otherwise: most people want what they can buy today.
    in_stock: !['false', '0'].includes(p.get('in_stock')),
    sort: SORTS.includes(p.get('sort')) && p.get('sort') !== 'relevance' ? p.get('sort') : '',
    page: Number.isFinite(page) && page > 1 ? page : 1,
  };
}

function urlFor(s) {
  return location.pathname + query({
    q: s.q,
    category: s.category,
    township: s.township,
    seller_kind: s.seller_kind,
    price_min: s.price_min,
    price_max: s.price_max,
    in_stock: s.in_stock ? '' : 'false',
    sort: s.sort,
    page: s.page > 1 ? s.page : '',
  });
}

function apiPath(s) {
  return '/search' + query({
    q: s.q,
    category: s.category,
    township: s.township,
    seller_kind: s.seller_kind,
    price_min: s.price_min,
    price_max: s.price_max,
    // Said either way: the server's default may not be this page's.
    in_stock: s.in_stock ? 'true' : 'false',
    sort: s.sort,
    page: s.page,
    per_page: PER_PAGE,
  });
}

function navigate(next) {
  state = next;
  const url = urlFor(state);
  if (url !== location.pathname + location.search) history.pushState(null, '', url);
  syncForms();
  return load();
}

function activeFilterCount(s) {
  return FACETS.filter((f) => s[f]).length
    + (s.price_min !== null || s.price_max !== null ? 1 : 0)
    + (s.in_stock ? 0 : 1);
}

function syncForms() {
  searchForm.elements.namedItem('q').value = state.q;
  sortSelect.value = state.sort || 'relevance';
  panel.elements.namedItem('price_min').value = fenToYuan(state.price_min);
  panel.elements.namedItem('price_max').value = fenToYuan(state.price_max);
  panel.elements.namedItem('in_stock').checked = state.in_stock;
  const n = activeFilterCount(state);
  const badge = $('#filter-count');
  badge.hidden = n === 0;
  badge.textContent = String(n);
  const title = document.querySelector('title');
  if (state.q) {
    title.setAttribute('data-i18n', 'search.doc_title_q');
    title.setAttribute('data-i18n-args', JSON.stringify({ q: state.q }));
  } else {
    title.setAttribute('data-i18n', 'search.doc_title');
    title.removeAttribute('data-i18n-args');
  }
  translate(title);
}

// ---- loading and showing results ---------------------------------------------------------------

async function load() {
  const mine = ++seq;
  results.dataset.state = 'loading';
  results.setAttribute('aria-busy', 'true');
  clearErrors(searchForm);
  renderActiveFilters();
  let result;
  try {
    [result, index] = await Promise.all([
      api.get(apiPath(state), { redirectOn401: false }),
      loadCategories().catch(() => index),
    ]);
  } catch (err) {
    if (mine !== seq) return;
    showFailure(err);
    return;
  }
  if (mine !== seq) return;
  render(result || {});
}

function showFailure(err) {
  results.removeAttribute('aria-busy');
  results.dataset.state = 'error';
  replaceChildren(count);
  replaceChildren(took);
  pager.hidden = true;
  if (err.fields && err.fields.q) {
    // The keyword itself was refused (too long): say so next to the box.
    showErrors(searchForm, err);
    replaceChildren(results);
    return;
  }
  if (err.fields && err.fields.page && state.page > 1) {
    // A page beyond what the engine pages through: the same way out as an empty page.
    const first = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'search.first_page', 'data-testid': 'first-page' });
    first.addEventListener('click', () => navigate({ ...state, page: 1 }));
    replaceChildren(results, el('div', { class: 'empty-state', 'data-testid': 'empty-state' },
      note('empty', { i18n: 'search.past_end' }), first));
    results.dataset.url = urlFor(state);
    results.dataset.state = 'done';
    return;
  }
  const retry = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.retry', 'data-testid': 'retry' });
  retry.addEventListener('click', () => load());
  replaceChildren(results, el('div', { class: 'empty-state' }, note('error', errorMessage(err)), retry));
}

function render(result) {
  const hits = Array.isArray(result.hits) ? result.hits : [];
  const total = Number(result.total) || 0;
  const perPage = Number(result.per_page) || PER_PAGE;
  const pages = Math.max(1, Math.ceil(total / perPage));

  replaceChildren(count, el('span', { i18n: 'search.count', args: { n: total } }));
  count.dataset.total = String(total);
  if (Number.isFinite(result.took_ms)) {
    replaceChildren(took, el('span', { i18n: 'search.took', args: { ms: result.took_ms } }));
  } else {
    replaceChildren(took);
  }

  renderQueryNotes(result);
  if (hits.length) {
    replaceChildren(results, productGrid(hits));
  } else if (total > 0) {
    // A page past the end (an old link, or the list shrank): offer the first page.
    const first = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'search.first_page', 'data-testid': 'first-page' });
    first.addEventListener('click', () => navigate({ ...state, page: 1 }));
    replaceChildren(results, el('div', { class: 'empty-state', 'data-testid': 'empty-state' },
      note('empty', { i18n: 'search.past_end' }), first));
  } else {
    replaceChildren(results, emptyState());
  }

  pager.hidden = pages <= 1 && state.page <= 1;
  $('#page-prev').disabled = state.page <= 1;
  $('#page-next').disabled = state.page >= pages;
  replaceChildren($('#page-info'), el('span', { i18n: 'search.page_info', args: { page: state.page, pages } }));

  renderFacets(result.facets || {});
  renderActiveFilters();
  results.removeAttribute('aria-busy');
  results.dataset.url = urlFor(state);
  results.dataset.state = 'done';
}

// What the engine did with the words: dropped some (no listing had them all), or a "did you
// mean" when the words as typed found nothing.
function renderQueryNotes(result) {
  const dropped = Array.isArray(result.dropped_words) ? result.dropped_words : [];
  const kept = Array.isArray(result.kept_words) ? result.kept_words : [];
  const parts = [];
  if (dropped.length && kept.length) {
    parts.push(el('span', {
      i18n: 'search.relaxed', 'data-testid': 'relaxed',
      args: { all: [...kept, ...dropped].join(' '), kept: kept.join(' ') },
    }));
  }
  if (typeof result.suggestion === 'string' && result.suggestion) {
    const link = el('a', { href: urlFor({ ...state, q: result.suggestion, page: 1 }), 'data-testid': 'suggestion' }, result.suggestion);
    link.addEventListener('click', (e) => {
      e.preventDefault();
      navigate({ ...state, q: result.suggestion, page: 1 });
    });
    parts.push(el('span', {}, el('span', { i18n: 'search.did_you_mean' }), link));
  }
  queryNotes.hidden = parts.length === 0;
  replaceChildren(queryNotes, ...parts);
}

function emptyState() {
  const filtered = activeFilterCount(state) > 0;
  const box = el('div', { class: 'empty-state', 'data-testid': 'empty-state' },
    el('p', { class: 'empty-title' },
      state.q
        ? el('span', { i18n: 'search.empty_q', args: { q: state.q } })
        : el('span', { i18n: 'search.empty' })),
    el('ul', { class: 'tips' },
      el('li', { i18n: 'search.tip_words' }),
      el('li', { i18n: 'search.tip_pinyin' }),
      filtered ? el('li', { i18n: 'search.tip_filters' }) : null));
  if (filtered) {
    const clearAll = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'search.reset', 'data-testid': 'empty-reset' });
    clearAll.addEventListener('click', () => navigate(withoutFilters(state)));
    box.append(clearAll);
  }
  box.append(
    el('p', { class: 'muted', i18n: 'search.try' }),
    el('ul', { class: 'suggestions' }, SUGGESTIONS.map(([word, key]) =>
      el('li', {}, el('a', { class: 'chip chip-link', href: '/search.html' + query({ q: word }), i18n: key, 'data-testid': 'suggestion' })))));
  return box;
}

// ---- filters -------------------------------------------------------------------------------

function categoryLabel(id) {
  if (index && index.byId.has(id)) return pathEl(index.path(id).slice(-2));
  return el('span', { i18n: 'search.unknown_category' });
}

function facetLabel(name, value) {
  if (name === 'category') return categoryLabel(value);
  if (name === 'seller_kind') return el('span', { i18n: SELLING_KINDS.includes(value) || value === 'business_buyer' ? 'kind.' + value : 'search.unknown_kind' });
  return el('span', { text: value });
}

function renderFacets(facets) {
  for (const name of FACETS) {
    const counts = facets[name] || {};
    const entries = Object.entries(counts).filter(([, n]) => Number(n) > 0).sort((a, b) => b[1] - a[1]);
    const current = state[name];
    if (current && !entries.some(([v]) => v === current)) entries.unshift([current, null]);
    const testid = 'facet-' + name.replace('_', '-');
    const chips = [['', null]].concat(entries).map(([value, n]) =>
      el('label', { class: 'chip', 'data-testid': testid, dataset: { value } },
        el('input', { type: 'radio', name, value, checked: current === value }),
        value ? facetLabel(name, value) : el('span', { i18n: 'search.any' }),
        n !== null && value ? el('span', { class: 'chip-count', text: String(n) }) : null));
    replaceChildren($('#facet-' + name), chips);
  }
}

function withoutFilters(s) {
  return { ...s, category: '', township: '', seller_kind: '', price_min: null, price_max: null, in_stock: true, page: 1 };
}

function priceChipText(s) {
  if (s.price_min !== null && s.price_max !== null) return `${formatFen(s.price_min)}–${formatFen(s.price_max)}`;
  if (s.price_min !== null) return `≥ ${formatFen(s.price_min)}`;
  return `≤ ${formatFen(s.price_max)}`;
}

function renderActiveFilters() {
  const box = $('#active-filters');
  const chips = [];
  const remove = (label, change, key) => {
    const button = el('button', { type: 'button', class: 'chip chip-remove', 'data-testid': 'active-filter', dataset: { filter: key } },
      el('span', { class: 'visually-hidden', i18n: 'search.remove_filter' }),
      label,
      el('span', { class: 'chip-x', 'aria-hidden': 'true', text: '×' }));
    button.addEventListener('click', () => navigate({ ...state, ...change, page: 1 }));
    chips.push(button);
  };
  for (const name of FACETS) {
    if (state[name]) remove(facetLabel(name, state[name]), { [name]: '' }, name);
  }
  if (state.price_min !== null || state.price_max !== null) {
    remove(el('span', { text: priceChipText(state) }), { price_min: null, price_max: null }, 'price');
  }
  if (!state.in_stock) remove(el('span', { i18n: 'search.incl_sold_out' }), { in_stock: true }, 'in_stock');
  replaceChildren(box, chips);
}

function openPanel(open) {
  panel.hidden = !open;
  toggle.setAttribute('aria-expanded', String(open));
  if (open) {
    clearErrors(panel);
    syncForms();
    renderFacetsFromState();
    $('#filter-title').setAttribute('tabindex', '-1');
    $('#filter-title').focus();
  }
}

// Restores the radios to what is applied (choices made and not applied are dropped on close).
function renderFacetsFromState() {
  for (const name of FACETS) {
    for (const radio of panel.querySelectorAll(`input[type="radio"][name="${name}"]`)) {
      radio.checked = radio.value === state[name];
    }
  }
}

function readPanel() {
  const radio = (name) => {
    const checked = panel.querySelector(`input[type="radio"][name="${name}"]:checked`);
    return checked ? checked.value : '';
  };
  const min = parseYuan(panel.elements.namedItem('price_min').value);
  const max = parseYuan(panel.elements.namedItem('price_max').value);
  const errors = {};
  if (Number.isNaN(min) || (min !== null && min > PRICE_MAX_FEN)) errors.price_min = t('search.price_invalid');
  if (Number.isNaN(max) || (max !== null && max > PRICE_MAX_FEN)) errors.price_max = t('search.price_invalid');
  if (!Object.keys(errors).length && min !== null && max !== null && min > max) errors.price_max = t('search.price_order');
  if (Object.keys(errors).length) return { errors };
  return {
    next: {
      ...state,
      category: radio('category'),
      township: radio('township'),
      seller_kind: radio('seller_kind'),
      price_min: min,
      price_max: max,
      in_stock: panel.elements.namedItem('in_stock').checked,
      page: 1,
    },
  };
}

// ---- wiring --------------------------------------------------------------------------------

searchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const q = searchForm.elements.namedItem('q').value.trim();
  navigate({ ...state, q, page: 1 });
});

sortSelect.addEventListener('change', () => {
  const sort = sortSelect.value === 'relevance' ? '' : sortSelect.value;
  navigate({ ...state, sort, page: 1 });
});

toggle.addEventListener('click', () => openPanel(panel.hidden));

panel.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') {
    openPanel(false);
    toggle.focus();
  }
});

panel.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(panel);
  const { next, errors } = readPanel();
  if (errors) {
    showErrors(panel, validationError(errors));
    return;
  }
  openPanel(false);
  navigate(next).then(() => $('#results-title').focus({ preventScroll: false }));
});

$('#filter-reset').addEventListener('click', () => {
  openPanel(false);
  navigate(withoutFilters(state));
});

$('#page-prev').addEventListener('click', () => {
  navigate({ ...state, page: Math.max(1, state.page - 1) }).then(() => $('#results-title').focus());
});
$('#page-next').addEventListener('click', () => {
  navigate({ ...state, page: state.page + 1 }).then(() => $('#results-title').focus());
});

window.addEventListener('popstate', () => {
  state = readUrl();
  syncForms();
  load();
});

// One spelling of every address (the home page's form may send an empty q, for example), so
// a later "same address?" comparison is exact.
history.replaceState(null, '', urlFor(state));
syncForms();
// Results do not wait for the login check: search is public.
const first = load();
// Search as you type in the search box (#21).
enhanceSearchBoxes();
await initShell({ auth: 'optional' });
await first;
