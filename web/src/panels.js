// @ts-check
// Per-type panel: headline figures (bank-wide, scope ALL) above that type's chart.
// Test hooks: .panel[data-type][data-mode] with .otr-rate, .ytd-unresolved, .ytd-allowance, .chart.

import { COLORS } from './charts.js';
import { LEVEL_LABEL, MODE_LABEL, dec1, el, int, pct } from './format.js';

/**
 * @typedef {import('./state.js').TypeDef} TypeDef
 * @typedef {import('./state.js').CounterRow} CounterRow
 * @typedef {{ root: HTMLElement, chart: HTMLElement, rate: HTMLElement, unresolved: HTMLElement,
 *   allowance: HTMLElement, annual: HTMLElement, ratio: HTMLElement, level: HTMLElement,
 *   cases: HTMLElement|null }} PanelRefs
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
  head.append(el('span', { class: `mode-tag ${strict ? 'strict-tag' : ''}` }, MODE_LABEL[t.mode] ?? t.mode));
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
  stats.append(stat('一次性化解率', rate), stat('未达成一致 / 累计管控值', ytd, 'wide'), stat('占比', ratio));
  /** @type {HTMLElement|null} */
  let cases = null;
  if (strict) {
    cases = el('div', { class: 'mid open-cases num' }, '0');
    stats.append(stat('在盯个案', cases, 'cases'));
  }

  const legend = el('div', { class: 'legend' });
  const key = (/** @type {string} */ color, /** @type {string} */ text, /** @type {string} */ cls) => {
    const item = el('span', { class: `key ${cls}` });
    const sw = el('i');
    sw.style.background = color;
    item.append(sw, document.createTextNode(text));
    return item;
  };
  legend.append(
    key(strict ? COLORS.strictActual : COLORS.actual, '未达成一致客户(累计)', 'actual'),
    key(COLORS.allowance, '累计管控值(周)', 'allowance'),
  );
  const annualBox = el('span', { class: 'annual-box' }, '年度允许量 ');
  annualBox.append(annual);
  legend.append(annualBox);

  const chart = el('div', { class: 'chart' });
  root.append(head, stats, legend, chart);
  return { root, chart, rate, unresolved, allowance, annual, ratio, level, cases };
}

/**
 * @param {PanelRefs} p
 * @param {CounterRow|undefined} row the type's scope-ALL counter
 */
export function updatePanel(p, row) {
  p.rate.textContent = pct(row?.oneTimeResolutionRate);
  p.unresolved.textContent = int(row?.unresolvedCustomers);
  p.allowance.textContent = dec1(row?.allowanceToDate);
  p.annual.textContent = dec1(row?.annualAllowance);
  p.ratio.textContent = pct(row?.ratio);
  p.level.textContent = row ? LEVEL_LABEL[row.level] ?? row.level : '';
  p.root.dataset.level = row?.level ?? 'none';
}

/** @param {PanelRefs} p @param {number} n */
export function setOpenCases(p, n) {
  if (p.cases) p.cases.textContent = String(n);
}
