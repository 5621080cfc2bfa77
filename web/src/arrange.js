// @ts-check
// Which columns, rows and charts a large bank's wall shows (grid-columns.js, grid-rows.js,
// pickPanels), decided again whenever levels or ratios move, from sizes read only when they can
// have changed: a resize, a new layout, fonts loaded, another set of branch names heading the
// columns. Reading a size after the page changed forces the browser to lay it out there and then;
// once per frame or message that had cost more than everything else the board draws.

import { MAX_PANELS, arrangeColumns, pickPanels } from './grid-columns.js';
import { arrangeRows, measureRows } from './grid-rows.js';

/**
 * @param {{ table: HTMLTableElement, wrap: HTMLElement, panelsHost: HTMLElement }} els
 */
export function createArranger({ table, wrap, panelsHost }) {
  const size = { width: 0, height: 0, firstPx: 0, rows: { rowPx: 0, headPx: 0 } };
  let stale = true;
  let measures = 0;

  const measure = () => {
    size.width = wrap.clientWidth;
    size.height = wrap.clientHeight;
    size.firstPx = table.tHead?.rows[0]?.cells[0]?.offsetWidth ?? 220;
    size.rows = measureRows(table);
    stale = false;
    measures++;
  };

  return {
    /** the sizes may have changed: read them again before the next arrangement */
    invalidate() {
      stale = true;
    },
    get stale() {
      return stale;
    },
    /** layout reads made so far (tests bound them) */
    get measures() {
      return measures;
    },
    /** reads the sizes now if they are due: call before writing, while the last layout holds */
    measureIfStale() {
      if (stale) measure();
    },
    /**
     * Many branches: the bank-wide column, the worst that fit, the rest summed up; many types:
     * the worst rows and charts.
     * @param {import('./state.js').BoardState} state
     * @param {Map<string, { root: HTMLElement }>} panels
     * @returns {boolean} whether it wants another pass next frame (other columns: measure again)
     */
    arrange(state, panels) {
      if (!state.plan) return false;
      if (stale) measure();
      const again = arrangeColumns(table, state.plan, state.counters, size.width, size.firstPx);
      if (again) stale = true;
      arrangeRows(table, state.counters, size.height, size.rows);
      const codes = state.plan.types.map((t) => t.code);
      if (codes.length <= MAX_PANELS) return again;
      const shown = pickPanels(codes, state.counters);
      for (const [code, p] of panels) if (p.root.hidden === shown.includes(code)) p.root.hidden = !shown.includes(code);
      const order = [...shown, ...codes.filter((c) => !shown.includes(c))];
      if (order.join() === [...panelsHost.children].map((e) => /** @type {HTMLElement} */ (e).dataset.type).join()) return again;
      for (const code of order) {
        const p = panels.get(code);
        if (p) panelsHost.append(p.root);
      }
      return again;
    },
  };
}
