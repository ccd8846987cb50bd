// The object store audit's alerts (issue #17): every stored trace file whose bytes no longer
// hash to the SHA-256 its record holds. The operator and the county's officials.

import { api } from '../api.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import { $, el, flashError, replaceChildren, timeEl } from '../ui.js';

async function load() {
  try {
    const report = await api.get('/admin/trace/audit');
    $('#summary').textContent = t('opsaudit.summary', { audited: report.audited, alerts: report.alerts.length });
    $('#none').hidden = report.alerts.length > 0;
    replaceChildren($('#rows'), report.alerts.map((a) => el('tr', { 'data-testid': 'opsaudit-row' },
      el('td', {}, a.code ? el('a', { href: `/t/${a.code}` }, a.code) : '—'),
      el('td', { class: 'mono' }, a.object_key),
      el('td', {}, a.found_sha256 ? t('opsaudit.replaced') : t('opsaudit.missing')),
      el('td', {}, a.first_failed_at ? timeEl(a.first_failed_at) : '—'),
      el('td', {}, timeEl(a.checked_at)),
    )));
  } catch (err) {
    flashError(err);
  }
}

const { me } = await initShell({ auth: 'required' });
if (me) {
  if (!['operator', 'official'].includes(me.account.platform_role)) {
    $('#forbidden').hidden = false;
  } else {
    $('#audit').hidden = false;
    $('#refresh').addEventListener('click', load);
    await load();
  }
}
