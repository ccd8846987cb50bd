// A seller's delivery windows (送货时段, issue #22): publish a weekly window per area (weekday,
// time, places per date, cut-off), withdraw one, and the day's booked deliveries, each opening
// its delivery note (the driver's photo and the receiver's signature).

import { api, query, seg } from '../api.js';
import { sellingMemberships } from '../catalog.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, clearErrors, el, flash, flashError, note, noOrg, pickOrg, replaceChildren, showErrors, withBusy,
} from '../ui.js';

const params = new URLSearchParams(location.search);
const state = { org: null };
const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

/** Today in Shanghai, `YYYY-MM-DD`. */
function shanghaiToday() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

function field(id, key, input) {
  return el('div', { class: 'field' }, el('label', { for: id, i18n: key }), input,
    el('p', { class: 'field-error', id: `${id}-error`, 'data-error-for': input.name, hidden: true }));
}

function windowForm() {
  const form = el('form', { class: 'form', 'data-testid': 'window-form', novalidate: true });
  const input = (id, name, attrs) => el('input', { id, name, 'aria-describedby': `${id}-error`, ...attrs });
  const weekday = el('select', { id: 'sd-weekday', name: 'weekday', 'data-testid': 'window-weekday' },
    WEEKDAYS.map((d) => el('option', { value: String(d), i18n: `sd.weekday_${d}` })));
  form.append(
    field('sd-region', 'sd.region', input('sd-region', 'region_code', { inputmode: 'numeric', maxlength: '6', required: true, class: 'mono', 'data-testid': 'window-region' })),
    field('sd-weekday', 'sd.weekday', weekday),
    field('sd-start', 'sd.start', input('sd-start', 'start', { type: 'time', required: true, value: '08:00', 'data-testid': 'window-start' })),
    field('sd-end', 'sd.end', input('sd-end', 'end', { type: 'time', required: true, value: '10:00', 'data-testid': 'window-end' })),
    field('sd-capacity', 'sd.capacity', input('sd-capacity', 'capacity', { type: 'number', min: '1', max: '500', value: '10', required: true, 'data-testid': 'window-capacity' })),
    field('sd-cutoff', 'sd.cutoff', input('sd-cutoff', 'cutoff_hours', { type: 'number', min: '0', max: '168', value: '12', required: true, 'data-testid': 'window-cutoff' })));
  const submit = el('button', { type: 'submit', class: 'btn btn-primary', i18n: 'sd.publish', 'data-testid': 'window-publish' });
  form.append(el('p', { class: 'form-error', 'data-form-error': true, role: 'alert', hidden: true }), el('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const v = (n) => form.elements[n].value;
    const body = {
      region_code: v('region_code').trim(), weekday: Number(v('weekday')), start: v('start'), end: v('end'),
      capacity: Number(v('capacity')), cutoff_hours: Number(v('cutoff_hours')),
    };
    withBusy(submit, async () => {
      await api.post(`/orgs/${seg(state.org.id)}/delivery-windows`, body);
      flash(t('sd.published'), 'success');
      await loadWindows();
    }, (err) => showErrors(form, err));
  });
  return form;
}

async function loadWindows() {
  const box = $('#sd-windows');
  const list = await api.get(`/orgs/${seg(state.org.id)}/delivery-windows`);
  replaceChildren(box, list.length
    ? el('ul', { class: 'cards' }, list.map((w) => {
      const del = el('button', { type: 'button', class: 'btn btn-danger-quiet btn-small', i18n: 'sd.withdraw', 'data-testid': 'window-withdraw' });
      del.addEventListener('click', () => withBusy(del, async () => {
        await api.del(`/delivery-windows/${seg(w.id)}`);
        flash(t('sd.withdrawn'), 'success');
        await loadWindows();
      }));
      return el('li', { class: 'card', 'data-testid': 'window', dataset: { id: w.id } },
        el('p', {}, el('strong', { i18n: `sd.weekday_${w.weekday}` }), ` ${w.start}–${w.end} · `,
          el('span', { class: 'mono', text: w.region_code }), ' · ',
          el('span', { i18n: 'sd.places', args: { n: w.capacity } }), ' · ',
          el('span', { i18n: 'sd.cutoff_text', args: { h: w.cutoff_hours } })),
        el('div', { class: 'actions' }, del));
    }))
    : note('empty', { i18n: 'sd.no_windows' }));
  box.dataset.state = 'done';
}

async function loadDay() {
  const box = $('#sd-day');
  const date = $('#sd-date').value || shanghaiToday();
  const rows = await api.get(`/orgs/${seg(state.org.id)}/deliveries` + query({ date }));
  replaceChildren(box, rows.length
    ? el('ul', { class: 'cards' }, rows.map((r) => el('li', { class: 'card', 'data-testid': 'delivery-row' },
      el('p', {}, el('strong', { text: `${r.booking.start}–${r.booking.end}` }), ' ',
        el('a', { class: 'mono', href: `/delivery-note.html?sub=${encodeURIComponent(r.sub_order_id)}`, text: r.number, 'data-testid': 'delivery-open' }), ' ',
        el('span', { class: 'badge', i18n: `sub_status.${r.status}` }), ' ',
        r.note_status ? el('span', { class: 'badge', i18n: `sd.note_${r.note_status}` }) : null))))
    : note('empty', { i18n: 'sd.no_deliveries' }));
  box.dataset.state = 'done';
}

const { me } = await initShell({ auth: 'required' });
if (me) {
  const org = pickOrg(sellingMemberships(me), params);
  const body = $('#sd-body');
  if (!org) {
    replaceChildren(body, noOrg('seller-delivery-none'));
  } else {
    state.org = org;
    const date = el('input', { type: 'date', id: 'sd-date', value: shanghaiToday(), 'data-testid': 'delivery-date' });
    date.addEventListener('change', () => loadDay().catch(flashError));
    replaceChildren(body,
      el('section', { class: 'card', 'aria-labelledby': 'sd-day-title' },
        el('h2', { id: 'sd-day-title', i18n: 'sd.day' }),
        el('div', { class: 'inline-field' }, el('label', { for: 'sd-date', i18n: 'sd.date' }), date),
        el('div', { id: 'sd-day', 'data-testid': 'deliveries' })),
      el('section', { class: 'card', 'aria-labelledby': 'sd-windows-title' },
        el('h2', { id: 'sd-windows-title', i18n: 'sd.windows' }),
        el('div', { id: 'sd-windows', 'data-testid': 'windows' })),
      el('section', { class: 'card', 'aria-labelledby': 'sd-new-title' },
        el('h2', { id: 'sd-new-title', i18n: 'sd.new' }), windowForm()));
    try {
      await Promise.all([loadWindows(), loadDay()]);
    } catch (err) {
      flashError(err);
    }
  }
}
