// The one-time setup link `farmgate admin create-operator` prints: /setup.html#token=…
// The token is in the fragment, so it never reaches a server log or a Referer header.

import { api } from '../api.js';
import { initShell } from '../shell.js';
import { t } from '../i18n.js';
import { $, charCount, clearErrors, setBusy, showErrors, validationError } from '../ui.js';

const form = $('#setup-form');
const submit = $('[type="submit"]', form);
const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
history.replaceState(null, '', location.pathname);

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  const password = $('#password').value;
  if (!token) {
    showErrors(form, validationError({ password: t('setup.no_token') }));
    return;
  }
  if (charCount(password) < 8) {
    showErrors(form, validationError({ password: t('setup.password_short') }));
    return;
  }
  setBusy(submit, true);
  try {
    await api.post('/auth/setup', { token, password }, { redirectOn401: false });
    location.assign('/ops/verify.html');
  } catch (err) {
    showErrors(form, err);
    setBusy(submit, false);
  }
});

await initShell({ auth: 'optional' });
