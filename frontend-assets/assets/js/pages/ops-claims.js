// The operator's arbitration queue: claims the buyer escalated or the seller let run past its
// deadline, oldest first (the server's order); the other states as tabs. A claim opens on the
// claim page, where the operator decides: amount, liability shares, reasoning.

import { api, query } from '../api.js';
import { initShell } from '../shell.js';
import { $, $$, el, errorMessage, flashError, note, replaceChildren } from '../ui.js';
import { CLAIM_STATUSES, claimCard, isStaff } from '../claims.js';

const LIMIT = 20;
const params = new URLSearchParams(location.search);
const results = $('#results');
const pager = $('#pager');
const state = {
  status: CLAIM_STATUSES.includes(params.get('status')) ? params.get('status') : 'in_arbitration',
  offset: Math.max(0, Number.parseInt(params.get('offset') || '0', 10) || 0),
};

function setTab(status) {
  state.status = status;
  for (const b of $$('.tab')) b.setAttribute('aria-pressed', String(b.dataset.status === status));
}

async function load() {
  history.replaceState(null, '', location.pathname + query({ status: state.status, offset: state.offset || '' }));
  results.setAttribute('aria-busy', 'true');
  results.dataset.state = 'loading';
  try {
    const page = await api.get('/ops/claims' + query({ status: state.status, limit: LIMIT, offset: state.offset }));
    const items = (page && page.items) || [];
    const total = Number(page && page.total) || 0;
    replaceChildren($('#results-count'), el('span', { i18n: 'opsclaims.count', args: { n: total } }));
    replaceChildren(results, items.length
      ? el('ul', { class: 'cards' }, items.map((c) => claimCard(c, { party: 'operator' })))
      : note('empty', { i18n: 'opsclaims.none_' + state.status }));
    const to = state.offset + items.length;
    pager.hidden = total <= LIMIT && state.offset === 0;
    $('#page-prev').disabled = state.offset <= 0;
    $('#page-next').disabled = to >= total;
    replaceChildren($('#page-info'), el('span', { i18n: 'verify.page_info', args: { from: total ? state.offset + 1 : 0, to, total } }));
    results.dataset.state = 'done';
    results.dataset.status = state.status;
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

for (const b of $$('.tab')) {
  b.addEventListener('click', () => {
    setTab(b.dataset.status);
    state.offset = 0;
    load();
  });
}
$('#page-prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - LIMIT); load(); });
$('#page-next').addEventListener('click', () => { state.offset += LIMIT; load(); });

const { me, error } = await initShell({ auth: 'required' });
if (me) {
  if (!isStaff(me)) {
    $('#forbidden').hidden = false;
  } else {
    $('#console').hidden = false;
    setTab(state.status);
    await load();
  }
} else if (error && !error.redirecting) {
  $('#console').hidden = false;
  replaceChildren(results, note('muted', { i18n: 'common.unavailable' }));
}
