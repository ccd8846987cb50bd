// The operator's category tree (类目管理): every root with its children, inactive ones too, each
// with its names in both languages, the platform's commission, the claim window and the
// ship-within (发货时限; empty: inherited from the parent, else the platform default). Add a
// root or a child, edit one in a small form under it, deactivate (after an in-page
// confirmation) or reactivate. The server's field messages show next to the inputs they name.
//
// The catalogue API lets an edit change the names, the sort order, the commission, the claim
// window, the ship-within and the active flag; the slug and the parent are fixed once a
// category exists.

import { api, seg } from '../api.js';
import { t } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, clearErrors, el, facts, flash, flashError, note, replaceChildren, setBusy, showErrors, validationError,
} from '../ui.js';
import { bpPercent } from '../quality.js';
import {
  bpToPercentInput, changedFields, checkCategory, DEFAULT_COMMISSION_BP, DEFAULT_WINDOW, NAME_EN_MAX, NAME_MAX,
  SHIP_MAX, SHIP_MIN, SLUG_MAX, sortedTree,
} from '../categories.js';

const tree = $('#tree');
const count = $('#cats-count');
const rootSlot = $('#root-form-slot');
const state = { roots: [] };

// The server names the commission in basis points; the form asks for a percentage.
const ALIASES = { commission_bp: 'commission' };

// ---- loading -------------------------------------------------------------------------------

async function load() {
  tree.setAttribute('aria-busy', 'true');
  tree.dataset.state = 'loading';
  try {
    state.roots = sortedTree(await api.get('/admin/categories'));
    render();
    tree.dataset.state = 'done';
  } catch (err) {
    tree.dataset.state = 'error';
    if (err.redirecting) return;
    replaceChildren(tree, note('error', err.message));
    flashError(err);
  } finally {
    tree.removeAttribute('aria-busy');
  }
}

function render() {
  const total = state.roots.reduce((n, root) => n + 1 + root.children.length, 0);
  replaceChildren(count, el('span', { i18n: 'cats.count', args: { roots: state.roots.length, n: total } }));
  replaceChildren(tree, state.roots.length
    ? el('ul', { class: 'cards category-roots' }, state.roots.map((root) => item(root, null)))
    : note('empty', { i18n: 'cats.none' }));
}

// ---- one category --------------------------------------------------------------------------

function item(cat, parent) {
  const slot = el('div', { class: 'category-slot' });
  const isRoot = !parent;
  const edit = el('button', { type: 'button', class: 'btn btn-secondary btn-small', i18n: 'cats.edit', 'data-testid': 'cat-edit' });
  const toggle = el('button', {
    type: 'button',
    class: cat.active ? 'btn btn-danger-quiet btn-small' : 'btn btn-secondary btn-small',
    i18n: cat.active ? 'cats.deactivate' : 'cats.reactivate',
    'data-testid': 'cat-toggle',
  });
  const addChild = isRoot
    ? el('button', { type: 'button', class: 'btn btn-quiet btn-small', i18n: 'cats.add_child', 'data-testid': 'cat-add-child' })
    : null;
  const actions = el('div', { class: 'actions' }, edit, toggle, addChild);

  edit.addEventListener('click', () => openForm(slot, { cat, opener: edit }));
  toggle.addEventListener('click', () => (cat.active ? confirmDeactivate(cat, slot, toggle) : setActive(cat, true, toggle)));
  if (addChild) addChild.addEventListener('click', () => openForm(slot, { parentId: cat.id, opener: addChild }));

  const children = isRoot && cat.children.length
    ? el('ul', { class: 'cards category-children', 'data-testid': 'cat-children' }, cat.children.map((child) => item(child, cat)))
    : null;

  return el('li', {
    class: 'list-item category-item' + (cat.active ? '' : ' is-inactive'),
    'data-testid': 'cat-row',
    dataset: { categoryId: cat.id, parentId: cat.parent_id || '', active: String(Boolean(cat.active)), slug: cat.slug },
  },
  el('div', { class: 'item-head' },
    el(isRoot ? 'h3' : 'h4', { class: 'item-title' },
      el('span', { lang: 'zh-CN', text: cat.name, 'data-testid': 'cat-name' }),
      ' ',
      el('span', { class: 'muted category-en', lang: 'en', text: cat.name_en, 'data-testid': 'cat-name-en' })),
    el('span', {
      class: 'badge ' + (cat.active ? 'badge-verified' : 'badge-draft'),
      i18n: cat.active ? 'cats.active' : 'cats.inactive',
      'data-testid': 'cat-active',
      dataset: { value: String(Boolean(cat.active)) },
    })),
  parent && !parent.active && cat.active ? el('p', { class: 'note note-info', i18n: 'cats.hidden_by_parent' }) : null,
  facts([
    ['cats.commission', el('span', { text: bpPercent(cat.commission_bp), 'data-testid': 'cat-commission', dataset: { bp: String(cat.commission_bp) } })],
    ['cats.window', el('span', { i18n: 'cats.hours', args: { h: cat.claim_window_hours }, 'data-testid': 'cat-window', dataset: { hours: String(cat.claim_window_hours) } })],
    ['cats.ship_within', cat.ship_within_hours
      ? el('span', { i18n: 'cats.ship_hours', args: { h: cat.ship_within_hours }, 'data-testid': 'cat-ship', dataset: { hours: String(cat.ship_within_hours) } })
      : el('span', { class: 'muted', i18n: 'cats.ship_inherit', 'data-testid': 'cat-ship', dataset: { hours: '' } })],
    ['cats.slug', el('span', { class: 'mono', text: cat.slug, 'data-testid': 'cat-slug' })],
    ['cats.sort_order', el('span', { text: String(cat.sort_order ?? 0), 'data-testid': 'cat-sort' })],
  ], { class: 'facts facts-compact category-facts' }),
  actions,
  slot,
  children);
}

// ---- activating ----------------------------------------------------------------------------

function confirmDeactivate(cat, slot, opener) {
  const yes = el('button', { type: 'button', class: 'btn btn-danger btn-small', i18n: 'cats.deactivate_confirm', 'data-testid': 'cat-toggle-confirm' });
  const no = el('button', { type: 'button', class: 'btn btn-secondary btn-small', i18n: 'common.cancel', 'data-testid': 'cat-toggle-cancel' });
  no.addEventListener('click', () => {
    replaceChildren(slot);
    opener.focus();
  });
  yes.addEventListener('click', () => setActive(cat, false, yes));
  replaceChildren(slot, el('div', { class: 'actions confirm', 'data-testid': 'cat-toggle-form' },
    el('p', { class: 'confirm-question', i18n: cat.parent_id ? 'cats.deactivate_question' : 'cats.deactivate_root_question', args: { name: cat.name } }),
    yes, no));
  yes.focus();
}

async function setActive(cat, active, button) {
  setBusy(button, true);
  try {
    await api.patch(`/admin/categories/${seg(cat.id)}`, { active });
    flash(el('span', { i18n: active ? 'cats.reactivated' : 'cats.deactivated', args: { name: cat.name } }), 'success');
    await load();
  } catch (err) {
    flashError(err);
    setBusy(button, false);
  }
}

// ---- the form (new or edit) ----------------------------------------------------------------

let formSeq = 0;

function field(id, labelKey, input, { hintKey, hintArgs, errorFor } = {}) {
  const describedBy = [hintKey ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(' ');
  input.setAttribute('id', id);
  input.setAttribute('aria-describedby', describedBy);
  return el('div', { class: 'field' },
    el('label', { for: id, i18n: labelKey }),
    input,
    hintKey ? el('p', { class: 'hint', id: `${id}-hint`, i18n: hintKey, args: hintArgs }) : null,
    el('p', { class: 'field-error', id: `${id}-error`, 'data-error-for': errorFor, hidden: true }));
}

function openForm(slot, { cat = null, parentId = null, opener }) {
  const isNew = !cat;
  const p = `cf${++formSeq}`;
  const input = (name, props = {}) => el('input', { name, type: 'text', autocomplete: 'off', ...props });

  const parent = isNew
    ? el('select', { name: 'parent_id', 'data-testid': 'cf-parent' },
      el('option', { value: '', i18n: 'cats.parent_none' }),
      state.roots.map((root) => el('option', { value: root.id, text: `${root.name} · ${root.name_en}`, selected: root.id === parentId })))
    : null;
  const submit = el('button', { type: 'submit', class: 'btn btn-primary', i18n: isNew ? 'cats.create' : 'cats.save', 'data-testid': 'cf-submit' });
  const cancel = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel', 'data-testid': 'cf-cancel' });

  const form = el('form', {
    class: 'subform category-form',
    method: 'post',
    action: '#',
    novalidate: true,
    'data-testid': 'cat-form',
    dataset: { mode: isNew ? 'new' : 'edit' },
  },
  el('h4', { class: 'group-title', i18n: isNew ? (parentId ? 'cats.new_child' : 'cats.new_root') : 'cats.edit_title' }),
  el('p', { class: 'form-error', 'data-form-error': '', role: 'alert', hidden: true, 'data-testid': 'cf-form-error' }),
  isNew
    ? field(`${p}-parent`, 'cats.parent', parent, { hintKey: 'cats.parent_hint', errorFor: 'parent_id' })
    : el('p', { class: 'hint', i18n: 'cats.fixed_hint', args: { slug: cat.slug } }),
  el('div', { class: 'two-col' },
    field(`${p}-name`, 'cats.name', input('name', { required: true, maxlength: String(NAME_MAX * 2), value: cat ? cat.name : '', 'data-testid': 'cf-name' }),
      { hintKey: 'cats.name_hint', hintArgs: { max: NAME_MAX }, errorFor: 'name' }),
    field(`${p}-name-en`, 'cats.name_en', input('name_en', { required: true, lang: 'en', maxlength: String(NAME_EN_MAX * 2), value: cat ? cat.name_en : '', 'data-testid': 'cf-name-en' }),
      { hintKey: 'cats.name_en_hint', hintArgs: { max: NAME_EN_MAX }, errorFor: 'name_en' })),
  isNew
    ? field(`${p}-slug`, 'cats.slug', input('slug', { required: true, class: 'mono', autocapitalize: 'none', spellcheck: 'false', maxlength: String(SLUG_MAX), 'data-testid': 'cf-slug' }),
      { hintKey: 'cats.slug_hint', errorFor: 'slug' })
    : null,
  el('div', { class: 'two-col' },
    field(`${p}-commission`, 'cats.commission_pct', input('commission', {
      inputmode: 'decimal', value: bpToPercentInput(cat ? cat.commission_bp : DEFAULT_COMMISSION_BP), 'data-testid': 'cf-commission',
    }), { hintKey: 'cats.commission_hint', errorFor: 'commission' }),
    field(`${p}-window`, 'cats.window_hours', input('claim_window_hours', {
      inputmode: 'numeric', value: String(cat ? cat.claim_window_hours : DEFAULT_WINDOW), 'data-testid': 'cf-window',
    }), { hintKey: 'cats.window_hint', errorFor: 'claim_window_hours' }),
    field(`${p}-ship`, 'cats.ship_within_hours', input('ship_within_hours', {
      inputmode: 'numeric', value: cat && cat.ship_within_hours ? String(cat.ship_within_hours) : '', 'data-testid': 'cf-ship',
    }), { hintKey: 'cats.ship_within_hint', hintArgs: { min: SHIP_MIN, max: SHIP_MAX }, errorFor: 'ship_within_hours' }),
    field(`${p}-sort`, 'cats.sort_order', input('sort_order', {
      inputmode: 'numeric', value: String(cat ? cat.sort_order ?? 0 : 0), 'data-testid': 'cf-sort',
    }), { hintKey: 'cats.sort_hint', errorFor: 'sort_order' })),
  el('div', { class: 'actions' }, submit, cancel));

  const close = () => {
    replaceChildren(slot);
    if (opener) opener.focus();
  };
  cancel.addEventListener('click', close);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const values = Object.fromEntries(['name', 'name_en', 'slug', 'sort_order', 'claim_window_hours', 'commission', 'ship_within_hours']
      .map((name) => [name, form.elements.namedItem(name) ? form.elements.namedItem(name).value : '']));
    const { body, errors } = checkCategory(values, { isNew });
    if (Object.keys(errors).length) {
      showErrors(form, validationError(errors));
      return;
    }
    setBusy(submit, true);
    try {
      if (isNew) {
        const created = await api.post('/admin/categories', { ...body, parent_id: parent.value || null });
        flash(el('span', { i18n: 'cats.created', args: { name: created.name } }), 'success');
      } else {
        const patch = changedFields(body, cat);
        if (!Object.keys(patch).length) {
          close();
          flash(t('cats.unchanged'), 'info');
          return;
        }
        const saved = await api.patch(`/admin/categories/${seg(cat.id)}`, patch);
        flash(el('span', { i18n: 'cats.saved', args: { name: saved.name } }), 'success');
      }
      await load();
    } catch (err) {
      showErrors(form, err, ALIASES);
    } finally {
      if (submit.isConnected) setBusy(submit, false);
    }
  });

  replaceChildren(slot, form);
  form.elements.namedItem('name').focus();
}

// ---- start ---------------------------------------------------------------------------------

$('#add-root').addEventListener('click', () => openForm(rootSlot, { opener: $('#add-root') }));

const { me, error } = await initShell({ auth: 'required' });
if (me && me.account.platform_role === 'operator') {
  $('#console').hidden = false;
  await load();
} else if (me) {
  $('#forbidden').hidden = false;
} else if (error && !error.redirecting) {
  $('#console').hidden = false;
  $('#add-root').disabled = true;
  replaceChildren(tree, note('muted', { i18n: 'common.unavailable' }));
}
