// @ts-check
// The type × scope grid. Built once per plan; a counter message touches exactly one cell.
// Rows (types) are kept sorted by their bank-wide ratio, highest first, so the worst type is on
// top; columns keep the branch hierarchy. Each cell shows the breach forecast week.
// Test hooks: td[data-type][data-scope][data-level] with .unresolved, .allowance, .ratio,
// .breach-week inside; each line's figures in a .fig shrunk to the cell (fit-text.js);
// td[data-alarm] while a cell that just turned critical blinks (alarm.js).

import { allowanceFigure, dec1, el, int, levelLabel, pct, setText } from './format.js';
import { T } from './i18n.js';
import { alarmOnLevel } from './alarm.js';
import { ALL, scopeColumns } from './state.js';

/**
 * @typedef {import('./state.js').Plan} Plan
 * @typedef {import('./state.js').CounterRow} CounterRow
 * @typedef {{ td: HTMLElement, unresolved: HTMLElement, allowance: HTMLElement,
 *   ratio: HTMLElement, level: HTMLElement, breach: HTMLElement,
 *   lines: Array<{ box: HTMLElement, fig: HTMLElement }> }} CellRefs
 */

/** @param {string} type @param {string} scope */
export const cellKey = (type, scope) => `${type}\u0000${scope}`;

/**
 * @param {HTMLTableElement} table
 * @param {Plan} plan
 * @returns {Map<string, CellRefs>}
 */
export function buildGrid(table, plan) {
  table.replaceChildren();
  const cols = scopeColumns(plan);
  const names = new Map(cols.map((c) => [c.code, c.name]));

  const head = el('tr');
  head.append(el('th', { class: 'corner' }, T.corner));
  for (const c of cols) {
    const th = el('th', {
      class: `scope depth-${Math.min(c.depth, 3)}${c.code === ALL ? ' all' : ''}${c.parent ? ' child' : ''}`,
      'data-scope': c.code,
    });
    if (c.parent) th.append(el('div', { class: 'parent-name' }, `${names.get(c.parent) ?? c.parent} ›`));
    th.append(el('div', { class: 'scope-name' }, c.name));
    th.append(el('div', { class: 'scope-code' }, c.code));
    head.append(th);
  }
  table.append(el('thead'));
  table.tHead?.append(head);

  const body = el('tbody');
  /** @type {Map<string, CellRefs>} */
  const cells = new Map();
  for (const t of plan.types) {
    const tr = el('tr', { 'data-type': t.code, class: t.mode === 'strict' ? 'strict' : '' });
    const th = el('th', { class: 'type', scope: 'row' });
    th.append(el('div', { class: 'type-name' }, t.name));
    if (t.mode === 'strict') th.append(el('span', { class: 'strict-tag' }, T.strictTag));
    tr.append(th);
    for (const c of cols) {
      const td = el('td', {
        class: `cell depth-${Math.min(c.depth, 3)}${c.parent ? ' child' : ''}${c.code === ALL ? ' all' : ''}`,
        'data-type': t.code,
        'data-scope': c.code,
        'data-level': 'none',
      });
      const nums = el('div', { class: 'nums' });
      const numsFig = el('span', { class: 'fig' });
      const unresolved = el('span', { class: 'unresolved num' }, '—');
      const allowance = el('span', { class: 'allowance num' }, '—');
      numsFig.append(unresolved, el('span', { class: 'sep' }, '/'), allowance);
      nums.append(numsFig);
      const meta = el('div', { class: 'meta' });
      const metaFig = el('span', { class: 'fig' });
      const ratio = el('span', { class: 'ratio num' }, '—');
      const level = el('span', { class: 'level-label' }, '');
      const breach = el('span', { class: 'breach-week num' }, '');
      metaFig.append(ratio, level, breach);
      meta.append(metaFig);
      td.append(nums, meta);
      tr.append(td);
      const lines = [{ box: nums, fig: numsFig }, { box: meta, fig: metaFig }];
      cells.set(cellKey(t.code, c.code), { td, unresolved, allowance, ratio, level, breach, lines });
    }
    body.append(tr);
  }
  table.append(body);
  return cells;
}

/**
 * Shows a counter in its cell, touching only what changed: most counter frames change a figure
 * the cell does not show (first contacts), and a write of the same text still costs a layout.
 * @param {CellRefs|undefined} refs
 * @param {CounterRow} row
 * @returns {boolean} whether anything the cell shows changed
 */
export function updateCell(refs, row) {
  if (!refs) return false;
  const w = row.breachWeek;
  const breached = row.level === 'breach' || row.level === 'critical';
  let changed = setText(refs.unresolved, int(row.unresolvedCustomers));
  changed = setText(refs.allowance, allowanceFigure(row.allowanceToDate)) || changed;
  changed = setText(refs.ratio, pct(row.ratio)) || changed;
  changed = setText(refs.level, levelLabel(row.level)) || changed;
  changed = setText(refs.breach, breached ? '' : typeof w === 'number' ? T.breachWeek(w) : '') || changed;
  const { dataset } = refs.td;
  if (dataset.level !== row.level) {
    alarmOnLevel(refs.td, dataset.level, row.level);
    dataset.level = row.level;
  }
  const week = typeof w === 'number' ? String(w) : '';
  if (dataset.breachWeek !== week) dataset.breachWeek = week;
  const title = `未达成一致客户 ${int(row.unresolvedCustomers)} / 累计管控值 ${dec1(row.allowanceToDate)}` +
    ` · 年度允许量 ${dec1(row.annualAllowance)} · 一次性化解率 ${pct(row.oneTimeResolutionRate)}`;
  if (refs.td.title !== title) refs.td.title = title;
  return changed;
}

/**
 * Reorders the body rows by the bank-wide ratio of each type, highest first (ties: plan order).
 * Moves rows only when the order changed, so a steady board does not touch the DOM.
 * @param {HTMLTableElement} table
 * @param {Record<string, Record<string, CounterRow>>} counters
 */
export function sortGridRows(table, counters) {
  const body = table.tBodies[0];
  if (!body) return;
  const rows = [...body.rows];
  const key = (/** @type {HTMLTableRowElement} */ tr) => counters[tr.dataset.type ?? '']?.[ALL]?.ratio ?? -1;
  const sorted = rows.map((tr, i) => ({ tr, i, k: key(tr) })).sort((a, b) => b.k - a.k || a.i - b.i).map((x) => x.tr);
  if (sorted.every((tr, i) => tr === rows[i])) return;
  body.append(...sorted);
}

/** @type {WeakMap<HTMLElement, Animation>} */
const pulses = new WeakMap();

/**
 * Briefly rings a cell whose figures just changed, so a viewer's eye finds it. A Web Animation
 * restarts without forcing a layout; the caller rings only cells that changed visibly.
 * @param {HTMLElement|undefined} node
 */
export function pulseCell(node) {
  if (!node || typeof node.animate !== 'function') return;
  pulses.get(node)?.cancel();
  pulses.set(node, node.animate([{ boxShadow: '0 0 0 4px #ffffff' }, { boxShadow: '0 0 0 4px rgba(255,255,255,0)' }], { duration: 1600, easing: 'ease-out' }));
}
