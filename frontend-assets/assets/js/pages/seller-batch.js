// One batch as its cooperative keeps it: the trace code and its QR with the label sheets, the
// compliance certificate, whether the hash chain verifies, the events in order with their files
// and hashes, the form that appends an event (files uploaded first, then named in the event),
// and the per-box codes (一物一码). The operator opens the same page read-only.

import { api, seg } from '../api.js';
import { UNITS, parseInteger, unitEl } from '../catalog.js';
import { onLangChange, t, translate } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, badge, clearErrors, el, errorMessage, facts, flash, note, phoneEl, regionText, replaceChildren,
  setBusy, showErrors, timeEl, validationError,
} from '../ui.js';
import {
  COMMITMENTS, FILE_TYPES, KIND_FIELDS, MAX_FILE_BYTES, MAX_UNITS, displayCode, eventDataEl,
  fieldApplies, formatBytes, localInputToUtc, publicHref, shanghaiLocalInput, shortHash, withFacts,
} from '../trace.js';
import { recallAction } from '../recalls.js';

const id = new URLSearchParams(location.search).get('id');
const form = $('#event-form');
const unitsForm = $('#units-form');
const UNITS_PAGE = 50;
// The server allows 5 minutes of clock difference for "not in the future"; so does the form.
const FUTURE_SLACK_MS = 5 * 60 * 1000;
const view = {
  me: null,
  batch: null,
  editable: false,
  attachments: [],
  queue: Promise.resolve(),
  units: [],
  unitsShown: UNITS_PAGE,
};

// ---- loading -------------------------------------------------------------------------------------------

function showState(content) {
  $('#batch').hidden = true;
  $('#loading').hidden = false;
  replaceChildren($('#state-box'), content);
}

async function loadBatch() {
  const batch = withFacts(await api.get(`/batches/${seg(id)}`));
  view.batch = batch;
  return batch;
}

function isMember(me, batch) {
  return Boolean(me && Array.isArray(me.memberships) && batch.seller
    && me.memberships.some((m) => m.org && m.org.id === batch.seller.id));
}

// ---- the facts -------------------------------------------------------------------------------------------

function statusOf(batch) {
  return ['blocked', 'recalled'].includes(batch.status) ? batch.status : 'open';
}

/** Why the batch was recalled: the reason of its latest recall record. */
function recallReason(batch) {
  const events = Array.isArray(batch.events) ? batch.events : [];
  const last = [...events].reverse().find((e) => e.kind === 'recall');
  return last && last.data && typeof last.data.reason === 'string' ? last.data.reason : '';
}

/** Box labels the server draws on one sheet (`MAX_UNIT_LABELS_PER_SHEET` in trace). */
const UNIT_LABELS_PER_SHEET = 500;

function newTab(href, key, testid, cls = 'btn btn-secondary', args = undefined) {
  return el('a', { class: cls, href, target: '_blank', rel: 'noopener', 'data-testid': testid },
    el('span', args ? { i18n: key, args } : { i18n: key }),
    el('span', { class: 'visually-hidden', i18n: 'batch.new_tab' }));
}

function renderHead(batch) {
  const listing = batch.listing || {};
  $('#batch-title').textContent = listing.title || (batch.certificate && batch.certificate.product_name) || '';
  const title = document.querySelector('title');
  title.setAttribute('data-i18n', 'batch.doc_title_named');
  title.setAttribute('data-i18n-args', JSON.stringify({ code: batch.code_display || displayCode(batch.code) }));
  translate(title);
  replaceChildren($('#batch-meta'),
    badge('batch_status', statusOf(batch), 'batch-status'),
    batch.lot ? el('span', { class: 'muted' }, el('span', { i18n: 'batches.lot' }), ' ', el('span', { class: 'mono', 'data-testid': 'batch-lot', text: batch.lot })) : null,
    batch.seller ? el('span', { class: 'muted', text: batch.seller.name }) : null);

  let banner = null;
  if (statusOf(batch) === 'recalled') {
    banner = el('div', { class: 'banner banner-blocked', role: 'status', 'data-testid': 'recalled-banner' },
      el('strong', { i18n: 'batch_status.recalled' }), ' ', el('span', { i18n: 'batch.recalled_text' }),
      el('p', { class: 'pre-line', 'data-testid': 'recalled-reason', text: recallReason(batch) }),
      el('p', {}, el('a', { href: '/ops/recalls.html', i18n: 'batch.recall_report', 'data-testid': 'recall-report-link' })));
  } else if (statusOf(batch) === 'blocked') {
    banner = el('div', { class: 'banner banner-blocked', role: 'status', 'data-testid': 'blocked-banner' },
      el('strong', { i18n: 'batch_status.blocked' }), ' ', el('span', { i18n: 'batch.blocked_text' }));
  }
  replaceChildren($('#blocked-banner'), banner);
}

/** The seller's members and the operator may recall the batch, once. */
function renderRecall(batch) {
  const section = $('#recall-section');
  const may = view.editable || (view.me && view.me.account && ['operator', 'after_sales_agent'].includes(view.me.account.platform_role));
  section.hidden = !may || statusOf(batch) === 'recalled';
  if (section.hidden) {
    replaceChildren($('#recall-body'));
    return;
  }
  if ($('#recall-body').dataset.batchId === batch.id) return;
  $('#recall-body').dataset.batchId = batch.id;
  replaceChildren($('#recall-body'), recallAction({
    batchId: batch.id,
    lot: batch.lot || batch.code_display || displayCode(batch.code),
    testid: 'recall',
    onDone: async () => {
      await refresh();
      $('#batch').scrollIntoView({ block: 'start' });
    },
  }));
}

function renderVerification(batch) {
  const box = $('#verification');
  const v = batch.verification;
  if (!v) {
    replaceChildren(box);
    delete box.dataset.ok;
    return;
  }
  box.dataset.ok = String(Boolean(v.ok));
  const events = Number.isInteger(v.events) ? v.events : (batch.events || []).length;
  if (v.ok) {
    replaceChildren(box, el('div', { class: 'banner banner-ok', role: 'status', 'data-testid': 'verification-banner' },
      el('strong', { class: 'verify-line' },
        el('span', { class: 'verify-mark', 'aria-hidden': 'true', text: '✓' }),
        el('span', { i18n: 'batch.verify_ok', args: { count: events }, 'data-testid': 'verification-text' })),
      v.head ? el('p', { class: 'verify-head' },
        el('span', { i18n: 'batch.verify_head' }), ' ',
        el('code', { class: 'mono', title: v.head, text: shortHash(v.head) })) : null));
    return;
  }
  replaceChildren(box, el('div', { class: 'banner banner-bad', role: 'alert', 'data-testid': 'verification-banner' },
    el('strong', { class: 'verify-line' },
      el('span', { class: 'verify-mark', 'aria-hidden': 'true', text: '✗' }),
      el('span', { i18n: 'batch.verify_bad', 'data-testid': 'verification-text' })),
    v.broken_at !== null && v.broken_at !== undefined
      ? el('p', { i18n: 'batch.verify_broken_at', args: { seq: v.broken_at }, 'data-testid': 'verification-broken-at' }) : null,
    v.reason ? el('p', {}, el('span', { i18n: 'batch.verify_reason' }), ' ', el('span', { 'data-testid': 'verification-reason', text: v.reason })) : null,
    el('p', { class: 'hint', i18n: 'batch.verify_bad_hint' })));
}

function renderCode(batch) {
  const code = batch.code_display || displayCode(batch.code);
  replaceChildren($('#qr-box'), el('img', {
    src: `/api/v1/batches/${seg(batch.id)}/qr.svg`,
    alt: t('batch.qr_alt', { code }),
    width: '176',
    height: '176',
    class: 'qr',
    'data-testid': 'batch-qr',
  }));
  $('#trace-code').textContent = code;
  $('#trace-code').dataset.code = batch.code || '';
  $('#trace-url').textContent = batch.trace_url || '';
  replaceChildren($('#code-facts'), facts([
    ['batch.started_on', batch.started_on ? el('time', { datetime: batch.started_on, text: batch.started_on }) : null],
    ['batch.harvest_date', batch.harvest_date ? el('time', { datetime: batch.harvest_date, text: batch.harvest_date }) : null, 'batch-harvest-date'],
    ['batch.scans', el('span', { i18n: 'batch.times', args: { n: batch.scans ?? 0 } }), 'batch-scans'],
    ['batch.units_issued', el('span', { i18n: 'batch.units_n', args: { n: batch.units_issued ?? 0 } }), 'batch-units-issued'],
    ['batch.created_at', timeEl(batch.created_at)],
  ], { class: 'facts facts-code' }));

  const base = `/batches/${seg(batch.id)}/labels?per_page=12`;
  const actions = [newTab(publicHref(batch.code), 'batch.view_public', 'view-public')];
  if (view.editable) {
    actions.push(newTab(base, 'batch.print_labels', 'print-labels'));
    const units = batch.units_issued ?? 0;
    if (units === 0) {
      actions.push(el('span', { class: 'hint', i18n: 'batch.units_first', 'data-testid': 'print-unit-labels-later' }));
    } else if (units <= UNIT_LABELS_PER_SHEET) {
      actions.push(newTab(base + '&units=true', 'batch.print_unit_labels', 'print-unit-labels'));
    } else {
      // The server draws at most UNIT_LABELS_PER_SHEET box labels a sheet: one link a sheet.
      for (let page = 1; (page - 1) * UNIT_LABELS_PER_SHEET < units; page++) {
        const from = (page - 1) * UNIT_LABELS_PER_SHEET + 1;
        const to = Math.min(page * UNIT_LABELS_PER_SHEET, units);
        actions.push(newTab(`${base}&units=true&page=${page}`, 'batch.print_unit_labels_range',
          `print-unit-labels-${page}`, 'btn btn-secondary', { from, to }));
      }
    }
  }
  replaceChildren($('#code-actions'), actions);
}

function renderCertificate(batch) {
  const c = batch.certificate || {};
  const plot = batch.plot || {};
  const hasCoords = Number.isFinite(plot.lat) && Number.isFinite(plot.lng);
  const commitments = c.commitments || {};
  replaceChildren($('#cert-body'),
    facts([
      ['batch.cert_product', c.product_name ? el('strong', { text: c.product_name, 'data-testid': 'cert-product' }) : null],
      ['batch.cert_quantity', c.quantity !== undefined && c.quantity !== null
        ? el('span', { 'data-testid': 'cert-quantity' }, String(c.quantity), ' ', UNITS.includes(c.quantity_unit) ? unitEl(c.quantity_unit) : c.quantity_unit || '') : null],
      ['batch.cert_origin', c.origin ? el('span', { text: regionText(c.origin) }) : null],
      ['batch.cert_plot', plot.village || plot.name ? el('span', { text: [plot.village, plot.name].filter(Boolean).join(' · '), 'data-testid': 'cert-plot' }) : null],
      ['batch.cert_coords', hasCoords ? el('span', { class: 'mono', text: `${plot.lat}, ${plot.lng}`, 'data-testid': 'cert-coords' }) : null],
      ['batch.cert_issuer', c.issuer ? el('span', { text: c.issuer }) : null],
      ['batch.cert_contact', c.contact_phone ? phoneEl(c.contact_phone) : null],
      ['batch.cert_issued', c.issued_at ? timeEl(c.issued_at) : null],
      ['batch.cert_basis', c.basis ? el('span', { i18n: 'basis.' + c.basis, 'data-testid': 'cert-basis' }) : null],
    ]),
    el('div', { class: 'commitment-box' },
      el('p', { class: 'commitment-lead', i18n: 'batches.commitments_legend' }),
      el('ul', { class: 'commitment-list', 'data-testid': 'cert-commitments' }, COMMITMENTS.map((k) => {
        const made = commitments[k] === true;
        return el('li', { class: made ? 'is-made' : 'is-missing', dataset: { made: String(made) } },
          el('span', { class: 'commitment-mark', 'aria-hidden': 'true', text: made ? '☑' : '☐' }),
          el('span', { class: 'visually-hidden', i18n: made ? 'batch.promised' : 'batch.not_promised' }),
          el('span', { i18n: 'commitment.' + k }));
      }))));
}

// ---- the timeline ------------------------------------------------------------------------------------

async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (permissions, an in-app browser): try the old way below.
  }
  const area = el('textarea', { class: 'copy-buffer', readonly: true, 'aria-hidden': 'true', tabindex: '-1' });
  area.value = text;
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

function hashEl(sha) {
  const status = el('span', { class: 'copy-status', 'aria-live': 'polite', 'data-testid': 'copy-status' });
  const button = el('button', {
    type: 'button',
    class: 'btn btn-quiet btn-tiny',
    'data-i18n-title': 'batch.copy_hash',
    'data-testid': 'copy-hash',
    dataset: { hash: sha },
  }, el('span', { i18n: 'batch.copy' }), el('span', { class: 'visually-hidden', i18n: 'batch.copy_hash' }));
  button.addEventListener('click', async () => {
    const ok = await copyText(sha);
    // When nothing could be copied, the whole hash shows to be selected by hand.
    replaceChildren(status, ok
      ? el('span', { i18n: 'batch.copied' })
      : el('span', {}, el('span', { i18n: 'batch.copy_failed' }), ' ', el('code', { class: 'mono full-hash', text: sha })));
  });
  return el('span', { class: 'sha' },
    el('abbr', { class: 'sha-label', 'data-i18n-title': 'batch.sha_title', text: 'SHA-256' }), ' ',
    el('code', { class: 'mono', title: sha, 'data-testid': 'attachment-sha', text: shortHash(sha) }), ' ',
    button, status);
}

function attachmentEl(a) {
  const image = /^image\//.test(a.content_type || '');
  return el('li', { class: 'attachment', 'data-testid': 'attachment', dataset: { attachmentId: a.id || '', type: a.content_type || '' } },
    image && a.url ? el('img', { src: a.url, alt: '', width: '56', height: '56', loading: 'lazy', class: 'attachment-thumb' }) : el('span', { class: 'file-icon', 'aria-hidden': 'true', text: 'PDF' }),
    el('span', { class: 'attachment-body' },
      a.url
        ? el('a', { href: a.url, target: '_blank', rel: 'noopener', class: 'attachment-name', 'data-testid': 'attachment-link', text: a.name || a.id })
        : el('span', { class: 'attachment-name', text: a.name || a.id }),
      el('span', { class: 'attachment-meta muted' },
        el('span', { text: formatBytes(a.size) }),
        a.sha256 ? hashEl(a.sha256) : null)));
}

function eventEl(event) {
  const kind = String(event.kind || '');
  const attachments = Array.isArray(event.attachments) ? event.attachments : [];
  return el('li', { class: `trace-event kind-${kind}`, 'data-testid': 'timeline-event', dataset: { kind, seq: String(event.seq) } },
    el('div', { class: 'event-head' },
      el('span', { class: `badge badge-kind badge-kind-${kind}`, i18n: 'event_kind.' + kind, 'data-testid': 'event-kind', dataset: { value: kind } }),
      el('span', { class: 'event-time' }, timeEl(event.occurred_at)),
      el('span', { class: 'event-seq muted', text: `#${event.seq}` })),
    eventDataEl(event),
    attachments.length ? el('ul', { class: 'attachment-list', 'data-testid': 'event-attachments' }, attachments.map(attachmentEl)) : null,
    el('p', { class: 'event-foot muted' },
      // In chain format v2 the actor is a salted commitment (an object), not a name to show.
      typeof event.actor === 'string' ? el('span', {}, el('span', { i18n: 'batch.by' }), ' ', el('span', { text: event.actor })) : null,
      event.recorded_at ? el('span', {}, el('span', { i18n: 'batch.recorded' }), ' ', timeEl(event.recorded_at)) : null),
    event.hash ? el('details', { class: 'event-hash' },
      el('summary', {}, el('span', { i18n: 'batch.hash' }), ' ', el('code', { class: 'mono', 'data-testid': 'event-hash', text: shortHash(event.hash) })),
      el('dl', { class: 'hash-list' },
        el('dt', { i18n: 'batch.hash_full' }), el('dd', {}, el('code', { class: 'mono', text: event.hash })),
        el('dt', { i18n: 'batch.prev_hash' }), el('dd', {}, el('code', { class: 'mono', text: event.prev_hash || '' })),
        event.chain_version ? el('dt', { i18n: 'batch.chain_format' }) : null,
        event.chain_version ? el('dd', { 'data-testid': 'event-chain-version', text: `v${event.chain_version}` }) : null)) : null);
}

function renderTimeline(batch) {
  const events = (Array.isArray(batch.events) ? batch.events : []).slice().sort((a, b) => a.seq - b.seq);
  const list = $('#timeline');
  list.dataset.count = String(events.length);
  replaceChildren(list, events.length ? events.map(eventEl) : el('li', {}, note('empty', { i18n: 'batch.no_events' })));
}

function render(batch) {
  $('#loading').hidden = true;
  $('#batch').hidden = false;
  $('#batch').dataset.batchId = batch.id;
  $('#batch').dataset.status = statusOf(batch);
  renderHead(batch);
  renderVerification(batch);
  renderCode(batch);
  renderCertificate(batch);
  renderTimeline(batch);
  renderRecall(batch);
}

async function refresh() {
  try {
    render(await loadBatch());
  } catch (err) {
    if (!err.redirecting) flash(errorMessage(err), 'error');
  }
}

// ---- the event form ----------------------------------------------------------------------------------------

function testid(name) {
  return 'ev-' + name.replace(/_/g, '-');
}

function fieldControl(field) {
  const name = 'data.' + field.name;
  const idFor = 'ev-' + field.name;
  const common = { id: idFor, name, 'aria-describedby': `${idFor}-error${field.hint ? ` ${idFor}-hint` : ''}`, 'data-testid': testid(field.name) };
  if (field.type === 'choice' || field.type === 'unit') {
    const values = field.type === 'unit' ? UNITS : field.choices;
    const select = el('select', { ...common, required: field.required },
      el('option', { value: '', i18n: 'edit.choose' }),
      values.map((v) => el('option', { value: v, i18n: field.type === 'unit' ? 'unit_long.' + v : `${field.group}.${v}` })));
    if (field.type === 'unit') {
      const unit = view.batch && view.batch.certificate && view.batch.certificate.quantity_unit;
      select.value = UNITS.includes(unit) ? unit : '';
    }
    return select;
  }
  if (field.area) return el('textarea', { ...common, rows: '2', maxlength: String(field.maxlength || 500), 'data-i18n-placeholder': field.placeholder || null });
  return el('input', {
    ...common,
    type: 'text',
    inputmode: field.type === 'int' ? 'numeric' : null,
    maxlength: String(field.type === 'int' ? 9 : field.maxlength || 200),
    autocomplete: 'off',
    class: field.mono ? 'mono' : null,
    'data-i18n-placeholder': field.placeholder || null,
  });
}

function fieldEl(field) {
  const idFor = 'ev-' + field.name;
  const slot = el('p', { class: 'field-error', id: `${idFor}-error`, 'data-error-for': 'data.' + field.name, 'data-testid': testid(field.name) + '-error', hidden: true });
  const hint = field.hint ? el('p', { class: 'hint', id: `${idFor}-hint`, i18n: field.hint }) : null;
  if (field.type === 'radio') {
    return el('fieldset', { class: 'choice-group field-radio', dataset: { field: field.name }, 'aria-describedby': `${idFor}-error` },
      el('legend', { i18n: field.label }),
      el('div', { class: 'radio-row' }, field.choices.map((v) => el('label', { class: 'check', for: `${idFor}-${v}` },
        el('input', { type: 'radio', id: `${idFor}-${v}`, name: 'data.' + field.name, value: v, 'data-testid': `${testid(field.name)}-${v}` }),
        el('span', { class: `badge badge-result-${v}`, i18n: `${field.group}.${v}` })))),
      slot);
  }
  return el('div', { class: `field field-${field.name}${field.area ? ' field-wide' : ''}`, dataset: { field: field.name } },
    el('label', { for: idFor, i18n: field.label }),
    fieldControl(field),
    hint,
    slot);
}

function currentKind() {
  return form.elements.namedItem('kind').value;
}

/** The values of the kind's fields as typed, for the fields that depend on others. */
function rawValues() {
  const values = {};
  for (const field of KIND_FIELDS[currentKind()] || []) {
    const input = form.elements.namedItem('data.' + field.name);
    values[field.name] = input ? String(input.value).trim() : '';
  }
  return values;
}

function updateDependent() {
  const values = rawValues();
  for (const field of KIND_FIELDS[currentKind()] || []) {
    const box = form.querySelector(`[data-field="${field.name}"]`);
    if (box) box.hidden = !fieldApplies(field, values);
  }
}

function renderKindFields() {
  const kind = currentKind();
  const legend = $('#kind-legend');
  legend.setAttribute('data-i18n', 'event_kind.' + kind);
  translate(legend);
  form.dataset.kind = kind;
  replaceChildren($('#kind-inputs'), el('div', { class: 'kind-grid' }, (KIND_FIELDS[kind] || []).map(fieldEl)));
  updateDependent();
}

/** Reads the kind's fields into the event's data; problems into `errors` by form name. */
function readData(errors) {
  const data = {};
  const values = rawValues();
  for (const field of KIND_FIELDS[currentKind()] || []) {
    if (!fieldApplies(field, values)) continue;
    const name = 'data.' + field.name;
    const raw = values[field.name];
    if (raw === '') {
      if (field.required) errors[name] = field.type === 'choice' || field.type === 'radio' || field.type === 'unit' ? t('batch.e_choose') : t('common.required');
      continue;
    }
    if (field.type === 'int') {
      const n = parseInteger(raw);
      const max = field.max ?? 100_000_000;
      if (Number.isNaN(n) || n < field.min || n > max) {
        errors[name] = t('batch.e_int_range', { min: field.min, max });
        continue;
      }
      data[field.name] = n;
    } else {
      data[field.name] = raw;
    }
  }
  return data;
}

function resetEventForm() {
  clearErrors(form);
  renderKindFields();
  view.attachments = [];
  replaceChildren($('#attachment-list'));
  resetOccurred();
}

function resetOccurred() {
  const input = form.elements.namedItem('occurred_at');
  input.value = shanghaiLocalInput();
  input.max = shanghaiLocalInput(new Date(Date.now() + FUTURE_SLACK_MS));
  // Until someone changes it, the time means "now": sent as the instant of submitting, seconds
  // and all, so it never lands a few seconds before the record just written.
  input.dataset.auto = input.value;
}

/** The instant to send: the typed Beijing time, or now when the default was left alone. */
function occurredInstant(raw) {
  const input = form.elements.namedItem('occurred_at');
  if (input.dataset.auto && input.dataset.auto === raw) return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return localInputToUtc(raw);
}

/** Server names → this form's: `attachments[1]` → attachments; a data field not shown → data. */
function eventAliases(err) {
  const aliases = {};
  const fields = new Set((KIND_FIELDS[currentKind()] || []).map((f) => f.name));
  for (const key of Object.keys((err && err.fields) || {})) {
    let name = key.replace(/\[\d+\]$/, '').replace(/\.\d+$/, '');
    if (name === 'file' || name.startsWith('attachments')) name = 'attachments';
    else if (fields.has(name)) name = 'data.' + name;
    else if (name.startsWith('data.')) {
      // A field this kind does not show (or hides, like a fertiliser's safe interval).
      const box = form.querySelector(`[data-field="${name.slice(5)}"]`);
      if (!box || box.hidden) name = 'data';
    }
    aliases[key] = name;
  }
  return aliases;
}

async function submitEvent(event) {
  event.preventDefault();
  clearErrors(form);
  replaceChildren($('#event-status'));
  const submit = $('#event-submit');
  const kind = currentKind();
  const errors = {};
  const occurredRaw = String(form.elements.namedItem('occurred_at').value || '').trim();
  const occurred = occurredInstant(occurredRaw);
  if (!occurredRaw) errors.occurred_at = t('common.required');
  else if (!occurred) errors.occurred_at = t('batch.e_time');
  else if (Date.parse(occurred) > Date.now() + FUTURE_SLACK_MS) errors.occurred_at = t('batch.e_future');
  else if (view.batch.started_on && occurredRaw.slice(0, 10) < view.batch.started_on) {
    errors.occurred_at = t('batch.e_before_start', { date: view.batch.started_on });
  }
  const data = readData(errors);
  if (Object.keys(errors).length) {
    showErrors(form, validationError(errors));
    return;
  }
  setBusy(submit, true);
  try {
    // Files still uploading go into this event too.
    await view.queue;
    const added = await api.post(`/batches/${seg(id)}/events`, {
      kind,
      occurred_at: occurred,
      data,
      attachments: view.attachments.map((a) => a.id),
    });
    resetEventForm();
    const args = { kind: t('event_kind.' + (added && added.kind ? added.kind : kind)) };
    flash(el('span', { i18n: 'batch.added', args }), 'success');
    // The form is far below the flash on a phone: say it where the thumb is too.
    replaceChildren($('#event-status'), el('span', { i18n: 'batch.added', args }));
    await refresh();
  } catch (err) {
    showErrors(form, err, eventAliases(err));
  } finally {
    setBusy(submit, false);
  }
}

// ---- files ---------------------------------------------------------------------------------------------------

function fileError(message) {
  const slot = $('#ev-files-error');
  slot.textContent = slot.hidden || !slot.textContent ? message : `${slot.textContent}；${message}`;
  slot.hidden = false;
}

/** Some phones leave a PDF's type empty: then the name decides, and the server checks the bytes. */
function acceptable(file) {
  if (FILE_TYPES.includes(file.type)) return true;
  return !file.type && /\.(pdf|jpe?g|png|webp)$/i.test(file.name || '');
}

function uploadedEl(a) {
  const remove = el('button', { type: 'button', class: 'btn btn-quiet btn-tiny', i18n: 'batch.remove_attachment', 'data-testid': 'ev-attachment-remove' });
  const li = el('li', { class: 'attachment', 'data-testid': 'ev-attachment', dataset: { attachmentId: a.id } },
    el('span', { class: 'file-icon', 'aria-hidden': 'true', text: /^image\//.test(a.content_type || '') ? 'IMG' : 'PDF' }),
    el('span', { class: 'attachment-body' },
      el('span', { class: 'attachment-name', text: a.name || '' }),
      el('span', { class: 'attachment-meta muted' },
        el('span', { text: formatBytes(a.size) }),
        a.sha256 ? el('span', {}, 'SHA-256 ', el('code', { class: 'mono', title: a.sha256, text: shortHash(a.sha256) })) : null)),
    remove);
  remove.addEventListener('click', () => {
    view.attachments = view.attachments.filter((x) => x.id !== a.id);
    li.remove();
    form.querySelector('#ev-pick').focus();
  });
  return li;
}

async function uploadOne(file) {
  const pending = el('li', { class: 'attachment is-uploading', 'data-testid': 'ev-attachment-uploading' },
    el('span', { class: 'file-icon', 'aria-hidden': 'true', text: '…' }),
    el('span', { class: 'attachment-body' },
      el('span', { class: 'attachment-name', text: file.name }),
      el('span', { class: 'attachment-meta muted', i18n: 'batch.uploading' })));
  $('#attachment-list').append(pending);
  const body = new FormData();
  body.append('file', file, file.name);
  try {
    const attachment = await api.upload(`/batches/${seg(id)}/attachments`, body);
    view.attachments.push(attachment);
    pending.replaceWith(uploadedEl(attachment));
  } catch (err) {
    pending.remove();
    if (!err.redirecting) fileError(`${file.name}: ${(err.fields && err.fields.file) || errorMessage(err)}`);
  }
}

function addFiles(event) {
  const input = event.target;
  const files = Array.from(input.files || []);
  input.value = '';
  const slot = $('#ev-files-error');
  slot.textContent = '';
  slot.hidden = true;
  for (const file of files) {
    if (!acceptable(file)) {
      fileError(t('batch.e_file_type', { name: file.name }));
      continue;
    }
    if (file.size > MAX_FILE_BYTES) {
      fileError(t('batch.e_file_size', { name: file.name }));
      continue;
    }
    // One at a time: gentler on a field's weak connection, and the order stays the chosen one.
    view.queue = view.queue.then(() => uploadOne(file));
  }
}

// ---- 一物一码 ------------------------------------------------------------------------------------------------

function renderUnits() {
  const box = $('#units-body');
  const units = view.units;
  if (!units.length) {
    replaceChildren(box, note('empty', { i18n: 'batch.units_none' }));
    return;
  }
  const shown = units.slice(0, view.unitsShown);
  const more = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'batch.more', 'data-testid': 'units-more' });
  more.addEventListener('click', () => {
    view.unitsShown += UNITS_PAGE;
    renderUnits();
  });
  const scanned = units.filter((u) => (u.scans || 0) > 0).length;
  replaceChildren(box,
    el('p', { class: 'muted', 'data-testid': 'units-count-text' }, el('span', { i18n: 'batch.units_summary', args: { count: units.length, scanned } })),
    el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'units-title' },
      el('table', { class: 'units-table', 'data-testid': 'units-table' },
        el('thead', {}, el('tr', {},
          el('th', { scope: 'col', i18n: 'batch.unit_n' }),
          el('th', { scope: 'col', i18n: 'batch.unit_serial' }),
          el('th', { scope: 'col', i18n: 'batch.unit_scans' }),
          el('th', { scope: 'col', i18n: 'batch.unit_first' }))),
        el('tbody', {}, shown.map((u) => el('tr', { 'data-testid': 'unit-row', dataset: { serial: u.serial || '' } },
          el('td', { class: 'num', text: u.n }),
          el('td', {}, el('code', { class: 'mono', title: u.url || '', text: u.serial || '' })),
          el('td', { class: 'num', text: u.scans ?? 0 }),
          el('td', {}, u.first_scanned_at ? timeEl(u.first_scanned_at) : el('span', { class: 'muted', i18n: 'batch.unit_never' }))))))),
    units.length > shown.length ? more : null);
}

async function loadUnits() {
  const box = $('#units-body');
  box.setAttribute('aria-busy', 'true');
  try {
    const units = await api.get(`/batches/${seg(id)}/units`);
    view.units = (Array.isArray(units) ? units : []).slice().sort((a, b) => a.n - b.n);
    renderUnits();
  } catch (err) {
    if (!err.redirecting) replaceChildren(box, note(err.status === 403 || err.status === 404 ? 'muted' : 'error', err.status === 403 || err.status === 404 ? { i18n: 'batch.units_hidden' } : errorMessage(err)));
  } finally {
    box.removeAttribute('aria-busy');
  }
}

async function issueUnits(event) {
  event.preventDefault();
  clearErrors(unitsForm);
  const count = parseInteger(unitsForm.elements.namedItem('count').value);
  if (count === null || Number.isNaN(count) || count < 1 || count > MAX_UNITS) {
    showErrors(unitsForm, validationError({ count: t('batch.e_count', { max: MAX_UNITS }) }));
    return;
  }
  const button = $('#units-submit');
  setBusy(button, true);
  try {
    const issued = await api.post(`/batches/${seg(id)}/units`, { count });
    unitsForm.elements.namedItem('count').value = '';
    flash(el('span', { i18n: 'batch.issued', args: { count: Array.isArray(issued) ? issued.length : count } }), 'success');
    await Promise.all([loadUnits(), refresh()]);
  } catch (err) {
    showErrors(unitsForm, err);
  } finally {
    setBusy(button, false);
  }
}

// ---- the page ------------------------------------------------------------------------------------------------

form.addEventListener('submit', submitEvent);
form.elements.namedItem('kind').addEventListener('change', () => {
  clearErrors(form);
  renderKindFields();
});
$('#kind-inputs').addEventListener('change', (event) => {
  if (event.target.name === 'data.category') updateDependent();
});
form.elements.namedItem('occurred_at').addEventListener('input', (event) => {
  delete event.target.dataset.auto;
});
form.elements.namedItem('occurred_at').addEventListener('focus', () => {
  form.elements.namedItem('occurred_at').max = shanghaiLocalInput(new Date(Date.now() + FUTURE_SLACK_MS));
});
// A default "now" keeps showing now while the page stays open in the field.
setInterval(() => {
  const input = form.elements.namedItem('occurred_at');
  if (input.dataset.auto && input.dataset.auto === input.value && document.activeElement !== input) resetOccurred();
}, 30_000);
$('#ev-camera').addEventListener('change', addFiles);
$('#ev-pick').addEventListener('change', addFiles);
unitsForm.addEventListener('submit', issueUnits);
// The QR's alt text is an attribute the dictionary cannot follow by itself.
onLangChange(() => {
  if (view.batch) renderCode(view.batch);
});

async function main() {
  const { me, error } = await initShell({ auth: 'required' });
  if (!me) {
    if (error && !error.redirecting) showState(note('error', errorMessage(error)));
    return;
  }
  view.me = me;
  if (!id) {
    showState(note('empty', { i18n: 'batch.not_found' }));
    return;
  }
  let batch;
  try {
    batch = await loadBatch();
  } catch (err) {
    if (err.redirecting) return;
    if (err.status === 404) showState(note('empty', { i18n: 'batch.not_found' }));
    else if (err.status === 403) showState(note('error', { i18n: 'batch.not_yours' }));
    else {
      const retry = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.retry', 'data-testid': 'retry' });
      retry.addEventListener('click', () => location.reload());
      showState([note('error', errorMessage(err)), retry]);
      flash(errorMessage(err), 'error');
    }
    return;
  }
  // Members write; the operator (whom the API also lets in) reads.
  view.editable = isMember(me, batch);
  const back = $('#back-link');
  if (view.editable) back.href = '/seller/batches.html?org=' + encodeURIComponent(batch.seller.id);
  else back.parentElement.hidden = true;
  $('#read-only').hidden = view.editable;
  $('#add-section').hidden = !view.editable;
  unitsForm.hidden = !view.editable;
  render(batch);
  if (view.editable) {
    resetEventForm();
    form.dataset.ready = 'true';
  }
  $('#batch').dataset.ready = 'true';
  await loadUnits();
}

main();
