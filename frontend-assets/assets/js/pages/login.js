// Login: phone (or an older account's e-mail) and password, or a code sent to the phone. Afterwards: ?next= when it is one of our own paths,
// otherwise the place that suits who logged in.

import { api } from '../api.js';
import { codeButton } from '../codes.js';
import { initShell } from '../shell.js';
import { t } from '../i18n.js';
import {
  $, clearErrors, flash, landingFor, safeNext, setBusy, showErrors, validationError, value,
} from '../ui.js';

const params = new URLSearchParams(location.search);
const next = safeNext(params.get('next'));
const form = $('#login-form');
const submit = $('[type="submit"]', form);
// Back from WeChat with a WeChat no account has yet: a phone code binds it (see wechat.js).
const bindWechat = params.get('wechat') === 'bind';
const WECHAT_ERRORS = {
  wechat_state: 'login.wx_state',
  wechat_declined: 'login.wx_declined',
  wechat_snapshot: 'login.wx_snapshot',
  wechat_refused: 'login.wx_refused',
  wechat_unavailable: 'login.wx_unavailable',
  account_disabled: 'login.wx_disabled',
  wechat_login_unavailable: 'login.wx_off',
};
const wechatError = params.get('wechat_error');

const registerQuery = new URLSearchParams();
if (next) registerQuery.set('next', next);
if (bindWechat) registerQuery.set('wechat', 'bind');
if (registerQuery.size) $('#register-link').href = '/register.html?' + registerQuery;
if (bindWechat) {
  $('#wechat-bind').hidden = false;
  $('#code-login').open = true;
}
if (wechatError) flash(t(WECHAT_ERRORS[wechatError] || 'login.wx_refused'), 'error');

async function landing() {
  if (next) return next;
  try {
    return landingFor(await api.get('/auth/me', { redirectOn401: false }));
  } catch {
    // Logged in but could not ask who we are: the home page will say.
    return landingFor(null);
  }
}

const codeForm = $('#code-form');
codeButton($('#send-login-code'), { form: codeForm, purpose: 'login', phone: $('#code-phone') });
codeForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(codeForm);
  const phone = value(codeForm, 'phone');
  const code = value(codeForm, 'code');
  const missing = {};
  if (!phone) missing.phone = t('codes.phone_required');
  if (!code) missing.code = t('codes.code_required');
  if (Object.keys(missing).length) {
    showErrors(codeForm, validationError(missing));
    return;
  }
  const button = $('[type="submit"]', codeForm);
  setBusy(button, true);
  try {
    await api.post('/auth/login/code', { phone, code, bind_wechat: bindWechat }, { redirectOn401: false });
    location.assign(await landing());
  } catch (err) {
    showErrors(codeForm, err);
    setBusy(button, false);
  }
});

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  const login = value(form, 'login');
  const password = $('#password').value;
  const missing = {};
  if (!login) missing.login = t('login.login_required');
  if (!password) missing.password = t('login.password_required');
  if (Object.keys(missing).length) {
    showErrors(form, validationError(missing));
    return;
  }

  setBusy(submit, true);
  try {
    await api.post('/auth/login', { login, password }, { redirectOn401: false });
    if (next) {
      location.assign(next);
      return;
    }
    let me = null;
    try {
      me = await api.get('/auth/me', { redirectOn401: false });
    } catch {
      // Logged in but could not ask who we are: the home page will say.
    }
    location.assign(landingFor(me));
  } catch (err) {
    showErrors(form, err);
    setBusy(submit, false);
  }
});

const { me } = await initShell({ auth: 'optional' });
// Log in with WeChat, when the platform offers it: a button everywhere, and inside WeChat's
// browser a silent round trip at once (a bound WeChat comes back logged in; an unbound one
// comes back here to bind). Not after an error or while binding, so it never loops.
if (!me) {
  try {
    const wx = await api.get('/auth/wechat', { redirectOn401: false });
    if (wx.enabled) {
      const start = '/api/v1/auth/wechat/start?next=' + encodeURIComponent(next || '/');
      $('#wechat-start').href = start;
      $('#wechat-box').hidden = bindWechat;
      const inWechat = /MicroMessenger/i.test(navigator.userAgent);
      if (inWechat && !bindWechat && !wechatError && params.get('manual') !== '1') location.replace(start);
    }
  } catch {
    // No WeChat log-in today: the phone forms are all there.
  }
}
if (me) {
  $('#already-name').textContent = me.account.display_name;
  $('#already-continue').href = next || landingFor(me);
  $('#already').hidden = false;
}
