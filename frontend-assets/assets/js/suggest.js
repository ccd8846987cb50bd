// Search as you type (#21): every shop search box — an <input name="q"> inside a
// <form role="search">, or any input marked data-suggest — becomes a WAI-ARIA 1.2 combobox
// (role=combobox, aria-expanded, aria-controls, aria-activedescendant) over a listbox of
// suggestions from GET /api/v1/search/suggest, grouped into products, categories and places,
// with the part the shopper typed highlighted (the server counts it: `qic` and 臍 both cover
// 脐橙's first characters).
//
// Requests: one per pause in typing (DEBOUNCE_MS), never for an empty box, never while an
// input method is composing (between compositionstart and compositionend the box holds pinyin
// the shopper has not chosen characters for yet); a newer keystroke aborts the request before
// it, and an answer that arrives for an older text is dropped. Answers are kept per text for
// the page's life, so deleting a character shows the earlier list at once.
//
// Keys: ↓/↑ move through the options (and open the list), Enter picks the highlighted one and
// searches for it (with none highlighted it submits the box as typed), Tab takes the
// highlighted text into the box and moves on, Escape closes the list (a second Escape leaves
// the box to the browser, which clears it). A tap or click picks an option. Options are at
// least 44 px tall and the list is as wide as the search bar.
//
// A page calls `enhanceSearchBoxes()` once; boxes that appear later (a header built by a
// script) are then enhanced the first time they get focus, or at once by `enhanceSearchBox`.

import { t } from './i18n.js';
import { el, replaceChildren } from './ui.js';

const SELECTOR = 'form[role="search"] input[name="q"], input[data-suggest]';
const DEBOUNCE_MS = 130;
const LIMIT = 8;
// The server refuses more (422): the box's maxlength says the same.
const MAX_CHARS = 200;
const GROUPS = [
  { key: 'suggest.group_products', kinds: ['title', 'word'], id: 'products' },
  { key: 'suggest.group_categories', kinds: ['category'], id: 'categories' },
  { key: 'suggest.group_places', kinds: ['place'], id: 'places' },
];
// Control characters the server refuses (400) and that nobody types on purpose.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

const cache = new Map();
const CACHE_MAX = 100;
let boxes = 0;

/** The text to ask about: control characters out, trimmed, at most MAX_CHARS characters. */
export function prefixOf(value) {
  const text = String(value || '').replace(CONTROL, ' ').trim();
  return Array.from(text).slice(0, MAX_CHARS).join('');
}

/** Suggestions grouped for the list: [{ id, key, items }], empty groups left out, order kept. */
export function groupSuggestions(suggestions) {
  return GROUPS
    .map((g) => ({ id: g.id, key: g.key, items: suggestions.filter((s) => g.kinds.includes(s.kind)) }))
    .filter((g) => g.items.length);
}

/** A suggestion's text cut at `matched` characters (code points): [highlighted, rest]. */
export function splitMatched(text, matched) {
  const chars = Array.from(String(text));
  const n = Math.max(0, Math.min(chars.length, Number(matched) || 0));
  return [chars.slice(0, n).join(''), chars.slice(n).join('')];
}

async function fetchSuggestions(q, signal) {
  if (cache.has(q)) return cache.get(q);
  const response = await fetch(`/api/v1/search/suggest?q=${encodeURIComponent(q)}&limit=${LIMIT}`, {
    signal,
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const body = await response.json();
  const list = Array.isArray(body && body.suggestions) ? body.suggestions : [];
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value);
  cache.set(q, list);
  return list;
}

/** Makes one search box a combobox with suggestions; does nothing the second time. */
export function enhanceSearchBox(input) {
  if (!input || input.dataset.suggestReady) return;
  input.dataset.suggestReady = '1';
  boxes += 1;
  const base = `suggest-${boxes}`;
  const form = input.form || input.parentElement;
  form.classList.add('has-suggest');

  const listbox = el('div', { id: `${base}-list`, role: 'listbox', class: 'suggest-list', 'data-testid': 'suggest-list' });
  const status = el('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite', 'data-testid': 'suggest-status' });
  const panel = el('div', { class: 'suggest-panel', 'data-testid': 'suggest-panel', hidden: true }, listbox);
  input.after(panel, status);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', listbox.id);
  input.setAttribute('aria-haspopup', 'listbox');
  listbox.setAttribute('aria-label', t('suggest.list_label'));
  listbox.setAttribute('data-i18n-aria-label', 'suggest.list_label');

  let options = [];
  let active = -1;
  let timer = 0;
  let controller = null;
  let wanted = '';
  let composing = false;

  function setActive(i) {
    if (options[active]) {
      options[active].classList.remove('is-active');
      options[active].setAttribute('aria-selected', 'false');
    }
    active = i;
    const option = options[active];
    if (option) {
      option.classList.add('is-active');
      option.setAttribute('aria-selected', 'true');
      input.setAttribute('aria-activedescendant', option.id);
      option.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function open(show) {
    const on = Boolean(show && options.length);
    panel.hidden = !on;
    input.setAttribute('aria-expanded', String(on));
    if (!on) setActive(-1);
  }

  function cancel() {
    clearTimeout(timer);
    if (controller) controller.abort();
    controller = null;
  }

  function render(list, q) {
    options = [];
    active = -1;
    input.removeAttribute('aria-activedescendant');
    const groups = groupSuggestions(list).map((g) => {
      const labelId = `${base}-${g.id}`;
      return el('div', { role: 'group', 'aria-labelledby': labelId, class: 'suggest-group', 'data-testid': `suggest-group-${g.id}` },
        el('div', { id: labelId, role: 'presentation', class: 'suggest-heading', i18n: g.key }),
        g.items.map((s) => {
          const [hit, rest] = splitMatched(s.text, s.matched);
          const option = el('div', {
            id: `${base}-opt-${options.length}`,
            role: 'option',
            'aria-selected': 'false',
            class: 'suggest-option',
            'data-testid': 'suggest-option',
            dataset: { value: s.text, kind: s.kind },
          },
          el('span', { class: 'suggest-text' }, hit ? el('mark', { text: hit }) : null, rest),
          el('span', { class: 'suggest-count', i18n: 'suggest.listings', args: { count: Number(s.listings) || 0 } }));
          options.push(option);
          return option;
        }));
    });
    replaceChildren(listbox, groups);
    const said = options.length ? 'suggest.count' : 'suggest.none';
    status.setAttribute('data-i18n', said);
    status.setAttribute('data-i18n-args', JSON.stringify({ count: options.length }));
    status.textContent = t(said, { count: options.length });
    listbox.dataset.q = q;
    open(document.activeElement === input);
  }

  async function load() {
    const q = prefixOf(input.value);
    wanted = q;
    if (!q) {
      cancel();
      options = [];
      delete listbox.dataset.q;
      replaceChildren(listbox);
      open(false);
      return;
    }
    if (controller) controller.abort();
    const mine = new AbortController();
    controller = mine;
    try {
      const list = await fetchSuggestions(q, mine.signal);
      // A newer text was typed meanwhile: its own answer will come.
      if (wanted !== q || mine.signal.aborted) return;
      render(list, q);
    } catch (error) {
      if (mine.signal.aborted) return;
      // Suggestions are a help, not the search: a failure leaves the box working as typed.
      options = [];
      replaceChildren(listbox);
      open(false);
      if (globalThis.console) console.info('suggest:', String(error));
    } finally {
      if (controller === mine) controller = null;
    }
  }

  function schedule() {
    clearTimeout(timer);
    if (composing) return;
    if (!prefixOf(input.value)) {
      load();
      return;
    }
    timer = setTimeout(load, DEBOUNCE_MS);
  }

  function pick(option, submit) {
    input.value = option.dataset.value;
    wanted = prefixOf(input.value);
    cancel();
    open(false);
    if (!submit) return;
    const owner = input.form;
    if (owner && typeof owner.requestSubmit === 'function') owner.requestSubmit();
    else if (owner) owner.submit();
  }

  input.addEventListener('compositionstart', () => {
    composing = true;
    clearTimeout(timer);
  });
  input.addEventListener('compositionend', () => {
    composing = false;
    schedule();
  });
  input.addEventListener('input', (event) => {
    if (event.isComposing || composing) return;
    schedule();
  });
  input.addEventListener('focus', () => {
    if (options.length && prefixOf(input.value) === listbox.dataset.q) open(true);
  });
  input.addEventListener('keydown', (event) => {
    if (event.isComposing || composing || event.altKey || event.ctrlKey || event.metaKey) return;
    const shown = !panel.hidden;
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        if (!options.length) return;
        event.preventDefault();
        if (!shown) {
          open(true);
          setActive(event.key === 'ArrowDown' ? 0 : options.length - 1);
          return;
        }
        const step = event.key === 'ArrowDown' ? 1 : -1;
        // Past either end: back to the box (no option highlighted), then round again.
        const next = active + step;
        setActive(next < -1 ? options.length - 1 : next >= options.length ? -1 : next);
        return;
      }
      case 'Enter':
        if (shown && options[active]) {
          event.preventDefault();
          pick(options[active], true);
        } else {
          cancel();
          open(false);
        }
        return;
      case 'Tab':
        if (shown && options[active]) pick(options[active], false);
        else open(false);
        return;
      case 'Escape':
        if (shown) {
          event.preventDefault();
          cancel();
          open(false);
        }
        return;
      default:
    }
  });
  // Pressing an option must not take the focus from the box (the list would close first).
  listbox.addEventListener('mousedown', (event) => event.preventDefault());
  listbox.addEventListener('click', (event) => {
    const option = event.target.closest('[role="option"]');
    if (option && listbox.contains(option)) pick(option, true);
  });
  form.addEventListener('focusout', (event) => {
    if (!event.relatedTarget || !form.contains(event.relatedTarget)) open(false);
  });
  form.addEventListener('submit', () => {
    cancel();
    open(false);
  });
}

let watching = false;

/** Enhances every search box on the page now, and any added later on its first focus. */
export function enhanceSearchBoxes(root = document) {
  for (const input of root.querySelectorAll(SELECTOR)) enhanceSearchBox(input);
  if (watching) return;
  watching = true;
  document.addEventListener('focusin', (event) => {
    const target = event.target;
    if (target instanceof HTMLInputElement && target.matches(SELECTOR)) enhanceSearchBox(target);
  });
}
