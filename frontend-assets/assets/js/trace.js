// Traceability pieces the batch pages share: Beijing dates and times for the inputs (the server
// speaks UTC), trace codes and hashes, the event kinds with the fields each one records, and the
// readable rendering of an event. Nothing here touches the page when it is imported, so the pure
// functions can be checked without a browser.

import { UNITS, unitEl } from './catalog.js';
import { el, facts, timeEl } from './ui.js';

/** Every kind the chain holds, in the order a batch lives them. */
export const EVENT_KINDS = ['created', 'planting', 'input', 'harvest', 'inspection', 'packing', 'shipping', 'receiving', 'note', 'recall'];
/** What a member can append ("created" and "recall" are written by the server). */
export const ADDABLE_KINDS = EVENT_KINDS.filter((k) => k !== 'created' && k !== 'recall');
export const BASES = ['quality_control', 'self_test', 'commissioned_test'];
export const COMMITMENTS = ['no_banned_substances', 'withdrawal_respected', 'residues_within_limits'];
export const BATCH_STATUSES = ['open', 'blocked', 'recalled'];
export const INPUT_CATEGORIES = ['fertiliser', 'pesticide'];
export const INSPECTION_RESULTS = ['pass', 'fail'];
export const FILE_TYPES = ['application/pdf', 'image/jpeg', 'image/png', 'image/webp'];
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_UNITS = 5000;
export const SAFE_INTERVAL_MAX = 365;

// ---- Beijing calendar days and wall-clock times ---------------------------------------------------
// China has one time zone and no daylight saving: Beijing time is always UTC+8, so converting an
// input's wall-clock value is plain arithmetic and does not depend on the device's own zone.

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

function pad(n, width = 2) {
  return String(n).padStart(width, '0');
}

/** `2026-11-20`: the Beijing calendar day of an instant (default now). */
export function shanghaiDate(date = new Date()) {
  const d = new Date(date.getTime() + SHANGHAI_OFFSET_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** `2026-11-20T14:30`: a datetime-local value showing an instant in Beijing time. */
export function shanghaiLocalInput(date = new Date()) {
  const d = new Date(date.getTime() + SHANGHAI_OFFSET_MS);
  return `${shanghaiDate(date)}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** The datetime-local value of an RFC 3339 instant, in Beijing time; '' for nothing. */
export function utcToLocalInput(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : shanghaiLocalInput(date);
}

/**
 * A datetime-local value read as Beijing time, as the RFC 3339 UTC instant the server takes
 * (`2026-11-20T14:30` → `2026-11-20T06:30:00Z`). null when it is not a real time.
 */
export function localInputToUtc(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(String(value || '').trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] || '0'].map(Number);
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(ms);
  // Date.UTC rolls 2026-02-30 over to March: refuse what is not on the calendar.
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return new Date(ms - SHANGHAI_OFFSET_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A `YYYY-MM-DD` that is a real calendar day. */
export function validDate(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(value || ''));
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

// ---- codes, hashes, coordinates, sizes -------------------------------------------------------------

/** `7QX4-M2KD-9PA1-HZ3E` from `7QX4M2KD9PA1HZ3E` (the server also sends it as code_display). */
/**
 * The API's batch view keeps the certificate and plot as the chain recorded them (`facts`:
 * coordinates as integer micro-degrees). Pages read them flattened: `certificate` with the
 * product, quantity and origin, `plot` with the village and decimal degrees, and the dates.
 */
export function withFacts(batch) {
  const f = (batch && batch.facts) || {};
  const plot = f.plot || {};
  const deg = (e6) => (Number.isFinite(e6) ? e6 / 1e6 : undefined);
  return {
    ...batch,
    started_on: f.started_on,
    harvest_date: f.harvest_date,
    certificate: {
      ...(f.certificate || {}),
      product_name: f.product_name,
      quantity: f.quantity,
      quantity_unit: f.quantity_unit,
      origin: f.origin,
    },
    plot: {
      village: f.origin && f.origin.village,
      name: plot.name,
      lat: deg(plot.lat_e6),
      lng: deg(plot.lng_e6),
    },
  };
}

export function displayCode(code) {
  return String(code || '').replace(/[\s-]/g, '').replace(/(.{4})(?=.)/g, '$1-');
}

/** The first 12 hex digits: enough to tell records apart when reading, not to prove anything. */
export function shortHash(hex, n = 12) {
  return String(hex || '').slice(0, n);
}

/** A GPS coordinate rounded to 5 decimals (about 1 m), as a number. */
export function roundCoord(x) {
  return Math.round(Number(x) * 1e5) / 1e5;
}

/**
 * A coordinate typed by hand: accepts full-width digits and the Chinese full stop; null for
 * empty, NaN when it is not a number.
 */
export function parseCoord(raw) {
  const s = String(raw ?? '')
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFF10 + 48))
    .replace(/[．。]/g, '.')
    .replace(/[－—]/g, '-')
    .replace(/\s+/g, '');
  if (s === '') return null;
  return /^-?\d{1,3}(\.\d+)?$/.test(s) ? roundCoord(Number(s)) : Number.NaN;
}

// A loose box around China. The server keeps the exact rule; this only catches a swapped pair or
// a typo before the form is sent, so it must never be stricter than the server.
export const CHINA_BOX = { latMin: 3, latMax: 54, lngMin: 73, lngMax: 136 };

export function latInChina(lat) {
  return Number.isFinite(lat) && lat >= CHINA_BOX.latMin && lat <= CHINA_BOX.latMax;
}

export function lngInChina(lng) {
  return Number.isFinite(lng) && lng >= CHINA_BOX.lngMin && lng <= CHINA_BOX.lngMax;
}

/** `12.1 KB`, `3.4 MB`: units read the same in both languages. */
export function formatBytes(n) {
  const bytes = Number(n);
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The public scan page of a trace code. */
export function publicHref(code) {
  return '/t/' + encodeURIComponent(String(code || '').replace(/[\s-]/g, ''));
}

// ---- the fields each kind records ------------------------------------------------------------------
// One table serves the form (which inputs, required or not, how to read them) and the timeline
// (which label shows each value). `label` is the form's label, `show` the timeline's.

const text = (name, label, opts = {}) => ({ name, type: 'text', label, show: opts.show || label, ...opts });

export const KIND_FIELDS = {
  planting: [
    text('variety', 'event.f_variety', { required: true, maxlength: 60, placeholder: 'event.ph_variety' }),
    text('note', 'event.f_note', { show: 'event.note', area: true }),
  ],
  input: [
    { name: 'category', type: 'choice', choices: INPUT_CATEGORIES, group: 'input_category', label: 'event.f_category', required: true },
    text('product', 'event.f_product', { required: true, maxlength: 60, placeholder: 'event.ph_product' }),
    text('dose', 'event.f_dose', { required: true, maxlength: 60, placeholder: 'event.ph_dose' }),
    { name: 'safe_interval_days', type: 'int', label: 'event.f_safe_interval', hint: 'event.safe_interval_hint', min: 0, max: SAFE_INTERVAL_MAX, onlyWhen: { category: 'pesticide' }, required: true },
    text('note', 'event.f_note', { show: 'event.note', area: true }),
  ],
  harvest: [
    { name: 'quantity', type: 'int', label: 'event.f_quantity', min: 1, required: true },
    { name: 'unit', type: 'unit', label: 'event.f_unit', required: true },
    text('note', 'event.f_note', { show: 'event.note', area: true }),
  ],
  inspection: [
    text('lab', 'event.f_lab', { required: true, maxlength: 80, placeholder: 'event.ph_lab' }),
    text('method', 'event.f_method', { required: true, maxlength: 80, placeholder: 'event.ph_method' }),
    text('items', 'event.f_items', { required: true, maxlength: 200, placeholder: 'event.ph_items' }),
    { name: 'result', type: 'radio', choices: INSPECTION_RESULTS, group: 'inspection_result', label: 'event.f_result', required: true },
    text('note', 'event.f_note', { show: 'event.note', area: true }),
  ],
  packing: [
    { name: 'packages', type: 'int', label: 'event.f_packages', min: 1, required: true },
    text('spec', 'event.f_spec', { required: true, maxlength: 60, placeholder: 'event.ph_spec' }),
  ],
  shipping: [
    text('carrier', 'event.f_carrier', { required: true, maxlength: 60, placeholder: 'event.ph_carrier' }),
    text('tracking_no', 'event.f_tracking_no', { required: true, maxlength: 40, mono: true }),
    text('note', 'event.f_note', { show: 'event.note', area: true }),
  ],
  receiving: [
    text('receiver', 'event.f_receiver', { required: true, maxlength: 60, placeholder: 'event.ph_receiver' }),
    text('note', 'event.f_note', { show: 'event.note', area: true }),
  ],
  note: [
    text('text', 'event.f_text', { required: true, area: true, maxlength: 1000 }),
  ],
  // Written by the recall itself, never through the form: only shown.
  recall: [
    text('reason', 'event.recall_reason', { area: true, maxlength: 200 }),
  ],
};

/** Whether a field applies given the other values (safe interval only for a pesticide). */
export function fieldApplies(field, values) {
  if (!field.onlyWhen) return true;
  return Object.entries(field.onlyWhen).every(([k, v]) => values[k] === v);
}

// ---- rendering an event ----------------------------------------------------------------------------

function valueEl(field, v) {
  if (field.type === 'choice' || field.type === 'radio') {
    return el('span', { class: `badge badge-${v}`, i18n: `${field.group}.${v}`, dataset: { value: v } });
  }
  if (field.type === 'unit') return unitEl(v);
  return el('span', { class: field.mono ? 'mono' : (field.area ? 'pre-line' : null), text: v });
}

/** The readable facts of one event's data, by kind; unknown keys show as they came. */
export function eventDataEl(event) {
  const data = event && event.data && typeof event.data === 'object' ? event.data : {};
  const fields = KIND_FIELDS[event.kind];
  if (event.kind === 'input') {
    const category = INPUT_CATEGORIES.includes(data.category) ? data.category : null;
    const interval = Number.isInteger(data.safe_interval_days)
      ? el('span', { class: 'safe-interval', i18n: 'event.days', args: { count: data.safe_interval_days }, 'data-testid': 'safe-interval' })
      : null;
    return el('div', { class: 'event-data' },
      el('p', { class: 'event-line' },
        category ? el('span', { class: `badge badge-${category}`, i18n: `input_category.${category}`, dataset: { value: category } }) : null,
        ' ', el('strong', { text: data.product || '' })),
      facts([
        ['event.f_dose', data.dose ? el('span', { text: data.dose }) : null],
        ['event.f_safe_interval_short', interval],
        ['event.note', data.note ? el('span', { class: 'pre-line', text: data.note }) : null],
      ], { class: 'facts facts-event' }));
  }
  if (event.kind === 'harvest') {
    return el('div', { class: 'event-data' },
      el('p', { class: 'event-line' },
        el('strong', { class: 'harvest-qty', text: data.quantity ?? '' }), ' ',
        UNITS.includes(data.unit) ? unitEl(data.unit) : el('span', { text: data.unit || '' })),
      data.note ? el('p', { class: 'pre-line', text: data.note }) : null);
  }
  if (event.kind === 'inspection') {
    const result = INSPECTION_RESULTS.includes(data.result) ? data.result : null;
    return el('div', { class: 'event-data' },
      result ? el('p', { class: 'event-line' },
        el('span', { class: `badge badge-result-${result}`, i18n: `inspection_result.${result}`, 'data-testid': 'inspection-result', dataset: { value: result } })) : null,
      facts([
        ['event.f_lab', data.lab ? el('span', { text: data.lab }) : null],
        ['event.f_method', data.method ? el('span', { text: data.method }) : null],
        ['event.f_items', data.items ? el('span', { text: data.items }) : null],
        ['event.note', data.note ? el('span', { class: 'pre-line', text: data.note }) : null],
      ], { class: 'facts facts-event' }));
  }
  if (event.kind === 'created') {
    // What the batch was opened with shows in the certificate above; here, just what happened.
    return el('div', { class: 'event-data' }, el('p', { class: 'muted', i18n: 'event.created_text' }));
  }
  if (!fields) return el('div', { class: 'event-data' }, genericFacts(data));
  return el('div', { class: 'event-data' }, facts(fields
    .filter((f) => data[f.name] !== undefined && data[f.name] !== null && data[f.name] !== '')
    .map((f) => [f.show || f.label, valueEl(f, data[f.name])]), { class: 'facts facts-event' }));
}

/** Plain values of data the page has no labels for (a kind from a newer server): key and value. */
function genericFacts(data) {
  const rows = Object.entries(data || {}).filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object');
  if (!rows.length) return null;
  return el('dl', { class: 'facts facts-event facts-raw' }, rows.map(([k, v]) => el('div', { class: 'fact' },
    el('dt', { class: 'mono', text: k }),
    el('dd', { text: String(v) }))));
}

/** When it happened, in Beijing time. */
export function occurredEl(event) {
  return timeEl(event.occurred_at);
}
