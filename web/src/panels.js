// @ts-check
// Per-type panel: headline figures (bank-wide, scope ALL) above that type's chart.
// Test hooks: .panel[data-type][data-mode] with .otr-rate, .ytd-unresolved, .ytd-allowance, .chart,
// .fresh (last update and pipeline lag: every tile says how old its numbers are).

import { COLORS } from './charts.js';
import { allowanceFigure, el, int, levelLabel, modeLabel, pct, setText } from './format.js';
import { T } from './i18n.js';
import { alarmOnLevel } from './alarm.js';

/**
 * @typedef {import('./state.js').TypeDef} TypeDef
 * @typedef {import('./state.js').CounterRow} CounterRow
 * @typedef {{ root: HTMLElement, chart: HTMLElement, rate: HTMLElement, unresolved: HTMLElement,
 *   allowance: HTMLElement, annual: HTMLElement, ratio: HTMLElement, level: HTMLElement,
 *   cases: HTMLElement|null, fresh: HTMLElement }} PanelRefs
 */

/** @param {string} label @param {HTMLElement} value @param {string} [cls] */
function stat(label, value, cls = '') {
  const box = el('div', { class: `stat ${cls}` });
  box.append(el('div', { class: 'stat-label' }, label), value);
  return box;
}

/**
 * @param {TypeDef} t
 * @returns {PanelRefs}
 */
export function buildPanel(t) {
  const strict = t.mode === 'strict';
  const root = el('section', { class: `panel${strict ? ' strict' : ''}`, 'data-type': t.code, 'data-mode': t.mode, 'data-level': 'none' });

  const head = el('header', { class: 'panel-head' });
  head.append(el('h2', { class: 'type-name' }, t.name));
  head.append(el('span', { class: `mode-tag ${strict ? 'strict-tag' : ''}` }, modeLabel(t.mode)));
  const level = el('span', { class: 'level-pill' }, '');
  head.append(level);

  const stats = el('div', { class: 'stats' });
  const rate = el('div', { class: 'big otr-rate num' }, '—');
  const unresolved = el('span', { class: 'ytd-unresolved num' }, '—');
  const allowance = el('span', { class: 'ytd-allowance num' }, '—');
  const ytd = el('div', { class: 'big' });
  ytd.append(unresolved, el('span', { class: 'sep' }, ' / '), allowance);
  const annual = el('span', { class: 'annual num' }, '—');
  const ratio = el('div', { class: 'mid ratio num' }, '—');
  stats.append(stat(T.otr, rate), stat(T.ytdVsAllowance, ytd, 'wide'), stat(T.share, ratio));
  /** @type {HTMLElement|null} */
  let cases = null;
  if (strict) {
    cases = el('div', { class: 'mid open-cases num' }, '0');
    stats.append(stat(T.openCases, cases, 'cases'));
  }

  const legend = el('div', { class: 'legend' });
  // the legend's words are short, so four panels side by side show them whole (they ended in …);
  // the full words are its title, and the stats above say what the numbers are
  const key = (/** @type {string} */ color, /** @type {string} */ text, /** @type {string} */ cls, /** @type {string} */ full) => {
    const item = el('span', { class: `key ${cls}`, title: full });
    const sw = el('i');
    sw.style.background = color;
    item.append(sw, document.createTextNode(text));
    return item;
  };
  legend.append(
    key(strict ? COLORS.strictActual : COLORS.actual, T.actualShort, 'actual', T.actualKey),
    key(COLORS.allowance, T.allowanceShort, 'allowance', T.allowanceKey),
    key(COLORS.watch, T.watchShort, 'watch', T.watchKey),
    key(COLORS.forecast, T.forecastShort, 'forecast', T.forecastKey),
  );
  const annualBox = el('span', { class: 'annual-box' }, T.annual);
  annualBox.append(annual);
  legend.append(annualBox);

  const chart = el('div', { class: 'chart' });
  const fresh = el('div', { class: 'fresh num' }, '');
  root.append(head, stats, legend, chart, fresh);
  return { root, chart, rate, unresolved, allowance, annual, ratio, level, cases, fresh };
}

/**
 * @param {PanelRefs} p
 * @param {CounterRow|undefined} row the type's scope-ALL counter
 */
export function updatePanel(p, row) {
  setText(p.rate, pct(row?.oneTimeResolutionRate));
  setText(p.unresolved, int(row?.unresolvedCustomers));
  setText(p.allowance, allowanceFigure(row?.allowanceToDate));
  setText(p.annual, allowanceFigure(row?.annualAllowance));
  setText(p.ratio, pct(row?.ratio));
  setText(p.level, row ? levelLabel(row.level) : '');
  const level = row?.level ?? 'none';
  if (p.root.dataset.level !== level) {
    alarmOnLevel(p.root, p.root.dataset.level, level);
    p.root.dataset.level = level;
  }
}

/** @param {PanelRefs} p @param {number} n */
export function setOpenCases(p, n) {
  setText(p.cases, String(n));
}
