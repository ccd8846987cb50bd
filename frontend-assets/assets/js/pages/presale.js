// One pre-sale (订单农业, issue #22), `presale.html#<id>`: the product, plot, harvest window,
// price, deposit share and what is left, then the cancellation and balance rules — shown
// before the reserve form, which takes a quantity, an address and a way to pay. Reserving
// writes the deposit order (one Idempotency-Key per page, so a double tap reserves once) and
// pays it like checkout does (payment.js), landing on the deposit order's page.

import { api, loginUrl, newIdempotencyKey, seg } from '../api.js';
import { formatFen } from '../catalog.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import { $, el, flashError, note, replaceChildren, showErrors, validationError, withBusy } from '../ui.js';
import { presaleStatus, rulesEl, termsFacts } from '../presale.js';
import { chosenPayment, orderHref, paymentChoices, rememberProvider, startPayment } from '../payment.js';

const reserveKey = newIdempotencyKey();
const payKey = newIdempotencyKey();
const view = { presale: null, reserved: null };
const form = $('#reserve-form');

function presaleId() {
  const id = decodeURIComponent(location.hash.slice(1));
  return /^[0-9a-f-]{36}$/i.test(id) ? id : null;
}

function depositHint() {
  const p = view.presale;
  const n = Number(form.elements.quantity.value);
  const hint = $('#r-qty-hint');
  if (!p || !Number.isInteger(n) || n < 1) {
    hint.textContent = '';
    return;
  }
  // The server's rule (domain/presale.rs): price × n × percent / 100, half up, at least 1 fen.
  const deposit = Math.max(1, Math.round((p.price_fen * n * p.deposit_percent) / 100));
  hint.textContent = t('ps.deposit_for', { deposit: formatFen(deposit), total: formatFen(p.price_fen * n) });
  hint.dataset.fen = String(deposit);
}

function render(p) {
  view.presale = p;
  document.title = `${p.title} · ${t('ps.doc_title_one')}`;
  const title = $('#presale-title');
  title.removeAttribute('data-i18n');
  title.textContent = p.title;
  replaceChildren($('#presale-body'),
    el('p', {}, presaleStatus(p.status)),
    termsFacts(p),
    rulesEl(p));
  const box = $('#presale');
  box.dataset.state = 'done';
  box.dataset.status = p.status;
  const max = Math.max(0, Math.min(9999, p.remaining));
  form.elements.quantity.max = String(max);
  depositHint();
}

form.elements.quantity.addEventListener('input', depositHint);

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  withBusy($('#reserve-submit'), async () => {
    const quantity = Number(form.elements.quantity.value);
    const address = form.elements.address_id.value;
    const problems = {};
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > 9999) problems.quantity = t('ps.e_quantity');
    if (!address) problems.address_id = t('ps.e_address');
    if (Object.keys(problems).length) {
      showErrors(form, validationError(problems));
      return;
    }
    const { method, provider } = chosenPayment(form);
    let r = view.reserved;
    if (!r) {
      r = await api.post(`/presales/${seg(view.presale.id)}/reservations`,
        { quantity, address_id: address, payment_method: method },
        { headers: { 'Idempotency-Key': reserveKey } });
      view.reserved = r;
    }
    // The balance is paid later the same way: remember the gateway for both orders.
    rememberProvider(r.deposit_order_id, provider);
    const paid = await startPayment(r.deposit_order_id, provider, payKey);
    if (paid && paid.redirecting) return;
    try {
      sessionStorage.setItem('fg_payment_' + r.deposit_order_id, JSON.stringify(paid));
    } catch {
      // No storage: the order page asks again.
    }
    location.assign(orderHref(r.deposit_order_id, 'placed'));
  }, (err) => showErrors(form, err));
});

async function loadForm(me) {
  if (!me) {
    const login = $('#reserve-login');
    login.querySelector('a').href = loginUrl();
    login.hidden = false;
    return;
  }
  const [addresses, methods] = await Promise.all([api.get('/me/addresses'), api.get('/payments/methods')]);
  const list = Array.isArray(addresses) ? addresses : [];
  const select = form.elements.address_id;
  replaceChildren(select, list.map((a) => el('option', { value: a.id, selected: a.is_default,
    text: `${a.name} ${a.province || ''}${a.city || ''}${a.district || ''} ${a.street || ''}`.trim() })));
  $('#r-no-address').hidden = list.length > 0;
  if (methods && Array.isArray(methods.methods)) replaceChildren($('#method-options'), paymentChoices(methods.methods));
  $('[data-testid="reserve"]').hidden = false;
  form.dataset.ready = 'true';
}

const { me } = await initShell({ auth: 'optional' });
const id = presaleId();
if (!id) {
  replaceChildren($('#presale-body'), note('error', { i18n: 'ps.not_found' }));
  $('#presale').dataset.state = 'done';
} else {
  try {
    const p = await api.get(`/presales/${seg(id)}`);
    render(p);
    const mine = me && (me.memberships || []).some((m) => m.org && m.org.id === p.seller_org_id);
    if (p.status === 'open' && !mine) await loadForm(me);
    else if (p.status !== 'open') $('#presale-body').append(note('info', { i18n: 'ps.not_open' }));
  } catch (err) {
    replaceChildren($('#presale-body'), note('error', err.status === 404 ? t('ps.not_found') : (err.message || '')));
    $('#presale').dataset.state = 'done';
    if (err.status !== 404) flashError(err);
  }
}
window.addEventListener('hashchange', () => location.reload());
