// Small DOM helpers shared by the pages. Text always goes in through textContent: names,
// reasons and addresses come from users and must show verbatim, never as markup.

import { t, translate } from './i18n.js';

/**
 * Creates an element. props: `class`, `text` (textContent), `i18n` (+ `args`) for a dictionary
 * string that follows the language switch, `dataset`, `on` ({event: handler}), `hidden`, and
 * any other attribute by name. Children may be nodes, strings (become text) or null.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key === 'i18n') node.setAttribute('data-i18n', value);
    else if (key === 'args') node.setAttribute('data-i18n-args', JSON.stringify(value));
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'on') for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else if (key === 'hidden') node.hidden = true;
    else if (key === 'value') node.value = value;
    else if (key === 'checked' || key === 'selected' || key === 'disabled') node[key] = Boolean(value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  if (node.hasAttribute('data-i18n') || node.hasAttribute('data-i18n-aria-label')
    || node.hasAttribute('data-i18n-placeholder') || node.hasAttribute('data-i18n-title')) translate(node);
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function replaceChildren(node, ...children) {
  clear(node);
  append(node, children);
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

// ---- time: the server speaks UTC; people here read Beijing time ----------------------------

const timeFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** `2025-11-23 20:41` in Asia/Shanghai, from an RFC 3339 UTC string; '' for nothing. */
export function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const p = Object.fromEntries(timeFormat.formatToParts(date).map((part) => [part.type, part.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** A <time> element showing Beijing time, carrying the exact instant in `datetime`. */
export function timeEl(iso) {
  if (!iso) return el('span', { class: 'muted', text: '—' });
  return el('time', { datetime: iso, title: iso, text: formatTime(iso) });
}

// ---- labels for the server's enums ---------------------------------------------------------

export function badge(group, value, testid) {
  return el('span', {
    class: `badge badge-${value}`,
    i18n: `${group}.${value}`,
    'data-testid': testid,
    dataset: { value },
  });
}

export function regionText(region) {
  if (!region) return '';
  return [region.province, region.city, region.county, region.township, region.village]
    .filter((part) => part)
    .join(' ');
}

/** A definition list from [[labelKey, valueNode|string], ...]; empty values are skipped. */
export function facts(rows, props = {}) {
  const dl = el('dl', { class: 'facts', ...props });
  for (const [key, value, testid] of rows) {
    if (value === null || value === undefined || value === '') continue;
    dl.append(
      el('div', { class: 'fact', 'data-testid': testid },
        el('dt', { i18n: key }),
        el('dd', {}, value)),
    );
  }
  return dl;
}

/** A tel: link for a phone number the server gave in full; masked numbers stay plain text. */
export function phoneEl(phone) {
  if (!phone) return el('span', { class: 'muted', text: '—' });
  const digits = String(phone).replace(/[\s-]/g, '');
  if (/^\+?\d{5,15}$/.test(digits)) return el('a', { href: 'tel:' + digits, text: phone });
  return el('span', { text: phone });
}

// ---- messages ------------------------------------------------------------------------------

/** Shows a message in the page's aria-live region. kind: info | success | error. */
export function flash(message, kind = 'info', options = {}) {
  const region = document.getElementById('flash');
  if (!region) return;
  // The live region stays in the page (an empty one takes no space): screen readers only
  // announce changes to regions that were already there.
  clear(region);
  if (!message) {
    region.className = 'flash';
    return;
  }
  region.className = `flash flash-${kind}`;
  region.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  const text = typeof message === 'string' ? el('span', { text: message }) : message;
  region.append(text);
  if (options.link) region.append(' ', el('a', { href: options.link.href, i18n: options.link.i18n }));
  if (options.focus !== false && kind === 'error') region.scrollIntoView({ block: 'nearest' });
}

/** A message for any thrown thing: the server's words when it gave some. */
export function errorMessage(err) {
  if (!err) return t('error.generic');
  let message = err.message || t('error.generic');
  if (err.code === 'too_many_attempts' && err.retryAfter) {
    message += ' ' + t('error.retry_after', { count: Number(err.retryAfter) });
  }
  return message;
}

/** Flashes an error unless the page is already leaving for the login page. */
export function flashError(err) {
  if (err && err.redirecting) return;
  flash(errorMessage(err), 'error');
}

/** An inline error/empty/loading line inside a section. */
export function note(kind, content) {
  const p = el('p', { class: `note note-${kind}`, role: kind === 'error' ? 'alert' : null });
  if (typeof content === 'string') p.textContent = content;
  else if (content && content.i18n) p.append(el('span', { i18n: content.i18n, args: content.args }));
  return p;
}

// ---- forms ---------------------------------------------------------------------------------

export function clearErrors(form) {
  for (const p of $$('[data-error-for]', form)) {
    p.textContent = '';
    p.hidden = true;
  }
  for (const input of $$('[aria-invalid="true"]', form)) input.removeAttribute('aria-invalid');
  const summary = $('[data-form-error]', form);
  if (summary) {
    summary.textContent = '';
    summary.hidden = true;
  }
}

/**
 * Shows an error on a form: each field message next to its input (matched by
 * `data-error-for`, with `aliases` mapping server field names to the form's), the rest and the
 * overall message in the form's summary. Focuses the first invalid input.
 */
export function showErrors(form, err, aliases = {}) {
  if (err && err.redirecting) return;
  clearErrors(form);
  const fields = (err && err.fields) || {};
  const unplaced = [];
  let first = null;
  for (const [serverName, message] of Object.entries(fields)) {
    const name = aliases[serverName] || serverName;
    const slot = $(`[data-error-for="${cssEscape(name)}"]`, form);
    if (!slot) {
      unplaced.push(message);
      continue;
    }
    slot.textContent = slot.textContent ? `${slot.textContent}；${message}` : message;
    slot.hidden = false;
    const input = form.elements.namedItem(name);
    if (input && input.setAttribute) {
      input.setAttribute('aria-invalid', 'true');
      if (!first) first = input;
    }
  }
  const summary = $('[data-form-error]', form);
  const text = [errorMessage(err), ...unplaced].filter(Boolean).join(' ');
  if (summary) {
    summary.textContent = text;
    summary.hidden = false;
  } else {
    flash(text, 'error');
  }
  if (first) first.focus();
  else if (summary) summary.scrollIntoView({ block: 'nearest' });
}

function cssEscape(value) {
  return window.CSS && CSS.escape ? CSS.escape(value) : String(value).replace(/["\\]/g, '\\$&');
}

/** Client-side checks before a request, in the same shape as the server's errors. */
export function validationError(fields) {
  return { code: 'validation_failed', message: t('error.check_fields'), fields };
}

export function value(form, name) {
  const input = form.elements.namedItem(name);
  return input ? String(input.value).trim() : '';
}

export function optional(form, name) {
  const v = value(form, name);
  return v === '' ? null : v;
}

/** Counts characters the way people do (an emoji or a CJK character is one). */
export function charCount(s) {
  return Array.from(s || '').length;
}

/** Disables a button while a request runs, so a double tap on a phone sends one request. */
export function setBusy(button, busy) {
  if (!button) return;
  button.disabled = busy;
  button.setAttribute('aria-busy', busy ? 'true' : 'false');
}

/** Runs an action with its button disabled; errors go to `onError` (default: flash). */
export async function withBusy(button, action, onError = flashError) {
  setBusy(button, true);
  try {
    return await action();
  } catch (err) {
    onError(err);
    return undefined;
  } finally {
    setBusy(button, false);
  }
}

// ---- navigation ----------------------------------------------------------------------------

/** A `next` value we may follow: a same-origin path, never `//host` or another scheme. */
export function safeNext(raw) {
  if (!raw || typeof raw !== 'string') return null;
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return null;
  try {
    const url = new URL(raw, location.origin);
    if (url.origin !== location.origin) return null;
    if (url.pathname === '/login.html' || url.pathname === '/register.html') return null;
    return url.pathname + url.search + url.hash;
  } catch {
    return null;
  }
}

/**
 * Where a person lands after logging in, by what they are: the operator on the verification
 * queue (the first of the operator's pages), an after-sales agent on the arbitration queue, a
 * county official on the county statistics, platform finance on the seller payouts, a seller on its
 * shop's page (which leads to its orders, claims and settlement), anyone whose organisation
 * still waits for verification or a correction on the organisation page, and buyers (business
 * or not) in the shop.
 */
export function landingFor(me) {
  if (!me || !me.account) return '/';
  const role = me.account.platform_role;
  if (role === 'operator') return '/ops/home.html';
  if (role === 'after_sales_agent') return '/ops/claims.html';
  if (role === 'official') return '/ops/stats.html';
  if (role === 'finance') return '/ops/payouts.html';
  const memberships = (Array.isArray(me.memberships) ? me.memberships : []).filter((m) => m && m.org);
  const lab = memberships.find((m) => m.org.kind === 'testing_body' && m.org.status === 'verified');
  if (lab) return '/lab/checks.html?org=' + encodeURIComponent(lab.org.id);
  const shop = memberships.find((m) => !['business_buyer', 'testing_body'].includes(m.org.kind) && m.org.status === 'verified');
  if (shop) return '/seller/home.html?org=' + encodeURIComponent(shop.org.id);
  if (memberships.some((m) => m.org.status !== 'verified')) return '/org.html';
  return '/';
}

/** A short, readable description of a browser from its User-Agent. */
export function describeAgent(ua) {
  if (!ua) return null;
  const app = /MicroMessenger/i.test(ua) ? t('device.wechat')
    : /Edg\//.test(ua) ? 'Edge'
      : /Firefox\//.test(ua) ? 'Firefox'
        : /(Chrome|Chromium|CriOS)\//.test(ua) ? 'Chrome'
          : /Safari\//.test(ua) ? 'Safari'
            : /curl|python|Go-http|reqwest|okhttp/i.test(ua) ? t('device.api_client') : t('device.browser');
  const os = /Android/i.test(ua) ? 'Android'
    : /iPhone|iPad|iPod/i.test(ua) ? 'iOS'
      : /HarmonyOS/i.test(ua) ? 'HarmonyOS'
        : /Windows/i.test(ua) ? 'Windows'
          : /Mac OS X|Macintosh/i.test(ua) ? 'macOS'
            : /Linux/i.test(ua) ? 'Linux' : null;
  return os ? `${app} · ${os}` : app;
}

// ---- a seller's console: which organisation -----------------------------------------------

/** The selling organisation the address names (`?org=`), else the first one; null for none. */
export function pickOrg(memberships, params) {
  const wanted = params.get('org');
  const chosen = memberships.find((m) => m.org.id === wanted) || memberships[0];
  return chosen ? chosen.org : null;
}

/** A picker between the person's organisations (two or more); choosing one reloads the page for it. */
export function orgPicker(memberships, org, testid) {
  if (memberships.length < 2) return null;
  const select = el('select', { id: 'org-select', name: 'org', 'data-testid': testid },
    memberships.map((m) => el('option', { value: m.org.id, selected: m.org.id === org.id, text: m.org.name })));
  select.addEventListener('change', () => location.assign(location.pathname + '?' + new URLSearchParams({ org: select.value })));
  return el('div', { class: 'inline-field org-picker' }, el('label', { for: 'org-select', i18n: 'console.org' }), select);
}

/** What a seller's page shows a person who belongs to no selling organisation. */
export function noOrg(testid) {
  return el('section', { class: 'card', 'data-testid': testid },
    el('p', { i18n: 'console.no_org' }),
    el('p', {}, el('a', { class: 'btn btn-secondary', href: '/org.html', i18n: 'console.to_orgs' })));
}

// ---- paged lists ----------------------------------------------------------------------------

/** The offset a paged list starts at, from the page's address: a whole number, 0 when absent. */
export function offsetParam(params) {
  return Math.max(0, Number.parseInt(params.get('offset') || '0', 10) || 0);
}

// The latest load of each list box: an earlier answer arriving after a later one is dropped.
const listLoads = new WeakMap();

/**
 * Loads one page of a paged list into `box` and sets the pager under it (`#pager`, `#page-prev`,
 * `#page-next`, `#page-info`). `fetch()` answers `{items, total}`; `render(items, total)` gives
 * the list's content; `onError(err)` answers true when it dealt with a failure itself (otherwise
 * the box shows the error). The box is busy meanwhile; its data-state goes loading → done or error.
 * Only the latest load of a box shows: the page's first list answering after a search's does not
 * replace it.
 */
export async function loadList(box, { offset, limit, fetch, render, onError = () => false }) {
  const ticket = (listLoads.get(box) || 0) + 1;
  listLoads.set(box, ticket);
  const latest = () => listLoads.get(box) === ticket;
  box.setAttribute('aria-busy', 'true');
  box.dataset.state = 'loading';
  try {
    const result = await fetch();
    if (!latest()) return;
    const items = (result && result.items) || [];
    const total = Number(result && result.total) || 0;
    replaceChildren(box, render(items, total));
    const to = offset + items.length;
    $('#pager').hidden = total <= limit && offset === 0;
    $('#page-prev').disabled = offset <= 0;
    $('#page-next').disabled = to >= total;
    replaceChildren($('#page-info'), el('span', { i18n: 'verify.page_info', args: { from: total ? offset + 1 : 0, to, total } }));
    box.dataset.state = 'done';
  } catch (err) {
    if (!latest()) return;
    box.dataset.state = 'error';
    if (err.redirecting || onError(err)) return;
    replaceChildren(box, note('error', errorMessage(err)));
    flashError(err);
  } finally {
    if (latest()) box.removeAttribute('aria-busy');
  }
}

/** The pager's buttons: a page back or on from `state.offset`, then `load()`. */
export function pagerButtons(state, limit, load) {
  $('#page-prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - limit); load(); });
  $('#page-next').addEventListener('click', () => { state.offset += limit; load(); });
}

/**
 * Status tabs (`.tab` buttons with `data-status`): the one of `state.status` is pressed; a click
 * presses another, starts its list from the first page and calls `load()`.
 */
export function statusTabs(state, load) {
  const press = () => {
    for (const b of $$('.tab')) b.setAttribute('aria-pressed', String(b.dataset.status === state.status));
  };
  press();
  for (const b of $$('.tab')) {
    b.addEventListener('click', () => {
      state.status = b.dataset.status;
      state.offset = 0;
      press();
      load();
    });
  }
}
