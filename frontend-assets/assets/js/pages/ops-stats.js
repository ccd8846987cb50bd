// 县域统计: the county official's dashboard. One period (quick buttons or two dates), one
// granularity and at most one filter, kept in the address so a view can be shared and reloaded;
// then every section loads at once and on its own: the totals, the sales trend, the breakdowns
// (township, category, seller type, buyer type, destination, the ten best products and sellers),
// prices, after-sales quality, traceability and new organisations. Each section draws its figures
// with the vendored ECharts and lists the same figures in a table (under 查看数据表), links the
// same view as CSV and Excel, and shows its own error in place. Groups with fewer than five
// buyers are never shown on their own: the server merges them into 其他 or leaves a gap.

import { api } from '../api.js';
import { getLang, onLangChange, t } from '../i18n.js';
import { bpPercent, durationWords, tenths } from '../quality.js';
import { initShell } from '../shell.js';
import * as S from '../stats.js';
import { validDate } from '../trace.js';
import { $, $$, el, errorMessage, flashError, note, replaceChildren } from '../ui.js';

const ECHARTS_SRC = '/vendor/echarts/echarts.min.js';
const PALETTE = ['#2a6634', '#c76b00', '#1f4b73', '#8c3b8f', '#7a4f22', '#3f8f8a', '#a3261f'];
const OTHER_COLOR = '#a89f8b';

const form = $('#period');
const field = (name) => form.elements.namedItem(name);
let state = S.readState(location.search);
let dims = null;

// ---- ECharts, loaded once from our own server ----------------------------------------------------

let echartsPromise = null;
function loadECharts() {
  if (!echartsPromise) {
    // The UMD build sets globalThis.echarts when it runs as a module.
    echartsPromise = import(ECHARTS_SRC).then(() => globalThis.echarts || null).catch(() => null);
  }
  return echartsPromise;
}

const reducedMotion = globalThis.matchMedia && matchMedia('(prefers-reduced-motion: reduce)').matches;

function baseOption() {
  return {
    color: PALETTE,
    animation: !reducedMotion,
    textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
    grid: { left: 8, right: 20, top: 60, bottom: 8, containLabel: true },
    legend: { top: 0, type: 'scroll' },
  };
}

/** A tooltip built as DOM (never markup from strings): a title and `name: value` lines. */
function tooltipEl(title, lines) {
  return el('div', { class: 'chart-tip' },
    el('strong', { text: title }),
    lines.map(([label, value]) => el('div', {}, el('span', { class: 'muted', text: label + (getLang() === 'en' ? ': ' : '：') }), el('span', { text: value }))));
}

function axisTooltip(content, pointer = 'line') {
  return {
    trigger: 'axis',
    confine: true,
    axisPointer: { type: pointer },
    formatter: (params) => {
      const first = Array.isArray(params) ? params[0] : params;
      if (!first) return '';
      const { title, lines } = content(first.dataIndex);
      return tooltipEl(title, lines);
    },
  };
}

const yuanAxis = (name) => ({
  type: 'value',
  name,
  axisLabel: { formatter: (v) => S.compactNumber(v, getLang()) },
  splitLine: { lineStyle: { color: '#e6e0d2' } },
});

const countAxis = (name) => ({
  type: 'value',
  name,
  minInterval: 1,
  axisLabel: { formatter: (v) => S.compactNumber(v, getLang()) },
  splitLine: { show: false },
});

const percentAxis = (name, max) => ({
  type: 'value',
  name,
  min: 0,
  max,
  axisLabel: { formatter: (v) => `${v}%` },
  splitLine: { lineStyle: { color: '#e6e0d2' } },
});

const charts = new Set();
const resizer = globalThis.ResizeObserver
  ? new ResizeObserver((entries) => {
    for (const entry of entries) globalThis.echarts?.getInstanceByDom(entry.target)?.resize();
  })
  : null;

/** Draws (or redraws) a section's chart; without ECharts the table below is opened instead. */
async function draw(section, build) {
  section.build = build;
  const box = section.chart;
  const echarts = await loadECharts();
  if (section.build !== build) return;
  if (!echarts) {
    box.hidden = true;
    section.details.open = true;
    replaceChildren(section.chartNote, note('muted', { i18n: 'stats.chart_unavailable' }));
    return;
  }
  const wasHidden = box.hidden;
  box.hidden = false;
  const existing = echarts.getInstanceByDom(box);
  const chart = existing || echarts.init(box, null, { renderer: 'canvas' });
  if (!existing) {
    charts.add(section);
    resizer?.observe(box);
  } else if (wasHidden) {
    chart.resize();
  }
  chart.setOption(build(), { notMerge: true });
  box.dataset.rendered = 'true';
}

function clearChart(section) {
  section.build = null;
  const chart = globalThis.echarts?.getInstanceByDom(section.chart);
  if (chart) chart.clear();
  section.chart.dataset.rendered = 'false';
}

onLangChange(() => {
  for (const section of charts) {
    if (section.build) draw(section, section.build);
  }
  renderScope();
  fillValues();
  for (const node of $$('#console .l10n')) node.textContent = getLang() === 'en' ? node.dataset.en : node.dataset.zh;
  for (const option of $$('#console .price-option')) priceOptionText(option);
});

// ---- small views ---------------------------------------------------------------------------------

const money = (fen) => el('span', { class: 'num', dataset: { fen: String(fen ?? '') }, text: S.fenText(fen) });
const count = (n) => el('span', { class: 'num', dataset: { n: String(n ?? '') }, text: S.groupDigits(n) });
const percent = (bp) => el('span', { class: 'num', dataset: { bp: String(bp ?? '') }, text: bpPercent(bp) });
const kg = (grams) => el('span', { class: 'num', dataset: { grams: String(grams ?? '') }, text: S.kgText(grams) });
/** A price row's quantity and its unit: kilograms for a per-kg price (the server counts grams). */
const quantityEl = (quantity, basis) => [basis === 'kg' ? kg(quantity) : count(quantity),
  S.PRICE_BASES.includes(basis) ? [' ', el('span', { class: 'muted small', i18n: 'unit.' + basis })] : null];

function durationText(secs) {
  const words = durationWords(secs);
  return words ? t(words.key, words.args) : '—';
}

function durationEl(secs) {
  const words = durationWords(secs);
  return words ? el('span', { i18n: words.key, args: words.args, dataset: { secs: String(secs) } }) : el('span', { class: 'muted', text: '—' });
}

/**
 * A group's name as the page shows it: a type from the dictionary, 其他, or the server's label;
 * a held-back row says why its figures are missing.
 */
function nameEl(row, by) {
  if (row.other) {
    return [el('span', { i18n: row.other === 'rest' ? 'stats.other_rest' : 'stats.other' }),
      row.groups ? el('span', { class: 'muted small', i18n: 'stats.other_groups', args: { count: row.groups } }) : null];
  }
  const key = S.groupKey(by, row.key);
  let name;
  if (key) {
    name = el('span', { i18n: key });
  } else {
    name = el('span', { class: 'l10n' });
    name.dataset.zh = S.rowLabel(row, 'zh-CN');
    name.dataset.en = S.rowLabel(row, 'en');
    name.textContent = S.rowLabel(row, getLang());
  }
  return row.suppressed ? [name, el('span', { class: 'muted small', i18n: 'stats.held_tag' })] : name;
}

function nameText(row, by) {
  if (row.other) return t(row.other === 'rest' ? 'stats.other_rest' : 'stats.other');
  const key = S.groupKey(by, row.key);
  return key ? t(key) : S.rowLabel(row, getLang());
}

/**
 * A table of rows: `columns` are `[headerKey, cell(row), numeric?]`. Rows carry their key and
 * whether they are held back or the merged 其他 bucket, so tests and screen readers can tell.
 */
function tableEl(testid, captionKey, columns, rows, captionArgs) {
  // Wider than a phone: a named region the keyboard can reach and scroll.
  return el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'data-i18n-aria-label': captionKey, args: captionArgs },
    el('table', { class: 'stats-table', 'data-testid': testid },
      captionKey ? el('caption', { class: 'visually-hidden', i18n: captionKey, args: captionArgs }) : null,
      el('thead', {}, el('tr', {}, columns.map(([key, , num]) => el('th', { scope: 'col', class: num ? 'num' : null, i18n: key })))),
      el('tbody', {}, rows.map((row) => el('tr', {
        'data-testid': 'stats-row',
        class: [row.other ? 'is-other' : '', row.total ? 'is-total' : '', row.suppressed ? 'is-suppressed' : ''].join(' ').trim() || null,
        dataset: { key: String(row.key ?? ''), suppressed: String(Boolean(row.suppressed)), other: String(Boolean(row.other)) },
      }, columns.map(([, cell, num], i) => (i === 0
        ? el('th', { scope: 'row' }, cell(row))
        : el('td', { class: num ? 'num' : null }, cell(row)))))))));
}

/** A figure of a row, or — when the server held the row back (fewer than five buyers). */
function held(row, view) {
  return row.suppressed ? el('span', { class: 'muted', text: '—' }) : view();
}

const SALES_COLUMNS = [
  ['stats.col_gmv', (r) => held(r, () => money(r.gmv_fen)), true],
  ['stats.col_net', (r) => held(r, () => money(r.net_fen)), true],
  ['stats.col_refund', (r) => held(r, () => money(r.refund_fen)), true],
  ['stats.col_orders', (r) => held(r, () => count(r.orders)), true],
  ['stats.col_buyers', (r) => held(r, () => count(r.buyers)), true],
  ['stats.col_weight', (r) => held(r, () => kg(r.weight_grams)), true],
  ['stats.col_traced', (r) => held(r, () => percent(r.traced_share_bp)), true],
];

function salesLines(row) {
  if (row.suppressed) return [[t('stats.col_buyers'), t('stats.held_back')]];
  return [
    [t('stats.series_gmv'), S.fenText(row.gmv_fen)],
    [t('stats.series_net'), S.fenText(row.net_fen)],
    [t('stats.col_refund'), S.fenText(row.refund_fen)],
    [t('stats.series_orders'), S.groupDigits(row.orders)],
    [t('stats.series_buyers'), S.groupDigits(row.buyers)],
    [t('stats.col_weight'), S.kgText(row.weight_grams)],
  ];
}

// ---- sections ------------------------------------------------------------------------------------

/**
 * One section: title, export links, optional controls, the chart, a note, the table under
 * 查看数据表, and a status line for loading and errors. `def.params()` names what it asks for.
 */
function makeSection(def) {
  const titleId = `sec-${def.id}-title`;
  const chart = el('div', {
    class: 'stats-chart',
    'data-testid': `chart-${def.id}`,
    role: 'img',
    'aria-labelledby': titleId,
    dataset: { rendered: 'false' },
  });
  const csv = el('a', { class: 'btn btn-quiet btn-small', download: true, i18n: 'stats.export_csv', 'data-testid': `export-${def.id}-csv` });
  const xlsx = el('a', { class: 'btn btn-quiet btn-small', download: true, i18n: 'stats.export_xlsx', 'data-testid': `export-${def.id}-xlsx` });
  const tableBox = el('div', { class: 'stats-table-box' });
  const details = el('details', { class: 'stats-data', 'data-testid': `data-${def.id}` },
    el('summary', { i18n: 'stats.show_table' }), tableBox);
  const chartNote = el('div', { class: 'stats-chart-note' });
  const extra = el('div', { class: 'stats-extra' });
  const status = el('div', { class: 'stats-status', 'aria-live': 'polite' });
  const controls = def.controls ? def.controls() : null;
  const root = el('section', {
    class: 'card stats-section' + (def.wide ? ' is-wide' : ''),
    id: `sec-${def.id}`,
    'aria-labelledby': titleId,
    'aria-busy': 'true',
    'data-testid': `stats-${def.id}`,
    dataset: { state: 'loading' },
  },
  el('div', { class: 'section-head' },
    el('h2', { id: titleId, class: 'section-title', i18n: def.titleKey }),
    el('div', { class: 'stats-exports' }, csv, xlsx)),
  def.introKey ? el('p', { class: 'muted small stats-intro', i18n: def.introKey }) : null,
  controls,
  extra,
  chart,
  chartNote,
  details,
  status);
  const section = { def, root, chart, chartNote, details, tableBox, extra, status, csv, xlsx, gen: 0, build: null };
  return section;
}

function setExports(section, path, params) {
  section.csv.href = S.exportHref(path, params, 'csv');
  section.xlsx.href = S.exportHref(path, params, 'xlsx');
}

/** Loads a section's view: stale answers (the view changed meanwhile) are dropped. */
async function loadSection(section, cycle) {
  const { def, root } = section;
  section.gen += 1;
  const gen = section.gen;
  const params = { from: state.from, to: state.to, ...def.params(state) };
  setExports(section, def.path(state), params);
  root.dataset.state = 'loading';
  root.setAttribute('aria-busy', 'true');
  clearSectionErrors(section);
  replaceChildren(section.status, note('muted', { i18n: 'common.loading' }));
  try {
    const data = await api.get(def.path(state) + '?' + new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v != null)).toString());
    if (gen !== section.gen) return;
    replaceChildren(section.status);
    await def.render(section, data, params);
    if (gen !== section.gen) return;
    if (params.by || params.group_by) root.dataset.by = params.by || params.group_by;
    Object.assign(root.dataset, { from: params.from, to: params.to, state: 'done' });
  } catch (err) {
    if (gen !== section.gen) return;
    failed(section, err, cycle);
  } finally {
    if (gen === section.gen) root.removeAttribute('aria-busy');
  }
}

function clearSectionErrors(section) {
  for (const slot of $$('[data-error-for]', section.root)) {
    slot.textContent = '';
    slot.hidden = true;
    delete slot.dataset.code;
  }
  for (const node of $$('[aria-invalid="true"]', section.root)) node.removeAttribute('aria-invalid');
}

function failed(section, err, cycle) {
  section.root.dataset.state = 'error';
  if (err.redirecting) return;
  clearChart(section);
  section.chart.hidden = true;
  replaceChildren(section.chartNote);
  replaceChildren(section.tableBox);
  replaceChildren(section.extra);
  const { inForm, placed } = placeErrors(err, section.def.slots || {}, section);
  section.errorText = inForm ? t('stats.e_see_period') : errorMessage(err);
  // Nothing to download for a view the server refused.
  section.csv.removeAttribute('href');
  section.xlsx.removeAttribute('href');
  replaceChildren(section.status, note('error', section.errorText));
  if (cycle && !cycle.flashed && !placed) {
    cycle.flashed = true;
    flashError(err);
  }
}

// ---- field errors from the server, in place ------------------------------------------------------

const PERIOD_FIELDS = { from: 'from', to: 'to', by: 'by' };
const FILTER_FIELDS = { filter: 'value', township: 'value', category: 'value', seller_kind: 'value', buyer_kind: 'value' };

function clearPeriodErrors() {
  for (const slot of $$('[data-error-for]', form)) {
    slot.textContent = '';
    slot.hidden = true;
    delete slot.dataset.code;
  }
  for (const node of $$('[aria-invalid="true"]', form)) node.removeAttribute('aria-invalid');
  const summary = $('[data-form-error]', form);
  summary.textContent = '';
  summary.hidden = true;
}

function setFieldError(root, name, message, code) {
  const slot = $(`[data-error-for="${name}"]`, root);
  if (!slot) return false;
  if (!slot.textContent.split('；').includes(message)) slot.textContent = slot.textContent ? `${slot.textContent}；${message}` : message;
  slot.hidden = false;
  if (code) slot.dataset.code = code;
  const input = root === form ? (name === 'by' ? $('.stats-by', form) : field(name)) : $(`[name="${name}"]`, root);
  if (input && input.setAttribute) input.setAttribute('aria-invalid', 'true');
  return true;
}

/**
 * Puts each field message where it belongs: the period, granularity and filter under the form's
 * inputs, a section's own parameter (price category, grouping) under its control. Says
 * whether anything went to the form, and whether anything was placed at all.
 */
function placeErrors(err, slots, section) {
  const fields = err.fields || {};
  const codes = err.fieldCodes || {};
  let inForm = false;
  let placed = false;
  for (const [name, message] of Object.entries(fields)) {
    if (slots[name] && setFieldError(section.root, slots[name], message, codes[name])) {
      placed = true;
      continue;
    }
    const target = PERIOD_FIELDS[name] || (section.def.filtered ? FILTER_FIELDS[name] : null);
    if (target && setFieldError(form, target, message, codes[name])) {
      inForm = true;
      placed = true;
    }
  }
  if (inForm) {
    const summary = $('[data-form-error]', form);
    summary.textContent = errorMessage(err);
    summary.hidden = false;
  }
  return { inForm, placed };
}

// ---- the totals and the sales trend --------------------------------------------------------------

const KPIS = [
  ['gmv', 'stats.kpi_gmv', (f) => S.fenText(f.gmv_fen), 'gmv_fen'],
  ['net', 'stats.kpi_net', (f) => S.fenText(f.net_fen), 'net_fen'],
  ['refund', 'stats.kpi_refund', (f) => S.fenText(f.refund_fen), 'refund_fen'],
  ['orders', 'stats.kpi_orders', (f) => S.groupDigits(f.orders), 'orders'],
  ['buyers', 'stats.kpi_buyers', (f) => S.groupDigits(f.buyers), 'buyers'],
  ['weight', 'stats.kpi_weight', (f) => S.kgText(f.weight_grams), 'weight_grams'],
  ['traced', 'stats.kpi_traced', (f) => bpPercent(f.traced_share_bp), 'traced_share_bp'],
];

function renderKpis(total) {
  const figures = total || {};
  const suppressed = !total || S.isSuppressed(figures);
  replaceChildren($('#kpis'), KPIS.map(([id, key, text, raw]) => el('div', {
    class: 'kpi',
    'data-testid': `kpi-${id}`,
    dataset: { value: suppressed ? '' : String(figures[raw] ?? ''), suppressed: String(suppressed) },
  },
  el('dt', { i18n: key }),
  el('dd', { text: suppressed ? '—' : text(figures) }))));
  replaceChildren($('[data-status]', $('#sec-kpi')), suppressed ? note('muted', { i18n: 'stats.total_held_back' }) : null);
}

function renderScope() {
  const scope = $('[data-testid="stats-scope"]');
  if (!scope) return;
  const parts = [el('span', { i18n: 'stats.period_text', args: { from: state.from, to: state.to } }), ' · '];
  if (state.filter && state.value) {
    parts.push(el('span', { i18n: 'stats.filter_' + state.filter }), '：', el('span', { text: valueName(state.filter, state.value) }));
  } else {
    parts.push(el('span', { i18n: 'stats.scope_all' }));
  }
  replaceChildren(scope, parts);
}

const kpiSection = $('#sec-kpi');

const SALES = {
  id: 'sales',
  titleKey: 'stats.sales_title',
  introKey: 'stats.sales_intro',
  wide: true,
  filtered: true,
  path: () => '/stats/sales',
  params: (s) => ({ by: s.by, ...S.filterParams(s) }),
  async render(section, data) {
    const rows = Array.isArray(data.rows) ? data.rows : [];
    renderKpis(data.total);
    Object.assign(kpiSection.dataset, { from: data.from || state.from, to: data.to || state.to, by: state.by, filter: filterTag(), state: 'done' });
    section.root.dataset.filter = filterTag();
    const anyHeld = rows.some((r) => r.suppressed);
    replaceChildren(section.chartNote, anyHeld ? el('p', { class: 'note note-info small', i18n: 'stats.suppressed_note', 'data-testid': 'sales-suppressed-note' }) : null);
    replaceChildren(section.tableBox, tableEl('table-sales', 'stats.sales_title',
      [['stats.col_period', (r) => nameEl(r, 'time')], ...SALES_COLUMNS], rows));
    section.root.dataset.rows = String(rows.length);
    await draw(section, () => ({
      ...baseOption(),
      tooltip: axisTooltip((i) => ({ title: S.rowLabel(rows[i], getLang()), lines: salesLines(rows[i]) })),
      xAxis: { type: 'category', data: rows.map((r) => S.axisLabel(r, state.by, getLang())), axisLabel: { hideOverlap: true } },
      yAxis: [yuanAxis(t('stats.axis_yuan')), countAxis(t('stats.axis_count'))],
      series: [
        { name: t('stats.series_gmv'), type: 'line', data: S.seriesOf(rows, 'gmv_fen', S.fenToYuanNumber), connectNulls: false, showSymbol: rows.length <= 45 },
        { name: t('stats.series_net'), type: 'line', data: S.seriesOf(rows, 'net_fen', S.fenToYuanNumber), connectNulls: false, showSymbol: rows.length <= 45, lineStyle: { type: 'dashed' } },
        { name: t('stats.series_orders'), type: 'bar', yAxisIndex: 1, data: S.seriesOf(rows, 'orders'), barMaxWidth: 12, itemStyle: { opacity: 0.6 } },
        { name: t('stats.series_buyers'), type: 'bar', yAxisIndex: 1, data: S.seriesOf(rows, 'buyers'), barMaxWidth: 12, itemStyle: { opacity: 0.6 } },
      ],
    }));
  },
};

/** `township=<id>` for the filter the view has, '' for the whole county (for tests and styles). */
function filterTag() {
  return state.filter && state.value ? `${state.filter}=${state.value}` : '';
}

// ---- breakdowns: bars by group, the 其他 bucket last ---------------------------------------------

function breakdownRows(data, top) {
  const rows = (Array.isArray(data.rows) ? data.rows : []).map((r) => ({ ...r }));
  // The groups not listed (fewer than five buyers; for the top lists, also those below the top),
  // merged: the server's figures for them, so that the rows and 其他 add up to the total. When
  // the total itself is held back, so is 其他 (with nothing listed it would be the total).
  if (S.hasOther(data)) {
    const held = Boolean(data.other.suppressed) || S.isSuppressed(data.total);
    rows.push({ ...data.other, key: 'other', other: top ? 'rest' : 'small', groups: data.other_groups, suppressed: held });
  }
  return rows;
}

function breakdown({ id, by, limit }, { titleKey, introKey, controls, byOf }) {
  return {
    id,
    titleKey,
    introKey,
    controls,
    path: () => '/stats/sales',
    params: (s) => ({ by: byOf ? byOf(s) : by, limit }),
    async render(section, data) {
      const rows = breakdownRows(data, Boolean(limit));
      const groupBy = byOf ? byOf(state) : by;
      section.root.dataset.rows = String(rows.length);
      if (!rows.length) {
        clearChart(section);
        section.chart.hidden = true;
        replaceChildren(section.chartNote, note('empty', { i18n: 'stats.none' }));
        replaceChildren(section.tableBox);
        return;
      }
      replaceChildren(section.tableBox, tableEl(`table-${id}`, titleKey,
        [['stats.col_name', (r) => nameEl(r, groupBy)], ...SALES_COLUMNS], rows));
      if (rows.every((r) => r.suppressed)) {
        // Every group is small: nothing to draw, the merged row is in the table.
        clearChart(section);
        section.chart.hidden = true;
        replaceChildren(section.chartNote, note('muted', { i18n: 'stats.all_held_back' }));
        return;
      }
      section.chart.hidden = false;
      replaceChildren(section.chartNote);
      // Biggest on top: a category axis draws its first entry at the bottom.
      const drawn = [...rows].reverse();
      section.chart.style.height = `${Math.max(180, 34 * drawn.length + 70)}px`;
      await draw(section, () => ({
        ...baseOption(),
        legend: { show: false },
        grid: { left: 8, right: 24, top: 12, bottom: 8, containLabel: true },
        tooltip: axisTooltip((i) => ({ title: nameText(drawn[i], groupBy), lines: salesLines(drawn[i]) }), 'shadow'),
        xAxis: yuanAxis(''),
        yAxis: {
          type: 'category',
          data: drawn.map((r) => nameText(r, groupBy)),
          axisLabel: { width: 110, overflow: 'truncate' },
        },
        series: [{
          name: t('stats.series_gmv'),
          type: 'bar',
          barMaxWidth: 22,
          data: drawn.map((r) => ({ value: S.fenToYuanNumber(r.gmv_fen), itemStyle: r.other ? { color: OTHER_COLOR } : undefined })),
        }],
      }));
    },
  };
}

function selectControl({ id, name, labelKey, options, value, onChange, testid }) {
  const select = el('select', { id, name, 'data-testid': testid, 'aria-describedby': `${id}-error` },
    options.map(([v, key]) => el('option', { value: v, i18n: key, selected: v === value })));
  select.addEventListener('change', () => onChange(select.value));
  return el('div', { class: 'field inline-field stats-control' },
    el('label', { for: id, i18n: labelKey }), select,
    el('p', { class: 'field-error', id: `${id}-error`, 'data-error-for': name, hidden: true }));
}

// ---- prices: the categories sold, then one category's average, median and range ------------------

let priceList = [];

function priceLines(row, basis) {
  const unit = t(S.basisKey(basis));
  const price = (fen) => (fen === null || fen === undefined ? '—' : `${S.fenText(fen)} ${unit}`);
  return [
    [t('stats.col_avg'), price(row.avg_fen)],
    [t('stats.col_median'), price(row.median_fen)],
    [t('stats.col_min'), price(row.min_fen)],
    [t('stats.col_max'), price(row.max_fen)],
    [t('stats.col_quantity'), `${S.priceQuantityText(row.quantity, basis)}${S.PRICE_BASES.includes(basis) ? ' ' + t('unit.' + basis) : ''}`],
  ];
}

const priceCell = (key) => (r) => (r[key] === null || r[key] === undefined ? el('span', { class: 'muted', text: '—' }) : money(r[key]));

function fillPriceSelect(select) {
  const current = state.priceCategory || (priceList[0] && priceList[0].key) || '';
  replaceChildren(select,
    priceList.length ? null : el('option', { value: '', i18n: 'stats.price_none_option' }),
    priceList.map((row) => {
      const option = el('option', { value: row.key, selected: row.key === current, class: 'price-option' });
      option.dataset.zh = S.rowLabel(row, 'zh-CN');
      option.dataset.en = S.rowLabel(row, 'en');
      option.dataset.basis = S.basisKey(row.basis);
      priceOptionText(option);
      return option;
    }));
  if (state.priceCategory && !priceList.some((r) => r.key === state.priceCategory)) {
    // A category from the address that sold nothing in this period: keep it chosen.
    select.prepend(el('option', { value: state.priceCategory, selected: true, text: state.priceCategory }));
  }
  select.disabled = !priceList.length && !state.priceCategory;
  return current;
}

/** A price category's option: its name and what its prices are per, in the current language. */
function priceOptionText(option) {
  const basis = t(option.dataset.basis);
  option.textContent = getLang() === 'en' ? `${option.dataset.en} (${basis})` : `${option.dataset.zh}（${basis}）`;
}

const PRICES = {
  id: 'prices',
  titleKey: 'stats.prices_title',
  introKey: 'stats.prices_intro',
  wide: true,
  slots: { category: 'price_category', by: null },
  controls: () => {
    const select = el('select', { id: 'price-category', name: 'price_category', 'data-testid': 'price-category', 'aria-describedby': 'price-category-error', disabled: true });
    select.addEventListener('change', () => {
      state.priceCategory = select.value;
      writeAddress();
      loadPriceSeries(sections.prices);
    });
    return el('div', { class: 'field inline-field stats-control' },
      el('label', { for: 'price-category', i18n: 'stats.price_category' }), select,
      el('p', { class: 'field-error', id: 'price-category-error', 'data-error-for': 'price_category', 'data-testid': 'price-category-error', hidden: true }));
  },
  path: () => '/stats/prices',
  params: () => ({}),
  async render(section, data) {
    priceList = Array.isArray(data.rows) ? data.rows : [];
    const select = $('#price-category');
    const chosen = fillPriceSelect(select);
    const listTable = priceList.length
      ? el('div', { class: 'stats-subtable' },
        el('h3', { class: 'small', i18n: 'stats.price_list' }),
        tableEl('table-price-list', 'stats.price_list', [
          ['stats.col_category', (r) => nameEl(r, 'category')],
          ['stats.col_basis', (r) => el('span', { i18n: S.basisKey(r.basis) })],
          ['stats.col_avg', priceCell('avg_fen'), true],
          ['stats.col_median', priceCell('median_fen'), true],
          ['stats.col_min', priceCell('min_fen'), true],
          ['stats.col_max', priceCell('max_fen'), true],
          ['stats.col_quantity', (r) => quantityEl(r.quantity, r.basis), true],
          ['stats.col_lines', (r) => count(r.lines), true],
        ], priceList))
      : null;
    section.listTable = listTable;
    if (!chosen) {
      clearChart(section);
      section.chart.hidden = true;
      replaceChildren(section.chartNote, note('empty', { i18n: 'stats.price_none' }));
      replaceChildren(section.tableBox, listTable);
      return;
    }
    await loadPriceSeries(section, chosen, true);
  },
};

/** One category's prices over the period; called by the section's load or its picker. */
async function loadPriceSeries(section, category = state.priceCategory, inLoad = false) {
  const { root } = section;
  let gen = section.gen;
  if (!inLoad) {
    section.gen += 1;
    gen = section.gen;
    root.dataset.state = 'loading';
    root.setAttribute('aria-busy', 'true');
  }
  clearSectionErrors(section);
  const params = { from: state.from, to: state.to, by: S.priceBy(state.by), category };
  setExports(section, '/stats/prices', params);
  try {
    const data = await api.get('/stats/prices?' + new URLSearchParams(params).toString());
    if (gen !== section.gen) return;
    const rows = Array.isArray(data.rows) ? data.rows : [];
    const cat = data.category || { key: category, label: category, basis: 'kg' };
    section.chart.hidden = false;
    const priced = rows.some((r) => r.avg_fen !== null && r.avg_fen !== undefined);
    replaceChildren(section.chartNote, priced ? null : note('empty', { i18n: 'stats.price_none' }));
    replaceChildren(section.tableBox,
      el('div', { class: 'stats-subtable' },
        el('h3', { class: 'small' }, nameEl(cat, 'category'), ' · ', el('span', { i18n: S.basisKey(cat.basis) })),
        tableEl('table-prices', 'stats.prices_title', [
          ['stats.col_period', (r) => nameEl(r, 'time')],
          ['stats.col_avg', priceCell('avg_fen'), true],
          ['stats.col_median', priceCell('median_fen'), true],
          ['stats.col_min', priceCell('min_fen'), true],
          ['stats.col_max', priceCell('max_fen'), true],
          ['stats.col_quantity', (r) => quantityEl(r.quantity, cat.basis), true],
          ['stats.col_lines', (r) => count(r.lines), true],
        ], rows)),
      section.listTable);
    root.dataset.category = cat.key || category;
    root.dataset.basis = cat.basis || '';
    root.dataset.rows = String(rows.length);
    const band = S.priceBand(rows);
    await draw(section, () => {
      const unit = t(S.basisKey(cat.basis));
      return {
        ...baseOption(),
        tooltip: axisTooltip((i) => ({ title: `${nameText(cat, 'category')} · ${S.rowLabel(rows[i], getLang())}`, lines: priceLines(rows[i], cat.basis) })),
        xAxis: { type: 'category', boundaryGap: false, data: rows.map((r) => S.axisLabel(r, params.by, getLang())), axisLabel: { hideOverlap: true } },
        yAxis: { type: 'value', name: unit, scale: true, splitLine: { lineStyle: { color: '#e6e0d2' } } },
        series: [
          { name: t('stats.series_band'), type: 'line', stack: 'band', data: band.low, lineStyle: { opacity: 0 }, symbol: 'none', connectNulls: false, silent: true, legendHoverLink: false, itemStyle: { color: '#cfe3c6' } },
          { name: t('stats.series_band'), type: 'line', stack: 'band', data: band.height, lineStyle: { opacity: 0 }, symbol: 'none', connectNulls: false, silent: true, areaStyle: { color: '#cfe3c6', opacity: 0.8 }, itemStyle: { color: '#cfe3c6' } },
          { name: t('stats.series_avg'), type: 'line', data: S.seriesOf(rows, 'avg_fen', S.fenToYuanNumber), connectNulls: false, itemStyle: { color: PALETTE[0] } },
          { name: t('stats.series_median'), type: 'line', data: S.seriesOf(rows, 'median_fen', S.fenToYuanNumber), connectNulls: false, lineStyle: { type: 'dashed' }, itemStyle: { color: PALETTE[1] } },
        ],
      };
    });
    if (gen !== section.gen) return;
    Object.assign(root.dataset, { from: params.from, to: params.to, by: params.by, state: 'done' });
  } catch (err) {
    if (gen !== section.gen) return;
    if (inLoad) throw err;
    failed(section, err, null);
  } finally {
    if (!inLoad && gen === section.gen) root.removeAttribute('aria-busy');
  }
}

// ---- after-sales quality --------------------------------------------------------------------------

function aftersalesName(row, groupBy) {
  if (row.total) return t('quality.total');
  return nameText(row, groupBy);
}

const AFTERSALES = {
  id: 'aftersales',
  titleKey: 'stats.aftersales_title',
  introKey: 'stats.aftersales_intro',
  wide: true,
  slots: { group_by: 'group_by' },
  controls: () => selectControl({
    id: 'aftersales-group',
    name: 'group_by',
    labelKey: 'quality.group_by',
    testid: 'aftersales-group',
    value: state.groupBy,
    options: S.AFTERSALES_GROUPS.map((g) => [g, 'quality.group_' + g]),
    onChange: (v) => {
      state.groupBy = v;
      writeAddress();
      loadSection(sections.aftersales, null);
    },
  }),
  path: () => '/stats/aftersales',
  params: (s) => ({ group_by: s.groupBy }),
  async render(section, data) {
    const groupBy = data.group_by || state.groupBy;
    const rows = Array.isArray(data.rows) ? data.rows : [];
    const all = [...rows, { ...(data.total || {}), key: 'total', total: true }];
    section.root.dataset.rows = String(rows.length);
    replaceChildren(section.tableBox, tableEl('table-aftersales', 'stats.aftersales_title', [
      ['stats.col_name', (r) => (r.total ? el('span', { i18n: 'quality.total' }) : nameEl(r, groupBy))],
      ['quality.delivered', (r) => count(r.delivered), true],
      ['quality.claims', (r) => count(r.claims), true],
      ['quality.claim_rate', (r) => percent(r.claim_rate_bp), true],
      ['quality.first_response', (r) => el('span', {}, durationEl(r.first_response_p50_secs), ' / ', durationEl(r.first_response_p90_secs)), true],
      ['quality.resolution_rate', (r) => percent(r.resolution_rate_bp), true],
      ['quality.escalation_share', (r) => percent(r.escalation_share_bp), true],
      ['quality.satisfaction', (r) => el('span', { class: 'num', dataset: { x10: String(r.satisfaction_x10 ?? '') }, text: tenths(r.satisfaction_x10) }), true],
    ], all));
    const total = data.total || {};
    replaceChildren(section.extra, el('dl', { class: 'stats', 'data-testid': 'aftersales-total' },
      stat('quality.claim_rate', bpPercent(total.claim_rate_bp), 'as-claim-rate', total.claim_rate_bp),
      stat('stats.first_response_p50', durationText(total.first_response_p50_secs), 'as-first-p50', total.first_response_p50_secs),
      stat('stats.first_response_p90', durationText(total.first_response_p90_secs), 'as-first-p90', total.first_response_p90_secs),
      stat('quality.resolution_rate', bpPercent(total.resolution_rate_bp), 'as-resolution-rate', total.resolution_rate_bp),
      stat('quality.escalation_share', bpPercent(total.escalation_share_bp), 'as-escalation', total.escalation_share_bp),
      stat('quality.satisfaction', tenths(total.satisfaction_x10), 'as-satisfaction', total.satisfaction_x10)));
    if (!rows.length) {
      clearChart(section);
      section.chart.hidden = true;
      replaceChildren(section.chartNote, note('empty', { i18n: 'stats.none' }));
      return;
    }
    section.chart.hidden = false;
    replaceChildren(section.chartNote);
    const drawn = [...rows].reverse();
    section.chart.style.height = `${Math.max(200, 56 * drawn.length + 80)}px`;
    await draw(section, () => ({
      ...baseOption(),
      tooltip: axisTooltip((i) => {
        const r = drawn[i];
        return {
          title: aftersalesName(r, groupBy),
          lines: [
            [t('quality.claim_rate'), `${bpPercent(r.claim_rate_bp)} (${r.claims ?? 0}/${r.delivered ?? 0})`],
            [t('stats.first_response_p50'), durationText(r.first_response_p50_secs)],
            [t('stats.first_response_p90'), durationText(r.first_response_p90_secs)],
            [t('quality.resolution_rate'), bpPercent(r.resolution_rate_bp)],
            [t('quality.escalation_share'), bpPercent(r.escalation_share_bp)],
            [t('quality.satisfaction'), tenths(r.satisfaction_x10)],
          ],
        };
      }, 'shadow'),
      xAxis: percentAxis('%'),
      yAxis: { type: 'category', data: drawn.map((r) => aftersalesName(r, groupBy)), axisLabel: { width: 110, overflow: 'truncate' } },
      series: [
        { name: t('quality.claim_rate'), type: 'bar', data: drawn.map((r) => S.bpToPercentNumber(r.claim_rate_bp)), barMaxWidth: 12 },
        { name: t('quality.resolution_rate'), type: 'bar', data: drawn.map((r) => S.bpToPercentNumber(r.resolution_rate_bp)), barMaxWidth: 12 },
        { name: t('quality.escalation_share'), type: 'bar', data: drawn.map((r) => S.bpToPercentNumber(r.escalation_share_bp)), barMaxWidth: 12 },
      ],
    }));
  },
};

function stat(key, text, testid, raw) {
  return el('div', { class: 'stat', 'data-testid': testid, dataset: { value: String(raw ?? '') } },
    el('dt', { i18n: key }), el('dd', { text }));
}

// ---- traceability -----------------------------------------------------------------------------------

const TRACE = {
  id: 'trace',
  titleKey: 'stats.trace_title',
  introKey: 'stats.trace_intro',
  wide: true,
  path: () => '/stats/trace',
  params: (s) => ({ by: s.by }),
  async render(section, data) {
    const rows = Array.isArray(data.rows) ? data.rows : [];
    const total = data.total || {};
    section.root.dataset.rows = String(rows.length);
    replaceChildren(section.extra, el('dl', { class: 'stats', 'data-testid': 'trace-total' },
      stat('stats.trace_share', bpPercent(total.traced_share_bp), 'trace-share', total.traced_share_bp),
      stat('stats.trace_scans', S.groupDigits(total.scans), 'trace-scans', total.scans),
      stat('stats.trace_batches', S.groupDigits(total.batches), 'trace-batches', total.batches),
      stat('stats.trace_inspected', S.groupDigits(total.batches_inspected), 'trace-inspected', total.batches_inspected),
      stat('stats.trace_passed', S.groupDigits(total.batches_passed), 'trace-passed', total.batches_passed),
      stat('stats.trace_shipped', S.fenText(total.shipped_fen), 'trace-shipped', total.shipped_fen)));
    replaceChildren(section.tableBox, tableEl('table-trace', 'stats.trace_title', [
      ['stats.col_period', (r) => nameEl(r, 'time')],
      ['stats.col_shipped', (r) => money(r.shipped_fen), true],
      ['stats.col_traced_fen', (r) => money(r.traced_fen), true],
      ['stats.col_traced', (r) => percent(r.traced_share_bp), true],
      ['stats.col_scans', (r) => count(r.scans), true],
    ], rows));
    await draw(section, () => ({
      ...baseOption(),
      tooltip: axisTooltip((i) => ({
        title: S.rowLabel(rows[i], getLang()),
        lines: [
          [t('stats.col_traced'), bpPercent(rows[i].traced_share_bp)],
          [t('stats.col_scans'), S.groupDigits(rows[i].scans)],
          [t('stats.col_shipped'), S.fenText(rows[i].shipped_fen)],
          [t('stats.col_traced_fen'), S.fenText(rows[i].traced_fen)],
        ],
      })),
      xAxis: { type: 'category', data: rows.map((r) => S.axisLabel(r, data.by || state.by, getLang())), axisLabel: { hideOverlap: true } },
      yAxis: [percentAxis('%', 100), countAxis(t('stats.col_scans'))],
      series: [
        { name: t('stats.col_traced'), type: 'line', data: S.seriesOf(rows, 'traced_share_bp', S.bpToPercentNumber), connectNulls: false, showSymbol: rows.length <= 45 },
        { name: t('stats.col_scans'), type: 'bar', yAxisIndex: 1, data: S.seriesOf(rows, 'scans'), barMaxWidth: 12, itemStyle: { color: PALETTE[2], opacity: 0.7 } },
      ],
    }));
  },
};

// ---- new organisations ------------------------------------------------------------------------------

const ONBOARDING = {
  id: 'onboarding',
  titleKey: 'stats.onboarding_title',
  introKey: 'stats.onboarding_intro',
  wide: true,
  path: () => '/stats/onboarding',
  params: () => ({ by: 'month' }),
  async render(section, data) {
    const rows = Array.isArray(data.rows) ? data.rows : [];
    section.root.dataset.rows = String(rows.length);
    replaceChildren(section.tableBox, tableEl('table-onboarding', 'stats.onboarding_title', [
      ['stats.col_period', (r) => nameEl(r, 'time')],
      ...S.ONBOARDING_KINDS.map((kind) => ['kind.' + kind, (r) => count(S.onboardingCount(r, kind)), true]),
      ['stats.col_sellers', (r) => count(r.sellers ?? 0), true],
    ], rows));
    await draw(section, () => ({
      ...baseOption(),
      tooltip: axisTooltip((i) => ({
        title: S.rowLabel(rows[i], getLang()),
        lines: [...S.ONBOARDING_KINDS.map((kind) => [t('kind.' + kind), S.groupDigits(S.onboardingCount(rows[i], kind))]),
          [t('stats.col_sellers'), S.groupDigits(rows[i].sellers ?? 0)]],
      }), 'shadow'),
      xAxis: { type: 'category', data: rows.map((r) => S.axisLabel(r, 'month', getLang())), axisLabel: { hideOverlap: true } },
      yAxis: countAxis(''),
      series: S.ONBOARDING_KINDS.map((kind) => ({
        name: t('kind.' + kind),
        type: 'bar',
        stack: 'kinds',
        barMaxWidth: 28,
        data: rows.map((r) => S.onboardingCount(r, kind)),
      })),
    }));
  },
};

// ---- the page's sections, in order -------------------------------------------------------------------

const BREAKDOWN_OPTIONS = {
  township: { titleKey: 'stats.township_title' },
  category: { titleKey: 'stats.category_title' },
  seller_kind: { titleKey: 'stats.seller_kind_title' },
  buyer_kind: { titleKey: 'stats.buyer_kind_title' },
  dest: {
    titleKey: 'stats.dest_title',
    byOf: (s) => (s.dest === 'province' ? 'dest_province' : 'dest_city'),
    controls: () => selectControl({
      id: 'dest-level',
      name: 'dest',
      labelKey: 'stats.dest_level',
      testid: 'dest-level',
      value: state.dest,
      options: S.DESTINATIONS.map((d) => [d, 'stats.dest_' + d]),
      onChange: (v) => {
        state.dest = v;
        writeAddress();
        loadSection(sections.dest, null);
      },
    }),
  },
  product: { titleKey: 'stats.product_title', introKey: 'stats.top_intro' },
  seller: { titleKey: 'stats.seller_title', introKey: 'stats.top_intro' },
};

const DEFS = [
  SALES,
  ...S.BREAKDOWNS.map((b) => breakdown(b, BREAKDOWN_OPTIONS[b.id])),
  PRICES,
  AFTERSALES,
  TRACE,
  ONBOARDING,
];
const sections = {};

// ---- the form and the address ---------------------------------------------------------------------

function writeAddress() {
  history.replaceState(null, '', location.pathname + S.stateQuery(state));
}

function valueName(kind, value) {
  const list = dims && Array.isArray(dims[S.FILTER_DIMENSIONS[kind]]) ? dims[S.FILTER_DIMENSIONS[kind]] : [];
  const item = list.find((x) => String(x.key) === String(value));
  const key = S.groupKey(kind, value);
  if (key) return t(key);
  return item ? S.rowLabel(item, getLang()) : String(value);
}

/** The filter's second select: the values of the chosen kind (categories under their roots). */
function fillValues() {
  const kind = field('filter').value;
  const select = field('value');
  // The same kind keeps what is chosen; another kind starts empty (or with the address's value).
  const chosen = select.dataset.kind === kind ? select.value : (kind === state.filter ? state.value : '');
  select.dataset.kind = kind;
  if (!kind) {
    replaceChildren(select);
    select.disabled = true;
    return;
  }
  const list = dims && Array.isArray(dims[S.FILTER_DIMENSIONS[kind]]) ? dims[S.FILTER_DIMENSIONS[kind]] : [];
  const option = (item) => el('option', { value: item.key, selected: String(item.key) === String(chosen), text: valueName(kind, item.key) });
  const options = [el('option', { value: '', i18n: 'stats.filter_choose' })];
  if (kind === 'category' && dims && Array.isArray(dims.category_roots) && dims.category_roots.length) {
    for (const root of dims.category_roots) {
      const kids = list.filter((c) => String(c.root) === String(root.key));
      if (kids.length) options.push(el('optgroup', { label: S.rowLabel(root, getLang()) }, kids.map(option)));
    }
    const orphans = list.filter((c) => !dims.category_roots.some((r) => String(r.key) === String(c.root)));
    options.push(...orphans.map(option));
  } else {
    options.push(...list.map(option));
  }
  if (chosen && !list.some((x) => String(x.key) === String(chosen))) {
    // From the address, not (or not yet) in the list: keep it, the server will say if it is unknown.
    options.push(el('option', { value: chosen, selected: true, text: valueName(kind, chosen) }));
  }
  replaceChildren(select, options);
  select.value = chosen || '';
  select.disabled = false;
}

function syncForm() {
  field('from').value = state.from;
  field('to').value = state.to;
  for (const radio of $$('input[name="by"]', form)) radio.checked = radio.value === state.by;
  field('filter').value = state.filter || '';
  fillValues();
  const quick = S.quickName(state.from, state.to);
  for (const button of $$('[data-quick]', form)) button.setAttribute('aria-pressed', String(button.dataset.quick === quick));
}

function readForm() {
  const by = $$('input[name="by"]', form).find((r) => r.checked);
  const filter = field('filter').value || null;
  state = {
    ...state,
    from: field('from').value,
    to: field('to').value,
    by: by ? by.value : 'day',
    filter,
    value: filter ? field('value').value : '',
  };
}

/** Everything for the view in the form: the address first, then every section at once. */
async function loadAll() {
  readForm();
  clearPeriodErrors();
  let bad = false;
  for (const name of ['from', 'to']) {
    if (!validDate(state[name])) bad = setFieldError(form, name, t('stats.e_date'), 'invalid') || bad;
  }
  if (state.filter && !state.value) bad = setFieldError(form, 'value', t('stats.e_value'), 'required') || bad;
  if (bad) {
    const summary = $('[data-form-error]', form);
    summary.textContent = t('error.check_fields');
    summary.hidden = false;
    return;
  }
  writeAddress();
  syncForm();
  renderScope();
  kpiSection.dataset.state = 'loading';
  replaceChildren($('[data-status]', kpiSection), note('muted', { i18n: 'common.loading' }));
  const cycle = { flashed: false };
  await Promise.all(DEFS.map((def) => loadSection(sections[def.id], cycle)));
  if (sections.sales.root.dataset.state === 'error') {
    kpiSection.dataset.state = 'error';
    replaceChildren($('#kpis'));
    replaceChildren($('[data-status]', kpiSection), note('error', sections.sales.errorText || t('stats.e_see_sales')));
  }
}

async function loadDimensions() {
  try {
    const answer = await api.get('/stats/dimensions');
    // Each list as `{key, label, …}`; a bare value is its own key and label.
    dims = Object.fromEntries(Object.entries(answer || {}).map(([name, list]) => [name,
      Array.isArray(list) ? list.map((item) => (item && typeof item === 'object' ? item : { key: String(item), label: String(item) })) : []]));
  } catch (err) {
    if (err.redirecting) return;
    dims = null;
    setFieldError(form, 'value', errorMessage(err), err.code);
  }
  fillValues();
  renderScope();
}

function wireForm() {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    loadAll();
  });
  for (const button of $$('[data-quick]', form)) {
    button.addEventListener('click', () => {
      const range = S.quickRange(button.dataset.quick);
      field('from').value = range.from;
      field('to').value = range.to;
      loadAll();
    });
  }
  for (const radio of $$('input[name="by"]', form)) radio.addEventListener('change', () => loadAll());
  field('filter').addEventListener('change', () => {
    fillValues();
    if (!field('filter').value) loadAll();
    else field('value').focus();
  });
  field('value').addEventListener('change', () => {
    if (field('value').value) loadAll();
  });
}

// ---- pre-sold volume (订单农业, "plant to demand") -------------------------------------------------

function quantitiesText(q) {
  return Object.entries(q || {}).filter(([, n]) => n).map(([unit, n]) => t('units.' + unit, { count: n })).join('，') || '0';
}

const PRESOLD_COLUMNS = [
  ['stats.presold_col_group', (r) => (r.other ? el('span', { i18n: 'stats.other' }) : el('span', { text: S.rowLabel(r, getLang()) }))],
  ['stats.presold_col_reservations', (r) => held(r, () => count(r.reservations)), true],
  ['stats.col_buyers', (r) => held(r, () => (r.buyers === null || r.buyers === undefined ? el('span', { class: 'muted', text: '—' }) : count(r.buyers))), true],
  ['stats.presold_col_quantity', (r) => held(r, () => el('span', { text: quantitiesText(r.quantities) })), true],
  ['stats.presold_col_deposit', (r) => held(r, () => money(r.deposit_fen)), true],
];

async function loadPresold() {
  const section = $('#sec-presold');
  const body = $('#presold-body');
  section.dataset.state = 'loading';
  try {
    const by = $('#presold-by').value;
    const data = await api.get('/stats/presold?by=' + encodeURIComponent(by));
    const rows = [...(data.rows || [])];
    if (data.other) rows.push({ ...data.other, key: 'other', other: 'merged' });
    if (data.total.suppressed) {
      replaceChildren(body, note('muted', { i18n: 'stats.presold_too_few' }));
    } else {
      rows.push({ ...data.total, key: 'total', total: true, label: t('stats.presold_total'), label_en: t('stats.presold_total') });
      replaceChildren(body, tableEl('stats-presold-table', 'stats.presold_title', PRESOLD_COLUMNS, rows));
    }
    section.dataset.state = 'done';
  } catch (err) {
    if (err.redirecting) return;
    section.dataset.state = 'error';
    replaceChildren(body, note('error', errorMessage(err)));
  }
}

// ---- the page ------------------------------------------------------------------------------------------

const { me, error } = await initShell({ auth: 'required' });
if (me) {
  if (me.account.platform_role !== 'official') {
    $('#forbidden').hidden = false;
  } else {
    $('#console').hidden = false;
    const box = $('#sections');
    for (const def of DEFS) {
      sections[def.id] = makeSection(def);
      box.append(sections[def.id].root);
    }
    syncForm();
    wireForm();
    renderScope();
    $('#presold-by').addEventListener('change', () => loadPresold());
    await Promise.all([loadDimensions(), loadAll(), loadPresold()]);
  }
} else if (error && !error.redirecting) {
  $('#console').hidden = false;
  kpiSection.dataset.state = 'error';
  replaceChildren($('[data-status]', kpiSection), note('muted', { i18n: 'common.unavailable' }));
}
