// Register: display name, phone (proven by a code sent to it), password.

import { api } from '../api.js';
import { codeButton } from '../codes.js';
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

codeButton($('#send-code'), { form, purpose: 'register', phone: $('#contact'), aliases: { phone: 'contact' } });

if (next) $('#login-link').href = '/login.html?next=' + encodeURIComponent(next);

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  const displayName = value(form, 'display_name');
  const contact = value(form, 'contact');
  const password = $('#password').value;
  const code = value(form, 'code');

  const problems = {};
  if (!displayName) problems.display_name = t('register.name_required');
  if (!contact) problems.contact = t('register.contact_required');
  if (charCount(password) < MIN_PASSWORD) problems.password = t('register.password_short');
  if (!code) problems.code = t('codes.code_required');
  if (Object.keys(problems).length) {
    showErrors(form, validationError(problems));
    return;
  }

  const body = { display_name: displayName, phone: contact, code, password };
  // Back from WeChat with an unbound WeChat (the log-in page sent us): bind it as we register.
  if (params.get('wechat') === 'bind') body.bind_wechat = true;

  setBusy(submit, true);
  try {
    const result = await api.post('/auth/register', body, { redirectOn401: false });
    location.assign(next || landingFor({ account: result.account, memberships: [] }));
  } catch (err) {
    // The server names the phone field; it is the contact input here.
    showErrors(form, err, { phone: 'contact', login: 'contact' });
    setBusy(submit, false);
  }
});

await initShell({ auth: 'optional' });
