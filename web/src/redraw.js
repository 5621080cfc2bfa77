// @ts-check
// Messages change the state; the screen is redrawn from it once per display frame. A bank-sized
// plan gets a hundred and more counter frames a second (one per changed type × branch cell, each
// event changing one cell per branch level); the page must take them all, in order, and draw
// only what a viewer can see change: a frame applied to the state costs microseconds, a redraw
// (text, sort, the grid's columns and rows, the browser's style and layout) milliseconds, so the
// redraw happens at most once per animation frame for everything that arrived since.
// A hidden page gets no animation frames: it keeps applying messages and draws the whole of
// what changed when it is shown again.

import { cellKey } from './grid.js';
import { ALL, applyCounter, applyScreen, applySeries, upsertAlert } from './state.js';

/**
 * What the next redraw has to do.
 * @typedef {{ cells: Set<string>, panels: Set<string>, charts: Set<string>, sort: boolean,
 *   arrange: boolean, headline: boolean, alerts: boolean, header: boolean, fresh: boolean }} Dirty
 */

/** @returns {Dirty} */
export function newDirty() {
  return { cells: new Set(), panels: new Set(), charts: new Set(), sort: false, arrange: false, headline: false, alerts: false, header: false, fresh: false };
}

/** @param {Dirty} d */
export function clearDirty(d) {
  d.sort = d.arrange = d.headline = d.alerts = d.header = d.fresh = false;
  d.cells.clear();
  d.panels.clear();
  d.charts.clear();
}

/**
 * Applies a live message (not a snapshot) to the state and notes what it changed on screen.
 * No DOM here.
 * @param {import('./state.js').BoardState} state
 * @param {any} msg
 * @param {Dirty} dirty
 */
export function applyMessage(state, msg, dirty) {
  switch (msg.type) {
    case 'counter': {
      const { row, chartChanged } = applyCounter(state, msg);
      dirty.cells.add(cellKey(row.complaintType, row.scope));
      dirty.arrange = true; // levels and ratios choose the columns and rows that fit
      if (row.scope === ALL) {
        dirty.panels.add(row.complaintType);
        dirty.sort = true; // rows are ordered by their bank-wide ratio
        if (chartChanged) dirty.charts.add(row.complaintType);
      }
      dirty.header = true;
      break;
    }
    case 'series':
      if (applySeries(state, msg)) dirty.charts.add(msg.complaintType);
      break;
    case 'headline':
      state.headline = msg;
      dirty.headline = true;
      break;
    case 'heartbeat':
      if (msg.pipeline) state.pipeline = msg.pipeline;
      if (msg.asOf) state.heardAt = Date.parse(msg.asOf);
      dirty.fresh = true;
      break;
    case 'alert':
      upsertAlert(state, msg);
      dirty.alerts = true;
      break;
    case 'screen':
      // a silent wall screen is pinned above the alerts until it is back
      applyScreen(state, msg);
      dirty.alerts = true;
      break;
    default:
      break;
  }
}

/**
 * Runs `draw` at the next animation frame, once however often it is asked for before then.
 * @param {() => void} draw
 * @param {(cb: FrameRequestCallback) => number} [raf]
 */
export function frameScheduler(draw, raf = (cb) => requestAnimationFrame(cb)) {
  let pending = false;
  let frames = 0;
  const run = () => {
    pending = false;
    frames++;
    draw();
  };
  return {
    request() {
      if (pending) return;
      pending = true;
      raf(run);
    },
    /** redraws so far (for tests and the soak) */
    get frames() {
      return frames;
    },
    get pending() {
      return pending;
    },
  };
}
