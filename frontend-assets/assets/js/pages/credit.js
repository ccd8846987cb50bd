// 店铺信用: the published rule (static, in the page) and, with ?org=…, one seller's figures,
// level, the points taken and how to improve each. Public; no login.

import { api, query, seg } from '../api.js';
import { figureRows, levelBadge } from '../credit.js';
import { initShell } from '../shell.js';
import { $, el, errorMessage, facts, note, replaceChildren } from '../ui.js';

const org = new URLSearchParams(location.search).get('org');

async function load() {
  if (!org) return;
  const box = $('#credit-seller');
  try {
    const c = await api.get(`/credit/sellers/${seg(org)}`, { redirectOn401: false });
    const a = c.assessment;
    replaceChildren(box, el('section', { class: 'card', 'aria-labelledby': 'credit-seller-name' },
      el('h2', { id: 'credit-seller-name' }, el('a', { href: '/seller.html' + query({ id: c.org_id }), text: c.name }), ' ', levelBadge(a.level)),
      a.score === null
        ? el('p', { class: 'muted', i18n: 'credit.new_note', args: { n: 10 } })
        : el('p', { i18n: 'credit.score', args: { n: a.score }, 'data-testid': 'credit-score' }),
      facts(figureRows(c)),
      a.deductions.length
        ? el('section', { 'data-testid': 'credit-deductions' },
          el('h3', { i18n: 'credit.improve' }),
          el('ul', {}, a.deductions.map((d) => el('li', {},
            el('span', { i18n: 'credit.reason_' + d.reason }), ' ',
            el('span', { class: 'muted', i18n: 'credit.points', args: { n: d.points } }), ' ',
            el('span', { i18n: 'credit.tip_' + d.reason })))))
        : null));
  } catch (err) {
    replaceChildren(box, err.status === 404 ? note('error', { i18n: 'credit.not_found' }) : note('error', errorMessage(err)));
  }
}

await Promise.all([initShell({ auth: 'optional' }), load()]);
