// The operator's search vocabulary (搜索词库): the county's own words (with a reading when the
// usual one is wrong), synonym groups and English names, merged over the vocabulary shipped with
// Farmgate (`GET/POST /admin/search/vocabulary`, `DELETE /admin/search/vocabulary/{id}`). Search
// understands an entry from the next query; listings whose titles hold its words are re-analysed
// in the background. Removing an entry asks for an in-page confirmation. The latest changes show
// who added or removed what.

import { api, seg } from '../api.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, clearErrors, el, flash, flashError, note, replaceChildren, setBusy, showErrors, timeEl, validationError,
} from '../ui.js';

const form = $('#vocab-form');
const kind = $('#vocab-kind');
const text = $('#vocab-text');
const entries = $('#entries');
const changes = $('#changes');
const state = { view: null };
const KIND_HINTS = { word: 'vocab.hint_word', synonyms: 'vocab.hint_synonyms', english: 'vocab.hint_english' };
const ACTIONS = { added: 'vocab.action_added', removed: 'vocab.action_removed' };

function showKindHint() {
  replaceChildren($('#vocab-kind-hint'), el('span', { i18n: KIND_HINTS[kind.value] || KIND_HINTS.word }));
}

function showLimits(limits, shipped) {
  replaceChildren($('#vocab-text-hint'), el('span', {
    i18n: 'vocab.limits',
    args: {
      chars: limits.max_entry_chars,
      words: limits.max_group_words,
      max: limits.max_entries,
      shipped_words: shipped.words,
      shipped_groups: shipped.synonym_groups,
      shipped_english: shipped.english_names,
    },
  }));
}

function removeButton(entry, slot) {
  const remove = el('button', { type: 'button', class: 'btn btn-danger-quiet btn-small', i18n: 'vocab.remove', 'data-testid': 'vocab-remove' });
  remove.addEventListener('click', () => {
    const yes = el('button', { type: 'button', class: 'btn btn-danger btn-small', i18n: 'vocab.remove_confirm', 'data-testid': 'vocab-remove-confirm' });
    const no = el('button', { type: 'button', class: 'btn btn-secondary btn-small', i18n: 'common.cancel', 'data-testid': 'vocab-remove-cancel' });
    no.addEventListener('click', () => {
      replaceChildren(slot);
      remove.focus();
    });
    yes.addEventListener('click', async () => {
      setBusy(yes, true);
      try {
        await api.del(`/admin/search/vocabulary/${seg(entry.id)}`);
        flash(el('span', { i18n: 'vocab.removed', args: { text: entry.text } }), 'success');
        await load();
      } catch (err) {
        flashError(err);
        setBusy(yes, false);
      }
    });
    replaceChildren(slot, el('div', { class: 'actions confirm' },
      el('p', { class: 'confirm-question', i18n: 'vocab.remove_question', args: { text: entry.text } }), yes, no));
    yes.focus();
  });
  return remove;
}

function entryItem(entry) {
  const slot = el('div');
  return el('li', { class: 'list-item', 'data-testid': 'vocab-entry', dataset: { entryId: entry.id, kind: entry.kind } },
    el('div', { class: 'item-head' },
      el('span', { class: 'item-title', lang: 'zh-CN', text: entry.text, 'data-testid': 'vocab-entry-text' }),
      el('span', { class: 'badge', i18n: `vocab.kind.${entry.kind}` })),
    el('p', { class: 'muted' }, el('span', { i18n: 'vocab.added_at' }), ' ', timeEl(entry.created_at)),
    el('div', { class: 'actions' }, removeButton(entry, slot)),
    slot);
}

function changeItem(change) {
  return el('li', { 'data-testid': 'vocab-change', dataset: { action: change.action } },
    timeEl(change.at), ' ',
    el('span', { i18n: ACTIONS[change.action] || ACTIONS.added }), ' ',
    el('span', { lang: 'zh-CN', text: change.text }));
}

function render() {
  const view = state.view;
  showLimits(view.limits, view.shipped);
  replaceChildren($('#vocab-count'), el('span', { i18n: 'vocab.count', args: { count: view.entries.length, max: view.limits.max_entries } }));
  replaceChildren(entries, view.entries.length
    ? el('ul', { class: 'cards' }, view.entries.map(entryItem))
    : note('empty', { i18n: 'vocab.none' }));
  replaceChildren(changes, view.changes.length
    ? el('ul', { class: 'plain-list' }, view.changes.map(changeItem))
    : note('muted', { i18n: 'vocab.no_changes' }));
}

async function load() {
  entries.setAttribute('aria-busy', 'true');
  try {
    state.view = await api.get('/admin/search/vocabulary');
    render();
    entries.dataset.state = 'done';
  } catch (err) {
    entries.dataset.state = 'error';
    if (err.redirecting) return;
    replaceChildren(entries, note('error', err.message));
    flashError(err);
  } finally {
    entries.removeAttribute('aria-busy');
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  const body = { kind: kind.value, text: text.value.trim() };
  if (!body.text) {
    showErrors(form, validationError({ text: t('vocab.text_required') }));
    return;
  }
  const submit = $('[data-testid="vocab-submit"]', form);
  setBusy(submit, true);
  try {
    const saved = await api.post('/admin/search/vocabulary', body);
    flash(el('span', { i18n: 'vocab.added', args: { text: saved.text } }), 'success');
    text.value = '';
    await load();
    text.focus();
  } catch (err) {
    showErrors(form, err);
  } finally {
    setBusy(submit, false);
  }
});
kind.addEventListener('change', showKindHint);

const { me, error } = await initShell({ auth: 'required' });
showKindHint();
if (me && me.account.platform_role === 'operator') {
  $('#console').hidden = false;
  await load();
} else if (me) {
  $('#forbidden').hidden = false;
} else if (error && !error.redirecting) {
  $('#console').hidden = false;
  $('[data-testid="vocab-submit"]', form).disabled = true;
  replaceChildren(entries, note('muted', { i18n: 'common.unavailable' }));
}
