// @ts-check
// Drill-down: clicking a type's panel opens that type's curves per branch (GET /api/series for
// each scope), one small chart each. Closing destroys the charts, so repeated drill-downs on a
// screen left running do not pile up canvases or observers. Not offered in kiosk mode.
// A curve ends at its heading's live figure (the board's counter frames move its current week, as
// the panels' curves), and only the newest load of the curves is drawn: loads overlap (a new
// snapshot's while a refetch is out) and an older answer arriving last must not bring back an
// older curve.

import { createChart } from './charts.js';
import { el, setText } from './format.js';
import { T } from './i18n.js';
import { levelRank, worstFirst } from './severity.js';
import { curveTo, scopeColumns } from './state.js';

/** @typedef {import('./state.js').BoardState} BoardState */

/**
 * @typedef {import('./state.js').Series} Series
 * @typedef {{ host: HTMLElement, type: string, token: string, charts: Map<string, ReturnType<typeof createChart>>,
 *   heads: Map<string, { box: HTMLElement, h3: HTMLElement, name: string }>, fetchedAt: number, moved: boolean,
 *   curves: Map<string, { series: Series, count: number|null }>, loads: number, answered: number }} Drill
 */
/** @type {Drill|null} */
let open = null;

/** the branch curves are fetched again at most this often while the type's figures move */
export const DRILL_REFETCH_MS = 60_000;

export function closeDrill() {
  if (!open) return;
  for (const c of open.charts.values()) c.destroy();
  open.host.remove();
  open = null;
}

/** @returns {string|null} the type whose drill-down is open */
export const drillType = () => open?.type ?? null;

/** more charts than this (a 3 × 3 screen) and the branches come worst first, the dialog scrolls */
export const DRILL_SCREEN = 9;

/**
 * The drill's charts: the plan's hierarchy order while they fit on a screen; beyond that the
 * bank-wide one, then the branches worst first (level, then ratio), so the top of the dialog is
 * where the trouble is.
 * @template {{ code: string }} C
 * @param {C[]} cols scope columns, ALL first
 * @param {Record<string, import('./state.js').CounterRow>|undefined} rows this type's counters by scope
 * @returns {C[]}
 */
export function drillOrder(cols, rows) {
  if (cols.length <= DRILL_SCREEN) return cols;
  const [all, ...rest] = cols;
  const ranked = worstFirst(rest, (c) => ({ rank: levelRank(rows?.[c.code]?.level), ratio: rows?.[c.code]?.ratio ?? -1 }));
  return all ? [all, ...ranked] : ranked;
}

/**
 * @param {BoardState} state
 * @param {string} type
 * @param {string} token '' or the page's ?token=
 */
export async function openDrill(state, type, token) {
  closeDrill();
  const t = state.plan?.types.find((x) => x.code === type);
  if (!t) return;
  const host = el('div', { id: 'drill', role: 'dialog', 'data-type': type });
  const head = el('header', { class: 'drill-head' });
  const close = el('button', { class: 'drill-close', type: 'button' }, T.close);
  close.addEventListener('click', closeDrill, { once: true });
  head.append(el('h2', {}, T.drillTitle(t.name)), close);
  const grid = el('div', { class: 'drill-grid' });
  host.append(head, grid);
  document.body.append(host);
  /** @type {Drill} */
  const mine = { host, type, token, charts: new Map(), heads: new Map(), fetchedAt: 0, moved: false, curves: new Map(), loads: 0, answered: 0 };
  open = mine;
  for (const c of drillOrder(scopeColumns(state.plan), state.counters[type])) {
    const box = el('section', { class: 'drill-item', 'data-scope': c.code });
    const h3 = el('h3', {}, '');
    box.append(h3, el('div', { class: 'chart' }));
    grid.append(box);
    mine.heads.set(c.code, { box, h3, name: c.code === 'ALL' ? T.all : c.name });
  }
  updateDrill(state);
  await loadCurves(mine, state);
}

/**
 * The open drill-down's figures and levels from the board's state, as the grid's cells: a dialog
 * left open on a wall must not hold the numbers it was opened with under a "live" pill. Its
 * curves' current week follows the same figures; the curves are fetched again (past weeks a
 * correction moved) when the figures have moved, at most once a minute.
 * @param {BoardState} state
 */
export function updateDrill(state) {
  const d = open;
  if (!d) return;
  for (const [scope, { box, h3, name }] of d.heads) {
    const row = state.counters[d.type]?.[scope];
    if (setText(h3, `${name} ${row ? `${row.unresolvedCustomers} / ${row.allowanceToDate.toFixed(1)}` : ''}`)) d.moved = true;
    const level = row?.level ?? '';
    if (box.dataset.level !== level) box.dataset.level = level;
    followLive(d, state, scope);
  }
  if (d.moved && d.fetchedAt > 0 && Date.now() - d.fetchedAt >= DRILL_REFETCH_MS) void loadCurves(d, state);
}

/**
 * A new picture (reconnect, catch-up, week): the figures and the curves again.
 * @param {BoardState} state
 */
export function refreshDrill(state) {
  if (!open) return;
  updateDrill(state);
  void loadCurves(open, state);
}

/**
 * The curve's current week from the live counter, when it differs from what the chart shows.
 * @param {Drill} d @param {BoardState} state @param {string} scope
 */
function followLive(d, state, scope) {
  const curve = d.curves.get(scope), count = state.counters[d.type]?.[scope]?.unresolvedCustomers;
  if (!curve || count == null || curve.count === count) return;
  curve.count = count;
  if (curveTo(state, curve.series, count)) d.charts.get(scope)?.update(curve.series, nowSecOf(state));
}

/** @param {BoardState} state */
const nowSecOf = (state) => (state.asOf ? Math.floor(Date.parse(state.asOf) / 1000) : null);

/**
 * The open drill-down's curves as drawn, and how many loads have come back: what a test waits on.
 * @returns {{ type: string, answered: number, curves: Record<string, Array<number|null>> }|null}
 */
export function drillView() {
  if (!open) return null;
  return { type: open.type, answered: open.answered, curves: Object.fromEntries([...open.curves].map(([k, c]) => [k, [...c.series.actual]])) };
}

/** @param {Drill} d @param {BoardState} state */
async function loadCurves(d, state) {
  const load = ++d.loads;
  d.fetchedAt = Date.now();
  d.moved = false;
  const q = d.token ? `&token=${encodeURIComponent(d.token)}` : '';
  const scopes = [...d.heads.keys()];
  const results = await Promise.all(
    scopes.map((scope) =>
      fetch(`/api/series?type=${encodeURIComponent(d.type)}&scope=${encodeURIComponent(scope)}${q}`)
        .then((r) => (r.ok ? r.json() : null))
        .catch(() => null),
    ),
  );
  d.answered += 1;
  if (open !== d) return; // closed or replaced while loading
  if (load !== d.loads) return; // a newer load is out: its answers are the newer curves
  const strict = state.plan?.types.find((x) => x.code === d.type)?.mode === 'strict';
  const nowSec = nowSecOf(state);
  scopes.forEach((scope, i) => {
    const s = results[i], chart = d.charts.get(scope), host = d.heads.get(scope)?.box.querySelector('.chart');
    if (!s || !Array.isArray(s.x) || !Array.isArray(s.actual)) return;
    // the answer may be older than the counter frames since: the curve ends at the heading's figure
    d.curves.set(scope, { series: s, count: null });
    const count = state.counters[d.type]?.[scope]?.unresolvedCustomers;
    if (count != null && curveTo(state, s, count)) d.curves.set(scope, { series: s, count });
    if (chart) chart.update(s, nowSec);
    else if (host instanceof HTMLElement) d.charts.set(scope, createChart(host, s, { timezone: state.timezone, strict, nowSec, watch: state.plan?.thresholds?.watch, compact: true }));
  });
}
