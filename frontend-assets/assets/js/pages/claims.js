// My claims, newest first: where each stands, by when the seller must answer, what was refunded.

import { api, query } from '../api.js';
import { initShell } from '../shell.js';
import { $, el, errorMessage, flashError, note, replaceChildren } from '../ui.js';
import { claimCard } from '../claims.js';

const LIMIT = 20;
const box = $('#claims');
const pager = $('#pager');
const state = { offset: 0 };

async function load() {
  history.replaceState(null, '', location.pathname + query({ offset: state.offset || '' }));
  box.setAttribute('aria-busy', 'true');
  try {
    const page = await api.get('/claims' + query({ limit: LIMIT, offset: state.offset }));
    const items = (page && page.items) || [];
    const total = Number(page && page.total) || 0;
    replaceChildren($('#claims-count'), el('span', { i18n: 'claims.count', args: { count: total } }));
    replaceChildren(box, items.length
      ? el('ul', { class: 'cards' }, items.map((c) => claimCard(c, { party: 'buyer' })))
      : el('div', { class: 'card empty-state', 'data-testid': 'claims-empty' },
        el('p', { class: 'empty-title', i18n: 'claims.empty' }),
        el('a', { class: 'btn btn-secondary', href: '/orders.html', i18n: 'nav.orders' })));
    const to = state.offset + items.length;
    pager.hidden = total <= LIMIT && state.offset === 0;
    $('#page-prev').disabled = state.offset <= 0;
    $('#page-next').disabled = to >= total;
    replaceChildren($('#page-info'), el('span', { i18n: 'verify.page_info', args: { from: total ? state.offset + 1 : 0, to, total } }));
    box.dataset.state = 'done';
  } catch (err) {
    box.dataset.state = 'error';
    if (!err.redirecting) {
      replaceChildren(box, note('error', errorMessage(err)));
      flashError(err);
    }
  } finally {
    box.removeAttribute('aria-busy');
  }
}

$('#page-prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - LIMIT); load(); });
$('#page-next').addEventListener('click', () => { state.offset += LIMIT; load(); });

state.offset = Math.max(0, Number.parseInt(new URLSearchParams(location.search).get('offset') || '0', 10) || 0);
const { me, error } = await initShell({ auth: 'required' });
if (me) await load();
else if (error && !error.redirecting) replaceChildren(box, note('muted', { i18n: 'common.unavailable' }));
