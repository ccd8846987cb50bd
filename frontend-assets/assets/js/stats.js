// County statistics for officials (县域统计): what the page asks the statistics API and how it
// shows the answers. The server sends money in fen, rates in basis points and weights in grams,
// all integers; these helpers turn them into words and chart values without losing a digit, work
// out the Beijing calendar periods behind the quick buttons, and keep the page's state in its
// address so a view can be shared and reloaded. Pure: they can be checked without a browser.

import { validDate } from './trace.js';

export const GRANULARITIES = ['day', 'week', 'month'];
/** The one optional filter, as the API names it, and the list of /stats/dimensions it picks from. */
export const FILTERS = ['township', 'category', 'seller_kind', 'buyer_kind'];
export const FILTER_DIMENSIONS = {
  township: 'townships',
  category: 'categories',
  seller_kind: 'seller_kinds',
  buyer_kind: 'buyer_kinds',
};
export const BUYER_KINDS = ['consumer', 'business'];
export const SELLER_KINDS = ['cooperative', 'family_farm', 'specialised_household', 'agri_enterprise', 'platform_store'];
/** The organisations the onboarding view counts, stacked in this order. */
export const ONBOARDING_KINDS = [...SELLER_KINDS, 'business_buyer'];
export const AFTERSALES_GROUPS = ['seller_kind', 'category', 'carrier'];
export const DESTINATIONS = ['city', 'province'];
export const PRICE_BASES = ['kg', 'jin', 'box', 'bag', 'piece'];
export const QUICK_RANGES = ['last30', 'month', 'quarter', 'year', 'last_year'];
/** Groups with fewer buyers than this are not shown on their own (the server merges them). */
export const MIN_BUYERS = 5;
export const TOP_N = 10;

/** The breakdowns of the sales view: section id, the API's `by`, and its `limit`. */
export const BREAKDOWNS = [
  { id: 'township', by: 'township' },
  { id: 'category', by: 'category' },
  { id: 'seller_kind', by: 'seller_kind' },
  { id: 'buyer_kind', by: 'buyer_kind' },
  { id: 'dest', by: 'dest_city' },
  { id: 'product', by: 'product', limit: TOP_N },
  { id: 'seller', by: 'seller', limit: TOP_N },
];

const DAY_MS = 86_400_000;
const BEIJING_MS = 8 * 3600 * 1000;
const pad = (n) => String(n).padStart(2, '0');

// ---- dates (Beijing calendar days, `YYYY-MM-DD`) ----------------------------------------------

/** Today in Beijing. */
export function beijingToday(now = new Date()) {
  return new Date(now.getTime() + BEIJING_MS).toISOString().slice(0, 10);
}

/** A calendar day `days` after `day` (negative: before). */
export function addDays(day, days) {
  return new Date(Date.parse(day + 'T00:00:00Z') + days * DAY_MS).toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both included (1 for a single day; 0 or less when `to` comes first). */
export function spanDays(from, to) {
  return Math.round((Date.parse(to + 'T00:00:00Z') - Date.parse(from + 'T00:00:00Z')) / DAY_MS) + 1;
}

/**
 * The period of a quick button, in Beijing days: the last 30 days, this month, this quarter and
 * this year up to today, or the whole of last year.
 */
export function quickRange(name, now = new Date()) {
  const today = beijingToday(now);
  const [y, m] = today.split('-').map(Number);
  switch (name) {
    case 'last30': return { from: addDays(today, -29), to: today };
    case 'month': return { from: `${y}-${pad(m)}-01`, to: today };
    case 'quarter': return { from: `${y}-${pad(Math.floor((m - 1) / 3) * 3 + 1)}-01`, to: today };
    case 'year': return { from: `${y}-01-01`, to: today };
    case 'last_year': return { from: `${y - 1}-01-01`, to: `${y - 1}-12-31` };
    default: return null;
  }
}

/** Which quick button a period is, if any. */
export function quickName(from, to, now = new Date()) {
  return QUICK_RANGES.find((name) => {
    const r = quickRange(name, now);
    return r.from === from && r.to === to;
  }) || null;
}

// ---- the page's state, in its address ------------------------------------------------------------

/**
 * The view an address asks for: period, granularity, at most one filter, the destination level,
 * the after-sales grouping and the price category. Anything missing or malformed falls back to
 * the last 30 days by day, the whole county.
 */
export function readState(search, now = new Date()) {
  const p = new URLSearchParams(search);
  const start = quickRange('last30', now);
  const from = p.get('from');
  const to = p.get('to');
  const filter = FILTERS.find((f) => p.get(f)) || null;
  return {
    from: validDate(from) ? from : start.from,
    to: validDate(to) ? to : start.to,
    by: GRANULARITIES.includes(p.get('by')) ? p.get('by') : 'day',
    filter,
    value: filter ? p.get(filter) : '',
    dest: DESTINATIONS.includes(p.get('dest')) ? p.get('dest') : 'city',
    groupBy: AFTERSALES_GROUPS.includes(p.get('group_by')) ? p.get('group_by') : 'seller_kind',
    priceCategory: p.get('price_category') || '',
  };
}

/** The address's query for a view: period and granularity always, the rest when not the default. */
export function stateQuery(state) {
  const q = new URLSearchParams();
  q.set('from', state.from);
  q.set('to', state.to);
  q.set('by', state.by);
  if (state.filter && state.value) q.set(state.filter, state.value);
  if (state.dest && state.dest !== 'city') q.set('dest', state.dest);
  if (state.groupBy && state.groupBy !== 'seller_kind') q.set('group_by', state.groupBy);
  if (state.priceCategory) q.set('price_category', state.priceCategory);
  return '?' + q.toString();
}

/** The filter as API parameters: `{township: id}` or nothing. */
export function filterParams(state) {
  return state.filter && state.value ? { [state.filter]: state.value } : {};
}

/** Granularity of the price view: weekly, or monthly when the page is by month. */
export function priceBy(by) {
  return by === 'month' ? 'month' : 'week';
}

/** `/api/v1/stats/sales?from=…&format=csv`: the same view as a file the browser downloads. */
export function exportHref(path, params, format) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') q.set(key, String(value));
  }
  q.set('format', format);
  return `/api/v1${path}?${q.toString()}`;
}

// ---- numbers -------------------------------------------------------------------------------------

const isNum = (v) => v !== null && v !== undefined && v !== '' && Number.isFinite(Number(v));

/** `12,345` or `1,234.5` (the whole part grouped by three, decimals kept); '—' for nothing. */
export function groupDigits(n) {
  if (!isNum(n)) return '—';
  const v = Number(n);
  const [whole, frac] = String(Math.abs(v)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${v < 0 ? '-' : ''}${grouped}${frac ? '.' + frac : ''}`;
}

/** `¥1,234,567.89` from fen, exactly (integers only); '—' for nothing. */
export function fenText(fen) {
  if (!isNum(fen)) return '—';
  const n = Math.round(Number(fen));
  const abs = Math.abs(n);
  return `${n < 0 ? '-' : ''}¥${groupDigits(Math.floor(abs / 100))}.${pad(abs % 100)}`;
}

/** Yuan as a chart value (a number; charts only draw, the tables carry the exact figures). */
export function fenToYuanNumber(fen) {
  return isNum(fen) ? Number(fen) / 100 : null;
}

/** A rate in basis points as a chart value in percent. */
export function bpToPercentNumber(bp) {
  return isNum(bp) ? Number(bp) / 100 : null;
}

/** `1,234.5` kilograms from grams, up to three decimals, exactly; '—' for nothing. */
export function kgText(grams) {
  if (!isNum(grams)) return '—';
  const n = Math.round(Number(grams));
  const abs = Math.abs(n);
  const frac = String(abs % 1000).padStart(3, '0').replace(/0+$/, '');
  return `${n < 0 ? '-' : ''}${groupDigits(Math.floor(abs / 1000))}${frac ? '.' + frac : ''}`;
}

// ---- rows ----------------------------------------------------------------------------------------

/** A row's name in the language shown: the server's label, or its English one. */
export function rowLabel(row, lang) {
  if (!row) return '';
  const zh = row.label || row.key || '';
  return lang === 'en' ? row.label_en || zh : zh;
}

/** The dictionary key naming a group the page knows (seller and buyer types), or null. */
export function groupKey(by, key) {
  if ((by === 'seller_kind' || by === 'onboarding') && ONBOARDING_KINDS.includes(key)) return 'kind.' + key;
  if (by === 'buyer_kind' && BUYER_KINDS.includes(key)) return 'stats.buyer_' + key;
  return null;
}

/** Whether a row's figures are held back (fewer than five buyers), so it draws as a gap. */
export function isSuppressed(row) {
  return Boolean(row && (row.suppressed || !isNum(row.gmv_fen)));
}

/** The values a chart draws for one figure of time rows: null for held-back buckets (a gap). */
export function seriesOf(rows, figure, convert = (v) => v) {
  return (rows || []).map((row) => (row && !row.suppressed && isNum(row[figure]) ? convert(Number(row[figure])) : null));
}

/** The price band of a price row: the minimum, and the height from minimum to maximum. */
export function priceBand(rows) {
  const low = [];
  const height = [];
  for (const row of rows || []) {
    const ok = isNum(row.min_fen) && isNum(row.max_fen);
    low.push(ok ? Number(row.min_fen) / 100 : null);
    height.push(ok ? (Number(row.max_fen) - Number(row.min_fen)) / 100 : null);
  }
  return { low, height };
}

/** The unit a price is per, as a dictionary key (`元/公斤`). */
export function basisKey(basis) {
  return PRICE_BASES.includes(basis) ? 'stats.per_' + basis : 'stats.per_unit';
}

/** A short axis label: `1.2万` / `3亿` in Chinese, `12k` / `1.5M` in English. */
export function compactNumber(value, lang) {
  if (!isNum(value)) return '';
  const n = Number(value);
  const abs = Math.abs(n);
  const steps = lang === 'en' ? [[1e9, 'B'], [1e6, 'M'], [1e3, 'k']] : [[1e8, '亿'], [1e4, '万']];
  for (const [size, suffix] of steps) {
    if (abs >= size) return `${n < 0 ? '-' : ''}${String(Math.round((abs / size) * 10) / 10)}${suffix}`;
  }
  return String(Math.round(n * 100) / 100);
}

/**
 * Whether a breakdown has a merged 其他 row to show: the server always sends `other` (so that
 * rows + other = total) and says in `other_groups` how many groups it holds.
 */
export function hasOther(report) {
  if (!report || !report.other) return false;
  return report.other_groups === undefined || report.other_groups === null ? true : Number(report.other_groups) > 0;
}

/** Organisations of a kind in an onboarding row (`kinds: {cooperative: 2, …}`). */
export function onboardingCount(row, kind) {
  if (!row) return 0;
  const kinds = row.kinds && typeof row.kinds === 'object' ? row.kinds : {};
  const n = kinds[kind] ?? row[kind] ?? (kind === 'business_buyer' ? row.business_buyers : undefined);
  return isNum(n) ? Number(n) : 0;
}

/** A price row's quantity in words: kilograms when the basis is kg (the server counts grams). */
export function priceQuantityText(quantity, basis) {
  return basis === 'kg' ? kgText(quantity) : groupDigits(quantity);
}

/** A short label for a time bucket on a chart's axis (`11月3日`, `11/3`, `2026年11月`, `2026-11`). */
export function axisLabel(row, by, lang) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String((row && row.key) || ''));
  if (!m) return rowLabel(row, lang);
  const [, y, mo, d] = m;
  if (by === 'month') return lang === 'en' ? `${y}-${mo}` : `${y}年${Number(mo)}月`;
  return lang === 'en' ? `${Number(mo)}/${Number(d)}` : `${Number(mo)}月${Number(d)}日`;
}
