// Starting a payment, shared by checkout and the order page: the gateway's cashier (Alipay,
// WeChat Pay H5, the sandbox page) is a page to go to; inside WeChat's browser the server
// answers with the parameters of WeChat's own payment sheet, which the page hands to
// `WeixinJSBridge.invoke('getBrandWCPayRequest', …)`. Paying inside WeChat needs the buyer's
// openid: the first time, the server answers `wechat_authorization_needed` and the browser
// goes through WeChat's silent authorisation, which brings it back to the order page to pay.

import { api, seg } from './api.js';
import { el } from './ui.js';

const STORE = 'fg_provider_';

/** Remembers which gateway the buyer chose for an order (the order page pays with it). */
export function rememberProvider(orderId, provider) {
  try {
    sessionStorage.setItem(STORE + orderId, provider);
  } catch {
    // No storage: the server's default gateway.
  }
}

export function rememberedProvider(orderId) {
  try {
    return sessionStorage.getItem(STORE + orderId);
  } catch {
    return null;
  }
}

/** The order page, with what happened. */
export function orderHref(orderId, flag) {
  return '/order.html?id=' + encodeURIComponent(orderId) + (flag ? '&' + flag + '=1' : '');
}

/** WeChat's payment sheet: resolves with its `err_msg`. */
function wechatSheet(params) {
  return new Promise((resolve) => {
    const open = () => window.WeixinJSBridge.invoke('getBrandWCPayRequest', params,
      (res) => resolve((res && res.err_msg) || 'get_brand_wcpay_request:fail'));
    if (window.WeixinJSBridge) open();
    else document.addEventListener('WeixinJSBridgeReady', open, { once: true });
  });
}

/**
 * Pays `orderId` through `provider` (`wechat`, `alipay`, `sandbox`, `offline`, or null for
 * the server's choice). Returns the payment when the page stays (offline instructions), or
 * `{ redirecting: true }` when the browser is on its way elsewhere.
 */
export async function startPayment(orderId, provider, key) {
  const query = provider && provider !== 'offline' ? '?provider=' + encodeURIComponent(provider) : '';
  let payment;
  try {
    payment = await api.post(`/orders/${seg(orderId)}/pay${query}`, {}, { headers: { 'Idempotency-Key': key } });
  } catch (err) {
    if (err.code === 'wechat_authorization_needed') {
      location.assign('/api/v1/payments/wechat/authorize?order=' + encodeURIComponent(orderId));
      return { redirecting: true };
    }
    throw err;
  }
  return follow(payment, orderId);
}

/**
 * Pays a catch-weight extra charge (补差价) of `orderId` through the server's choice of gateway:
 * the same cashier, sheet or page as an order's payment, for the extra alone.
 */
export async function startExtraPayment(orderId, chargeId) {
  const payment = await api.post(`/extra-charges/${seg(chargeId)}/pay`, {});
  return follow(payment, orderId);
}

/** Sends the browser where a started payment goes: WeChat's sheet, or the cashier's page. */
async function follow(payment, orderId) {
  if (payment && payment.client_params) {
    const outcome = await wechatSheet(payment.client_params);
    // The sheet's word is not proof of payment: the order page waits for the server's.
    location.assign(orderHref(orderId, outcome === 'get_brand_wcpay_request:ok' ? 'paying' : 'unpaid'));
    return { redirecting: true };
  }
  if (payment && payment.pay_url) {
    location.assign(payment.pay_url);
    return { redirecting: true };
  }
  return payment;
}

// ---- ways to pay (checkout, a pre-sale's deposit) ------------------------------------------------

/**
 * One radio per way to pay the server accepts now (`GET /payments/methods`): exactly the
 * gateways configured, the sandbox marked 模拟支付, offline. The first offer is checked; the
 * first online one carries `data-testid="method-gateway"`. Strings from the `orders` namespace.
 */
export function paymentChoices(offers) {
  let firstGateway = true;
  return offers.map((offer, i) => {
    const gateway = offer.method === 'gateway';
    const input = el('input', {
      type: 'radio', name: 'payment_method', value: offer.provider, checked: i === 0,
      'data-testid': 'method-' + offer.provider, dataset: { method: offer.method },
    });
    const label = el('label', { class: 'check method-option', dataset: { provider: offer.provider } },
      input, ' ',
      el('span', {},
        el('strong', { i18n: 'pay_channel.' + offer.provider }),
        offer.simulated ? el('span', { class: 'badge badge-pending', 'data-testid': 'simulated-badge', i18n: 'pay_channel.sandbox' }) : null,
        el('span', { class: 'hint', i18n: 'pay_hint.' + (offer.simulated ? 'sandbox' : gateway ? 'gateway' : 'offline') })));
    if (gateway && firstGateway) {
      label.dataset.testid = 'method-gateway';
      firstGateway = false;
    }
    return label;
  });
}

/**
 * The way to pay checked in `form`: `method` (`gateway` or `offline`, what an order is placed
 * with) and `provider` (what `startPayment` pays through; null for the server's choice when
 * the page still shows its static gateway/offline choices).
 */
export function chosenPayment(form) {
  const chosen = form.querySelector('input[name="payment_method"]:checked') || {};
  const method = (chosen.dataset && chosen.dataset.method) || chosen.value;
  const provider = chosen.dataset && chosen.dataset.method ? chosen.value : null;
  return { method, provider };
}
