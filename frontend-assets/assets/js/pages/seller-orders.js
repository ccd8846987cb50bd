// The seller's order console: its parts of paid orders by where they stand — to acknowledge, to
// ship, shipped, received; which buttons show is the server's word (`can_acknowledge`,
// `can_ship`). Shipping names the carrier, the tracking number and, for every line, the batch(es)
// it was packed from (only batches of that line's listing that may ship now), so the parcel
// leads to its trace code. A shipped parcel gets logistics events; each part has a printable packing list.

import { api, query, seg } from '../api.js';
import { formatGrams, parseInteger, sellingMemberships } from '../catalog.js';
import { getLang, t } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, $$, badge, clearErrors, el, flash, flashError, loadList, noOrg, note, offsetParam, orgPicker,
  pagerButtons, phoneEl, pickOrg, replaceChildren, setBusy, showErrors, statusTabs, timeEl, validationError, value,
} from '../ui.js';
import { displayCode } from '../trace.js';
import { bpPercent, durationWords, lastDays } from '../quality.js';
import {
  LOGISTICS_KINDS, SELLER_TABS, addressLine, lineEl, orderHref, shipmentEl, subMoneyEl, subStatusBadge,
  reasonForm, shipByEl,
} from '../orders.js';

const LIMIT = 20;
const SHIP_BY_KEYS = { left: 'sorders.ship_left', overdue: 'sorders.ship_overdue' };
// The carrier list (`GET /carriers`: the tracking aggregator's codes), read once; a carrier not on
// it is `other` with its name typed (shown as typed, never tracked automatically).
let carrierList = null;
async function carriers() {
  if (!carrierList) carrierList = await api.get('/carriers');
  return carrierList;
}

/** The carrier list, or null once the seller is told why it could not be read. */
async function carrierListOr() {
  try {
    return await carriers();
  } catch (err) {
    flashError(err);
    return null;
  }
}

/** A part's form in place of the button that opened it; cancel puts the button back. */
function openSubform(slot, opener, form, cancel, focusName) {
  cancel.addEventListener('click', () => { replaceChildren(slot); opener.hidden = false; opener.focus(); });
  opener.hidden = true;
  replaceChildren(slot, form);
  form.elements.namedItem(focusName).focus();
}

/** A carrier select (the list, then "other") and the name field "other" reveals. */
function carrierField(fid, name, otherName, testid, list) {
  const en = getLang() === 'en';
  const other = el('input', { id: `${fid}-carrier-name`, name: otherName, type: 'text', maxlength: '20', autocomplete: 'off', 'aria-label': t('sorders.carrier_name'), placeholder: t('sorders.carrier_name'), 'data-testid': `${testid}-name`, hidden: true });
  const select = el('select', { id: `${fid}-carrier`, name, required: true, 'aria-describedby': `${fid}-carrier-error`, 'data-testid': testid },
    el('option', { value: '', i18n: 'sorders.carrier_choose' }),
    list.carriers.map((c) => el('option', { value: c.code, text: en ? c.name_en : c.name })),
    el('option', { value: list.other, i18n: 'sorders.carrier_other' }));
  select.addEventListener('change', () => {
    other.hidden = select.value !== list.other;
    if (!other.hidden) other.focus();
  });
  return [select, other];
}

/** Automatic tracking not (yet) running for a parcel: asked, or refused (then enter it by hand). */
function trackingNote(shipment) {
  const tracking = shipment && shipment.tracking;
  if (!tracking || tracking.status === 'subscribed') return null;
  const refused = tracking.status === 'refused';
  return el('p', { class: refused ? 'note note-warn small' : 'muted small', 'data-testid': 'tracking-note', dataset: { status: tracking.status } },
    refused
      ? el('span', { i18n: 'sorders.tracking_refused', args: { message: tracking.message || tracking.return_code || '' } })
      : el('span', { i18n: 'sorders.tracking_pending' }));
}

/** What a ship request says of the carrier: its code, or "other" with the typed name. */
function carrierBody(form, name, otherName) {
  const carrier = value(form, name);
  if (carrier !== (carrierList && carrierList.other)) return { carrier };
  return { carrier, carrier_name: value(form, otherName) };
}

/** The carrier and waybill fields of the ship and the correct-waybill forms. */
function waybillFields(fid, list, current) {
  const [select, other] = carrierField(fid, 'carrier', 'carrier_name', 'ship-carrier', list);
  const tracking = el('input', { id: `${fid}-tracking`, name: 'tracking_no', type: 'text', maxlength: '40', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', class: 'mono', required: true, 'aria-describedby': `${fid}-tracking-error`, 'data-testid': 'ship-tracking' });
  if (current) {
    select.value = current.carrier_code || list.other;
    other.hidden = Boolean(current.carrier_code);
    if (!current.carrier_code) other.value = current.carrier || '';
    tracking.value = current.tracking_no || '';
  }
  return el('div', { class: 'two-col' },
    el('div', { class: 'field' },
      el('label', { for: `${fid}-carrier`, i18n: 'order.carrier' }),
      select, other,
      el('p', { class: 'field-error', id: `${fid}-carrier-error`, 'data-error-for': 'carrier', hidden: true }),
      el('p', { class: 'field-error', 'data-error-for': 'carrier_name', hidden: true })),
    el('div', { class: 'field' },
      el('label', { for: `${fid}-tracking`, i18n: 'order.tracking_no' }),
      tracking,
      el('p', { class: 'field-error', id: `${fid}-tracking-error`, 'data-error-for': 'tracking_no', hidden: true })));
}

/** The carrier and waybill a form names, and what is wrong with them (into `problems`). */
function waybillBody(form, problems) {
  const carrier = carrierBody(form, 'carrier', 'carrier_name');
  const trackingNo = value(form, 'tracking_no').replace(/\s+/g, '');
  if (!carrier.carrier) problems.carrier = t('sorders.e_carrier');
  else if ('carrier_name' in carrier && !carrier.carrier_name) problems.carrier_name = t('sorders.e_carrier_name');
  if (!trackingNo) problems.tracking_no = t('sorders.e_tracking');
  else if (!/^[A-Za-z0-9-]{6,40}$/.test(trackingNo)) problems.tracking_no = t('sorders.e_tracking_format');
  return { ...carrier, tracking_no: trackingNo };
}
const params = new URLSearchParams(location.search);
const listBox = $('#sub-orders');
const SHIP_BY = ['overdue', 'soon'];
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const page = {
  org: null,
  // A ship-by filter (the console home's links) spans the tabs it concerns: no tab unless asked.
  status: SELLER_TABS.includes(params.get('status')) ? params.get('status') : (SHIP_BY.includes(params.get('ship_by')) ? '' : 'paid'),
  offset: 0,
  batches: null,
  filter: {
    q: (params.get('q') || '').slice(0, 40),
    from: DAY.test(params.get('from') || '') ? params.get('from') : '',
    to: DAY.test(params.get('to') || '') ? params.get('to') : '',
    ship_by: SHIP_BY.includes(params.get('ship_by')) ? params.get('ship_by') : '',
  },
  // Parts ticked for a bulk action: id → { sub, order }.
  picked: new Map(),
};

// ---- the organisation --------------------------------------------------------------------------

// ---- how fast the seller handles orders (the seed practice: acknowledge within 10 minutes) ----

function durationText(secs) {
  const w = durationWords(secs);
  return w ? t(w.key, w.args) : '—';
}

async function handling() {
  const { from, to } = lastDays();
  try {
    const r = await api.get(`/orgs/${seg(page.org.id)}/fulfilment` + query({ from, to }));
    replaceChildren($('#handling'), el('p', { class: 'muted', 'data-testid': 'sorders-handling' },
      t('sorders.handling', {
        count: r.paid,
        ack: durationText(r.acknowledge_p50_secs),
        ack90: durationText(r.acknowledge_p90_secs),
        within: bpPercent(r.acknowledged_within_target_bp),
        ship: durationText(r.ship_p50_secs),
      })));
  } catch {
    // The console works without the figures.
  }
}

// ---- batches (for shipping) ----------------------------------------------------------------------

async function batches() {
  if (!page.batches) {
    const list = await api.get(`/orgs/${seg(page.org.id)}/batches`);
    page.batches = Array.isArray(list) ? list : [];
  }
  return page.batches;
}

function batchChoice(sub, line, batch, checked) {
  const inputId = `ship-${sub.id}-${line.id}-${batch.id}`;
  return el('label', { class: 'check batch-choice', for: inputId, 'data-testid': 'ship-batch', dataset: { batchId: batch.id, lot: batch.lot || '', status: batch.status || 'open' } },
    el('input', { type: 'checkbox', id: inputId, name: `batch:${line.id}`, value: batch.id, checked, 'data-testid': 'ship-batch-check' }),
    el('span', { class: 'batch-choice-text' },
      el('span', { class: 'mono', text: batch.code_display || displayCode(batch.code) }),
      batch.lot ? el('span', { class: 'muted', text: ` ${batch.lot}` }) : null,
      el('span', { class: 'muted small' }, ' · ', el('span', { i18n: 'batches.created' }), ' ', timeEl(batch.created_at))));
}

/**
 * The batches a line may be packed from: the line's listing's, and only those the server says
 * may go into a parcel now (`shippable`: open, latest inspection passed). None: say why.
 */
function lineBatches(sub, line, all) {
  const mine = all.filter((b) => b.listing_id === line.listing_id);
  const shippable = mine.filter((b) => b.shippable);
  return el('fieldset', { class: 'choice-group ship-line', 'data-testid': 'ship-line', dataset: { lineId: line.id, listingId: line.listing_id } },
    el('legend', {}, el('span', { i18n: 'sorders.batches_for' }), ' ', el('span', { text: `${line.title} · ${line.sku_name} × ${line.quantity}` })),
    shippable.length
      ? shippable.map((b) => batchChoice(sub, line, b, shippable.length === 1))
      : el('p', { class: 'note note-info small', 'data-testid': 'ship-no-batch', dataset: { batches: String(mine.length) } },
        el('span', { i18n: mine.length ? 'sorders.no_shippable_batch' : 'sorders.no_batch' }), ' ',
        el('a', { href: '/seller/batches.html' + query({ org: page.org.id, listing: line.listing_id }), i18n: mine.length ? 'sorders.to_batch_list' : 'sorders.to_batches' })),
    el('p', { class: 'field-error', 'data-error-for': `line.${line.id}`, 'data-testid': 'ship-line-error', hidden: true }));
}

/**
 * A line sold by catch weight (多退少补) not weighed yet: its actual weight in all, entered at
 * packing. Sent before the parcel ships; a light line is refunded at once by the server.
 */
function lineWeight(sub, line) {
  const w = line.catch_weight;
  if (!w || (w.actual_grams !== null && w.actual_grams !== undefined)) return null;
  const inputId = `weigh-${sub.id}-${line.id}`;
  return el('div', { class: 'field ship-weight', 'data-testid': 'ship-weight', dataset: { lineId: line.id, nominal: String(w.nominal_grams) } },
    el('label', { for: inputId }, el('span', { i18n: 'sorders.weigh_label' }), ' ', el('span', { text: `${line.title} · ${line.sku_name} × ${line.quantity}` })),
    el('input', { id: inputId, name: `weight.${line.id}`, type: 'text', inputmode: 'numeric', maxlength: '8', autocomplete: 'off', required: true, 'data-testid': 'ship-weight-input' }),
    el('p', { class: 'hint', i18n: 'sorders.weigh_hint', args: { nominal: formatGrams(w.nominal_grams), tolerance: `${w.tolerance_permille / 10}%` } }),
    el('p', { class: 'field-error', 'data-error-for': `weight.${line.id}`, hidden: true }));
}

async function shipForm(sub, slot, opener) {
  let all;
  try {
    all = await batches();
  } catch (err) {
    flashError(err);
    return;
  }
  const list = await carrierListOr();
  if (!list) return;
  const fid = `ship-${sub.id}`;
  const submit = el('button', { type: 'submit', class: 'btn btn-primary', i18n: 'sorders.ship_submit', 'data-testid': 'ship-submit' });
  const cancel = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel' });
  const form = el('form', { class: 'subform ship-form', method: 'post', action: '#', novalidate: true, 'data-testid': 'ship-form' },
    el('h3', { i18n: 'sorders.ship_title' }),
    el('p', { class: 'form-error', 'data-form-error': '', role: 'alert', 'data-testid': 'ship-form-error', hidden: true }),
    waybillFields(fid, list),
    el('p', { class: 'hint', i18n: 'sorders.batches_hint' }),
    (sub.lines || []).map((line) => lineWeight(sub, line)),
    (sub.lines || []).map((line) => lineBatches(sub, line, all)),
    el('p', { class: 'field-error', 'data-error-for': 'batches', hidden: true }),
    el('p', { class: 'field-error', 'data-error-for': 'weights', hidden: true }),
    el('div', { class: 'actions' }, submit, cancel));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const chosen = [];
    const problems = {};
    const waybill = waybillBody(form, problems);
    for (const line of sub.lines || []) {
      const picked = $$(`input[name="batch:${line.id}"]:checked`, form).map((i) => i.value);
      const offered = $$(`input[name="batch:${line.id}"]`, form).length;
      if (offered && !picked.length) problems[`line.${line.id}`] = t('sorders.e_batch');
      for (const batchId of picked) chosen.push({ line_id: line.id, batch_id: batchId });
    }
    const weights = [];
    for (const line of sub.lines || []) {
      const input = form.elements.namedItem(`weight.${line.id}`);
      if (!input) continue;
      const grams = parseInteger(input.value);
      const most = 2 * Number(line.catch_weight.nominal_grams);
      if (grams === null || Number.isNaN(grams) || grams < 1 || grams > most) problems[`weight.${line.id}`] = t('sorders.e_weight', { most });
      else weights.push({ line, grams });
    }
    if (Object.keys(problems).length) {
      showErrors(form, validationError(problems));
      return;
    }
    // The server names a batch by its place in what we sent; show it at that batch's line.
    const aliases = {};
    chosen.forEach((c, i) => {
      aliases[`batches[${i}]`] = `line.${c.line_id}`;
      aliases[`batches[${i}].batch_id`] = `line.${c.line_id}`;
      aliases[`batches[${i}].line_id`] = `line.${c.line_id}`;
    });
    setBusy(submit, true);
    // Weighed first, one line at a time (the same weight again is answered as before, so a
    // retry after a failed shipment weighs nothing twice).
    for (const { line, grams } of weights) {
      try {
        await api.post(`/order-lines/${seg(line.id)}/weight`, { actual_grams: grams });
      } catch (err) {
        showErrors(form, err, { actual_grams: `weight.${line.id}` });
        setBusy(submit, false);
        return;
      }
    }
    try {
      await api.post(`/sub-orders/${seg(sub.id)}/ship`, { ...waybill, batches: chosen });
      flash(t('sorders.shipped', { number: sub.number }), 'success');
      await load();
    } catch (err) {
      showErrors(form, err, aliases);
    } finally {
      setBusy(submit, false);
    }
  });
  openSubform(slot, opener, form, cancel, 'carrier');
}

/** The seller corrects a parcel's waybill on its way (a wrong number or carrier). */
async function waybillForm(sub, slot, opener) {
  const list = await carrierListOr();
  if (!list) return;
  const fid = `waybill-${sub.id}`;
  const submit = el('button', { type: 'submit', class: 'btn btn-primary', i18n: 'sorders.waybill_submit', 'data-testid': 'waybill-submit' });
  const cancel = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel' });
  const form = el('form', { class: 'subform waybill-form', method: 'post', action: '#', novalidate: true, 'data-testid': 'waybill-form' },
    el('h3', { i18n: 'sorders.waybill_title' }),
    el('p', { class: 'hint', i18n: 'sorders.waybill_hint' }),
    el('p', { class: 'form-error', 'data-form-error': '', role: 'alert', 'data-testid': 'waybill-form-error', hidden: true }),
    waybillFields(fid, list, sub.shipment),
    el('div', { class: 'actions' }, submit, cancel));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const problems = {};
    const body = waybillBody(form, problems);
    if (Object.keys(problems).length) {
      showErrors(form, validationError(problems));
      return;
    }
    setBusy(submit, true);
    try {
      await api.put(`/sub-orders/${seg(sub.id)}/shipment`, body);
      flash(t('sorders.waybill_corrected', { number: sub.number }), 'success');
      await load();
    } catch (err) {
      showErrors(form, err);
    } finally {
      setBusy(submit, false);
    }
  });
  openSubform(slot, opener, form, cancel, 'tracking_no');
}

function logisticsForm(sub, slot, opener) {
  const fid = `log-${sub.id}`;
  const submit = el('button', { type: 'submit', class: 'btn btn-primary', i18n: 'sorders.logistics_submit', 'data-testid': 'logistics-submit' });
  const cancel = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel' });
  const form = el('form', { class: 'subform logistics-form', method: 'post', action: '#', novalidate: true, 'data-testid': 'logistics-form' },
    el('p', { class: 'form-error', 'data-form-error': '', role: 'alert', hidden: true }),
    el('div', { class: 'field' },
      el('label', { for: `${fid}-kind`, i18n: 'sorders.logistics_kind' }),
      el('select', { id: `${fid}-kind`, name: 'kind', 'data-testid': 'logistics-kind' },
        // `lost` counts only in the carrier's own word (a buyer's "lost" claim): not offered here.
        LOGISTICS_KINDS.filter((k) => k !== 'lost').map((k) => el('option', { value: k, i18n: 'logistics.' + k }))),
      el('p', { class: 'field-error', 'data-error-for': 'kind', hidden: true })),
    el('div', { class: 'field' },
      el('label', { for: `${fid}-location`, i18n: 'sorders.logistics_location' }),
      el('input', { id: `${fid}-location`, name: 'location', type: 'text', maxlength: '60', 'data-testid': 'logistics-location' }),
      el('p', { class: 'field-error', 'data-error-for': 'location', hidden: true })),
    el('div', { class: 'field' },
      el('label', { for: `${fid}-note`, i18n: 'sorders.logistics_note' }),
      el('input', { id: `${fid}-note`, name: 'note', type: 'text', maxlength: '200', 'data-testid': 'logistics-note' }),
      el('p', { class: 'field-error', 'data-error-for': 'note', hidden: true })),
    el('div', { class: 'actions' }, submit, cancel));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const body = { kind: value(form, 'kind') };
    const location_ = value(form, 'location');
    const noteText = value(form, 'note');
    if (location_) body.location = location_;
    if (noteText) body.note = noteText;
    setBusy(submit, true);
    try {
      const order = await api.post(`/sub-orders/${seg(sub.id)}/logistics`, body);
      const updated = (order.sub_orders || []).find((s) => s.id === sub.id);
      flash(t('sorders.logistics_added'), 'success', { focus: false });
      replaceChildren(slot);
      opener.hidden = false;
      const card = listBox.querySelector(`[data-testid="seller-sub"][data-sub-id="${sub.id}"]`);
      if (card && updated) card.replaceWith(subCard(updated, order));
    } catch (err) {
      showErrors(form, err);
    } finally {
      setBusy(submit, false);
    }
  });
  openSubform(slot, opener, form, cancel, 'kind');
}

// ---- a part to handle ---------------------------------------------------------------------------

function minutesSince(iso) {
  if (!iso) return null;
  const ms = Date.now() - new Date(iso).getTime();
  return Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 60000)) : null;
}

function subCard(sub, order) {
  const a = order.address || {};
  const slot = el('div');
  const shipBy = shipByEl(sub, SHIP_BY_KEYS);
  const actions = el('div', { class: 'actions' });
  if (sub.can_acknowledge) {
    const ack = el('button', { type: 'button', class: 'btn btn-primary', i18n: 'sorders.acknowledge', 'data-testid': 'sub-acknowledge' });
    ack.addEventListener('click', async () => {
      setBusy(ack, true);
      try {
        await api.post(`/sub-orders/${seg(sub.id)}/acknowledge`, undefined);
        flash(t('sorders.acknowledged', { number: sub.number }), 'success');
        await load();
      } catch (err) {
        flashError(err);
        setBusy(ack, false);
      }
    });
    actions.append(ack);
  }
  if (sub.can_ship) {
    const ship = el('button', { type: 'button', class: 'btn btn-primary', i18n: 'sorders.ship', 'data-testid': 'sub-ship' });
    ship.addEventListener('click', () => shipForm(sub, slot, ship));
    actions.append(ship);
  }
  // Issue #18: the buyer's request to cancel, answered before its limit (else it is accepted).
  if (sub.can_answer_cancel) {
    const accept = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'sorders.cancel_accept', 'data-testid': 'sub-cancel-accept' });
    accept.addEventListener('click', async () => {
      setBusy(accept, true);
      try {
        await api.post(`/sub-orders/${seg(sub.id)}/cancel-request/accept`, undefined);
        flash(t('sorders.cancel_accepted', { number: sub.number }), 'success');
        await load();
      } catch (err) {
        flashError(err);
        setBusy(accept, false);
      }
    });
    const refuse = el('button', { type: 'button', class: 'btn btn-quiet', i18n: 'sorders.cancel_refuse', 'data-testid': 'sub-cancel-refuse' });
    refuse.addEventListener('click', () => reasonForm(slot, refuse, {
      labelKey: 'sorders.cancel_refuse_reason',
      submitKey: 'sorders.cancel_refuse_send',
      testid: 'sub-cancel-refuse',
      onSubmit: async (reason) => {
        await api.post(`/sub-orders/${seg(sub.id)}/cancel-request/refuse`, { reason });
        flash(t('sorders.cancel_refused', { number: sub.number }), 'success');
        await load();
      },
    }));
    actions.append(accept, refuse);
  }
  if (sub.status === 'shipped') {
    const log = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'sorders.add_logistics', 'data-testid': 'sub-logistics' });
    log.addEventListener('click', () => logisticsForm(sub, slot, log));
    actions.append(log);
  }
  if (sub.can_correct_waybill) {
    const fix = el('button', { type: 'button', class: 'btn btn-quiet', i18n: 'sorders.correct_waybill', 'data-testid': 'sub-correct-waybill' });
    fix.addEventListener('click', () => waybillForm(sub, slot, fix));
    actions.append(fix);
  }
  if (order.wholesale && ['paid', 'acknowledged', 'shipped', 'received'].includes(sub.status)) {
    actions.append(el('a', { class: 'btn btn-quiet', href: `/delivery-note.html?sub=${encodeURIComponent(sub.id)}`, i18n: 'delivery.link', 'data-testid': 'sub-delivery' }));
  }
  actions.append(
    el('a', { class: 'btn btn-quiet', href: '/seller/packing.html' + query({ order: order.id, sub: sub.id }), target: '_blank', rel: 'noopener', 'data-testid': 'sub-packing' },
      el('span', { i18n: 'sorders.packing' }), el('span', { class: 'visually-hidden', i18n: 'batch.new_tab' })),
    el('a', { class: 'btn btn-quiet', href: orderHref(order.id), i18n: 'sorders.open_order' }));
  const pickable = sub.can_acknowledge || sub.can_ship || sub.status === 'acknowledged';
  const pick = pickable
    ? el('label', { class: 'check bulk-pick', for: `pick-${sub.id}` },
      el('input', { type: 'checkbox', id: `pick-${sub.id}`, 'data-testid': 'sub-pick', dataset: { subId: sub.id }, checked: page.picked.has(sub.id) }),
      el('span', { class: 'visually-hidden', i18n: 'sorders.bulk_pick', args: { number: sub.number } }))
    : null;
  if (pick) {
    pick.querySelector('input').addEventListener('change', (e) => {
      if (e.target.checked) page.picked.set(sub.id, { sub, order });
      else page.picked.delete(sub.id);
      bulkState();
    });
  }
  const waited = sub.status === 'paid' ? minutesSince(sub.paid_at) : null;
  // A part sent again for a claim (补发): ¥0, shipped like any other.
  const replacement = (order.events || []).some((e) => e.kind === 'replacement' && e.sub_order_id === sub.id);
  return el('li', {
    class: 'card seller-sub' + (waited !== null && waited >= 10 ? ' is-late' : ''),
    'data-testid': 'seller-sub',
    dataset: { subId: sub.id, orderId: order.id, status: sub.status, replacement: String(replacement) },
  },
  el('div', { class: 'item-head' },
    pick,
    el('h3', { class: 'item-title mono', 'data-testid': 'sub-number', text: sub.number }),
    replacement ? el('span', { class: 'tag tag-reship', i18n: 'order.replacement', 'data-testid': 'sub-replacement' }) : null,
    subStatusBadge(sub.status)),
  el('p', { class: 'meta muted' },
    el('span', {}, el('span', { i18n: 'order.paid_at' }), ' ', timeEl(sub.paid_at)),
    waited !== null ? el('span', { class: waited >= 10 ? 'late' : '', i18n: 'sorders.waiting', args: { n: waited }, 'data-testid': 'sub-waiting' }) : null,
    shipBy ? el('span', { 'data-testid': 'sub-ship-by' }, el('span', { i18n: 'sorders.ship_by' }), ' ', shipBy) : null),
    sub.cancel_request && sub.cancel_request.status === 'open'
      ? el('p', { class: 'note note-warn', i18n: 'sorders.cancel_asked', args: { reason: sub.cancel_request.reason || '' }, 'data-testid': 'sub-cancel-asked' })
      : null,
  el('div', { class: 'buyer-box' },
    el('p', { class: 'address-who' }, el('strong', { text: a.name || '' }), ' ', phoneEl(a.phone)),
    el('p', { class: 'address-where', text: addressLine(a) }),
    order.note ? el('p', { class: 'buyer-note' }, el('span', { class: 'muted', i18n: 'order.note' }), ' ', el('span', { class: 'pre-line', text: order.note })) : null),
  el('ul', { class: 'list order-lines' }, (sub.lines || []).map((line) => lineEl(line))),
  shipmentEl(sub.shipment),
  trackingNote(sub.shipment),
  subMoneyEl(sub),
  actions,
  slot);
}

// ---- search and filters -------------------------------------------------------------------------

function filterForm() {
  const form = $('#order-filter');
  form.elements.namedItem('q').value = page.filter.q;
  form.elements.namedItem('from').value = page.filter.from;
  form.elements.namedItem('to').value = page.filter.to;
  form.elements.namedItem('ship_by').value = page.filter.ship_by;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(form);
    const next = {
      q: value(form, 'q'),
      from: value(form, 'from'),
      to: value(form, 'to'),
      ship_by: value(form, 'ship_by'),
    };
    if (next.from && next.to && next.to < next.from) {
      showErrors(form, validationError({ to: t('sorders.e_period') }));
      return;
    }
    page.filter = next;
    page.offset = 0;
    load();
  });
  form.addEventListener('reset', () => {
    page.filter = { q: '', from: '', to: '', ship_by: '' };
    page.offset = 0;
    // After the form has cleared its fields.
    setTimeout(load, 0);
  });
}

// ---- bulk actions: acknowledge, ship (a waybill each), print packing lists ------------------------

function bulkState() {
  const n = page.picked.size;
  replaceChildren($('#bulk-count'), el('span', { i18n: 'sorders.bulk_count', args: { count: n } }));
  const parts = [...page.picked.values()].map((p) => p.sub);
  $('#bulk-ack').disabled = !parts.some((s) => s.can_acknowledge);
  $('#bulk-ship').disabled = !parts.some((s) => s.can_ship);
  $('#bulk-print').disabled = n === 0;
  const all = $$('[data-testid="sub-pick"]', listBox);
  $('#bulk-all').checked = all.length > 0 && all.every((i) => i.checked);
}

/** Shows each item's result: a line per refused part, at its card too. */
function bulkResults(result, picked) {
  const refused = result.results.filter((r) => !r.ok);
  const numberOf = (id) => (picked.get(id) ? picked.get(id).sub.number : id);
  if (!refused.length) return null;
  return el('div', { class: 'note note-warn', role: 'alert', 'data-testid': 'bulk-refused' },
    el('p', { i18n: 'sorders.bulk_refused', args: { count: refused.length } }),
    el('ul', {}, refused.map((r) => el('li', { 'data-testid': 'bulk-refused-item', dataset: { subId: r.sub_order_id, code: r.code || '' } },
      el('span', { class: 'mono', text: numberOf(r.sub_order_id) }), ' — ',
      el('span', { text: r.fields ? Object.values(r.fields).join('；') : (r.message || r.code || '') })))));
}

async function bulkAcknowledge(button) {
  const picked = new Map(page.picked);
  const ids = [...picked.values()].filter((p) => p.sub.can_acknowledge).map((p) => p.sub.id);
  if (!ids.length) return;
  setBusy(button, true);
  try {
    const r = await api.post(`/orgs/${seg(page.org.id)}/sub-orders/acknowledge`, { sub_order_ids: ids });
    flash(t('sorders.bulk_acked', { count: r.done }), r.refused ? 'info' : 'success');
    await load();
    replaceChildren($('#bulk-slot'), bulkResults(r, picked));
  } catch (err) {
    flashError(err);
  } finally {
    setBusy(button, false);
  }
}

/** The bulk ship form: one row per part (carrier, waybill); each line's batch is the only one that may ship. */
async function bulkShipForm(button) {
  let all;
  try {
    all = await batches();
  } catch (err) {
    flashError(err);
    return;
  }
  const picked = new Map(page.picked);
  const parts = [...picked.values()].filter((p) => p.sub.can_ship);
  if (!parts.length) return;
  let list;
  try {
    list = await carriers();
  } catch (err) {
    flashError(err);
    return;
  }
  const rows = parts.map(({ sub }) => {
    const auto = (sub.lines || []).map((line) => {
      const ok = all.filter((b) => b.listing_id === line.listing_id && b.shippable);
      return ok.length === 1 ? { line_id: line.id, batch_id: ok[0].id } : null;
    });
    const needsChoice = auto.some((a) => a === null) && all.some((b) => (sub.lines || []).some((l) => l.listing_id === b.listing_id));
    return el('fieldset', { class: 'bulk-ship-row', 'data-testid': 'bulk-ship-row', dataset: { subId: sub.id, batches: JSON.stringify(auto.filter(Boolean)) } },
      el('legend', { class: 'mono', text: sub.number }),
      el('div', { class: 'two-col' },
        el('div', { class: 'field' },
          el('label', { for: `bs-${sub.id}-carrier`, i18n: 'order.carrier' }),
          carrierField(`bs-${sub.id}`, `carrier:${sub.id}`, `carrier_name:${sub.id}`, 'bulk-ship-carrier', list)),
        el('div', { class: 'field' },
          el('label', { for: `bs-${sub.id}-tracking`, i18n: 'order.tracking_no' }),
          el('input', { id: `bs-${sub.id}-tracking`, name: `tracking:${sub.id}`, type: 'text', maxlength: '40', class: 'mono', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'bulk-ship-tracking' }))),
      needsChoice ? el('p', { class: 'hint', i18n: 'sorders.bulk_ship_choose' }) : null,
      el('p', { class: 'field-error', 'data-error-for': `item.${sub.id}`, 'data-testid': 'bulk-ship-error', hidden: true }));
  });
  const submit = el('button', { type: 'submit', class: 'btn btn-primary', i18n: 'sorders.bulk_ship_submit', 'data-testid': 'bulk-ship-submit' });
  const cancel = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel' });
  const form = el('form', { class: 'subform bulk-ship-form', method: 'post', action: '#', novalidate: true, 'data-testid': 'bulk-ship-form' },
    el('h3', { i18n: 'sorders.bulk_ship_title' }),
    el('p', { class: 'hint', i18n: 'sorders.bulk_ship_hint' }),
    rows,
    el('div', { class: 'actions' }, submit, cancel));
  cancel.addEventListener('click', () => replaceChildren($('#bulk-slot')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const items = parts.map(({ sub }) => {
      const row = form.querySelector(`[data-sub-id="${sub.id}"]`);
      return {
        sub_order_id: sub.id,
        ...carrierBody(form, `carrier:${sub.id}`, `carrier_name:${sub.id}`),
        tracking_no: value(form, `tracking:${sub.id}`).replace(/\s+/g, ''),
        batches: JSON.parse(row.dataset.batches || '[]'),
      };
    });
    const problems = {};
    for (const i of items) {
      if (!i.carrier || !i.tracking_no || ('carrier_name' in i && !i.carrier_name)) problems[`item.${i.sub_order_id}`] = t('sorders.e_bulk_row');
    }
    if (Object.keys(problems).length) {
      showErrors(form, validationError(problems));
      return;
    }
    setBusy(submit, true);
    try {
      const r = await api.post(`/orgs/${seg(page.org.id)}/sub-orders/ship`, { items });
      const refused = r.results.filter((x) => !x.ok);
      flash(t('sorders.bulk_shipped', { count: r.done }), refused.length ? 'info' : 'success');
      if (!refused.length) {
        replaceChildren($('#bulk-slot'));
        await load();
        return;
      }
      // Keep the form for the refused rows, each with its reason; the shipped ones leave it.
      for (const x of r.results) {
        const row = form.querySelector(`[data-sub-id="${x.sub_order_id}"]`);
        if (x.ok && row) row.remove();
      }
      showErrors(form, validationError(Object.fromEntries(refused.map((x) => [
        `item.${x.sub_order_id}`, x.fields ? Object.values(x.fields).join('；') : (x.message || x.code || ''),
      ]))));
    } catch (err) {
      showErrors(form, err);
    } finally {
      setBusy(submit, false);
    }
  });
  replaceChildren($('#bulk-slot'), form);
  const first = form.querySelector('input');
  if (first) first.focus();
  button.blur();
}

function bulkButtons() {
  $('#bulk-all').addEventListener('change', (e) => {
    for (const input of $$('[data-testid="sub-pick"]', listBox)) {
      if (input.checked !== e.target.checked) {
        input.checked = e.target.checked;
        input.dispatchEvent(new Event('change'));
      }
    }
  });
  $('#bulk-ack').addEventListener('click', (e) => bulkAcknowledge(e.currentTarget));
  $('#bulk-ship').addEventListener('click', (e) => bulkShipForm(e.currentTarget));
  $('#bulk-print').addEventListener('click', () => {
    const parts = [...page.picked.values()].map((p) => `${p.order.id}:${p.sub.id}`).join(',');
    if (parts) window.open('/seller/packing.html' + query({ parts }), '_blank', 'noopener');
  });
  bulkState();
}

// ---- the list -----------------------------------------------------------------------------------

async function load() {
  const f = page.filter;
  const filters = { q: f.q, from: f.from, to: f.to, ship_by: f.ship_by };
  history.replaceState(null, '', location.pathname + query({ org: page.org.id, status: page.status, ...filters, offset: page.offset || '' }));
  page.picked.clear();
  bulkState();
  clearErrors($('#order-filter'));
  await loadList(listBox, {
    offset: page.offset,
    limit: LIMIT,
    fetch: () => api.get(`/orgs/${seg(page.org.id)}/sub-orders` + query({ status: page.status, ...filters, limit: LIMIT, offset: page.offset })),
    // A filter the server refuses is shown at its field.
    onError: (err) => {
      if (err.status !== 422) return false;
      showErrors($('#order-filter'), err);
      replaceChildren(listBox);
      return true;
    },
    render: (items, total) => {
      const cards = [];
      for (const order of items) {
        for (const sub of order.sub_orders || []) {
          if (sub.seller_id === page.org.id || !sub.seller_id) cards.push(subCard(sub, order));
        }
      }
      replaceChildren($('#sorders-count'), el('span', { i18n: 'sorders.count', args: { n: total } }));
      listBox.dataset.status = page.status;
      $('#bulk-bar').hidden = !cards.some((c) => c.querySelector('[data-testid="sub-pick"]'));
      const filtered = f.q || f.from || f.to || f.ship_by || !page.status;
      return cards.length
        ? el('ul', { class: 'cards' }, cards)
        : note('empty', { i18n: filtered ? 'sorders.none_filtered' : 'sorders.none_' + page.status });
    },
  });
}

function notVerified(org) {
  return el('section', { class: 'card', 'data-testid': 'sorders-unverified', dataset: { status: org.status } },
    el('h2', { text: org.name }),
    el('p', { class: 'meta' }, badge('status', org.status)),
    el('p', { class: 'note note-info', i18n: 'sorders.org_unverified' }),
    el('p', {}, el('a', { class: 'btn btn-secondary', href: '/org.html?id=' + encodeURIComponent(org.id), i18n: 'console.to_org' })));
}

const { me, error } = await initShell({ auth: 'required' });
if (me) {
  const memberships = sellingMemberships(me);
  const org = pickOrg(memberships, params);
  if (!org) {
    replaceChildren($('#state-box'), noOrg('sorders-no-org'));
  } else {
    page.org = org;
    replaceChildren($('#org-picker'), orgPicker(memberships, org, 'sorders-org-select'));
    if (org.status !== 'verified') {
      replaceChildren($('#state-box'), notVerified(org));
    } else {
      $('#console').hidden = false;
      $('#org-title').textContent = org.name;
      $('#settlement-link').href = '/seller/settlement.html' + query({ org: org.id });
      $('#claims-link').href = '/seller/claims.html' + query({ org: org.id });
      $('#invoices-link').href = '/seller/invoices.html' + query({ org: org.id });
      page.offset = offsetParam(params);
      filterForm();
      bulkButtons();
      statusTabs(page, load);
      pagerButtons(page, LIMIT, load);
      await load();
      handling();
    }
  }
} else if (error && !error.redirecting) {
  replaceChildren($('#state-box'), note('muted', { i18n: 'common.unavailable' }));
}
