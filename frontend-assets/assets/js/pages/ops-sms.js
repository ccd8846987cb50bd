// The SMS outbox (embedded SMS backend): what would have been texted, newest first, so the
// demo works with no provider. Operator only: the messages hold one-time codes.

import { api, query } from '../api.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import { $, el, flashError, replaceChildren, timeEl } from '../ui.js';

async function load() {
  try {
    const page = await api.get('/admin/sms' + query({ limit: 50 }));
    $('#backend').textContent = t('opssms.backend', { backend: page.backend, total: page.total });
    replaceChildren($('#rows'), page.items.map((m) => el('tr', { 'data-testid': 'opssms-row' },
      el('td', {}, timeEl(m.created_at)),
      el('td', {}, m.phone),
      el('td', {}, m.template),
      el('td', {}, Object.entries(m.params).map(([k, v]) => `${k}=${v}`).join(' ')),
    )));
  } catch (err) {
    flashError(err);
  }
}

const { me } = await initShell({ auth: 'required' });
if (me) {
  if (me.account.platform_role !== 'operator') {
    $('#forbidden').hidden = false;
  } else {
    $('#outbox').hidden = false;
    $('#refresh').addEventListener('click', load);
    await load();
  }
}
