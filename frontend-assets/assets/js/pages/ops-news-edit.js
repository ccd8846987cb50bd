// Writing an article (资讯): title, summary, category, an optional schedule (Beijing time),
// a cover and a rich-text body with pictures uploaded to the platform. Saving makes a new
// revision (a draft); "save and submit" sends it for review. The body the server keeps is
// sanitised there; what this editor shows of a saved article is that sanitised text. An
// operator opening someone else's article sees it read-only (to review it on the news desk).

import { api, seg } from '../api.js';
import { t } from '../i18n.js';
import { CATEGORIES, categoryName, statusName } from '../news.js';
import { initShell } from '../shell.js';
import { $, $$, clearErrors, el, flash, flashError, replaceChildren, showErrors, timeEl, withBusy } from '../ui.js';

const form = $('#form');
const bodyBox = $('#body');
const params = new URLSearchParams(location.search);
let id = params.get('id');
let coverId = null;

function fillCategories() {
  replaceChildren($('#category'), CATEGORIES.map((c) => el('option', { value: c, text: categoryName(c) })));
}

/** `2026-12-07T10:00` typed as Beijing time → an RFC 3339 instant. */
function toInstant(local) {
  return local ? new Date(`${local}:00+08:00`).toISOString() : null;
}

/** An RFC 3339 instant → `2026-12-07T10:00` in Beijing time, for the input. */
function toLocal(iso) {
  if (!iso) return '';
  const d = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
  return d.toISOString().slice(0, 16);
}

function showCover(url) {
  replaceChildren($('#cover-preview'), url ? el('img', { src: url, alt: '', class: 'thumb', 'data-testid': 'newsedit-cover-preview' }) : null);
}

async function upload(input) {
  const file = input.files && input.files[0];
  if (!file) return null;
  const data = new FormData();
  data.append('file', file);
  try {
    return await api.upload('/news/images', data);
  } catch (err) {
    flashError(err);
    return null;
  } finally {
    input.value = '';
  }
}

/** The editor's content as HTML (the server sanitises it). */
function bodyHtml() {
  const out = new XMLSerializer();
  return Array.from(bodyBox.childNodes).map((n) => out.serializeToString(n)).join('');
}

/** Shows the server's sanitised copy of the writer's own text in the editor. */
function showBody(html) {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  replaceChildren(bodyBox, Array.from(doc.body.childNodes));
}

function payload() {
  return {
    title: $('#title').value.trim(),
    summary: $('#summary').value.trim() || null,
    body_html: bodyHtml(),
    category: $('#category').value,
    cover_image_id: coverId,
    publish_at: toInstant($('#publish_at').value),
  };
}

function showState(a) {
  const state = $('#state');
  const parts = [t('newsedit.state', { status: statusName(a.status), number: a.working.number })];
  if (a.public) parts.push(t('newsedit.state_public'));
  if (a.status === 'rejected' && a.reject_reason) parts.push(t('newsedit.state_rejected', { reason: a.reject_reason }));
  state.textContent = parts.join(' ');
  state.hidden = false;
}

function fill(a) {
  const w = a.working;
  $('#title').value = w.title;
  $('#summary').value = w.summary || '';
  $('#category').value = w.category;
  $('#publish_at').value = toLocal(w.publish_at);
  coverId = w.cover_image_url ? w.cover_image_url.split('/').pop() : null;
  showCover(w.cover_image_url);
  showBody(w.body_html);
  showState(a);
}

async function loadRevisions() {
  const revs = await api.get(`/news/articles/${seg(id)}/revisions`);
  replaceChildren($('#rev-rows'), revs.items.map((r) => el('li', { 'data-testid': 'newsedit-revision' },
    `#${r.number} `, el('strong', { text: r.title }), ' · ', timeEl(r.created_at),
    r.published ? [' · ', el('span', { class: 'badge badge-approved', i18n: 'newsedit.rev_published' })] : null)));
  $('#revisions').hidden = false;
}

async function save() {
  clearErrors(form);
  const a = id
    ? await api.put(`/news/articles/${seg(id)}`, payload())
    : await api.post('/news/articles', payload());
  if (!id) {
    id = a.id;
    history.replaceState(null, '', `?id=${encodeURIComponent(id)}`);
  }
  fill(a);
  await loadRevisions();
  return a;
}

function readOnly() {
  for (const c of $$('input, textarea, select, button', form)) c.disabled = true;
  bodyBox.contentEditable = 'false';
}

const { me } = await initShell({ auth: 'required' });
if (me) {
  if (!['operator', 'official'].includes(me.account.platform_role)) {
    $('#forbidden').hidden = false;
  } else {
    fillCategories();
    form.hidden = false;
    for (const b of $$('[data-cmd]')) {
      b.addEventListener('click', () => {
        bodyBox.focus();
        const arg = b.dataset.cmd === 'createLink' ? prompt(t('newsedit.link_prompt'), 'https://') : b.dataset.arg;
        if (b.dataset.cmd === 'createLink' && !arg) return;
        document.execCommand(b.dataset.cmd, false, arg || null);
      });
    }
    $('#body-image').addEventListener('change', async (e) => {
      const img = await upload(e.target);
      if (img) bodyBox.append(el('p', {}, el('img', { src: img.url, alt: '' })));
    });
    $('#cover').addEventListener('change', async (e) => {
      const img = await upload(e.target);
      if (img) {
        coverId = img.id;
        showCover(img.url);
      }
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      withBusy($('#save'), async () => {
        await save();
        flash(t('newsedit.saved'), 'success');
      }, (err) => showErrors(form, err));
    });
    $('#submit').addEventListener('click', () => withBusy($('#submit'), async () => {
      const a = await save();
      const sent = await api.post(`/news/articles/${seg(a.id)}/submit`);
      fill(sent);
      flash(t('newsedit.submitted'), 'success');
    }, (err) => showErrors(form, err)));
    if (id) {
      try {
        const a = await api.get(`/news/articles/${seg(id)}`);
        fill(a);
        await loadRevisions();
        if (a.author_id !== me.account.id || a.status === 'submitted') readOnly();
      } catch (err) {
        flashError(err);
      }
    }
  }
}
