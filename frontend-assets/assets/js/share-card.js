// The share card of a page rendered on the server — the scan page /t/{code} and a news article
// — whose og: tags already say it: inside WeChat's browser they become the JS-SDK's share data
// (wechat-sdk.js shareFromTags, as on the listing and shop pages). Anywhere else this is all
// that loads: the SDK module and WeChat's script are fetched only inside WeChat (the same test
// as wechat-sdk.js inWechat, repeated so a phone outside WeChat fetches nothing more but the
// scan page's beacon).

if (/MicroMessenger/i.test(navigator.userAgent || '')) {
  import('./wechat-sdk.js').then((sdk) => sdk.shareFromTags()).catch(() => {});
}

// The scan page's beacon: its HTML may be a CDN's copy, so the view is counted here, once, by
// POST /t/{code}/seen, whose answer (the batch's look-ups including this one) replaces the
// figure the HTML was rendered with. Without scripts the page's <noscript> pixel counts instead.
const figure = document.querySelector('[data-testid="scans"][data-beacon]');
if (figure) {
  fetch(figure.dataset.beacon, { method: 'POST', credentials: 'omit', keepalive: true })
    .then((r) => (r.ok ? r.json() : null))
    .then((answer) => {
      if (answer && Number.isSafeInteger(answer.scans)) figure.textContent = String(answer.scans);
      figure.dataset.counted = 'true';
    })
    .catch(() => { figure.dataset.counted = 'false'; });
}

// Nothing else to set up: the page is ready (the sign every page's script gives, e.g. for the
// page-weight and budget tests).
document.body.classList.add('ready');
