// The delivery-address form's helpers, shared by checkout and the account's address book:
// the 省/市/区 cascade (GB/T 2260 divisions from GET /api/v1/regions, offered as suggestions
// under each box, so a name the list does not know can still be typed) and paste-to-recognise
// (POST /api/v1/addresses/recognise fills the form from a pasted "张三 138… 江西省赣州市…";
// nothing is saved until the buyer saves).

import { api, seg } from './api.js';
import { t } from './i18n.js';
import { $, el, errorMessage, flash, setBusy, validationError } from './ui.js';

const LEVELS = ['province', 'city', 'district'];
// Divisions fetched once per page: code → children (the server caches them for a day too).
const children = new Map();

function fetchChildren(code) {
  if (!children.has(code)) {
    const path = code ? `/regions/${seg(code)}` : '/regions';
    children.set(code, api.get(path).catch(() => {
      children.delete(code);
      return [];
    }));
  }
  return children.get(code);
}

/** The input object of an address form, and the fields left empty. */
export function readAddress(form) {
  const input = {};
  for (const name of ['name', 'phone', ...LEVELS, 'street']) {
    const field = form.elements.namedItem(name);
    input[name] = field ? String(field.value).trim() : '';
  }
  const box = form.elements.namedItem('is_default');
  input.is_default = Boolean(box && box.checked);
  const missing = {};
  for (const [k, v] of Object.entries(input)) if (v === '') missing[k] = t('common.required');
  return { input, invalid: Object.keys(missing).length ? validationError(missing) : null };
}

/** Puts a saved address (or what was recognised) into the form, then follows the cascade. */
export function fillAddress(form, a) {
  for (const name of ['name', 'phone', ...LEVELS, 'street']) {
    const field = form.elements.namedItem(name);
    if (field && a[name]) field.value = a[name];
  }
  const box = form.elements.namedItem('is_default');
  if (box && 'is_default' in a) box.checked = Boolean(a.is_default);
  form.dispatchEvent(new CustomEvent('address-filled'));
}

/**
 * Adds the cascade's suggestions and the paste box to an address form whose inputs are named
 * name, phone, province, city, district and street.
 */
export function enhanceAddressForm(form) {
  const inputs = Object.fromEntries(LEVELS.map((l) => [l, form.elements.namedItem(l)]));
  const known = { province: [], city: [], district: [] };
  for (const level of LEVELS) {
    const list = el('datalist', { id: `${form.id || 'address'}-${level}-list` });
    inputs[level].setAttribute('list', list.id);
    inputs[level].after(list);
  }

  function offer(level, divisions) {
    known[level] = divisions;
    const list = $(`#${inputs[level].getAttribute('list')}`);
    list.replaceChildren(...divisions.map((d) => el('option', { value: d.name })));
  }

  function pick(level) {
    const name = inputs[level].value.trim();
    return known[level].find((d) => d.name === name) || null;
  }

  // Choosing a level offers the next one's divisions; a city with nothing below it
  // (湖北省 仙桃市) is its own district.
  async function follow(level) {
    const i = LEVELS.indexOf(level);
    const next = LEVELS[i + 1];
    if (!next) return;
    const chosen = pick(level);
    if (!chosen) {
      offer(next, []);
      return;
    }
    const below = chosen.has_children ? await fetchChildren(chosen.code) : [];
    offer(next, below);
    if (next === 'district' && !chosen.has_children && !inputs.district.value.trim()) {
      inputs.district.value = chosen.name;
    }
    await follow(next);
  }

  for (const level of LEVELS) {
    inputs[level].addEventListener('change', () => {
      // A new province or city empties the levels below it unless they still fit.
      const i = LEVELS.indexOf(level);
      follow(level).then(() => {
        for (const below of LEVELS.slice(i + 1)) {
          const v = inputs[below].value.trim();
          if (v && known[below].length && !known[below].some((d) => d.name === v)) inputs[below].value = '';
        }
      });
    });
  }
  form.addEventListener('address-filled', () => follow('province'));
  form.addEventListener('reset', () => setTimeout(() => follow('province')));
  fetchChildren('').then((provinces) => offer('province', provinces)).then(() => follow('province'));

  // Paste-to-recognise, above the fields.
  const area = el('textarea', {
    id: `${form.id || 'address'}-paste`, rows: 2, maxlength: 300,
    'data-i18n-placeholder': 'address.paste_ph', 'data-testid': 'address-paste',
  });
  const button = el('button', {
    type: 'button', class: 'btn btn-secondary btn-small', i18n: 'address.recognise', 'data-testid': 'address-recognise',
  });
  const box = el('div', { class: 'field paste-box' },
    el('label', { for: area.id, i18n: 'address.paste_label' }), area, button);
  const anchor = $('.two-col', form) || form.firstElementChild;
  anchor.before(box);
  button.addEventListener('click', async () => {
    const text = area.value.trim();
    if (!text) {
      area.focus();
      return;
    }
    setBusy(button, true);
    try {
      const found = await api.post('/addresses/recognise', { text });
      fillAddress(form, found);
      const got = ['province', 'city', 'district', 'street'].some((k) => found[k]);
      flash(t(got ? 'address.recognised' : 'address.not_recognised'), got ? 'success' : 'info', { focus: false });
      const first = ['name', 'phone', ...LEVELS, 'street'].find((k) => !form.elements.namedItem(k).value.trim());
      if (first) form.elements.namedItem(first).focus();
    } catch (err) {
      flash(errorMessage(err), 'error');
    } finally {
      setBusy(button, false);
    }
  });
}
