// The category tree as the operator manages it: the same limits the catalogue service checks
// (names of 1–20 / 1–40 characters, a slug of lower-case letters, digits and hyphens, a claim
// window of 1–720 hours, a commission of 0–50 %, a ship-within of 12–240 hours or none), so most mistakes are caught before a request,
// and the commission typed as a percentage travels as basis points. Pure helpers, checked
// without a browser; the page is pages/ops-categories.js.

import { t } from './i18n.js';
import { charCount } from './ui.js';

export const NAME_MAX = 20;
export const NAME_EN_MAX = 40;
export const SLUG_MAX = 40;
export const WINDOW_MIN = 1;
export const WINDOW_MAX = 720;
export const COMMISSION_MAX_BP = 5000;
/** A category's ship-within (发货时限), hours; empty: the parent's, else the platform default. */
export const SHIP_MIN = 12;
export const SHIP_MAX = 240;
/** What the server uses when a new category leaves them out. */
export const DEFAULT_WINDOW = 48;
export const DEFAULT_COMMISSION_BP = 500;

/** Full-width digits and signs (typed on a Chinese keyboard) as ASCII. */
function ascii(s) {
  return String(s ?? '').trim()
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/．/g, '.').replace(/％/g, '%').replace(/－/g, '-');
}

/**
 * Basis points from a percentage as typed (`5`, `5.5`, `0.25%`, `５．５`), exactly: at most two
 * decimals. null for nothing, NaN for anything else.
 */
export function percentToBp(raw) {
  const s = ascii(raw).replace(/%$/, '').trim();
  if (s === '') return null;
  const m = /^(\d{1,3})(?:\.(\d{0,2}))?$/.exec(s);
  if (!m) return Number.NaN;
  return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'));
}

/** The percentage for an input's value, without the sign: 550 → `5.5`, 500 → `5`. */
export function bpToPercentInput(bp) {
  if (bp === null || bp === undefined || !Number.isFinite(Number(bp))) return '';
  const n = Math.round(Number(bp));
  const frac = String(n % 100).padStart(2, '0').replace(/0+$/, '');
  return `${Math.floor(n / 100)}${frac ? '.' + frac : ''}`;
}

/** A whole number as typed, or NaN; null for nothing. */
export function parseWhole(raw) {
  const s = ascii(raw);
  if (s === '') return null;
  return /^-?\d{1,6}$/.test(s) ? Number(s) : Number.NaN;
}

/** A slug as the server stores it: trimmed, lower case. */
export function normaliseSlug(raw) {
  return String(raw ?? '').trim().toLowerCase();
}

/**
 * Checks a category form's values. `values`: name, name_en, slug (new only), sort_order,
 * claim_window_hours, commission (the percentage as typed). `isNew` checks the slug.
 * Returns { body, errors }: the request body (fields under the server's names) and
 * messages by the form's field names (empty when all is well).
 */
export function checkCategory(values, { isNew }) {
  const errors = {};
  const body = {};
  const name = String(values.name ?? '').trim();
  const nameEn = String(values.name_en ?? '').trim();
  if (charCount(name) < 1 || charCount(name) > NAME_MAX) errors.name = t('cats.e_name', { max: NAME_MAX });
  else body.name = name;
  if (charCount(nameEn) < 1 || charCount(nameEn) > NAME_EN_MAX) errors.name_en = t('cats.e_name_en', { max: NAME_EN_MAX });
  else body.name_en = nameEn;
  if (isNew) {
    const slug = normaliseSlug(values.slug);
    if (!slug || slug.length > SLUG_MAX || !/^[a-z0-9-]+$/.test(slug)) errors.slug = t('cats.e_slug');
    else body.slug = slug;
  }
  const order = parseWhole(values.sort_order);
  if (order === null) {
    if (isNew) body.sort_order = 0;
  } else if (Number.isNaN(order)) errors.sort_order = t('cats.e_sort_order');
  else body.sort_order = order;
  const window = parseWhole(values.claim_window_hours);
  if (window === null && isNew) body.claim_window_hours = DEFAULT_WINDOW;
  else if (window === null || Number.isNaN(window) || window < WINDOW_MIN || window > WINDOW_MAX) {
    errors.claim_window_hours = t('cats.e_window', { min: WINDOW_MIN, max: WINDOW_MAX });
  } else body.claim_window_hours = window;
  const bp = percentToBp(values.commission);
  if (bp === null && isNew) body.commission_bp = DEFAULT_COMMISSION_BP;
  else if (bp === null || Number.isNaN(bp) || bp > COMMISSION_MAX_BP) errors.commission = t('cats.e_commission');
  else body.commission_bp = bp;
  const ship = parseWhole(values.ship_within_hours);
  if (ship === null) {
    // Empty: inherit. A new category simply leaves it out; an edit clears it (null).
    if (!isNew) body.ship_within_hours = null;
  } else if (Number.isNaN(ship) || ship < SHIP_MIN || ship > SHIP_MAX) {
    errors.ship_within_hours = t('cats.e_ship_within', { min: SHIP_MIN, max: SHIP_MAX });
  } else body.ship_within_hours = ship;
  return { body, errors };
}

/** Only what an edit changes, compared with the category as loaded: the PATCH body. */
export function changedFields(body, cat) {
  const out = {};
  for (const key of ['name', 'name_en', 'sort_order', 'claim_window_hours', 'commission_bp', 'ship_within_hours']) {
    if (key in body && body[key] !== (cat[key] ?? null)) out[key] = body[key];
  }
  return out;
}

/** The tree in display order: roots by sort order, each with its children by sort order. */
export function sortedTree(tree) {
  const bySort = (a, b) => (a.sort_order ?? 0) - (b.sort_order ?? 0)
    || String(a.slug || '').localeCompare(String(b.slug || ''));
  return (Array.isArray(tree) ? tree : []).slice().sort(bySort)
    .map((root) => ({ ...root, children: (root.children || []).slice().sort(bySort) }));
}
