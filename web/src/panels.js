// @ts-check
// Per-type panel: headline figures (bank-wide, scope ALL) above that type's chart.
// Test hooks: .panel[data-type][data-mode] with .otr-rate, .ytd-unresolved, .ytd-allowance, .chart,
// .fresh (last update and pipeline lag: every tile says how old its numbers are), .open-cases
// (its open cases; .panel[data-cases][data-case-urgency] while it has some).

import { COLORS } from './charts.js';
import { allowanceFigure, el, int, levelLabel, modeLabel, pct, setText } from './format.js';
import { T } from './i18n.js';
import { alarmOnLevel } from './alarm.js';

/**
 * @typedef {import('./state.js').TypeDef} TypeDef
 * @typedef {import('./state.js').CounterRow} CounterRow
 * @typedef {{ root: HTMLElement, chart: HTMLElement, rate: HTMLElement, unresolved: HTMLElement,
 *   allowance: HTMLElement, annual: HTMLElement, ratio: HTMLElement, level: HTMLElement,
 *   cases: HTMLElement, casesBox: HTMLElement, urgency: HTMLElement, stats: HTMLElement, fresh: HTMLElement }} PanelRefs
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
  // every panel has the case figure: a strict one shows it always, a relative one while cases of
  // the year before are open under its type (strict then, relative now: they are followed to their
  // end, docs/ALERTS.md; CR1: the tile counted them and no panel did, one read 正常 beside them)
  const cases = el('div', { class: 'mid open-cases num' }, '0');
  const casesBox = stat(strict ? T.openCases : T.carriedCases, cases, 'cases');
  const urgency = el('span', { class: 'case-urgency' }, '');
  casesBox.firstElementChild?.append(urgency);
  if (strict) stats.append(casesBox); // a relative panel's while it has some (setOpenCases)

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
  return { root, chart, rate, unresolved, allowance, annual, ratio, level, cases, casesBox, urgency, stats, fresh };
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

const URGENCY = ['new', 'stale', 'overdue'];

/**
 * A panel's open cases and the most urgent of them (新案 < 无进展 < 超期): a relative panel with
 * some is marked as a strict one is (its border, the figure), and shows the figure until they end.
 * @param {PanelRefs} p @param {number} n @param {string} [urgency]
 */
export function setOpenCases(p, n, urgency) {
  setText(p.cases, String(n));
  const shown = n > 0 || p.root.dataset.mode === 'strict';
  if (shown && !p.casesBox.isConnected) p.stats.append(p.casesBox);
  else if (!shown) p.casesBox.remove();
  const u = n > 0 && urgency ? urgency : '';
  setText(p.urgency, u ? ` · ${T.urgency[u] ?? u}` : '');
  if (n > 0) p.root.dataset.cases = String(n);
  else delete p.root.dataset.cases;
  if (u) p.root.dataset.caseUrgency = u;
  else delete p.root.dataset.caseUrgency;
}

/**
 * Every panel's open cases, from the server's count per type (all of them; the page's alerts are
 * the latest ones only, and say the urgency). Returns the open cases of types with no panel: a
 * type of the year before that the loaded plan dropped, its cases carried (the cases tile says them).
 * @param {Map<string, PanelRefs>} panels
 * @param {Map<string, number>} counts open cases per type
 * @param {ReadonlyArray<{ kind?: string, status?: string, complaintType: string, urgency?: string }>} alerts
 * @returns {Array<[string, number]>}
 */
export function showOpenCases(panels, counts, alerts) {
  /** @type {Map<string, string>} */
  const worst = new Map();
  for (const a of alerts) {
    if (a.kind !== 'case' || a.status === 'resolved' || !a.urgency) continue;
    if (URGENCY.indexOf(a.urgency) > URGENCY.indexOf(worst.get(a.complaintType) ?? '')) worst.set(a.complaintType, a.urgency);
  }
  for (const [type, p] of panels) setOpenCases(p, counts.get(type) ?? 0, worst.get(type));
  return [...counts].filter(([type, n]) => n > 0 && !panels.has(type));
}
