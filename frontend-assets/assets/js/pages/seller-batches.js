// The batches of one selling organisation I belong to, and the way to a new one: an approved
// listing, the harvest's dates and quantity, the plot (with the phone's position when standing
// on it), and the compliance certificate (承诺达标合格证) with its three promises.

import { api, query, seg } from '../api.js';
import { UNITS, parseInteger, sellingMemberships } from '../catalog.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, badge, clearErrors, el, errorMessage, flashError, note, replaceChildren, setBusy,
  showErrors, timeEl, validationError,
} from '../ui.js';
import {
  BASES, BATCH_STATUSES, COMMITMENTS, displayCode, latInChina, lngInChina, parseCoord, roundCoord, shanghaiDate, validDate,
} from '../trace.js';

const params = new URLSearchParams(location.search);
const form = $('#batch-form');
const stateBox = $('#state-box');
const listBox = $('#batches');
const toggle = $('#new-batch');
const page = { org: null, listings: [], batches: [], onlyListing: params.get('listing') || '' };

const QUANTITY_MAX = 100_000_000;

// ---- the organisation ------------------------------------------------------------------------------

function pickOrg(memberships) {
  const wanted = params.get('org');
  const chosen = memberships.find((m) => m.org.id === wanted) || memberships[0];
  return chosen ? chosen.org : null;
}

function orgPicker(memberships, org) {
  if (memberships.length < 2) return null;
  const select = el('select', { id: 'org-select', name: 'org', 'data-testid': 'batches-org-select' },
    memberships.map((m) => el('option', { value: m.org.id, selected: m.org.id === org.id, text: m.org.name })));
  select.addEventListener('change', () => location.assign(location.pathname + query({ org: select.value })));
  return el('div', { class: 'inline-field org-picker' }, el('label', { for: 'org-select', i18n: 'console.org' }), select);
}

function notVerified(org) {
  return el('section', { class: 'card', 'data-testid': 'batches-unverified', dataset: { status: org.status } },
    el('h2', { text: org.name }),
    el('p', { class: 'meta' }, badge('status', org.status)),
    el('p', { class: 'note note-info', i18n: org.status === 'rejected' ? 'batches.org_rejected' : 'batches.org_pending' }),
    el('p', {}, el('a', { class: 'btn btn-secondary', href: '/org.html?id=' + encodeURIComponent(org.id), i18n: 'console.to_org' })));
}

// ---- the list ------------------------------------------------------------------------------------------

function batchHref(batch) {
  return '/seller/batch.html?id=' + encodeURIComponent(batch.id);
}

function batchRow(batch) {
  const href = batchHref(batch);
  const listing = batch.listing || { id: batch.listing_id, title: batch.product_name };
  const status = BATCH_STATUSES.includes(batch.status) ? batch.status : 'open';
  return el('li', {
    class: 'list-item batch-row' + (status !== 'open' ? ' is-blocked' : ''),
    'data-testid': 'batch-row',
    dataset: { batchId: batch.id, code: batch.code || '', status, listingId: listing.id || '' },
  },
  el('div', { class: 'item-head' },
    el('a', { class: 'batch-code-link mono', href, 'data-testid': 'batch-row-code' },
      el('span', { class: 'visually-hidden', i18n: 'batches.code' }),
      batch.code_display || displayCode(batch.code)),
    badge('batch_status', status, 'batch-row-status')),
  el('p', { class: 'batch-product', 'data-testid': 'batch-row-listing', text: listing.title || '' }),
  el('p', { class: 'meta muted' },
    batch.lot ? el('span', {}, el('span', { i18n: 'batches.lot' }), ' ', el('span', { class: 'mono', text: batch.lot })) : null,
    batch.harvest_date ? el('span', {}, el('span', { i18n: 'batches.harvested' }), ' ', el('time', { datetime: batch.harvest_date, text: batch.harvest_date })) : null,
    el('span', { i18n: 'batches.events_n', args: { count: batch.events ?? 0 }, 'data-testid': 'batch-row-events' }),
    el('span', { i18n: 'batches.scans_n', args: { count: batch.scans ?? 0 }, 'data-testid': 'batch-row-scans' })),
  el('p', { class: 'meta muted small' }, el('span', { i18n: 'batches.created' }), ' ', timeEl(batch.created_at)),
  el('div', { class: 'actions' },
    el('a', { class: 'btn btn-secondary', href, i18n: 'batches.open', 'data-testid': 'batch-row-open' })));
}

function renderList() {
  const only = page.onlyListing;
  const shown = only ? page.batches.filter((b) => b.listing_id === only) : page.batches;
  const listing = only ? page.listings.find((l) => l.id === only) : null;
  replaceChildren($('#filter-box'), only
    ? el('p', { class: 'filter-note', 'data-testid': 'batches-filter' },
      el('span', { i18n: 'batches.only_listing', args: { title: listing ? listing.title : '' } }), ' ',
      el('a', { href: location.pathname + query({ org: page.org.id }), i18n: 'batches.show_all', on: { click: showAll } }))
    : null);
  replaceChildren($('#batches-count'), el('span', { i18n: 'batches.count', args: { n: shown.length } }));
  listBox.dataset.count = String(shown.length);
  replaceChildren(listBox, shown.length
    ? el('ul', { class: 'list' }, shown.map(batchRow))
    : note('empty', { i18n: only ? 'batches.none_listing' : 'batches.none' }));
}

function showAll(event) {
  event.preventDefault();
  page.onlyListing = '';
  history.replaceState(null, '', location.pathname + query({ org: page.org.id }));
  renderList();
}

async function loadBatches() {
  listBox.setAttribute('aria-busy', 'true');
  try {
    const batches = await api.get(`/orgs/${seg(page.org.id)}/batches`);
    page.batches = Array.isArray(batches) ? batches : [];
    renderList();
    listBox.dataset.state = 'done';
  } catch (err) {
    listBox.dataset.state = 'error';
    if (!err.redirecting) replaceChildren(listBox, note('error', errorMessage(err)));
  } finally {
    listBox.removeAttribute('aria-busy');
  }
}

// ---- the form ------------------------------------------------------------------------------------------

function openForm(open) {
  form.hidden = !open;
  toggle.setAttribute('aria-expanded', String(open));
  toggle.hidden = open;
  if (open) {
    const first = page.listings.length ? form.elements.namedItem('listing_id') : $('#to-listings');
    form.scrollIntoView({ block: 'start' });
    first.focus();
  } else {
    toggle.focus();
  }
}

async function loadApprovedListings() {
  const select = form.elements.namedItem('listing_id');
  try {
    const listings = await api.get(`/orgs/${seg(page.org.id)}/listings` + query({ status: 'approved' }));
    page.listings = (Array.isArray(listings) ? listings : []).filter((l) => !l.status || l.status === 'approved');
  } catch (err) {
    page.listings = [];
    flashError(err);
  }
  replaceChildren(select,
    page.listings.length > 1 ? el('option', { value: '', i18n: 'batches.choose' }) : null,
    page.listings.map((l) => el('option', { value: l.id, text: l.title })));
  if (page.listings.some((l) => l.id === page.onlyListing)) select.value = page.onlyListing;
  $('#no-approved').hidden = page.listings.length > 0;
  $('#batch-fields').hidden = page.listings.length === 0;
  $('#to-listings').href = '/seller/listings.html' + query({ org: page.org.id });
}

/** Starts the form from what the organisation registered: its village and its phone. */
function prefill() {
  const today = shanghaiDate();
  for (const name of ['started_on', 'harvest_date']) form.elements.namedItem(name).max = today;
  form.elements.namedItem('harvest_date').value = today;
  const region = page.org.region || {};
  if (region.village) form.elements.namedItem('plot.village').value = region.village;
  if (page.org.contact_phone) form.elements.namedItem('certificate.contact_phone').value = page.org.contact_phone;
}

function text(name) {
  const input = form.elements.namedItem(name);
  return input ? String(input.value).trim() : '';
}

/** Reads and checks the form; problems go into `errors` by the names the server uses. */
function readForm(errors) {
  const today = shanghaiDate();
  const body = {};
  const listingId = text('listing_id');
  if (!listingId) errors.listing_id = t('batches.e_listing');

  const lot = text('lot');
  if (lot) body.lot = lot;

  for (const name of ['started_on', 'harvest_date']) {
    const v = text(name);
    body[name] = v;
    if (!v) errors[name] = t('batches.e_date');
    else if (!validDate(v)) errors[name] = t('batches.e_date_format');
    else if (v > today) errors[name] = t('batches.e_future');
  }
  if (!errors.started_on && !errors.harvest_date && body.started_on > body.harvest_date) {
    errors.started_on = t('batches.e_order');
  }

  body.quantity = parseInteger(text('quantity'));
  if (body.quantity === null) errors.quantity = t('common.required');
  else if (Number.isNaN(body.quantity) || body.quantity < 1 || body.quantity > QUANTITY_MAX) errors.quantity = t('batches.e_quantity');
  body.quantity_unit = text('quantity_unit');
  if (!UNITS.includes(body.quantity_unit)) errors.quantity_unit = t('edit.e_unit');

  const lat = parseCoord(text('plot.lat'));
  const lng = parseCoord(text('plot.lng'));
  body.plot = { village: text('plot.village'), name: text('plot.name'), lat, lng };
  if (!body.plot.name) errors['plot.name'] = t('batches.e_plot_name');
  if (Number.isNaN(lat) || (lat !== null && !latInChina(lat))) errors['plot.lat'] = t('batches.e_lat');
  if (Number.isNaN(lng) || (lng !== null && !lngInChina(lng))) errors['plot.lng'] = t('batches.e_lng');
  if (!errors['plot.lat'] && !errors['plot.lng'] && (lat === null) !== (lng === null)) {
    errors[lat === null ? 'plot.lat' : 'plot.lng'] = t('batches.e_coords_pair');
  }

  const certificate = { contact_phone: text('certificate.contact_phone'), basis: text('certificate.basis'), commitments: {} };
  if (!certificate.contact_phone) errors['certificate.contact_phone'] = t('batches.e_phone');
  if (!BASES.includes(certificate.basis)) errors['certificate.basis'] = t('batches.e_basis');
  for (const c of COMMITMENTS) certificate.commitments[c] = form.elements.namedItem('certificate.commitments.' + c).checked;
  // The certificate is a promise: it is only issued with all three made.
  if (!COMMITMENTS.every((c) => certificate.commitments[c])) errors['certificate.commitments'] = t('batches.e_commitments');
  body.certificate = certificate;
  return { listingId, body };
}

/** Server names → this form's: commitments are one group; bare names get their prefix. */
function aliasesFor(err) {
  const aliases = {};
  for (const key of Object.keys((err && err.fields) || {})) {
    let name = key.replace(/\[\d+\]$/, '');
    if (/^(certificate\.)?commitments(\.|$)/.test(name)) name = 'certificate.commitments';
    else if (['village', 'name', 'lat', 'lng'].includes(name)) name = 'plot.' + name;
    else if (['contact_phone', 'basis'].includes(name)) name = 'certificate.' + name;
    else if (['listing', 'listing_id'].includes(name)) name = 'listing_id';
    else if (name === 'unit') name = 'quantity_unit';
    else if (name === 'plot.location' || name === 'plot.coordinates') name = 'plot';
    aliases[key] = name;
  }
  return aliases;
}

async function submit(event) {
  event.preventDefault();
  clearErrors(form);
  const errors = {};
  const { listingId, body } = readForm(errors);
  if (Object.keys(errors).length) {
    showErrors(form, validationError(errors));
    // A radio group or the promises: mark the group, since it has no single input to focus.
    for (const group of ['certificate.basis', 'certificate.commitments']) {
      if (errors[group]) form.querySelector(`[data-error-for="${group}"]`).closest('fieldset').setAttribute('aria-invalid', 'true');
    }
    return;
  }
  const button = $('#batch-submit');
  setBusy(button, true);
  try {
    const batch = await api.post(`/listings/${seg(listingId)}/batches`, body);
    form.dataset.created = batch.id;
    location.assign(batchHref(batch));
  } catch (err) {
    showErrors(form, err, aliasesFor(err));
    setBusy(button, false);
  }
}

// ---- the phone's position ----------------------------------------------------------------------------

function locate() {
  const status = $('#locate-status');
  const button = $('#locate');
  const say = (key, args) => replaceChildren(status, el('span', { i18n: key, args }));
  if (!('geolocation' in navigator)) {
    say('batches.locate_unsupported');
    return;
  }
  setBusy(button, true);
  say('batches.locating');
  navigator.geolocation.getCurrentPosition((position) => {
    setBusy(button, false);
    const { latitude, longitude, accuracy } = position.coords;
    form.elements.namedItem('plot.lat').value = String(roundCoord(latitude));
    form.elements.namedItem('plot.lng').value = String(roundCoord(longitude));
    for (const name of ['plot.lat', 'plot.lng']) form.elements.namedItem(name).removeAttribute('aria-invalid');
    say('batches.located', { m: Math.max(1, Math.round(accuracy || 0)) });
  }, (error) => {
    setBusy(button, false);
    say(error.code === 1 ? 'batches.locate_denied' : error.code === 3 ? 'batches.locate_timeout' : 'batches.locate_unavailable');
  }, { enableHighAccuracy: true, timeout: 20_000, maximumAge: 60_000 });
}

// ---- the page ------------------------------------------------------------------------------------------

toggle.addEventListener('click', () => openForm(true));
$('#batch-cancel').addEventListener('click', () => {
  clearErrors(form);
  openForm(false);
});
$('#locate').addEventListener('click', locate);
form.addEventListener('submit', submit);
form.addEventListener('change', (event) => {
  // A corrected group loses its red border at once.
  const group = event.target.closest('fieldset.choice-group');
  if (group) group.removeAttribute('aria-invalid');
});

const { me, error } = await initShell({ auth: 'required' });
if (me) {
  const memberships = sellingMemberships(me);
  const org = pickOrg(memberships);
  if (!org) {
    replaceChildren(stateBox, el('section', { class: 'card', 'data-testid': 'batches-no-org' },
      el('p', { i18n: 'console.no_org' }),
      el('p', {}, el('a', { class: 'btn btn-secondary', href: '/org.html', i18n: 'console.to_orgs' }))));
  } else {
    page.org = org;
    replaceChildren($('#org-picker'), orgPicker(memberships, org));
    if (org.status !== 'verified') {
      replaceChildren(stateBox, notVerified(org));
    } else {
      $('#console').hidden = false;
      $('#org-title').textContent = org.name;
      prefill();
      await loadApprovedListings();
      form.dataset.ready = 'true';
      await loadBatches();
      // Arriving from a listing's "批次溯源" link with no batch yet: straight to the form.
      if (page.onlyListing && page.listings.some((l) => l.id === page.onlyListing)
        && !page.batches.some((b) => b.listing_id === page.onlyListing)) {
        openForm(true);
      }
    }
  }
} else if (error && !error.redirecting) {
  replaceChildren(stateBox, note('muted', { i18n: 'common.unavailable' }));
}
