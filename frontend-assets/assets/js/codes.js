// The "send me a code" button next to a phone input: asks the server for a one-time code for
// `purpose`, then counts down until another may be asked for. The server's answer is the same
// whether or not the phone has an account; so is what this shows.

import { api } from './api.js';
import { t } from './i18n.js';
import { $, flash, showErrors, validationError } from './ui.js';

/**
 * Wires `button` to send a code to the phone typed in `phone` (an input element, or a
 * function giving the number). Errors go to `form` (`aliases` maps server field names to its
 * inputs').
 */
export function codeButton(button, { form, purpose, phone, aliases = {} }) {
  const label = button.textContent;
  let timer = null;
  const countdown = (secs) => {
    clearInterval(timer);
    let left = secs;
    button.disabled = true;
    const tick = () => {
      if (left <= 0) {
        clearInterval(timer);
        button.disabled = false;
        button.textContent = t('codes.resend');
        return;
      }
      button.textContent = t('codes.wait', { secs: left });
      left -= 1;
    };
    tick();
    timer = setInterval(tick, 1000);
  };
  button.addEventListener('click', async () => {
    const number = typeof phone === 'function' ? phone() : String(phone.value).trim();
    if (!number) {
      showErrors(form, validationError({ phone: t('codes.phone_required') }), aliases);
      return;
    }
    button.disabled = true;
    try {
      const sent = await api.post('/auth/codes', { phone: number, purpose }, { redirectOn401: false });
      flash(t('codes.sent', { phone: sent.phone, minutes: Math.round(sent.expires_in_secs / 60) }), 'success');
      countdown(sent.resend_after_secs);
      const code = $('[name="code"]', form);
      if (code) code.focus();
    } catch (err) {
      showErrors(form, err, aliases);
      if (err && err.retryAfter) countdown(err.retryAfter);
      else {
        button.disabled = false;
        button.textContent = label;
      }
    }
  });
}
