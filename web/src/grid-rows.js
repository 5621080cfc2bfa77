// @ts-check
// Many complaint types on one wall: the grid's rows are kept worst first (grid.js), so when they
// do not all fit, the last visible row sums up the rest: per column, how many of the hidden types
// are above ok there, and the worst level among them. The same idea as the columns
// (grid-columns.js), the other way round.
// Test hooks: tr[data-type="__rest"] with td[data-scope][data-level] and .others-count.

import { el, levelLabel, setText } from './format.js';
import { T } from './i18n.js';
import { OTHERS, othersOf } from './grid-columns.js';
import { LEVELS, levelRank } from './severity.js';

/** @typedef {import('./grid-columns.js').Counters} Counters */

export const REST = '__rest';

/**
 * One column's summary over the hidden types.
 * @param {Counters} counters
 * @param {string[]} types hidden type codes
 * @param {string} scope a scope code, or OTHERS for the hidden branches too
 * @param {string[]} hiddenScopes the branches the columns hid
 */
export function restOf(counters, types, scope, hiddenScopes) {
  let notOk = 0;
  let worst = 0;
  for (const t of types) {
    const k = levelRank(scope === OTHERS ? othersOf(counters[t], hiddenScopes).level : counters[t]?.[scope]?.level);
    if (k > 0) notOk++;
    worst = Math.max(worst, k);
  }
  return { notOk, level: LEVELS[worst] ?? 'ok' };
}

/** @param {HTMLTableRowElement} tr the height its tallest cell needs */
function naturalHeight(tr) {
  let h = 0;
  for (const c of tr.cells) {
    if (c.hidden) continue;
    const cs = getComputedStyle(c);
    let inner = 0;
    for (const child of c.children) inner += /** @type {HTMLElement} */ (child).offsetHeight;
    const frame = parseFloat(cs.paddingTop) + parseFloat(cs.paddingBottom) + parseFloat(cs.borderTopWidth) + parseFloat(cs.borderBottomWidth);
    h = Math.max(h, inner + frame);
  }
  return h;
}

/**
 * The sizes arrangeRows needs: a row's natural height and the header's. Reading them forces a
 * layout when the page has changed since the last one, so the board measures once per resize or
 * change of columns, not per frame.
 * @param {HTMLTableElement} table
 * @returns {{ rowPx: number, headPx: number }}
 */
export function measureRows(table) {
  const sample = [...(table.tBodies[0]?.rows ?? [])].find((tr) => !tr.hidden && tr.dataset.type !== REST);
  // rows stretch to fill the grid when they fit: their content, not their box, says how many fit
  const rowPx = sample ? naturalHeight(sample) + 6 : 0; // + the table's border spacing
  const headPx = table.tHead?.offsetHeight ?? 0; // layout sizes only, as clientHeight (a zoomed 4K page)
  return { rowPx, headPx };
}

/**
 * Hides the rows that do not fit (the least severe: rows are sorted worst first) behind one
 * summary row. Nothing changes while every row fits, or while the grid is not laid out; the
 * summary's cells are rewritten only where their words or level changed.
 * @param {HTMLTableElement} table
 * @param {Counters} counters
 * @param {number} height the grid area's height in CSS pixels
 * @param {{ rowPx: number, headPx: number }} [sizes] from measureRows (measured now when absent)
 */
export function arrangeRows(table, counters, height, sizes) {
  const body = table.tBodies[0];
  if (!body || height <= 0) return;
  const rows = [...body.rows].filter((tr) => tr.dataset.type !== REST);
  const { rowPx, headPx } = sizes ?? measureRows(table);
  if (rowPx <= 6) return;
  const room = Math.max(2, Math.floor((height - headPx - 24) / rowPx));
  let rest = [...body.rows].find((tr) => tr.dataset.type === REST);
  if (rows.length <= room) {
    for (const tr of rows) if (tr.hidden) tr.hidden = false;
    rest?.remove();
    return;
  }
  const hidden = rows.slice(room - 1);
  rows.forEach((tr, i) => {
    if (tr.hidden !== i >= room - 1) tr.hidden = i >= room - 1;
  });
  const hiddenTypes = hidden.map((tr) => tr.dataset.type ?? '');
  const columns = [...(table.tHead?.rows[0]?.cells ?? [])].slice(1);
  const hiddenScopes = columns.filter((c) => c.hidden && c.dataset.scope !== OTHERS).map((c) => c.dataset.scope ?? '');
  if (!rest) {
    rest = /** @type {HTMLTableRowElement} */ (el('tr', { 'data-type': REST }));
    const th = el('th', { class: 'type rest', scope: 'row' });
    th.append(el('div', { class: 'type-name' }, ''));
    rest.append(th);
  }
  if (body.lastElementChild !== rest) body.append(rest); // always last
  setText(rest.cells[0]?.firstChild, T.restHead(hidden.length));
  // one cell per column, in the columns' current order
  const cells = [...rest.cells].slice(1);
  const same = cells.length === columns.length && cells.every((td, i) => td.classList.contains('rest') && td.dataset.scope === columns[i]?.dataset.scope);
  if (!same) {
    while (rest.cells.length > 1) rest.deleteCell(1);
    for (const col of columns) {
      const td = el('td', { class: 'cell others rest', 'data-scope': col.dataset.scope ?? '', 'data-level': 'ok' });
      td.append(el('div', { class: 'others-count num' }, ''), el('div', { class: 'meta' }, ''));
      rest.append(td);
    }
  }
  columns.forEach((col, i) => {
    const td = /** @type {HTMLTableCellElement} */ (rest.cells[i + 1]);
    const { notOk, level } = restOf(counters, hiddenTypes, col.dataset.scope ?? '', hiddenScopes);
    if (td.hidden !== col.hidden) td.hidden = col.hidden;
    if (td.dataset.level !== level) td.dataset.level = level;
    setText(td.children[0], notOk > 0 ? T.restNotOk(notOk) : T.othersAllOk);
    setText(td.children[1], notOk > 0 ? `${T.othersWorst} ${levelLabel(level)}` : '');
  });
}
