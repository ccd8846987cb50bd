// WeChat's JS-SDK (微信 JS-SDK), for the pages that use it inside WeChat's browser: the share
// card (title, description, link and picture — the same as the page's og: tags) and address
// import (wx.openAddress). Nothing happens outside WeChat, and nothing inside it unless the
// site offers the SDK (GET /api/v1/wechat/js-config answers 404 when no official account is
// configured): then the SDK script is loaded from WeChat once, configured with the server's
// signature of this page's address, and used. Only the pages whose Content Security Policy
// allows WeChat's script origin may use this module (shared/infra/src/http/layers.rs,
// WECHAT_SDK_PAGES).

const SDK_URL = 'https://res.wx.qq.com/open/js/jweixin-1.6.0.js';

/** Inside WeChat's own browser (its user agent names MicroMessenger). */
export function inWechat() {
  return /MicroMessenger/i.test(navigator.userAgent || '');
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.async = true;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error('the WeChat JS-SDK did not load'));
    document.head.append(script);
  });
}

let configured = null;

/**
 * The configured `wx`, or null (outside WeChat, not offered, or WeChat refused the
 * configuration). Asked once per page.
 */
export function wechatSdk() {
  if (!inWechat()) return Promise.resolve(null);
  if (!configured) configured = configure().catch(() => null);
  return configured;
}

async function configure() {
  // WeChat signs the address without its #fragment, exactly as the page has it.
  const url = location.href.split('#')[0];
  const response = await fetch('/api/v1/wechat/js-config?url=' + encodeURIComponent(url), {
    credentials: 'same-origin', headers: { Accept: 'application/json' },
  });
  if (!response.ok) return null;
  const c = await response.json();
  await loadScript(SDK_URL);
  const wx = window.wx;
  if (!wx || typeof wx.config !== 'function') return null;
  return new Promise((resolve) => {
    wx.config({
      debug: false,
      appId: c.app_id,
      timestamp: c.timestamp,
      nonceStr: c.nonce_str,
      signature: c.signature,
      jsApiList: c.js_api_list,
    });
    wx.ready(() => resolve(wx));
    wx.error(() => resolve(null));
  });
}

/** An absolute address on this site (WeChat needs absolute links and pictures). */
function absolute(href) {
  if (!href) return '';
  try {
    return new URL(href, location.href).href;
  } catch {
    return '';
  }
}

/** Sets (or adds) the page's og: tags, so every share card says the same. */
export function setShareTags({ title, description, link, image }) {
  const tags = { 'og:title': title, 'og:description': description, 'og:url': absolute(link), 'og:image': absolute(image) };
  for (const [property, content] of Object.entries(tags)) {
    let meta = document.head.querySelector(`meta[property="${property}"]`);
    if (!content) {
      if (meta) meta.remove();
      continue;
    }
    if (!meta) {
      meta = document.createElement('meta');
      meta.setAttribute('property', property);
      document.head.append(meta);
    }
    meta.setAttribute('content', content);
  }
}

/** The page's share card as its og: tags say it (title, description, address, picture). */
export function shareTags() {
  const tag = (property) => (document.head.querySelector(`meta[property="${property}"]`)?.getAttribute('content') || '').trim();
  return {
    title: (tag('og:title') || document.title).slice(0, 64),
    description: tag('og:description').slice(0, 120),
    link: absolute(tag('og:url') || location.href).split('#')[0],
    image: absolute(tag('og:image')),
  };
}

/**
 * Inside WeChat (when offered), the JS-SDK's share data for a chat (title, description, link,
 * picture) and for Moments (title, link, picture), read from the page's og: tags — the one
 * place every page's card is written, on the server (scan page, news) or by the page's script
 * (listing, shop: `shareCard`). False when not inside WeChat or not offered.
 */
export async function shareFromTags() {
  const wx = await wechatSdk();
  if (!wx) return false;
  const card = shareTags();
  wx.updateAppMessageShareData({ title: card.title, desc: card.description, link: card.link, imgUrl: card.image });
  wx.updateTimelineShareData({ title: card.title, link: card.link, imgUrl: card.image });
  return true;
}

/** A page's share card from its data: its og: tags, then WeChat's share data from them. */
export async function shareCard({ title, description = '', link = location.href, image = '' }) {
  setShareTags({ title: String(title || document.title).slice(0, 64), description: String(description || '').slice(0, 120), link: absolute(link).split('#')[0], image });
  return shareFromTags();
}

/**
 * WeChat's address book (wx.openAddress): the address the person chose
 * ({ userName, telNumber, provinceName, cityName, countryName, detailInfo, nationalCode,
 * postalCode }), or null when they cancelled or WeChat could not open it.
 */
export async function openWechatAddress() {
  const wx = await wechatSdk();
  if (!wx) return null;
  return new Promise((resolve) => {
    wx.openAddress({
      success: (a) => resolve(a && typeof a === 'object' ? a : null),
      cancel: () => resolve(null),
      fail: () => resolve(null),
    });
  });
}
