// @ts-check
// A bank with dozens of branches cannot show them side by side on a wall: cells shrink until
// their numbers overlap. When the branches do not fit, the grid shows the bank-wide column, then
// the branches that need attention first (the worst level over all types, then the highest
// ratio), as many as fit, and one last column that sums up the rest per type. When they fit,
// every column stays in the plan's hierarchy order.
// Test hooks: th[data-scope="__others"], td.others[data-type][data-level] with .others-count.

import { el, levelLabel, setText } from './format.js';
import { T } from './i18n.js';
import { LEVELS, levelRank, worstFirst } from './severity.js';
import { ALL, scopeColumns } from './state.js';

/** @typedef {import('./state.js').CounterRow} CounterRow */
/** @typedef {Record<string, Record<string, CounterRow>>} Counters */

export const OTHERS = '__others';
/** narrower than this, a cell's "38/36.5" no longer reads from across the room */
export const MIN_CELL_PX = 150;


/** a shown branch keeps its column until a hidden one's ratio passes its own by this much (same level) */
export const COLUMN_STAY_MARGIN = 0.1;

/**
 * Which branch columns to show when `room` of them fit (the bank-wide column not counted). A wall
 * must not shuffle its columns as ratios move by a little (an audit saw them reorder several times
 * a minute at a bank's pace): a column shown before stays while its level is as bad as any hidden
 * one's and no hidden one's ratio passes its own by COLUMN_STAY_MARGIN, and shown columns keep
 * their places among those of the same level; a change of level moves them at once.
 * @param {string[]} scopes branch codes in the plan's hierarchy order, ALL excluded
 * @param {Counters} counters type → scope → row
 * @param {number} room
 * @param {string[]} [before] the branches shown until now, in their order
 * @returns {{ shown: string[], hidden: string[] }}
 */
export function pickColumns(scopes, counters, room, before = []) {
  if (scopes.length <= room) return { shown: scopes, hidden: [] };
  const keep = Math.max(1, room - 1); // one column goes to the rest
  const severity = (/** @type {string} */ scope) => {
    let rank = -1;
    let ratio = -1;
    for (const byScope of Object.values(counters)) {
      const r = byScope[scope];
      if (!r) continue;
      const k = levelRank(r.level);
      const x = r.ratio ?? -1;
      if (k > rank || (k === rank && x > ratio)) [rank, ratio] = [k, x];
    }
    return { rank, ratio };
  };
  const place = new Map(before.map((code, i) => [code, i]));
  const sev = new Map(scopes.map((code) => [code, severity(code)]));
  const of = (/** @type {string} */ code) => sev.get(code) ?? { rank: -1, ratio: -1 };
  const sticky = (/** @type {string} */ code) => {
    const { rank, ratio } = of(code);
    return { rank, ratio: place.has(code) ? ratio + COLUMN_STAY_MARGIN : ratio };
  };
  const members = new Set(worstFirst(scopes, sticky).slice(0, keep));
  const shown = [...members].sort((a, b) => {
    const [x, y] = [of(a), of(b)];
    return y.rank - x.rank || (place.get(a) ?? Infinity) - (place.get(b) ?? Infinity) || y.ratio - x.ratio || scopes.indexOf(a) - scopes.indexOf(b);
  });
  return { shown, hidden: worstFirst(scopes.filter((c) => !members.has(c)), of) };
}

/** more types than this and the chart row shows the worst of them (the grid still has them all) */
export const MAX_PANELS = 4;

/**
 * Which types get a chart panel: all in plan order while they fit, else the worst by their
 * bank-wide level and ratio.
 * @param {string[]} types type codes in plan order
 * @param {Counters} counters
 * @param {number} [max]
 */
export function pickPanels(types, counters, max = MAX_PANELS) {
  if (types.length <= max) return types;
  return worstFirst(types, (t) => ({ rank: levelRank(counters[t]?.[ALL]?.level), ratio: counters[t]?.[ALL]?.ratio ?? -1 })).slice(0, max);
}

/**
 * One type's summary of the hidden branches: how many are above ok, and the worst level.
 * @param {Record<string, CounterRow>|undefined} byScope
 * @param {string[]} hidden
 */
export function othersOf(byScope, hidden) {
  let notOk = 0;
  let worst = 0;
  for (const s of hidden) {
    const k = levelRank(byScope?.[s]?.level);
    if (k > 0) notOk++;
    worst = Math.max(worst, k);
  }
  return { notOk, level: LEVELS[worst] ?? 'ok' };
}

/**
 * Adds the rest column to a grid buildGrid made, or takes it away: it exists only while needed.
 * @param {HTMLTableElement} table
 * @param {boolean} needed
 */
function othersColumn(table, needed) {
  const existing = table.querySelectorAll(`[data-scope="${OTHERS}"]`);
  if (!needed) return existing.forEach((c) => c.remove());
  if (existing.length > 0) return;
  table.tHead?.rows[0]?.append(el('th', { class: 'others', 'data-scope': OTHERS }));
  for (const tr of table.tBodies[0]?.rows ?? []) {
    const td = el('td', { class: 'cell others', 'data-type': tr.dataset.type ?? '', 'data-scope': OTHERS, 'data-level': 'ok' });
    td.append(el('div', { class: 'others-count num' }, ''), el('div', { class: 'meta' }, ''));
    tr.append(td);
  }
}

/**
 * Shows the columns that fit: in hierarchy order when all do, else ALL, the worst branches and
 * the rest. Moves cells only when the choice changed; the rest column's words only when they did.
 * Reads no layout when the caller gives the first column's width (it measures once per resize).
 * @param {HTMLTableElement} table
 * @param {import('./state.js').Plan} plan
 * @param {Counters} counters
 * @param {number} width the grid's width in CSS pixels (0: not laid out, nothing is changed)
 * @param {number} [firstPx] the row headers' width (layout px; read from the table when absent)
 * @returns {boolean} whether the set of columns shown changed (the header's height may have too)
 */
export function arrangeColumns(table, plan, counters, width, firstPx) {
  const rows = [...(table.tHead?.rows ?? []), ...(table.tBodies[0]?.rows ?? [])];
  if (width <= 0 || rows.length === 0) return false;
  // layout sizes only (offsetWidth, as the caller's clientWidth): a zoomed 4K page reports
  // getBoundingClientRect in other units
  const first = firstPx ?? rows[0]?.cells[0]?.offsetWidth ?? 220;
  const room = Math.max(1, Math.floor((width - first) / MIN_CELL_PX) - 1);
  const scopes = scopeColumns(plan).map((c) => c.code).filter((c) => c !== ALL);
  const before = (table.dataset.columns ?? '').split('|')[0]?.split(',').filter(Boolean) ?? [];
  const { shown, hidden } = pickColumns(scopes, counters, room, before);
  const choice = `${shown.join(',')}|${hidden.length}`;
  const set = [...shown].sort().join(',');
  const resized = table.dataset.columnSet !== set;
  if (resized) table.dataset.columnSet = set;
  if (table.dataset.columns !== choice) {
    table.dataset.columns = choice;
    othersColumn(table, hidden.length > 0);
    const visible = new Set([ALL, ...shown, ...(hidden.length ? [OTHERS] : [])]);
    const order = [ALL, ...shown, OTHERS, ...hidden];
    for (const tr of rows) {
      const byScope = new Map([...tr.cells].filter((c) => c.dataset.scope).map((c) => [c.dataset.scope ?? '', c]));
      for (const code of order) {
        const cell = byScope.get(code);
        if (!cell) continue;
        cell.hidden = !visible.has(code);
        tr.append(cell);
      }
    }
  }
  if (hidden.length === 0) return resized;
  setText(table.querySelector(`th[data-scope="${OTHERS}"]`), T.othersHead(hidden.length));
  // the types' rest cells; the summary row of hidden types (grid-rows.js) has none of its own
  for (const td of table.querySelectorAll(`td[data-type][data-scope="${OTHERS}"]`)) {
    const cell = /** @type {HTMLElement} */ (td);
    const { notOk, level } = othersOf(counters[cell.dataset.type ?? ''], hidden);
    if (cell.dataset.level !== level) cell.dataset.level = level;
    const [count, meta] = /** @type {HTMLElement[]} */ ([...cell.children]);
    setText(count, notOk > 0 ? T.othersNotOk(notOk) : T.othersAllOk);
    setText(meta, notOk > 0 ? `${T.othersWorst} ${levelLabel(level)}` : '');
  }
  return resized;
}
