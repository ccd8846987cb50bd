// Photos on desk items (tickets, replies, conversation messages): an "add photos" control that
// uploads each chosen photo at once (`POST /desk/attachments`, checked by its bytes on the
// server, at most 8 MB, re-encoded without EXIF) and shows it as a thumbnail that can be taken
// off again before sending; the form sends `attachment_ids()` with its message. And the
// thumbnails under a message, each opening the photo. Photos are served only to whom may
// read the message, with the session cookie.

import { api } from './api.js';
import { t } from './i18n.js';
import { el, errorMessage, replaceChildren } from './ui.js';

/** At most this many photos on one message (the server says the same). */
export const MAX_PHOTOS = 6;
const MAX_BYTES = 8 * 1024 * 1024;

/** Thumbnails of a message's photos (nothing when it has none). */
export function photoStrip(attachments) {
  if (!attachments || !attachments.length) return null;
  return el('ul', { class: 'photo-strip', 'data-testid': 'message-photos' }, attachments.map((a) =>
    el('li', {},
      el('a', { href: a.url, target: '_blank', rel: 'noopener', 'data-testid': 'message-photo' },
        el('img', { src: a.url, alt: t('att.photo'), loading: 'lazy', width: '96', height: '96' })))));
}

/**
 * The "add photos" control of a form. `idPrefix` keeps ids unique when a page has several.
 * Answers `{ node, ids(), reset(), busy() }`.
 */
export function attachControl(idPrefix) {
  const inputId = `${idPrefix}-photos`;
  const photos = [];
  let uploading = 0;
  const list = el('ul', { class: 'photo-strip', 'data-testid': 'attach-list' });
  const status = el('p', { class: 'field-error', role: 'alert', hidden: true, 'data-testid': 'attach-error', 'data-error-for': 'attachment_ids' });
  const input = el('input', { id: inputId, type: 'file', accept: 'image/jpeg,image/png,image/webp', multiple: true, class: 'visually-hidden', 'data-testid': 'attach-input' });
  const label = el('label', { for: inputId, class: 'btn btn-secondary btn-small attach-button', 'data-testid': 'attach-button' },
    el('span', { i18n: 'att.add' }), ' ', el('span', { class: 'muted', i18n: 'att.limit', args: { max: MAX_PHOTOS } }));

  function fail(key, args) {
    status.hidden = false;
    replaceChildren(status, el('span', { i18n: key, args }));
  }

  function draw() {
    replaceChildren(list, photos.map((p) => {
      const remove = el('button', { type: 'button', class: 'btn btn-quiet btn-small', 'data-i18n-aria-label': 'att.remove', 'data-testid': 'attach-remove', text: '×' });
      remove.addEventListener('click', () => {
        photos.splice(photos.indexOf(p), 1);
        draw();
        input.focus();
      });
      return el('li', { 'data-testid': 'attach-item', dataset: { id: p.id } },
        el('img', { src: p.preview, alt: t('att.photo'), width: '72', height: '72' }), remove);
    }));
  }

  input.addEventListener('change', async () => {
    status.hidden = true;
    const files = Array.from(input.files || []);
    input.value = '';
    for (const file of files) {
      if (photos.length + uploading >= MAX_PHOTOS) {
        fail('att.too_many', { max: MAX_PHOTOS });
        break;
      }
      if (file.size > MAX_BYTES) {
        fail('att.too_large', { name: file.name });
        continue;
      }
      uploading += 1;
      try {
        const data = new FormData();
        data.append('file', file);
        const saved = await api.upload('/desk/attachments', data);
        photos.push({ id: saved.id, preview: saved.url });
        draw();
      } catch (err) {
        if (!err.redirecting) {
          status.hidden = false;
          replaceChildren(status, el('span', { text: `${file.name}: ${errorMessage(err)}` }));
        }
      } finally {
        uploading -= 1;
      }
    }
  });

  const node = el('div', { class: 'field attach' }, label, input, list, status);
  return {
    node,
    ids: () => photos.map((p) => p.id),
    busy: () => uploading > 0,
    reset: () => { photos.length = 0; status.hidden = true; draw(); },
  };
}
