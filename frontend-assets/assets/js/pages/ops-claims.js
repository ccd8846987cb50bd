// The operator's arbitration queue: claims the buyer escalated or the seller let run past its
// deadline, oldest first (the server's order); the other states as tabs. A claim opens on the
// claim page, where the operator decides: amount, liability shares, reasoning. Below the queue,
// the buyers whose claim rate stands far above the platform's, to look into (never blocked).

import { api, query } from '../api.js';
import { initShell } from '../shell.js';
import { $, $$, el, errorMessage, flashError, note, replaceChildren } from '../ui.js';
import { CLAIM_STATUSES, claimCard, isStaff } from '../claims.js';
import { moneyEl } from '../orders.js';
import { bpPercent } from '../quality.js';

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
    replaceChildren($('#results-count'), el('span', { i18n: 'opsclaims.count', args: { count: total } }));
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

// ---- buyers to watch ------------------------------------------------------------------------------

function flaggedRow(b) {
  return el('tr', { 'data-testid': 'flagged-buyer', dataset: { accountId: b.account_id, claims: String(b.claims) } },
    el('td', {}, el('code', { class: 'mono', title: b.account_id, text: String(b.account_id).slice(0, 8) })),
    el('td', { class: 'num', text: String(b.claims) }),
    el('td', { class: 'num', text: String(b.delivered) }),
    el('td', { class: 'num' }, el('strong', { text: bpPercent(b.claim_rate_bp) }),
      el('span', { class: 'muted small' }, ' (', el('span', { i18n: 'flagged.platform' }), ' ', bpPercent(b.platform_rate_bp), ')')),
    el('td', { class: 'num' }, moneyEl(b.refunded)));
}

async function loadFlagged() {
  const box = $('#flagged');
  const days = $('#flagged-days').value;
  box.setAttribute('aria-busy', 'true');
  box.dataset.state = 'loading';
  try {
    const list = await api.get('/ops/flagged-buyers' + query({ days }));
    const rows = Array.isArray(list) ? list : [];
    replaceChildren(box, rows.length
      ? el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'data-i18n-aria-label': 'flagged.title' },
        el('table', { class: 'units-table flagged-table' },
          el('caption', { class: 'visually-hidden', i18n: 'flagged.title' }),
          el('thead', {}, el('tr', {},
            el('th', { scope: 'col', i18n: 'flagged.account' }),
            el('th', { scope: 'col', class: 'num', i18n: 'flagged.claims' }),
            el('th', { scope: 'col', class: 'num', i18n: 'flagged.delivered' }),
            el('th', { scope: 'col', class: 'num', i18n: 'flagged.rate' }),
            el('th', { scope: 'col', class: 'num', i18n: 'flagged.refunded' }))),
          el('tbody', {}, rows.map(flaggedRow))))
      : note('empty', { i18n: 'flagged.none' }));
    box.dataset.count = String(rows.length);
    box.dataset.state = 'done';
  } catch (err) {
    box.dataset.state = 'error';
    if (!err.redirecting) replaceChildren(box, note('error', errorMessage(err)));
  } finally {
    box.removeAttribute('aria-busy');
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
    $('#flagged-section').hidden = false;
    $('#flagged-days').addEventListener('change', loadFlagged);
    setTab(state.status);
    await Promise.all([load(), loadFlagged()]);
  }
} else if (error && !error.redirecting) {
  $('#console').hidden = false;
  replaceChildren(results, note('muted', { i18n: 'common.unavailable' }));
}
