// Forgot the password: a code to the phone, then a new password; every other device logs out.

import { api } from '../api.js';
import { codeButton } from '../codes.js';
import { initShell } from '../shell.js';
import { t } from '../i18n.js';
import { $, charCount, clearErrors, landingFor, setBusy, showErrors, validationError, value } from '../ui.js';

const form = $('#reset-form');
const submit = $('[type="submit"]', form);
codeButton($('#send-code'), { form, purpose: 'reset_password', phone: $('#phone') });

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  const phone = value(form, 'phone');
  const code = value(form, 'code');
  const password = $('#password').value;
  const problems = {};
  if (!phone) problems.phone = t('codes.phone_required');
  if (!code) problems.code = t('codes.code_required');
  if (charCount(password) < 8) problems.password = t('reset.password_short');
  if (Object.keys(problems).length) {
    showErrors(form, validationError(problems));
    return;
  }
  setBusy(submit, true);
  try {
    const result = await api.post('/auth/password/reset', { phone, code, password }, { redirectOn401: false });
    location.assign(landingFor({ account: result.account, memberships: [] }));
  } catch (err) {
    showErrors(form, err);
    setBusy(submit, false);
  }
});

await initShell({ auth: 'optional' });
