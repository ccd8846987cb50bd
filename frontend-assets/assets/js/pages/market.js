// 行情: the public price board. Anyone, no login, on a phone first. Without `category` in the
// address: every category's price today, this week and over 30 days; with it: that category's
// trend over 30/90/365 days (ECharts, the vendored copy the officials' dashboard uses), its
// townships and products. The address holds category, days and unit, so a view can be shared.
// Money comes in integer fen per kg and per 斤 (the server rounds, half up); weights in grams.

import { api, query, seg } from '../api.js';
import { formatFen, localName } from '../catalog.js';
import { onLangChange, t } from '../i18n.js';
import { initShell } from '../shell.js';
import { $, $$, el, errorMessage, note, replaceChildren } from '../ui.js';

const ECHARTS_SRC = '/vendor/echarts/echarts.min.js';
const DAYS = ['30', '90', '365'];
const params = new URLSearchParams(location.search);
const state = {
  category: params.get('category') || '',
  days: DAYS.includes(params.get('days')) ? params.get('days') : '30',
  unit: params.get('unit') === 'kg' ? 'kg' : 'jin',
};
const body = $('#market-body');
let lastData = null;

let echartsPromise = null;
function loadECharts() {
  if (!echartsPromise) {
    // The UMD build sets globalThis.echarts when it runs as a module.
    echartsPromise = import(ECHARTS_SRC).then(() => globalThis.echarts || null).catch(() => null);
  }
  return echartsPromise;
}

function href(changes) {
  const next = { ...state, ...changes };
  return location.pathname + query({
    category: next.category || undefined,
    days: next.category && next.days !== '30' ? next.days : undefined,
    unit: next.unit === 'kg' ? 'kg' : undefined,
  });
}

/** A figure of a price in the chosen unit (per 斤 or per kg), or per the sold unit. */
function fig(p, key) {
  if (!p) return null;
  if (p.basis === 'kg') return state.unit === 'jin' ? p.per_jin?.[key] ?? null : p[key];
  return p[key];
}

function unitKey(p) {
  if (!p || p.basis === 'kg') return state.unit === 'jin' ? 'market.per_jin' : 'market.per_kg';
  return 'market.per_' + p.basis;
}

function priceText(p, key = 'avg_fen') {
  const v = fig(p, key);
  return v === null || v === undefined ? '—' : formatFen(v);
}

/** Volume: weight in 斤 or kg (one decimal), else the count of sold units. */
function volume(p) {
  if (!p) return '—';
  if (p.basis !== 'kg') return el('span', { i18n: 'market.volume_units', args: { n: p.quantity } });
  const per = state.unit === 'jin' ? 500 : 1000;
  const tenths = Math.round((p.quantity * 10) / per);
  const n = `${Math.floor(tenths / 10)}.${tenths % 10}`;
  return el('span', { i18n: state.unit === 'jin' ? 'market.volume_jin' : 'market.volume_kg', args: { n } });
}

function priceBlock(titleKey, p, testid) {
  return el('div', { class: 'market-price', 'data-testid': testid },
    el('p', { class: 'muted', i18n: titleKey }),
    p
      ? [
        el('p', { class: 'market-avg' }, el('strong', { text: priceText(p), 'data-testid': testid + '-avg' }), ' ', el('span', { class: 'muted', i18n: unitKey(p) })),
        el('p', { class: 'muted' },
          el('span', { i18n: 'market.median' }), ' ', priceText(p, 'median_fen'), ' · ',
          el('span', { i18n: 'market.range' }), ' ', priceText(p, 'min_fen'), '–', priceText(p, 'max_fen')),
        el('p', { class: 'muted' }, el('span', { i18n: 'market.volume' }), ' ', volume(p), ' · ',
          el('span', { i18n: 'market.lines', args: { n: p.lines } })),
      ]
      : el('p', { class: 'muted', i18n: 'market.hidden', 'data-testid': testid + '-hidden' }));
}

/** Reference prices another market publishes: always in a block of their own, labelled
 * external with their source, in their own unit — never mixed with the platform's figures. */
function externalBlock(lines, withCategory) {
  if (!lines || !lines.length) return null;
  return el('section', { class: 'card market-external', 'data-testid': 'market-external' },
    el('h2', {}, el('span', { i18n: 'market.external' }), ' ', el('span', { class: 'badge', i18n: 'market.external_badge', 'data-testid': 'market-external-badge' })),
    el('p', { class: 'muted small', i18n: 'market.external_note' }),
    el('div', { class: 'table-scroll' }, el('table', { class: 'table' },
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col', i18n: 'market.col_name' }),
        el('th', { scope: 'col', i18n: 'market.external_price' }),
        el('th', { scope: 'col', i18n: 'market.external_source' }))),
      el('tbody', {}, lines.map((x) => {
        const name = [withCategory ? localName(x.category_label, x.category_label_en) : null, x.product || null].filter(Boolean).join(' · ');
        const last = x.latest;
        return el('tr', { 'data-testid': 'market-external-row' },
          el('th', { scope: 'row', text: name || localName(x.category_label, x.category_label_en) }),
          el('td', {}, last ? formatFen(last.price_fen) : '—', ' ', el('span', { class: 'muted', i18n: 'market.per_' + x.unit }),
            last ? el('span', { class: 'muted small', text: ' (' + last.day + ')' }) : null),
          el('td', { text: x.source, 'data-testid': 'market-external-source' }));
      })))));
}

function renderBoard(board) {
  const cards = board.categories.map((c) => el('section', { class: 'card market-card', 'data-testid': 'market-category', dataset: { key: c.key } },
    el('h2', {}, el('a', { href: href({ category: c.key }), 'data-testid': 'market-category-link' }, localName(c.label, c.label_en))),
    el('div', { class: 'market-prices' },
      priceBlock('market.today', c.today, 'today'),
      priceBlock('market.week', c.week, 'week'),
      priceBlock('market.days30', c.days30, 'days30'))));
  replaceChildren(body,
    cards.length ? cards : note('empty', { i18n: 'market.none' }),
    externalBlock(board.external, true),
    el('p', { class: 'muted', i18n: 'market.rule', args: { n: board.min_buyers } }));
}

function partsTable(titleKey, parts, testid, link) {
  return el('section', { class: 'card', 'data-testid': testid },
    el('h2', { i18n: titleKey }),
    parts.length
      ? el('div', { class: 'table-scroll' }, el('table', { class: 'table' },
        el('thead', {}, el('tr', {},
          el('th', { scope: 'col', i18n: 'market.col_name' }),
          el('th', { scope: 'col', i18n: 'market.col_avg' }),
          el('th', { scope: 'col', i18n: 'market.col_range' }),
          el('th', { scope: 'col', i18n: 'market.volume' }))),
        el('tbody', {}, parts.map((p) => el('tr', {},
          el('th', { scope: 'row' }, link ? el('a', { href: link(p) }, localName(p.label, p.label_en)) : localName(p.label, p.label_en)),
          el('td', {}, priceText(p.price), ' ', el('span', { class: 'muted', i18n: unitKey(p.price) })),
          el('td', {}, priceText(p.price, 'min_fen'), '–', priceText(p.price, 'max_fen')),
          el('td', {}, volume(p.price)))))))
      : note('muted', { i18n: 'market.parts_hidden' }));
}

function trendOption(data) {
  const labels = data.trend.map((p) => (document.documentElement.lang === 'en' ? p.label_en : p.label));
  const yuan = (p, key) => {
    const v = fig(p.price, key);
    return v === null || v === undefined ? null : v / 100;
  };
  const series = (key, name, dashed) => ({
    name,
    type: 'line',
    data: data.trend.map((p) => yuan(p, key)),
    connectNulls: false,
    showSymbol: true,
    lineStyle: dashed ? { type: 'dashed', width: 1 } : { width: 2 },
  });
  return {
    animation: false,
    grid: { left: 44, right: 12, top: 36, bottom: 28 },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    xAxis: { type: 'category', data: labels },
    yAxis: { type: 'value', name: t(unitKey(data.period)), scale: true },
    series: [
      series('avg_fen', t('market.col_avg'), false),
      series('min_fen', t('market.low'), true),
      series('max_fen', t('market.high'), true),
    ],
  };
}

async function drawTrend(data) {
  const box = $('#market-chart');
  if (!box) return;
  const echarts = await loadECharts();
  if (!echarts || !box.isConnected) {
    replaceChildren(box, note('muted', { i18n: 'market.chart_unavailable' }));
    return;
  }
  const chart = echarts.getInstanceByDom(box) || echarts.init(box, null, { renderer: 'canvas' });
  chart.setOption(trendOption(data), { notMerge: true });
  box.dataset.rendered = 'true';
  if (globalThis.ResizeObserver && !box.dataset.observed) {
    box.dataset.observed = 'true';
    new ResizeObserver(() => chart.resize()).observe(box);
  }
}

function renderCategory(data) {
  const heading = $('#market-heading');
  heading.removeAttribute('data-i18n');
  replaceChildren(heading, localName(data.label, data.label_en));
  const periods = el('nav', { class: 'market-days', 'aria-label': t('market.trend') },
    DAYS.map((d) => el('a', {
      class: 'btn btn-small ' + (d === state.days ? 'btn-primary' : 'btn-quiet'),
      href: href({ days: d }),
      'aria-current': d === state.days ? 'page' : null,
      'data-testid': 'days-' + d,
      i18n: 'market.days_' + d,
    })));
  replaceChildren(body,
    el('p', {}, el('a', { href: href({ category: '' }), i18n: 'market.all', 'data-testid': 'market-back' })),
    el('div', { class: 'market-prices' },
      priceBlock('market.today', data.today, 'today'),
      priceBlock('market.week', data.week, 'week')),
    el('section', { class: 'card', 'data-testid': 'market-trend' },
      el('h2', { i18n: 'market.trend' }),
      periods,
      data.published
        ? [priceBlock('market.days_' + state.days, data.period, 'period'),
          el('div', { id: 'market-chart', class: 'market-chart', role: 'img', 'aria-label': t('market.chart_label'), 'data-testid': 'market-chart' })]
        : note('muted', { i18n: 'market.hidden' })),
    data.published ? partsTable('market.townships', data.townships, 'market-townships') : null,
    data.published ? partsTable('market.products', data.products, 'market-products', (p) => '/listing.html' + query({ id: p.key })) : null,
    externalBlock(data.external, false),
    el('p', { class: 'muted', i18n: 'market.rule', args: { n: 5 } }));
  if (data.published) drawTrend(data);
}

function render() {
  if (!lastData) return;
  if (state.category) renderCategory(lastData);
  else renderBoard(lastData);
}

async function load() {
  try {
    lastData = state.category
      ? await api.get(`/market/prices/${seg(state.category)}` + query({ days: state.days }), { redirectOn401: false })
      : await api.get('/market/prices', { redirectOn401: false });
    render();
  } catch (err) {
    replaceChildren(body, err.status === 404 ? note('error', { i18n: 'market.not_found' }) : note('error', errorMessage(err)));
  }
}

for (const input of $$('input[name="unit"]')) {
  input.checked = input.value === state.unit;
  input.addEventListener('change', () => {
    state.unit = input.value;
    history.replaceState(null, '', href({}));
    render();
  });
}
onLangChange(render);

await Promise.all([initShell({ auth: 'optional' }), load()]);
