// @ts-check
// The type × scope grid. Built once per plan; a counter message touches exactly one cell.
// Test hooks: td[data-type][data-scope][data-level] with .unresolved, .allowance, .ratio inside.

import { LEVEL_LABEL, dec1, el, int, pct } from './format.js';
import { ALL, scopeColumns } from './state.js';

/**
 * @typedef {import('./state.js').Plan} Plan
 * @typedef {import('./state.js').CounterRow} CounterRow
 * @typedef {{ td: HTMLElement, unresolved: HTMLElement, allowance: HTMLElement,
 *   ratio: HTMLElement, level: HTMLElement }} CellRefs
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
  head.append(el('th', { class: 'corner' }, '类型 \\ 机构'));
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
    if (t.mode === 'strict') th.append(el('span', { class: 'strict-tag' }, '强干预'));
    tr.append(th);
    for (const c of cols) {
      const td = el('td', {
        class: `cell depth-${Math.min(c.depth, 3)}${c.parent ? ' child' : ''}${c.code === ALL ? ' all' : ''}`,
        'data-type': t.code,
        'data-scope': c.code,
        'data-level': 'none',
      });
      const nums = el('div', { class: 'nums' });
      const unresolved = el('span', { class: 'unresolved num' }, '—');
      const allowance = el('span', { class: 'allowance num' }, '—');
      nums.append(unresolved, el('span', { class: 'sep' }, '/'), allowance);
      const meta = el('div', { class: 'meta' });
      const ratio = el('span', { class: 'ratio num' }, '—');
      const level = el('span', { class: 'level-label' }, '');
      meta.append(ratio, level);
      td.append(nums, meta);
      tr.append(td);
      cells.set(cellKey(t.code, c.code), { td, unresolved, allowance, ratio, level });
    }
    body.append(tr);
  }
  table.append(body);
  return cells;
}

/**
 * @param {CellRefs|undefined} refs
 * @param {CounterRow} row
 */
export function updateCell(refs, row) {
  if (!refs) return;
  refs.unresolved.textContent = int(row.unresolvedCustomers);
  refs.allowance.textContent = dec1(row.allowanceToDate);
  refs.ratio.textContent = pct(row.ratio);
  refs.level.textContent = LEVEL_LABEL[row.level] ?? row.level;
  refs.td.dataset.level = row.level;
  refs.td.title = `未达成一致客户 ${int(row.unresolvedCustomers)} / 累计管控值 ${dec1(row.allowanceToDate)}` +
    ` · 年度允许量 ${dec1(row.annualAllowance)} · 一次性化解率 ${pct(row.oneTimeResolutionRate)}`;
}
