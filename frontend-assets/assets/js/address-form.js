// The delivery-address form, shared by checkout and the account's address book: its fields
// (收货人, 手机号, 省/市/区, 详细地址, 默认 — one markup for both pages, rendered into the
// page's <form> before its buttons), the 省/市/区 cascade (GB/T 2260 divisions from GET /api/v1/regions, offered as suggestions
// under each box, so a name the list does not know can still be typed) and paste-to-recognise
// (POST /api/v1/addresses/recognise fills the form from a pasted "张三 138… 江西省赣州市…";
// nothing is saved until the buyer saves); inside WeChat, when the site offers its JS-SDK,
// "从微信导入" fills the form from the person's WeChat address book (wx.openAddress), the
// cascade set from the address's GB/T 2260 code (its names through the recognise endpoint when
// the code is not in our list).

import { api, seg } from './api.js';
import { t } from './i18n.js';
import { $, el, errorMessage, flash, setBusy, validationError } from './ui.js';
import { inWechat, openWechatAddress, wechatSdk } from './wechat-sdk.js';

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
 * The names of the province, city and district of a six-digit GB/T 2260 district code, from
 * the divisions list; null when the list does not know it.
 */
async function divisionsOf(nationalCode) {
  const code = String(nationalCode || '');
  if (!/^\d{6}$/.test(code)) return null;
  const province = (await fetchChildren('')).find((d) => d.code === code.slice(0, 2) + '0000');
  if (!province) return null;
  const cities = await fetchChildren(province.code);
  // A county-level city under its province (湖北省 仙桃市) is its own district.
  const itself = cities.find((d) => d.code === code);
  if (itself) return { province: province.name, city: itself.name, district: itself.name };
  // A municipality is one city named like itself (北京市 北京市 朝阳区).
  const city = cities.find((d) => d.code === code.slice(0, 4) + '00') || (cities.length === 1 ? cities[0] : null);
  if (!city || !city.has_children) return null;
  const district = (await fetchChildren(city.code)).find((d) => d.code === code);
  return district ? { province: province.name, city: city.name, district: district.name } : null;
}

/** What WeChat's address book gave (wx.openAddress), as the form's fields. */
async function fromWechat(a) {
  const filled = {
    name: String(a.userName || '').trim(),
    phone: String(a.telNumber || '').trim(),
    street: String(a.detailInfo || '').trim(),
  };
  const known = await divisionsOf(a.nationalCode);
  if (known) return { ...filled, ...known };
  const names = { province: a.provinceName || '', city: a.cityName || '', district: a.countryName || '' };
  try {
    const text = [names.province, names.city, names.district, filled.street].join('');
    const found = await api.post('/addresses/recognise', { text: text.slice(0, 300) });
    return {
      ...filled,
      province: found.province || names.province,
      city: found.city || names.city,
      district: found.district || names.district,
      street: found.street || filled.street,
    };
  } catch {
    return { ...filled, ...names };
  }
}

/** Inside WeChat, when offered: the "import from WeChat" button before the paste box. */
async function offerWechatImport(form, before) {
  if (!inWechat() || !(await wechatSdk())) return;
  const button = el('button', {
    type: 'button', class: 'btn btn-secondary btn-small wechat-import', i18n: 'address.wechat_import', 'data-testid': 'address-wechat-import',
  });
  before.before(el('div', { class: 'field wechat-import-box' }, button));
  button.addEventListener('click', async () => {
    setBusy(button, true);
    try {
      const chosen = await openWechatAddress();
      // Cancelled: the form stays as it was.
      if (!chosen) return;
      fillAddress(form, await fromWechat(chosen));
      flash(t('address.wechat_imported'), 'success', { focus: false });
    } catch (err) {
      flash(errorMessage(err), 'error');
    } finally {
      setBusy(button, false);
    }
  });
}

/** One labelled input with its error line: id `a-{name}`, as the pages' tests know it. */
function addressField(name, label, attrs) {
  return el('div', { class: 'field' },
    el('label', { for: `a-${name}`, i18n: label }),
    el('input', { id: `a-${name}`, name, type: 'text', required: true, 'aria-describedby': `a-${name}-error`, 'data-testid': `a-${name}`, ...attrs }),
    el('p', { class: 'field-error', id: `a-${name}-error`, 'data-error-for': name, hidden: true }));
}

/** The form's fields, put before its first `.actions` (its buttons stay the page's own). */
function renderAddressFields(form) {
  const region = (name, label, placeholder, level) => addressField(name, label, {
    maxlength: '20', autocomplete: `address-level${level}`, 'data-i18n-placeholder': placeholder,
  });
  const fields = [
    el('div', { class: 'two-col' },
      addressField('name', 'address.name', { maxlength: '20', autocomplete: 'name' }),
      addressField('phone', 'address.phone', { type: 'tel', inputmode: 'tel', maxlength: '20', autocomplete: 'tel' })),
    el('div', { class: 'region-grid' },
      region('province', 'address.province', 'org.ph_province', 1),
      region('city', 'address.city', 'org.ph_city', 2),
      region('district', 'address.district', 'address.ph_district', 3)),
    addressField('street', 'address.street', { maxlength: '120', autocomplete: 'street-address', 'data-i18n-placeholder': 'address.ph_street' }),
    el('label', { class: 'check' },
      el('input', { type: 'checkbox', name: 'is_default', 'data-testid': 'a-default' }), ' ',
      el('span', { i18n: 'address.is_default' })),
  ];
  const actions = $('.actions', form);
  if (actions) actions.before(...fields);
  else form.append(...fields);
}

/**
 * Renders the fields of an address form (the page's <form> holds its title, its error line and
 * its buttons), then adds the cascade's suggestions and the paste box.
 */
export function enhanceAddressForm(form) {
  renderAddressFields(form);
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
  offerWechatImport(form, box);
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
