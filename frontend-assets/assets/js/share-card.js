// The share card of a page rendered on the server — the scan page /t/{code} and a news article
// — whose og: tags already say it: inside WeChat's browser they become the JS-SDK's share data
// (wechat-sdk.js shareFromTags, as on the listing and shop pages). Anywhere else this is all
// that loads: the SDK module and WeChat's script are fetched only inside WeChat (the same test
// as wechat-sdk.js inWechat, repeated so a phone outside WeChat fetches nothing more).

if (/MicroMessenger/i.test(navigator.userAgent || '')) {
  import('./wechat-sdk.js').then((sdk) => sdk.shareFromTags()).catch(() => {});
}

// Nothing else to set up: the page is ready (the sign every page's script gives, e.g. for the
// page-weight and budget tests).
document.body.classList.add('ready');
