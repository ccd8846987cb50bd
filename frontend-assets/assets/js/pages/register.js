// Register: display name, phone or e-mail (one field; an "@" makes it an e-mail), password.

import { api } from '../api.js';
import { initShell } from '../shell.js';
import { t } from '../i18n.js';
import {
  $, charCount, clearErrors, landingFor, safeNext, setBusy, showErrors, validationError, value,
} from '../ui.js';

const MIN_PASSWORD = 8;
const params = new URLSearchParams(location.search);
const next = safeNext(params.get('next'));
const form = $('#register-form');
const submit = $('[type="submit"]', form);

if (next) $('#login-link').href = '/login.html?next=' + encodeURIComponent(next);

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  const displayName = value(form, 'display_name');
  const contact = value(form, 'contact');
  const password = $('#password').value;

  const problems = {};
  if (!displayName) problems.display_name = t('register.name_required');
  if (!contact) problems.contact = t('register.contact_required');
  if (charCount(password) < MIN_PASSWORD) problems.password = t('register.password_short');
  if (Object.keys(problems).length) {
    showErrors(form, validationError(problems));
    return;
  }

  const body = { display_name: displayName, password };
  if (contact.includes('@')) body.email = contact;
  else body.phone = contact;

  setBusy(submit, true);
  try {
    const result = await api.post('/auth/register', body, { redirectOn401: false });
    location.assign(next || landingFor({ account: result.account, memberships: [] }));
  } catch (err) {
    // The server names the phone or email field; both live in the one contact input.
    showErrors(form, err, { phone: 'contact', email: 'contact', login: 'contact' });
    setBusy(submit, false);
  }
});

await initShell({ auth: 'optional' });
