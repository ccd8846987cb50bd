// The carrier recourse (承运商追偿), for the operator and platform finance: the totals by carrier,
// then every recourse by status and carrier, newest first. An open one takes collections (an
// amount up to what is outstanding, the day the money arrived, the carrier's reference; partial
// collections allowed) or is written off with a reason.

import { api, query, seg } from '../api.js';
import { fenToYuan, formatFen, parseYuan } from '../catalog.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, charCount, clearErrors, el, errorMessage, facts, flash, flashError, note, replaceChildren,
  setBusy, showErrors, timeEl, validationError,
} from '../ui.js';
import { validDate } from '../trace.js';
import { moneyEl, monthSoFar } from '../orders.js';

const LIMIT = 20;
const REASON_MAX = 200;
const STATUSES = ['open', 'collected', 'written_off'];
const STATUS_KEYS = { open: 'recourse.status_open', collected: 'recourse.status_collected', written_off: 'recourse.status_written_off' };
const results = $('#results');
const pager = $('#pager');
const filters = $('#filters');
const state = { status: '', carrier: '', from: '', to: '', offset: 0 };
/** The longest period the API takes, in days. */
const MAX_PERIOD_DAYS = 366;

function readUrl() {
  const p = new URLSearchParams(location.search);
  state.status = STATUSES.includes(p.get('status')) ? p.get('status') : '';
  state.carrier = (p.get('carrier') || '').trim();
  state.offset = Math.max(0, Number.parseInt(p.get('offset') || '0', 10) || 0);
  const from = p.get('from') || '';
  const to = p.get('to') || '';
  if (!periodProblems(from, to)) Object.assign(state, { from, to });
  filters.elements.namedItem('status').value = state.status;
  filters.elements.namedItem('carrier').value = state.carrier;
  filters.elements.namedItem('from').value = state.from;
  filters.elements.namedItem('to').value = state.to;
}

/** What is wrong with a period (both Beijing days or neither, in order, at most a year); null: nothing. */
export function periodProblems(from, to) {
  if (!from && !to) return null;
  if (!from) return { from: 'recourse.e_both' };
  if (!to) return { to: 'recourse.e_both' };
  if (!validDate(from)) return { from: 'recourse.e_date' };
  if (!validDate(to)) return { to: 'recourse.e_date' };
  if (to < from) return { to: 'recourse.e_order' };
  if ((Date.parse(to) - Date.parse(from)) / 86_400_000 >= MAX_PERIOD_DAYS) return { to: 'recourse.e_long' };
  return null;
}

function statusBadge(status) {
  const key = STATUS_KEYS[status];
  return key ? el('span', { class: `badge badge-${status}`, i18n: key, 'data-testid': 'recourse-status', dataset: { value: status } })
    : el('span', { text: status });
}

// ---- totals -------------------------------------------------------------------------------------

async function loadTotals() {
  const box = $('#totals');
  try {
    const totals = await api.get('/carrier-recourse/totals' + query({ from: state.from, to: state.to }));
    const row = (c, testid) => el('tr', { 'data-testid': testid },
      el('th', { scope: 'row' }, c.carrier ? el('span', { text: c.carrier }) : el('span', { i18n: 'recourse.all' })),
      el('td', { class: 'num', text: String(c.recourses) }),
      el('td', { class: 'num' }, moneyEl(c.opened)),
      el('td', { class: 'num' }, moneyEl(c.collected)),
      el('td', { class: 'num' }, moneyEl(c.written_off)),
      el('td', { class: 'num' }, moneyEl(c.outstanding, `${testid}-outstanding`)));
    const carriers = totals.carriers || [];
    replaceChildren(box, totals.from
      ? el('p', { class: 'muted', 'data-testid': 'totals-period', i18n: 'recourse.totals_of', args: { from: totals.from, to: totals.to } })
      : null, carriers.length
      ? el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'data-i18n-aria-label': 'recourse.totals' },
        el('table', { class: 'units-table' },
          el('thead', {}, el('tr', {},
            el('th', { scope: 'col', i18n: 'recourse.carrier' }),
            el('th', { scope: 'col', class: 'num', i18n: 'recourse.count_col' }),
            el('th', { scope: 'col', class: 'num', i18n: 'recourse.opened' }),
            el('th', { scope: 'col', class: 'num', i18n: 'recourse.collected' }),
            el('th', { scope: 'col', class: 'num', i18n: 'recourse.written_off' }),
            el('th', { scope: 'col', class: 'num', i18n: 'recourse.outstanding' }))),
          el('tbody', {}, carriers.map((c) => row(c, 'totals-carrier')), row(totals.all || {}, 'totals-all'))))
      : note('empty', { i18n: 'recourse.none' }));
  } catch (err) {
    if (!err.redirecting) replaceChildren(box, note('error', errorMessage(err)));
  }
}

// ---- collecting and writing off -----------------------------------------------------------------

function collectForm(r, card, slot, openers) {
  const fid = `collect-${r.id}`;
  const submit = el('button', { type: 'submit', class: 'btn btn-primary', i18n: 'recourse.collect_submit', 'data-testid': 'collect-submit' });
  const cancel = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel' });
  const field = (name, key, input, hint) => el('div', { class: 'field' },
    el('label', { for: `${fid}-${name}`, i18n: key }), input,
    hint || null,
    el('p', { class: 'field-error', id: `${fid}-${name}-error`, 'data-error-for': name, hidden: true }));
  const form = el('form', { class: 'subform', method: 'post', action: '#', novalidate: true, 'data-testid': 'collect-form' },
    el('p', { class: 'form-error', 'data-form-error': '', role: 'alert', hidden: true }),
    field('amount', 'recourse.amount', el('input', { id: `${fid}-amount`, name: 'amount', type: 'text', inputmode: 'decimal', autocomplete: 'off', value: fenToYuan(r.outstanding), 'aria-describedby': `${fid}-amount-hint ${fid}-amount-error`, 'data-testid': 'collect-amount' }),
      el('p', { class: 'hint', id: `${fid}-amount-hint`, i18n: 'recourse.amount_max', args: { max: formatFen(r.outstanding) } })),
    field('collected_on', 'recourse.collected_on', el('input', { id: `${fid}-collected_on`, name: 'collected_on', type: 'date', value: monthSoFar().to, 'aria-describedby': `${fid}-collected_on-error`, 'data-testid': 'collect-date' })),
    field('reference', 'recourse.reference', el('input', { id: `${fid}-reference`, name: 'reference', type: 'text', maxlength: '64', autocomplete: 'off', 'aria-describedby': `${fid}-reference-error`, 'data-testid': 'collect-reference' })),
    el('div', { class: 'actions' }, submit, cancel));
  cancel.addEventListener('click', () => { replaceChildren(slot); openers.forEach((o) => { o.hidden = false; }); });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const amount = parseYuan(form.elements.namedItem('amount').value);
    const collectedOn = form.elements.namedItem('collected_on').value;
    const reference = form.elements.namedItem('reference').value.trim();
    const problems = {};
    if (amount === null || Number.isNaN(amount) || amount <= 0 || amount > r.outstanding) problems.amount = t('recourse.e_amount', { max: formatFen(r.outstanding) });
    if (!validDate(collectedOn)) problems.collected_on = t('recourse.e_date');
    if (!reference) problems.reference = t('recourse.e_reference');
    if (Object.keys(problems).length) {
      showErrors(form, validationError(problems));
      return;
    }
    setBusy(submit, true);
    try {
      const d = await api.post(`/carrier-recourse/${seg(r.id)}/collections`, { amount, collected_on: collectedOn, reference });
      flash(t('recourse.collected_flash', { amount: formatFen(amount), carrier: r.carrier }), 'success');
      card.replaceWith(recourseCard(d.recourse, d.collections));
      loadTotals();
    } catch (err) {
      showErrors(form, err);
    } finally {
      setBusy(submit, false);
    }
  });
  openers.forEach((o) => { o.hidden = true; });
  replaceChildren(slot, form);
  form.elements.namedItem('amount').focus();
}

function writeOffForm(r, card, slot, openers) {
  const fid = `writeoff-${r.id}`;
  const submit = el('button', { type: 'submit', class: 'btn btn-danger', i18n: 'recourse.write_off_submit', 'data-testid': 'writeoff-submit' });
  const cancel = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel' });
  const form = el('form', { class: 'subform', method: 'post', action: '#', novalidate: true, 'data-testid': 'writeoff-form' },
    el('p', { class: 'form-error', 'data-form-error': '', role: 'alert', hidden: true }),
    el('div', { class: 'field' },
      el('label', { for: `${fid}-reason`, i18n: 'recourse.write_off_reason' }),
      el('textarea', { id: `${fid}-reason`, name: 'reason', rows: '2', maxlength: String(REASON_MAX * 2), 'aria-describedby': `${fid}-reason-error`, 'data-testid': 'writeoff-reason' }),
      el('p', { class: 'field-error', id: `${fid}-reason-error`, 'data-error-for': 'reason', hidden: true })),
    el('div', { class: 'actions' }, submit, cancel));
  cancel.addEventListener('click', () => { replaceChildren(slot); openers.forEach((o) => { o.hidden = false; }); });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const reason = form.elements.namedItem('reason').value.trim();
    if (charCount(reason) < 2 || charCount(reason) > REASON_MAX) {
      showErrors(form, validationError({ reason: t('catalog.reason_length', { min: 2, max: REASON_MAX }) }));
      return;
    }
    setBusy(submit, true);
    try {
      const d = await api.post(`/carrier-recourse/${seg(r.id)}/write-off`, { reason });
      flash(t('recourse.written_off_flash', { amount: formatFen(d.recourse.written_off), carrier: r.carrier }), 'success');
      card.replaceWith(recourseCard(d.recourse, d.collections));
      loadTotals();
    } catch (err) {
      showErrors(form, err);
    } finally {
      setBusy(submit, false);
    }
  });
  openers.forEach((o) => { o.hidden = true; });
  replaceChildren(slot, form);
  form.elements.namedItem('reason').focus();
}

// ---- a recourse ---------------------------------------------------------------------------------

function collectionsEl(collections) {
  if (!collections || !collections.length) return null;
  return el('ul', { class: 'list', 'data-testid': 'recourse-collections' }, collections.map((c) => el('li', {},
    moneyEl(c.amount), ' · ', el('span', { text: c.collected_on }), ' · ', el('span', { class: 'mono', text: c.reference }))));
}

function recourseCard(r, collections) {
  const card = el('li', { class: 'card', 'data-testid': 'recourse', dataset: { recourseId: r.id, status: r.status } });
  const slot = el('div');
  const actions = el('div', { class: 'actions' });
  if (r.status === 'open') {
    const collect = el('button', { type: 'button', class: 'btn btn-primary', i18n: 'recourse.collect', 'data-testid': 'recourse-collect' });
    const writeOff = el('button', { type: 'button', class: 'btn btn-danger-quiet', i18n: 'recourse.write_off', 'data-testid': 'recourse-write-off' });
    collect.addEventListener('click', () => collectForm(r, card, slot, [collect, writeOff]));
    writeOff.addEventListener('click', () => writeOffForm(r, card, slot, [collect, writeOff]));
    actions.append(collect, writeOff);
  }
  replaceChildren(card,
    el('div', { class: 'item-head' },
      el('span', { class: 'item-title' }, el('span', { text: r.carrier }), ' ', el('span', { class: 'mono muted', text: r.tracking_no })),
      statusBadge(r.status)),
    facts([
      ['recourse.claim', r.claim_number ? el('a', { class: 'mono', href: `/claim.html${query({ id: r.claim_id })}`, text: r.claim_number }) : null],
      ['recourse.opened_at', timeEl(r.created_at)],
      ['recourse.amount_col', moneyEl(r.amount, 'recourse-amount')],
      ['recourse.collected', moneyEl(r.collected, 'recourse-collected')],
      ['recourse.written_off', r.written_off ? moneyEl(r.written_off, 'recourse-written-off') : null],
      ['recourse.outstanding', moneyEl(r.outstanding, 'recourse-outstanding')],
      ['recourse.write_off_reason', r.write_off_reason ? el('span', { class: 'pre-line', text: r.write_off_reason }) : null],
    ]),
    collectionsEl(collections),
    actions,
    slot);
  if (collections === undefined) {
    // The list does not carry collections: fetch them for the recourses that have some.
    if (r.collected > 0) {
      api.get(`/carrier-recourse/${seg(r.id)}`).then((d) => {
        const list = collectionsEl(d.collections);
        if (list) actions.before(list);
      }).catch(() => {});
    }
  }
  return card;
}

// ---- the list -----------------------------------------------------------------------------------

async function load() {
  history.replaceState(null, '', location.pathname + query({ status: state.status, carrier: state.carrier, from: state.from, to: state.to, offset: state.offset || '' }));
  results.setAttribute('aria-busy', 'true');
  try {
    const page = await api.get('/carrier-recourse' + query({ status: state.status, carrier: state.carrier, from: state.from, to: state.to, limit: LIMIT, offset: state.offset }));
    const items = (page && page.items) || [];
    const total = Number(page && page.total) || 0;
    replaceChildren($('#results-count'), el('span', { i18n: 'recourse.count', args: { count: total } }));
    replaceChildren(results, items.length
      ? el('ul', { class: 'cards' }, items.map((r) => recourseCard(r)))
      : note('empty', { i18n: 'recourse.empty' }));
    const to = state.offset + items.length;
    pager.hidden = total <= LIMIT && state.offset === 0;
    $('#page-prev').disabled = state.offset <= 0;
    $('#page-next').disabled = to >= total;
    replaceChildren($('#page-info'), el('span', { i18n: 'verify.page_info', args: { from: total ? state.offset + 1 : 0, to, total } }));
    results.dataset.state = 'done';
  } catch (err) {
    results.dataset.state = 'error';
    if (err.redirecting) return;
    if (err.status === 403) {
      $('#console').hidden = true;
      $('#forbidden').hidden = false;
      return;
    }
    replaceChildren(results, note('error', errorMessage(err)));
    flashError(err);
  } finally {
    results.removeAttribute('aria-busy');
  }
}

filters.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(filters);
  const from = filters.elements.namedItem('from').value;
  const to = filters.elements.namedItem('to').value;
  const problems = periodProblems(from, to);
  if (problems) {
    showErrors(filters, validationError(Object.fromEntries(Object.entries(problems).map(([k, v]) => [k, t(v)]))));
    return;
  }
  const periodChanged = from !== state.from || to !== state.to;
  Object.assign(state, { from, to });
  state.status = filters.elements.namedItem('status').value;
  state.carrier = filters.elements.namedItem('carrier').value.trim();
  state.offset = 0;
  if (periodChanged) loadTotals();
  load();
});
filters.elements.namedItem('status').addEventListener('change', () => filters.requestSubmit());
$('#page-prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - LIMIT); load(); });
$('#page-next').addEventListener('click', () => { state.offset += LIMIT; load(); });

readUrl();
const { me, error } = await initShell({ auth: 'required' });
if (me) {
  if (!['operator', 'finance'].includes(me.account.platform_role)) {
    $('#forbidden').hidden = false;
  } else {
    $('#console').hidden = false;
    await Promise.all([loadTotals(), load()]);
  }
} else if (error && !error.redirecting) {
  $('#console').hidden = false;
  replaceChildren(results, note('muted', { i18n: 'common.unavailable' }));
}
