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
// A random visitor id kept on the phone lets the server count a reload or a quick return as
// one view (once per batch per 30 minutes); without storage every view is sent without one.
function visitor() {
  try {
    let id = localStorage.getItem('fg.visitor');
    if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
      localStorage.setItem('fg.visitor', id);
    }
    return id;
  } catch {
    return null;
  }
}
const figure = document.querySelector('[data-testid="scans"][data-beacon]');
if (figure) {
  const id = visitor();
  const url = figure.dataset.beacon + (id ? '?v=' + id : '');
  fetch(url, { method: 'POST', credentials: 'omit', keepalive: true })
    .then((r) => (r.ok ? r.json() : null))
    .then((answer) => {
      if (answer && Number.isSafeInteger(answer.scans)) figure.textContent = String(answer.scans);
      // Answered: "true" when this view counted, "repeat" when the visitor was counted lately.
      figure.dataset.counted = answer && answer.counted === false ? 'repeat' : 'true';
    })
    .catch(() => { figure.dataset.counted = 'false'; });
}

// Nothing else to set up: the page is ready (the sign every page's script gives, e.g. for the
// page-weight and budget tests).
document.body.classList.add('ready');
