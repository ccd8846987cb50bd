// Writing a listing: one form, one save (#19). Photos upload as soon as they are chosen — also
// before the listing exists — as the organisation's unsaved photos (a slow phone sends each
// once, a failed one is retried alone, and the seller keeps typing meanwhile); the save sends
// the facts, every SKU and the photo ids in order in one small request. New (?org=): POST with
// an Idempotency-Key, so a double tap makes one draft. Existing (?id=): PUT of the whole
// listing (title, category and origin of a live listing become a change waiting for review;
// prices, stock and photos apply at once). The draft is sent for review from the status box.

import { api, newIdempotencyKey, query, seg } from '../api.js';
import {
  PRICE_MAX_FEN, UNITS, childrenOf, fenToYuan, formatFen, gtinValid, loadCategories, localOption,
  parseInteger, parseYuan, pendingRevision, refusedChange, sellingMemberships,
} from '../catalog.js';
import { t, translate } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, $$, badge, charCount, clearErrors, el, errorMessage, flash, note, replaceChildren,
  setBusy, showErrors, timeEl, validationError, withBusy,
} from '../ui.js';

const REGION_PARTS = ['province', 'city', 'county', 'township', 'village'];
const MAX_TIERS = 5;
const STOCK_MAX = 10_000_000;
const WEIGHT_MAX = 1_000_000;
const TIER_QTY_MAX = 1_000_000;
const MAX_IMAGE_BYTES = 8 * 1024 * 1024;
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const SUBMITTABLE = ['draft', 'rejected', 'delisted'];

const params = new URLSearchParams(location.search);
const form = $('#listing-form');
const rowsBox = $('#sku-rows');
const stateBox = $('#state-box');
const MAX_IMAGES = 9;
const page = { me: null, org: null, listing: null, index: null, rowSeq: 0, tierSeq: 0, photos: [], createKey: newIdempotencyKey() };

// ---- field names: the server's, mapped onto this form's inputs ------------------------------------

/**
 * `region.township` → `origin.township` (the kernel's Region reports under "region");
 * `skus[1].tiers[0].price` → `skus[1].tiers` (one message slot per SKU's tiers);
 * a bare `price` from a single-SKU request → `skus[<row>].price`.
 */
function formName(serverName, rowIndex) {
  let name = String(serverName);
  if (rowIndex !== undefined && !name.startsWith('skus[')) name = `skus[${rowIndex}].${name}`;
  name = name.replace(/^region(\.|$)/, 'origin$1');
  name = name.replace(/^(skus\[\d+\]\.tiers)\[\d+\].*$/, '$1');
  if (name === 'category') name = 'category_id';
  return name;
}

function aliasesFor(err, rowIndex) {
  const aliases = {};
  for (const key of Object.keys((err && err.fields) || {})) aliases[key] = formName(key, rowIndex);
  return aliases;
}

// ---- the category selects (two levels, from the tree) -----------------------------------------

function categoryOptions(root) {
  // Leaves under the chosen top category; a deeper tree shows as "child › grandchild".
  const out = [];
  const walk = (node, prefix) => {
    const kids = childrenOf(node);
    if (!kids.length) {
      out.push(localOption(node.id, prefix.zh + node.name, prefix.en + (node.name_en || node.name)));
      return;
    }
    for (const kid of kids) {
      walk(kid, node === root ? { zh: '', en: '' }
        : { zh: `${prefix.zh}${node.name} › `, en: `${prefix.en}${node.name_en || node.name} › ` });
    }
  };
  walk(root, { zh: '', en: '' });
  return out;
}

function fillCategorySub(selectedId) {
  const top = form.elements.namedItem('category_top');
  const sub = form.elements.namedItem('category_id');
  const entry = page.index.byId.get(top.value);
  if (!entry) {
    replaceChildren(sub, el('option', { value: '', i18n: 'edit.choose_top_first' }));
    sub.disabled = true;
    return;
  }
  const options = categoryOptions(entry.cat);
  sub.disabled = false;
  replaceChildren(sub, options.length > 1 ? el('option', { value: '', i18n: 'edit.choose' }) : null, options);
  sub.value = options.some((o) => o.value === selectedId) ? selectedId : (options.length === 1 ? options[0].value : '');
}

function fillCategories(selectedId) {
  const top = form.elements.namedItem('category_top');
  const path = selectedId ? page.index.path(selectedId) : [];
  replaceChildren(top,
    el('option', { value: '', i18n: 'edit.choose' }),
    page.index.roots.map((root) => localOption(root.id, root.name, root.name_en)));
  top.value = path.length ? path[0].id : '';
  fillCategorySub(selectedId);
}

// ---- SKU rows ------------------------------------------------------------------------------

function tierRow(row, tier) {
  const key = ++page.tierSeq;
  const rowKey = row.dataset.key;
  const qtyId = `sku-${rowKey}-tier-${key}-qty`;
  const priceId = `sku-${rowKey}-tier-${key}-price`;
  const remove = el('button', { type: 'button', class: 'btn btn-quiet btn-small', i18n: 'edit.tier_remove', 'data-testid': 'tier-remove' });
  const tr = el('div', { class: 'tier-row', 'data-testid': 'tier-row' },
    el('div', { class: 'field' },
      el('label', { for: qtyId, i18n: 'edit.tier_qty' }),
      el('input', { id: qtyId, type: 'text', inputmode: 'numeric', autocomplete: 'off', dataset: { tierField: 'min_quantity' }, value: tier ? String(tier.min_quantity) : '', 'data-testid': 'tier-min-quantity' })),
    el('div', { class: 'field' },
      el('label', { for: priceId, i18n: 'edit.tier_price' }),
      el('input', { id: priceId, type: 'text', inputmode: 'decimal', autocomplete: 'off', dataset: { tierField: 'price' }, value: tier ? fenToYuan(tier.price) : '', 'data-testid': 'tier-price' })),
    remove);
  remove.addEventListener('click', () => {
    const list = tr.parentElement;
    tr.remove();
    renumber();
    updateTierButton(row);
    const next = list && list.querySelector('input');
    (next || row.querySelector('[data-testid="tier-add"]')).focus();
  });
  return tr;
}

function updateTierButton(row) {
  const add = row.querySelector('[data-testid="tier-add"]');
  add.hidden = row.querySelectorAll('.tier-row').length >= MAX_TIERS;
}

function skuRow(sku, { saved = false } = {}) {
  const key = String(++page.rowSeq);
  const existing = Boolean(sku && sku.id);
  const row = el('fieldset', { class: 'sku-row', 'data-testid': 'sku-row', dataset: { key, skuId: existing ? sku.id : '' } });
  const slot = (field) => el('p', {
    class: 'field-error',
    id: `sku-${key}-${field}-error`,
    dataset: { errorField: field },
    'data-testid': `sku-${field.replace(/_/g, '-')}-error`,
    hidden: true,
  });
  const input = (field, props = {}) => el('input', {
    id: `sku-${key}-${field}`,
    type: 'text',
    autocomplete: 'off',
    dataset: { field },
    'aria-describedby': `sku-${key}-${field}-error`,
    'data-testid': `sku-${field.replace(/_/g, '-')}`,
    ...props,
  });
  const box = (field, labelKey, control, hintKey) => el('div', { class: `field field-${field}` },
    el('label', { for: `sku-${key}-${field}`, i18n: labelKey }),
    control,
    hintKey ? el('p', { class: 'hint', i18n: hintKey }) : null,
    slot(field));

  const unit = el('select', {
    id: `sku-${key}-unit`,
    dataset: { field: 'unit' },
    'aria-describedby': `sku-${key}-unit-error`,
    'data-testid': 'sku-unit',
    disabled: existing,
  },
  el('option', { value: '', i18n: 'edit.choose' }),
  UNITS.map((u) => el('option', { value: u, i18n: 'unit_long.' + u })));
  unit.value = sku ? sku.unit : '';

  const tierList = el('div', { class: 'tier-list' });
  const addTier = el('button', { type: 'button', class: 'btn btn-quiet btn-small', i18n: 'edit.tier_add', 'data-testid': 'tier-add' });
  addTier.addEventListener('click', () => {
    const tr = tierRow(row, null);
    tierList.append(tr);
    renumber();
    updateTierButton(row);
    tr.querySelector('input').focus();
  });

  row.append(
    el('legend', { class: 'sku-legend', i18n: 'edit.sku_n', args: { n: 1 } }),
    el('p', { class: 'form-error', 'data-form-error': '', role: 'alert', hidden: true, 'data-testid': 'sku-form-error' }),
    el('div', { class: 'sku-grid' },
      box('name', 'edit.sku_name', input('name', { maxlength: '30', value: sku ? sku.name : '', 'data-i18n-placeholder': 'edit.ph_sku_name' })),
      box('unit', 'edit.sku_unit', unit, existing ? 'edit.unit_fixed' : null),
      box('price', 'edit.sku_price', input('price', { inputmode: 'decimal', value: sku ? fenToYuan(sku.price) : '' })),
      box('stock', 'edit.sku_stock', input('stock', { inputmode: 'numeric', value: sku ? String(sku.stock) : '' })),
      box('weight_grams', 'edit.sku_weight', input('weight_grams', { inputmode: 'numeric', value: sku && sku.weight_grams ? String(sku.weight_grams) : '' }), 'edit.sku_weight_hint'),
      box('net_weight_grams', 'edit.sku_net_weight', input('net_weight_grams', { inputmode: 'numeric', value: sku && sku.net_weight_grams ? String(sku.net_weight_grams) : '' })),
      // Sold by catch weight (多退少补): the tolerance in percent; empty sells by fixed weight.
      box('catch_tolerance_permille', 'edit.sku_catch', input('catch_tolerance_permille', { inputmode: 'decimal', maxlength: '4', value: sku && sku.catch_tolerance_permille ? String(sku.catch_tolerance_permille / 10) : '' }), 'edit.sku_catch_hint'),
      box('gtin', 'edit.sku_gtin', input('gtin', { inputmode: 'numeric', maxlength: '16', class: 'mono', value: (sku && sku.gtin) || '' }))),
    el('fieldset', { class: 'tiers-edit' },
      el('legend', { i18n: 'edit.tiers_legend' }),
      el('p', { class: 'hint', i18n: 'edit.tiers_hint' }),
      tierList,
      slot('tiers'),
      addTier));
  for (const tier of (sku && Array.isArray(sku.tiers) ? sku.tiers : [])) tierList.append(tierRow(row, tier));

  const actions = el('div', { class: 'actions sku-actions' });
  if (existing) {
    // An existing SKU stays (orders name it): it is taken off sale, or left out (same thing).
    const activeId = `sku-${key}-active`;
    const active = el('label', { class: 'check', for: activeId },
      el('input', { type: 'checkbox', id: activeId, dataset: { field: 'active' }, checked: sku.active !== false, 'data-testid': 'sku-active' }),
      el('span', { i18n: 'edit.sku_active' }));
    actions.append(active);
    if (saved) actions.append(el('span', { class: 'muted sku-saved', 'data-testid': 'sku-saved', i18n: 'edit.sku_saved' }));
  } else {
    actions.append(removeButton(row));
  }
  row.append(actions);
  row.sku = existing ? sku : null;
  return row;
}

function removeButton(row) {
  const remove = el('button', { type: 'button', class: 'btn btn-danger-quiet', i18n: 'edit.sku_remove', 'data-testid': 'sku-remove' });
  remove.addEventListener('click', () => {
    row.remove();
    renumber();
    $('#add-sku').focus();
  });
  return remove;
}

/** Names follow the rows' order, so `skus[1].price` from the server lands on the second row. */
function renumber() {
  const rows = $$('.sku-row', rowsBox);
  rows.forEach((row, i) => {
    row.dataset.index = String(i);
    const legend = row.querySelector(':scope > legend');
    legend.setAttribute('data-i18n-args', JSON.stringify({ n: i + 1 }));
    translate(legend);
    for (const input of row.querySelectorAll('[data-field]')) input.name = `skus[${i}].${input.dataset.field}`;
    for (const slot of row.querySelectorAll('[data-error-field]')) slot.setAttribute('data-error-for', `skus[${i}].${slot.dataset.errorField}`);
    row.querySelectorAll('.tier-row').forEach((tr, j) => {
      for (const input of tr.querySelectorAll('[data-tier-field]')) input.name = `skus[${i}].tiers[${j}].${input.dataset.tierField}`;
    });
    // A listing needs at least one SKU: the last one cannot be removed.
    const remove = row.querySelector('[data-testid="sku-remove"]');
    if (remove) remove.hidden = rows.length < 2;
  });
}

function addRow(sku, options) {
  const row = skuRow(sku, options);
  rowsBox.append(row);
  renumber();
  updateTierButton(row);
  return row;
}

// ---- reading and checking --------------------------------------------------------------------

/** Reads one SKU row; problems go into `errors` (by form name) and `bad` (tier inputs to mark). */
function readSku(row, i, errors, bad) {
  const p = `skus[${i}].`;
  const get = (field) => row.querySelector(`[data-field="${field}"]`);
  const out = {};

  out.name = get('name').value.trim();
  if (!out.name) errors[p + 'name'] = t('edit.e_sku_name');
  else if (charCount(out.name) > 30) errors[p + 'name'] = t('edit.e_sku_name_long');

  out.unit = get('unit').value;
  if (!UNITS.includes(out.unit)) errors[p + 'unit'] = t('edit.e_unit');

  out.price = parseYuan(get('price').value);
  if (out.price === null) errors[p + 'price'] = t('edit.e_price_required');
  else if (Number.isNaN(out.price)) errors[p + 'price'] = t('edit.e_price_format');
  else if (out.price < 1 || out.price > PRICE_MAX_FEN) errors[p + 'price'] = t('edit.e_price_range');

  out.stock = parseInteger(get('stock').value);
  if (out.stock === null) errors[p + 'stock'] = t('edit.e_stock_required');
  else if (Number.isNaN(out.stock) || out.stock > STOCK_MAX) errors[p + 'stock'] = t('edit.e_stock');

  out.weight_grams = parseInteger(get('weight_grams').value);
  if (out.weight_grams === null) errors[p + 'weight_grams'] = t('edit.e_weight_required');
  else if (Number.isNaN(out.weight_grams) || out.weight_grams < 1 || out.weight_grams > WEIGHT_MAX) errors[p + 'weight_grams'] = t('edit.e_weight');

  out.net_weight_grams = parseInteger(get('net_weight_grams').value);
  if (out.net_weight_grams !== null && (Number.isNaN(out.net_weight_grams) || out.net_weight_grams < 1 || out.net_weight_grams > WEIGHT_MAX)) {
    errors[p + 'net_weight_grams'] = t('edit.e_weight');
  }

  // Percent as typed (5 or 2.5), per mille as sent: 0.1–20 %, and only with a net weight.
  const catchText = get('catch_tolerance_permille').value.trim().replace('％', '').replace('%', '');
  out.catch_tolerance_permille = null;
  if (catchText) {
    const permille = /^\d{1,2}(\.\d)?$/.test(catchText) ? Math.round(Number(catchText) * 10) : Number.NaN;
    if (!(permille >= 1 && permille <= 200)) errors[p + 'catch_tolerance_permille'] = t('edit.e_catch');
    else if (out.net_weight_grams === null) errors[p + 'net_weight_grams'] = t('edit.e_catch_net');
    else out.catch_tolerance_permille = permille;
  }

  const gtin = get('gtin').value.replace(/[\s-]/g, '');
  out.gtin = gtin || null;
  if (gtin && !gtinValid(gtin)) errors[p + 'gtin'] = t('edit.e_gtin');

  const active = get('active');
  if (active) out.active = active.checked;

  // Wholesale tiers: each complete, at 2 or more units, no quantity twice, cheaper with
  // quantity and below retail (the server's rule; checked here so nothing half-right is sent).
  const tiers = [];
  const tierError = (key, ...inputs) => {
    if (!errors[p + 'tiers']) errors[p + 'tiers'] = t(key);
    for (const input of inputs) bad.push(input);
  };
  for (const tr of row.querySelectorAll('.tier-row')) {
    const qtyInput = tr.querySelector('[data-tier-field="min_quantity"]');
    const priceInput = tr.querySelector('[data-tier-field="price"]');
    const qty = parseInteger(qtyInput.value);
    const price = parseYuan(priceInput.value);
    if (qty === null && price === null) continue;
    if (qty === null || Number.isNaN(qty) || price === null || Number.isNaN(price)) {
      tierError('edit.e_tier_incomplete', ...(qty === null || Number.isNaN(qty) ? [qtyInput] : []), ...(price === null || Number.isNaN(price) ? [priceInput] : []));
      continue;
    }
    tiers.push({ min_quantity: qty, price, qtyInput, priceInput });
  }
  if (tiers.length > MAX_TIERS) tierError('edit.e_tier_many');
  tiers.sort((a, b) => a.min_quantity - b.min_quantity);
  let lastQty = 1;
  let lastPrice = Number.isFinite(out.price) && out.price >= 1 ? out.price : null;
  tiers.forEach((tier, j) => {
    if (tier.min_quantity < 2 || tier.min_quantity > TIER_QTY_MAX) tierError('edit.e_tier_qty', tier.qtyInput);
    else if (tier.min_quantity === lastQty) tierError('edit.e_tier_dup', tier.qtyInput);
    if (tier.price < 1) tierError('edit.e_tier_price', tier.priceInput);
    else if (lastPrice !== null && tier.price >= lastPrice) {
      tierError(j === 0 ? 'edit.e_tier_retail' : 'edit.e_tier_order', tier.priceInput);
    }
    lastQty = tier.min_quantity;
    if (lastPrice !== null) lastPrice = tier.price;
  });
  out.tiers = tiers.map(({ min_quantity, price }) => ({ min_quantity, price }));
  return out;
}

/** The body of one SKU for POST: optional parts left out when empty. */
function skuBody(s) {
  const body = { name: s.name, unit: s.unit, price: s.price, stock: s.stock, weight_grams: s.weight_grams };
  if (s.net_weight_grams !== null) body.net_weight_grams = s.net_weight_grams;
  if (s.catch_tolerance_permille !== null) body.catch_tolerance_permille = s.catch_tolerance_permille;
  if (s.gtin) body.gtin = s.gtin;
  if (s.tiers.length) body.tiers = s.tiers;
  return body;
}

function text(name) {
  return String(form.elements.namedItem(name).value).trim();
}

function readFacts(errors) {
  const facts = {};
  facts.title = text('title');
  const n = charCount(facts.title);
  if (!n) errors.title = t('common.required');
  else if (n < 4 || n > 60) errors.title = t('edit.e_title_length');

  facts.category_id = form.elements.namedItem('category_id').value;
  if (!facts.category_id) errors.category_id = t('edit.e_category');

  facts.origin = {};
  for (const part of REGION_PARTS) {
    const v = text('origin.' + part);
    facts.origin[part] = v || null;
    if (['province', 'city', 'county'].includes(part)) {
      facts.origin[part] = v;
      if (!v) errors['origin.' + part] = t('common.required');
    }
  }
  if (facts.origin.village && !facts.origin.township) errors['origin.township'] = t('edit.e_village_township');

  facts.origin_note = text('origin_note') || null;
  facts.season = text('season') || null;
  facts.storage = text('storage') || null;
  const shelf = parseInteger(text('shelf_life_days'));
  facts.shelf_life_days = shelf;
  if (shelf !== null && (Number.isNaN(shelf) || shelf < 1 || shelf > 3650)) errors.shelf_life_days = t('edit.e_shelf_life');
  facts.description = String(form.elements.namedItem('description').value).replace(/\s+$/, '');
  if (charCount(facts.description) > 5000) errors.description = t('edit.e_description_long');
  return facts;
}

function showProblems(scope, errors, bad) {
  showErrors(scope, validationError(errors));
  for (const input of bad) input.setAttribute('aria-invalid', 'true');
}

// ---- the facts: values, baseline, changes ---------------------------------------------------------

/** What the form starts from: the proposal under review when there is one (else edits "vanish"). */
function baseline(listing) {
  const rev = pendingRevision(listing);
  return {
    title: rev ? rev.title : listing.title,
    category_id: rev ? rev.category_id : (listing.category && listing.category.id),
    origin: (rev ? rev.origin : listing.origin) || {},
    origin_note: (rev ? rev.origin_note : listing.origin_note) || null,
    season: listing.season || null,
    storage: listing.storage || null,
    shelf_life_days: listing.shelf_life_days ?? null,
    description: listing.description || '',
  };
}

function fillForm(b) {
  form.elements.namedItem('title').value = b.title || '';
  fillCategories(b.category_id || '');
  for (const part of REGION_PARTS) form.elements.namedItem('origin.' + part).value = (b.origin && b.origin[part]) || '';
  form.elements.namedItem('origin_note').value = b.origin_note || '';
  form.elements.namedItem('season').value = b.season || '';
  form.elements.namedItem('storage').value = b.storage || '';
  form.elements.namedItem('shelf_life_days').value = b.shelf_life_days ?? '';
  form.elements.namedItem('description').value = b.description || '';
}

function sameOrigin(a, b) {
  return REGION_PARTS.every((part) => ((a && a[part]) || '') === ((b && b[part]) || ''));
}

/** The whole listing as the one save sends it: every fact, every SKU, every photo id in order. */
function wholeBody(facts, rows, skus) {
  const body = {
    category_id: facts.category_id,
    title: facts.title,
    description: facts.description,
    origin: facts.origin,
    skus: skus.map((s, i) => {
      const b = skuBody(s);
      const existing = rows[i].sku;
      if (existing) b.id = existing.id;
      if (s.active === false) b.active = false;
      return b;
    }),
    photo_ids: page.photos.map((p) => p.id),
  };
  for (const name of ['origin_note', 'season', 'storage', 'shelf_life_days']) {
    if (facts[name] !== null && facts[name] !== '') body[name] = facts[name];
  }
  if (page.listing && page.listing.producer && page.listing.producer.id) body.producer_org_id = page.listing.producer.id;
  return body;
}

/** Waits for photos still uploading; false (with a message) when one failed or none may go. */
async function photosReady() {
  const waiting = page.photos.filter((p) => p.pending);
  if (waiting.length) {
    setSaveState('edit.waiting_photos');
    await Promise.allSettled(waiting.map((p) => p.pending));
    setSaveState(null);
  }
  if (page.photos.some((p) => p.failed)) {
    imageError(t('edit.e_photo_failed'));
    return false;
  }
  return true;
}

function setSaveState(key) {
  const box = $('#save-state');
  replaceChildren(box, key ? el('span', { i18n: key }) : null);
}

/** The one save: a new listing is created, an existing one is saved whole. True when saved. */
async function save(submit, { quiet = false } = {}) {
  clearErrors(form);
  const errors = {};
  const bad = [];
  const facts = readFacts(errors);
  const rows = $$('.sku-row', rowsBox);
  const skus = rows.map((row, i) => readSku(row, i, errors, bad));
  if (!rows.length) errors.skus = t('edit.e_no_sku');
  if (Object.keys(errors).length) {
    showProblems(form, errors, bad);
    return false;
  }
  setBusy(submit, true);
  try {
    if (!(await photosReady())) return false;
    const body = wholeBody(facts, rows, skus);
    const before = page.listing;
    const listing = before
      ? await api.put(`/listings/${seg(before.id)}`, body)
      : await api.post(`/orgs/${seg(page.org.id)}/listings`, body, { headers: { 'Idempotency-Key': page.createKey } });
    const reviewed = before && before.status === 'approved' && reviewedChanged(facts, baseline(before));
    enterEditMode(listing, { savedSkus: Boolean(before) });
    if (!quiet) {
      flash(el('span', { i18n: before ? (reviewed ? 'edit.saved_review' : 'edit.saved') : 'edit.created' }), 'success');
      $('#status-box').focus();
    }
    return true;
  } catch (err) {
    if (!err.redirecting) showErrors(form, err, aliasesFor(err));
    return false;
  } finally {
    setBusy(submit, false);
  }
}

function reviewedChanged(facts, b) {
  return (facts.title || '') !== (b.title || '') || facts.category_id !== b.category_id
    || !sameOrigin(facts.origin, b.origin) || (facts.origin_note ?? null) !== (b.origin_note ?? null);
}

async function submitForReview(button) {
  await withBusy(button, async () => {
    // The form goes first, so what is reviewed is what the seller sees.
    const ok = await save(button, { quiet: true });
    if (!ok) return;
    setBusy(button, true);
    const updated = await api.post(`/listings/${seg(page.listing.id)}/submit`);
    page.listing = { ...page.listing, ...updated };
    renderStatus();
    flash(el('span', { i18n: 'edit.submitted' }), 'success');
    $('#status-box').focus();
  });
}

// ---- the status box --------------------------------------------------------------------------

function renderStatus() {
  const listing = page.listing;
  const box = $('#status-box');
  box.hidden = false;
  box.setAttribute('tabindex', '-1');
  box.dataset.status = listing.status;
  const rev = pendingRevision(listing);
  const refused = refusedChange(listing);
  const reason = (listing.status === 'rejected' || listing.status === 'delisted') && listing.status_reason
    ? el('div', { class: 'reason', 'data-testid': 'edit-status-reason' },
      el('p', {},
        el('strong', { i18n: listing.status === 'delisted' ? 'listing.delist_reason' : 'listing.reject_reason' }), ' ',
        el('span', { text: listing.status_reason })))
    : null;
  replaceChildren($('#status-body'),
    el('p', { class: 'meta' },
      badge('listing_status', listing.status, 'edit-status-badge'),
      badge('availability', listing.availability, 'edit-availability'),
      rev ? el('span', { class: `badge badge-${rev.kind}`, i18n: 'revision_kind.' + rev.kind }) : null),
    reason,
    el('p', { class: 'muted', i18n: 'edit.hint_' + listing.status }),
    rev && listing.status === 'approved'
      ? el('p', { class: 'note note-info', 'data-testid': 'edit-revision' },
        el('span', { i18n: 'edit.revision_waiting' }), ' ', timeEl(rev.submitted_at))
      : null,
    !rev && refused && refused.reason
      ? el('div', { class: 'reason', 'data-testid': 'edit-change-refused' },
        el('p', {}, el('strong', { i18n: 'edit.change_refused' }), ' ', el('span', { text: refused.reason })))
      : null);
  const actions = $('#status-actions');
  replaceChildren(actions);
  if (SUBMITTABLE.includes(listing.status)) {
    const submit = el('button', { type: 'button', class: 'btn btn-primary', i18n: 'edit.submit_review', 'data-testid': 'listing-submit-review' });
    submit.addEventListener('click', () => submitForReview(submit));
    actions.append(submit);
  }
  actions.append(el('a', { class: 'btn btn-secondary', href: '/listing.html?id=' + encodeURIComponent(listing.id), i18n: 'edit.view_page', 'data-testid': 'listing-view' }));
  $('#review-hint').hidden = listing.status !== 'approved';
}

// ---- photos: uploaded when chosen, saved with the form ----------------------------------------

/** Draws the photo list from `page.photos`: order, cover, move and remove, upload state. */
function renderPhotos() {
  const list = $('#image-list');
  replaceChildren(list, page.photos.map((p, i) => {
    const li = el('li', {
      class: 'image-item' + (p.pending ? ' is-uploading' : '') + (p.failed ? ' is-failed' : ''),
      'data-testid': p.pending ? 'image-uploading' : 'image-item',
      dataset: { imageId: p.id || '' },
    },
    el('img', { src: p.thumb_url || p.preview, alt: '', width: '120', height: '120' }),
    i === 0 && !p.failed ? el('span', { class: 'badge badge-small image-cover', i18n: 'edit.image_cover' }) : null,
    p.pending ? el('span', { class: 'muted', i18n: 'edit.uploading' }) : null,
    p.failed ? el('span', { class: 'field-error', text: p.failed }) : null);
    const actions = el('span', { class: 'image-actions' });
    if (p.failed && p.file) {
      const retry = el('button', { type: 'button', class: 'btn btn-secondary btn-small', i18n: 'edit.image_retry', 'data-testid': 'image-retry' });
      retry.addEventListener('click', () => startUpload(p));
      actions.append(retry);
    }
    if (!p.pending && !p.failed && i > 0) {
      const left = el('button', { type: 'button', class: 'btn btn-quiet btn-small', i18n: 'edit.image_earlier', 'data-testid': 'image-earlier' });
      left.addEventListener('click', () => {
        [page.photos[i - 1], page.photos[i]] = [page.photos[i], page.photos[i - 1]];
        renderPhotos();
      });
      actions.append(left);
    }
    const remove = el('button', { type: 'button', class: 'btn btn-danger-quiet btn-small', i18n: 'edit.image_delete', 'data-testid': 'image-delete' });
    remove.addEventListener('click', () => {
      page.photos = page.photos.filter((x) => x !== p);
      renderPhotos();
      $('#image-file').focus();
    });
    actions.append(remove);
    li.append(actions);
    return li;
  }));
  $('#image-file').disabled = page.photos.length >= MAX_IMAGES;
}

function imageError(message) {
  const slot = $('#image-file-error');
  slot.textContent = slot.hidden || !slot.textContent ? message : `${slot.textContent}；${message}`;
  slot.hidden = false;
}

/** Sends one photo as the organisation's unsaved photo; its entry shows progress or failure. */
function startUpload(entry) {
  entry.failed = null;
  const body = new FormData();
  body.append('file', entry.file, entry.file.name);
  entry.pending = api.upload(`/orgs/${seg(page.org.id)}/photos`, body, { redirectOn401: true })
    .then((photo) => {
      entry.id = photo.id;
      entry.thumb_url = photo.thumb_url;
      if (entry.preview) URL.revokeObjectURL(entry.preview);
      entry.preview = null;
      entry.file = null;
    })
    .catch((err) => {
      entry.failed = `${entry.file.name}: ${(err.fields && err.fields.file) || errorMessage(err)}`;
    })
    .finally(() => {
      entry.pending = null;
      renderPhotos();
    });
  renderPhotos();
}

function choose(file) {
  if (!IMAGE_TYPES.includes(file.type)) {
    imageError(t('edit.e_image_type', { name: file.name }));
    return;
  }
  if (file.size > MAX_IMAGE_BYTES) {
    imageError(t('edit.e_image_size', { name: file.name }));
    return;
  }
  if (page.photos.length >= MAX_IMAGES) {
    imageError(t('edit.e_image_many'));
    return;
  }
  const entry = { id: null, file, preview: URL.createObjectURL(file), pending: null, failed: null };
  page.photos.push(entry);
  startUpload(entry);
}

$('#image-file').addEventListener('change', (event) => {
  const input = event.target;
  const files = Array.from(input.files || []);
  input.value = '';
  const slot = $('#image-file-error');
  slot.textContent = '';
  slot.hidden = true;
  for (const file of files) choose(file);
});

// ---- the change log ------------------------------------------------------------------------------

function changeValue(field, v) {
  if (field === 'price' && /^\d+$/.test(String(v))) return el('span', { text: formatFen(Number(v)) });
  if (field === 'active') return el('span', { i18n: String(v) === 'true' ? 'edit.active_on' : 'edit.active_off' });
  return el('span', { class: 'change-raw', text: v === null || v === undefined || v === '' ? '—' : String(v) });
}

function skuName(id) {
  const sku = ((page.listing && page.listing.skus) || []).find((s) => s.id === id);
  return sku ? sku.name : '';
}

async function loadChanges() {
  const body = $('#changes-body');
  try {
    const changes = (await api.get(`/listings/${seg(page.listing.id)}/changes`)) || [];
    replaceChildren(body, changes.length
      ? el('ol', { class: 'change-log', 'data-testid': 'change-log' }, changes.map((c) =>
        el('li', { class: 'change', 'data-testid': 'change', dataset: { field: c.field } },
          el('p', { class: 'change-head' },
            timeEl(c.at), ' ',
            el('strong', { text: c.sku_name || skuName(c.sku_id) }), ' ',
            el('span', { class: 'tag', i18n: 'change_field.' + (['price', 'stock', 'tiers', 'active'].includes(c.field) ? c.field : 'other') })),
          el('p', { class: 'change-values' },
            changeValue(c.field, c.old), el('span', { class: 'arrow', 'aria-hidden': 'true', text: ' → ' }),
            el('span', { class: 'visually-hidden', i18n: 'edit.changed_to' }), changeValue(c.field, c.new)),
          c.actor ? el('p', { class: 'muted' }, el('span', { i18n: 'verify.by' }), ' ', el('span', { text: c.actor })) : null)))
      : note('empty', { i18n: 'edit.no_changes' }));
  } catch (err) {
    if (!err.redirecting) replaceChildren(body, note('error', err.message));
  }
}

// ---- modes -----------------------------------------------------------------------------------

function enterEditMode(listing, { savedSkus = false } = {}) {
  page.listing = listing;
  const url = new URL(location.href);
  url.search = query({ id: listing.id });
  history.replaceState(null, '', url);
  const heading = $('#edit-heading');
  heading.setAttribute('data-i18n', 'edit.heading_edit');
  translate(heading);
  const saveButton = $('#save');
  saveButton.setAttribute('data-i18n', 'edit.save_changes');
  translate(saveButton);

  replaceChildren(rowsBox);
  for (const sku of listing.skus || []) addRow(sku, { saved: savedSkus });
  $('#skus-hint').setAttribute('data-i18n', 'edit.skus_hint_edit');
  translate($('#skus-hint'));

  fillForm(baseline(listing));
  renderStatus();
  page.photos = (listing.images || []).map((im) => ({ id: im.id, thumb_url: im.thumb_url || im.url }));
  renderPhotos();
  $('#changes-section').hidden = false;
  loadChanges();
  form.dataset.listingId = listing.id;
}

function showState(...content) {
  replaceChildren(stateBox, el('section', { class: 'card' }, content));
  $('#editor').hidden = true;
}

function unverified(org) {
  showState(
    el('p', { class: 'meta' }, el('strong', { text: org.name }), badge('status', org.status)),
    el('p', { class: 'note note-info', i18n: org.status === 'rejected' ? 'console.org_rejected' : 'console.org_pending' }),
    el('p', {}, el('a', { class: 'btn btn-secondary', href: '/org.html?id=' + encodeURIComponent(org.id), i18n: 'console.to_org' })));
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(form);
  save($('#save'));
});

form.elements.namedItem('category_top').addEventListener('change', () => fillCategorySub(''));

$('#add-sku').addEventListener('click', () => {
  const row = addRow(null);
  row.querySelector('input').focus();
});

async function main() {
  const { me, error } = await initShell({ auth: 'required' });
  if (!me) {
    if (error && !error.redirecting) showState(note('error', errorMessage(error)));
    return;
  }
  page.me = me;
  const memberships = sellingMemberships(me);
  try {
    page.index = await loadCategories();
  } catch (err) {
    showState(note('error', errorMessage(err)));
    flash(errorMessage(err), 'error');
    return;
  }

  const id = params.get('id');
  if (id) {
    let listing;
    try {
      listing = await api.get(`/listings/${seg(id)}`);
    } catch (err) {
      if (err.redirecting) return;
      showState(note(err.status === 404 ? 'empty' : 'error', err.status === 404 ? { i18n: 'edit.not_found' } : errorMessage(err)));
      return;
    }
    const membership = memberships.find((m) => listing.seller && m.org.id === listing.seller.id);
    if (!membership) {
      showState(note('error', { i18n: 'edit.not_yours' }));
      return;
    }
    page.org = membership.org;
    $('#back-link').href = '/seller/listings.html' + query({ org: page.org.id });
    if (page.org.status !== 'verified') {
      unverified(page.org);
      return;
    }
    enterEditMode(listing);
  } else {
    const wanted = params.get('org');
    const membership = memberships.find((m) => m.org.id === wanted) || (wanted ? null : memberships[0]);
    if (!membership) {
      showState(note('empty', { i18n: 'console.no_org' }),
        el('p', {}, el('a', { class: 'btn btn-secondary', href: '/org.html', i18n: 'console.to_orgs' })));
      return;
    }
    page.org = membership.org;
    $('#back-link').href = '/seller/listings.html' + query({ org: page.org.id });
    if (page.org.status !== 'verified') {
      unverified(page.org);
      return;
    }
    const heading = $('#edit-heading');
    heading.setAttribute('data-i18n', 'edit.heading_new');
    translate(heading);
    // The origin starts as the organisation's registered area (DOMAIN: it must match or be explained).
    fillForm({ origin: page.org.region || {} });
    addRow(null);
  }
  $('#editor').hidden = false;
  form.dataset.ready = 'true';
}

main();

// 行情 (#20, wt-market): the price position line under the editor, its own module (an import
// is hoisted, so it may sit here at the end), filled once the editor is drawn.
import { showPosition } from '../market-position.js';

if (params.get('id')) showPosition($('#market-position'), params.get('id'));
