// External reference prices (外部参考价, issue #20): the operator uploads a CSV of another
// market's daily prices, sees every series and deletes one. The board shows them labelled as
// external. The file goes up as it is (text/csv); every problem comes back with its line.

import { ApiError, api, seg } from '../api.js';
import { getLang, t } from '../i18n.js';
import { initShell } from '../shell.js';
import { $, el, errorMessage, flash, note, replaceChildren, withBusy } from '../ui.js';

const UNIT = { jin: 'xp.unit_jin', kg: 'xp.unit_kg', box: 'xp.unit_box', bag: 'xp.unit_bag', piece: 'xp.unit_piece' };

async function uploadCsv(text) {
  const response = await fetch('/api/v1/market/external', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'text/csv', Accept: 'application/json', 'Accept-Language': getLang() },
    body: text,
  });
  const body = await response.json().catch(() => null);
  if (response.ok) return body;
  const e = body && body.error ? body.error : {};
  throw new ApiError({ status: response.status, code: e.code || 'unavailable', message: e.message || t('error.generic'), fields: e.fields || {} });
}

function problems(err) {
  const fields = err.fields || {};
  const keys = Object.keys(fields).sort((a, b) => (parseInt(a.slice(5), 10) || 0) - (parseInt(b.slice(5), 10) || 0));
  return el('div', { class: 'note note-error', 'data-testid': 'xp-problems' },
    el('p', { text: err.message }),
    keys.length ? el('ul', {}, keys.map((k) => el('li', { text: fields[k] }))) : null);
}

async function loadList() {
  const box = $('#list');
  try {
    const rows = await api.get('/market/external');
    if (!rows.length) {
      replaceChildren(box, note('muted', { i18n: 'xp.empty' }));
      return;
    }
    const en = document.documentElement.lang === 'en';
    replaceChildren(box, el('div', { class: 'table-scroll' }, el('table', { class: 'table' },
      el('thead', {}, el('tr', {}, ['xp.col_source', 'xp.col_category', 'xp.col_product', 'xp.col_unit', 'xp.col_days', ''].map((k) => el('th', { scope: 'col', i18n: k || undefined })))),
      el('tbody', {}, rows.map((s) => el('tr', { 'data-testid': 'xp-row' },
        el('th', { scope: 'row', text: s.source }),
        el('td', { text: en ? s.category_label_en || s.category_label : s.category_label }),
        el('td', { text: s.product || '—' }),
        el('td', { i18n: UNIT[s.unit] }),
        el('td', { text: `${s.days}（${s.first_day || '—'} – ${s.last_day || '—'}）` }),
        el('td', {},
          el('a', { class: 'btn btn-quiet btn-small', href: `/api/v1/market/external/${seg(s.id)}?format=csv`, i18n: 'xp.download' }),
          el('button', {
            type: 'button', class: 'btn btn-quiet btn-small', i18n: 'xp.delete', 'data-testid': 'xp-delete',
            on: {
              click: (e) => withBusy(e.currentTarget, async () => {
                if (!confirm(t('xp.confirm_delete', { source: s.source }))) return;
                await api.del(`/market/external/${seg(s.id)}`);
                flash(t('xp.deleted'), 'success');
                await loadList();
              }),
            },
          }))))))));
  } catch (err) {
    if (err.status === 403) {
      $('#console').hidden = true;
      $('#forbidden').hidden = false;
    } else if (!err.redirecting) {
      replaceChildren(box, note('error', errorMessage(err)));
    }
  }
}

const { me } = await initShell({ auth: 'required' });
if (me) {
  if (me.account.platform_role !== 'operator') {
    $('#forbidden').hidden = false;
  } else {
    $('#console').hidden = false;
    const form = $('#upload');
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const file = form.elements.namedItem('file').files[0];
      const out = $('#upload-result');
      if (!file) {
        replaceChildren(out, note('error', { i18n: 'xp.choose_file' }));
        return;
      }
      withBusy(form.querySelector('button[type=submit]'), async () => {
        try {
          const r = await uploadCsv(await file.text());
          replaceChildren(out, note('success', { i18n: 'xp.done', args: { rows: r.rows, series: r.series, added: r.prices_added, changed: r.prices_changed, same: r.prices_unchanged } }));
          await loadList();
        } catch (err) {
          replaceChildren(out, problems(err));
        }
      });
    });
    await loadList();
  }
}

