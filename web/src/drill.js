// @ts-check
// Drill-down: clicking a type's panel opens that type's curves per branch (GET /api/series for
// each scope), one small chart each. Closing destroys the charts, so repeated drill-downs on a
// screen left running do not pile up canvases or observers. Not offered in kiosk mode.

import { createChart } from './charts.js';
import { el } from './format.js';
import { T } from './i18n.js';
import { levelRank, worstFirst } from './severity.js';
import { scopeColumns } from './state.js';

/** @typedef {import('./state.js').BoardState} BoardState */

/** @type {{ host: HTMLElement, charts: Array<{ destroy(): void }>, type: string }|null} */
let open = null;

export function closeDrill() {
  if (!open) return;
  for (const c of open.charts) c.destroy();
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
  const mine = { host, charts: /** @type {Array<{ destroy(): void }>} */ ([]), type };
  open = mine;
  const cols = drillOrder(scopeColumns(state.plan), state.counters[type]);
  const q = token ? `&token=${encodeURIComponent(token)}` : '';
  const results = await Promise.all(
    cols.map((c) =>
      fetch(`/api/series?type=${encodeURIComponent(type)}&scope=${encodeURIComponent(c.code)}${q}`)
        .then((r) => (r.ok ? r.json() : null))
        .catch(() => null),
    ),
  );
  if (open !== mine) return; // closed or replaced while loading
  cols.forEach((c, i) => {
    const s = results[i];
    const box = el('section', { class: 'drill-item', 'data-scope': c.code });
    const row = state.counters[type]?.[c.code];
    box.append(el('h3', {}, `${c.code === 'ALL' ? T.all : c.name} ${row ? `${row.unresolvedCustomers} / ${row.allowanceToDate.toFixed(1)}` : ''}`));
    const chart = el('div', { class: 'chart' });
    box.append(chart);
    if (row) box.dataset.level = row.level;
    grid.append(box);
    if (s) {
      const nowSec = state.asOf ? Math.floor(Date.parse(state.asOf) / 1000) : null;
      mine.charts.push(createChart(chart, s, { timezone: state.timezone, strict: t.mode === 'strict', nowSec, watch: state.plan?.thresholds?.watch, compact: true }));
    }
  });
}
