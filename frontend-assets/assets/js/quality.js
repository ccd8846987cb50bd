// After-sales service quality, as the seed manual measures it: per group (seller, carrier,
// category, seller type) and period, the parcels delivered, the claims and their rate, how fast
// the first answer and the resolution came (median and 90th percentile), how many were resolved
// or escalated, what was refunded and how satisfied buyers were. The server sends rates in basis
// points, times in seconds and satisfaction × 10 so everything stays an integer; this module
// turns them into words. The pure helpers can be checked without a browser.

import { api, query } from './api.js';
import { t } from './i18n.js';
import { $, clearErrors, el, errorMessage, flashError, note, replaceChildren, showErrors, validationError } from './ui.js';
import { moneyEl } from './orders.js';
import { validDate } from './trace.js';

export const GROUPS = ['seller', 'carrier', 'category', 'seller_kind'];
export const SELLER_GROUPS = ['carrier', 'category'];
export const DEFAULT_DAYS = 30;
export const MAX_SPAN_DAYS = 366;
const DAY_MS = 86_400_000;
const BEIJING_MS = 8 * 3600 * 1000;

// ---- pure helpers ------------------------------------------------------------------------------

/** `33.33%`, `300%`, `2.5%` from basis points (1/10 000), exactly (no floating point). */
export function bpPercent(bp) {
  if (bp === null || bp === undefined || !Number.isFinite(Number(bp))) return '—';
  const n = Math.round(Number(bp));
  const whole = Math.floor(n / 100);
  const frac = String(n % 100).padStart(2, '0').replace(/0+$/, '');
  return `${whole}${frac ? '.' + frac : ''}%`;
}

/** `4.5` from satisfaction × 10; '—' when nobody rated. */
export function tenths(x10) {
  if (x10 === null || x10 === undefined || !Number.isFinite(Number(x10))) return '—';
  const n = Math.round(Number(x10));
  return `${Math.floor(n / 10)}.${n % 10}`;
}

/**
 * A duration in seconds as words: `{key, args}` for `45 秒`, `12 分钟`, `5 小时 12 分`,
 * `2 天 3 小时` (rounded to the minute, then to the hour past a day); null for none.
 */
export function durationWords(secs) {
  if (secs === null || secs === undefined || !Number.isFinite(Number(secs))) return null;
  const s = Math.max(0, Math.round(Number(secs)));
  if (s < 60) return { key: 'quality.dur_s', args: { s } };
  const minutes = Math.round(s / 60);
  if (minutes < 60) return { key: 'quality.dur_m', args: { m: minutes } };
  if (minutes < 24 * 60) return { key: 'quality.dur_hm', args: { h: Math.floor(minutes / 60), m: minutes % 60 } };
  const hours = Math.round(minutes / 60);
  return { key: 'quality.dur_dh', args: { d: Math.floor(hours / 24), h: hours % 24 } };
}

/** The last `days` Beijing days up to today: `{from, to}` as `YYYY-MM-DD`. */
export function lastDays(days = DEFAULT_DAYS, now = new Date()) {
  const day = (ms) => new Date(ms + BEIJING_MS).toISOString().slice(0, 10);
  return { from: day(now.getTime() - (days - 1) * DAY_MS), to: day(now.getTime()) };
}

/** What is wrong with a period, as a message; null when the server will take it. */
export function periodProblem(from, to) {
  if (!validDate(from) || !validDate(to)) return t('quality.e_period');
  const span = (Date.parse(to + 'T00:00:00Z') - Date.parse(from + 'T00:00:00Z')) / DAY_MS;
  return span < 0 || span > MAX_SPAN_DAYS ? t('quality.e_period') : null;
}

// ---- the report --------------------------------------------------------------------------------

function durationEl(secs) {
  const words = durationWords(secs);
  return words
    ? el('span', { i18n: words.key, args: words.args, dataset: { secs: String(secs) } })
    : el('span', { class: 'muted', text: '—', dataset: { secs: '' } });
}

function pair(a, b) {
  return el('span', {}, durationEl(a), el('span', { class: 'muted', text: ' / ' }), durationEl(b));
}

function rateEl(bp, part, whole, testid) {
  return el('span', { 'data-testid': testid, dataset: { bp: String(bp ?? '') } },
    bpPercent(bp), el('span', { class: 'muted small', text: ` (${part ?? 0}/${whole ?? 0})` }));
}

/** A group's name: the seller (linked), a seller type from the dictionary, or the server's. */
function groupName(row, groupBy, total) {
  if (total) return el('span', { i18n: 'quality.total' });
  if (groupBy === 'seller_kind' && row.key) return el('span', { i18n: 'kind.' + row.key });
  if (groupBy === 'seller' && row.key) return el('a', { href: '/seller/quality.html?org=' + encodeURIComponent(row.key), text: row.label || row.key, 'data-testid': 'q-seller-link' });
  return el('span', { text: row.label || row.key || '—' });
}

/** One group's figures as a small table: a metric per row, so it reads on a phone. */
export function groupTable(row, { groupBy, total = false }) {
  const metric = (key, value, testid) => el('tr', { 'data-testid': testid },
    el('th', { scope: 'row', i18n: key }), el('td', {}, value));
  return el('div', {
    class: 'card quality-group' + (total ? ' is-total' : ''),
    'data-testid': total ? 'quality-total' : 'quality-group',
    dataset: { key: row.key || '', claims: String(row.claims ?? 0), delivered: String(row.delivered ?? 0) },
  },
  el('table', { class: 'units-table quality-table' },
    el('caption', {}, groupName(row, groupBy, total)),
    el('tbody', {},
      metric('quality.delivered', el('span', { class: 'num', 'data-testid': 'q-delivered', text: String(row.delivered ?? 0) }), 'q-delivered-row'),
      metric('quality.claims', el('span', { class: 'num', 'data-testid': 'q-claims', text: String(row.claims ?? 0) }), 'q-claims-row'),
      metric('quality.claim_rate', el('span', { 'data-testid': 'q-claim-rate', dataset: { bp: String(row.claim_rate_bp ?? '') } }, bpPercent(row.claim_rate_bp)), 'q-claim-rate-row'),
      metric('quality.first_response', el('span', { 'data-testid': 'q-first-response' }, pair(row.first_response_p50_secs, row.first_response_p90_secs)), 'q-first-row'),
      metric('quality.resolution', el('span', { 'data-testid': 'q-resolution' }, pair(row.resolution_p50_secs, row.resolution_p90_secs)), 'q-resolution-row'),
      metric('quality.resolution_rate', rateEl(row.resolution_rate_bp, row.resolved, row.claims, 'q-resolution-rate'), 'q-resolution-rate-row'),
      metric('quality.escalation_share', rateEl(row.escalation_share_bp, row.escalated, row.claims, 'q-escalation'), 'q-escalation-row'),
      metric('quality.refunded', moneyEl(row.refunded ?? 0, 'q-refunded'), 'q-refunded-row'),
      metric('quality.satisfaction', el('span', { 'data-testid': 'q-satisfaction', dataset: { x10: String(row.satisfaction_x10 ?? '') } },
        row.satisfaction_x10 === null || row.satisfaction_x10 === undefined
          ? el('span', { class: 'muted', text: '—' })
          : [el('strong', { text: tenths(row.satisfaction_x10) }), el('span', { 'aria-hidden': 'true', text: ' ★' }),
            ' ', el('span', { class: 'muted small', i18n: 'quality.rated_n', args: { count: row.rated ?? 0 } })]), 'q-satisfaction-row'))));
}

export function reportEl(report) {
  const rows = Array.isArray(report.rows) ? report.rows : [];
  const groupBy = report.group_by;
  return [
    groupTable(report.total || {}, { groupBy, total: true }),
    el('h2', { class: 'section-title' }, el('span', { i18n: 'quality.groups' }), ' ',
      el('span', { class: 'muted small', i18n: 'quality.count_groups', args: { count: rows.length } })),
    rows.length
      ? el('div', { class: 'quality-groups' }, rows.map((r) => groupTable(r, { groupBy })))
      : note('empty', { i18n: 'quality.none' }),
  ];
}

// ---- the page ------------------------------------------------------------------------------------

/**
 * Wires a quality page: the period form (`#period`: from, to, group_by), the report box
 * (`#report`), the address that remembers them. `extra()` adds parameters (the seller's org).
 */
export function qualityPage({ groups, extra = () => ({}) }) {
  const form = $('#period');
  const box = $('#report');
  const params = new URLSearchParams(location.search);
  const start = lastDays();
  const groupSelect = form.elements.namedItem('group_by');
  replaceChildren(groupSelect, groups.map((g) => el('option', { value: g, i18n: 'quality.group_' + g })));
  form.elements.namedItem('from').value = validDate(params.get('from')) ? params.get('from') : start.from;
  form.elements.namedItem('to').value = validDate(params.get('to')) ? params.get('to') : start.to;
  groupSelect.value = groups.includes(params.get('group_by')) ? params.get('group_by') : groups[0];

  const load = async () => {
    clearErrors(form);
    const from = form.elements.namedItem('from').value;
    const to = form.elements.namedItem('to').value;
    const groupBy = groupSelect.value;
    const problem = periodProblem(from, to);
    if (problem) {
      showErrors(form, validationError({ to: problem }));
      return;
    }
    const q = { ...extra(), from, to, group_by: groupBy };
    history.replaceState(null, '', location.pathname + query({ org: q.org_id, from, to, group_by: groupBy }));
    box.setAttribute('aria-busy', 'true');
    box.dataset.state = 'loading';
    try {
      const report = await api.get('/aftersales/quality' + query(q));
      replaceChildren(box, reportEl(report));
      box.dataset.groupBy = report.group_by;
      box.dataset.from = report.from;
      box.dataset.to = report.to;
      box.dataset.state = 'done';
    } catch (err) {
      box.dataset.state = 'error';
      if (err.redirecting) return;
      if (err.fields && Object.keys(err.fields).length) showErrors(form, err, { from: 'from', to: 'to', group_by: 'group_by', org_id: 'to' });
      replaceChildren(box, note('error', errorMessage(err)));
      flashError(err);
    } finally {
      box.removeAttribute('aria-busy');
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    load();
  });
  groupSelect.addEventListener('change', load);
  return { load };
}
