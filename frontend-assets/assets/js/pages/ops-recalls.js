// Batch recalls: the operator, the after-sales agents and county officials find a batch by the
// trace code a buyer or an inspector reports (or its id) and recall it in one action; everyone
// allowed reads the reports — orders and buyers reached, quantities, refunds offered and taken.
// A seller sees its own batches' recalls here and recalls from the batch page.

import { api, query, seg } from '../api.js';
import { sellingMemberships } from '../catalog.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, clearErrors, el, errorMessage, facts, flashError, note, replaceChildren, setBusy, showErrors,
  validationError,
} from '../ui.js';
import { displayCode, publicHref } from '../trace.js';
import { isRecallStaff, parseBatchRef, recallAction, reportCard } from '../recalls.js';

const LIMIT = 20;
const params = new URLSearchParams(location.search);
const reports = $('#reports');
const pager = $('#pager');
const state = { offset: Math.max(0, Number.parseInt(params.get('offset') || '0', 10) || 0) };

// ---- the reports ---------------------------------------------------------------------------------

async function load() {
  history.replaceState(null, '', location.pathname + query({ offset: state.offset || '' }));
  reports.setAttribute('aria-busy', 'true');
  reports.dataset.state = 'loading';
  try {
    const page = await api.get('/recalls' + query({ limit: LIMIT, offset: state.offset }));
    const items = (page && page.items) || [];
    const total = Number(page && page.total) || 0;
    replaceChildren($('#reports-count'), el('span', { i18n: 'recall.count', args: { count: total } }));
    replaceChildren(reports, items.length
      ? el('ul', { class: 'cards' }, items.map(reportCard))
      : note('empty', { i18n: 'recall.none' }));
    const to = state.offset + items.length;
    pager.hidden = total <= LIMIT && state.offset === 0;
    $('#page-prev').disabled = state.offset <= 0;
    $('#page-next').disabled = to >= total;
    replaceChildren($('#page-info'), el('span', { i18n: 'verify.page_info', args: { from: total ? state.offset + 1 : 0, to, total } }));
    reports.dataset.total = String(total);
    reports.dataset.state = 'done';
  } catch (err) {
    reports.dataset.state = 'error';
    if (!err.redirecting) {
      replaceChildren(reports, note('error', errorMessage(err)));
      flashError(err);
    }
  } finally {
    reports.removeAttribute('aria-busy');
  }
}

// ---- finding a batch to recall ------------------------------------------------------------------

/** The batch a reference names: its public record by code, or by id (the operator reads it). */
async function findBatch(ref) {
  if (ref.code) return api.get(`/trace/${seg(ref.code)}`, { redirectOn401: false });
  try {
    return await api.get(`/batches/${seg(ref.id)}`);
  } catch (err) {
    // Officials and agents may recall a batch they cannot read: the id is all they have.
    if (err.status === 403) return { id: ref.id, unreadable: true };
    throw err;
  }
}

function foundEl(batch) {
  const recalled = batch.status === 'recalled';
  const summary = batch.unreadable
    ? facts([['recall.batch_by_id', el('span', { class: 'mono', text: batch.id })]])
    : facts([
      ['recall.product', el('strong', { text: (batch.listing && batch.listing.title) || '' }), 'found-product'],
      ['recall.seller', el('span', { text: (batch.seller && batch.seller.name) || '' }), 'found-seller'],
      ['recall.lot', el('span', { class: 'mono', text: batch.lot || '' }), 'found-lot'],
      ['recall.code', el('a', { class: 'mono', href: publicHref(batch.code), target: '_blank', rel: 'noopener' }, batch.code_display || displayCode(batch.code))],
    ]);
  return el('div', {
    class: 'found-batch',
    'data-testid': 'found-batch',
    dataset: { batchId: batch.id, lot: batch.lot || '', status: batch.status || '' },
  },
  summary,
  recalled
    ? el('p', { class: 'note note-info', i18n: 'recall.already', 'data-testid': 'found-recalled' })
    : recallAction({
      batchId: batch.id,
      lot: batch.lot || batch.id,
      testid: 'recall',
      onDone: async (report) => {
        replaceChildren($('#found'), el('ul', { class: 'cards' }, reportCard(report)));
        $('#find-form').reset();
        state.offset = 0;
        await load();
      },
    }));
}

function wireFind() {
  const form = $('#find-form');
  const submit = form.querySelector('button[type="submit"]');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    replaceChildren($('#found'));
    const ref = parseBatchRef(form.elements.namedItem('ref').value);
    if (!ref) {
      showErrors(form, validationError({ ref: t('recall.e_ref') }));
      return;
    }
    setBusy(submit, true);
    try {
      replaceChildren($('#found'), foundEl(await findBatch(ref)));
    } catch (err) {
      if (err.status === 404) showErrors(form, validationError({ ref: t('recall.not_found') }));
      else showErrors(form, err);
    } finally {
      setBusy(submit, false);
    }
  });
}

$('#page-prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - LIMIT); load(); });
$('#page-next').addEventListener('click', () => { state.offset += LIMIT; load(); });

const { me, error } = await initShell({ auth: 'required' });
if (me) {
  const staff = isRecallStaff(me);
  const seller = sellingMemberships(me).length > 0;
  if (!staff && !seller) {
    $('#forbidden').hidden = false;
  } else {
    if (staff) {
      $('#recall-card').hidden = false;
      wireFind();
      const ref = params.get('ref');
      if (ref) {
        $('#recall-ref').value = ref;
        $('#find-form').requestSubmit();
      }
    } else {
      $('#seller-note').hidden = false;
    }
    $('#reports-section').hidden = false;
    await load();
  }
} else if (error && !error.redirecting) {
  $('#reports-section').hidden = false;
  replaceChildren(reports, note('muted', { i18n: 'common.unavailable' }));
}
