// @ts-check
// One uPlot chart per complaint type: cumulative not-agreed customers (scope ALL) against the
// cumulative allowance. Charts are built once per plan and then only fed with setData, so a live
// counter never costs a rebuild (or a flicker on the wall). Columns: week ends, cumulative
// allowance (steps), actual, forecast at the current pace (dashed), and the watch line
// (allowance × thresholds.watch) whose band up to the allowance is shaded. Faint vertical week
// markers, stronger every 13 weeks with the week number.

import { monthDay } from './format.js';
import { T } from './i18n.js';

/** @typedef {import('./state.js').Series} Series */

const FONT = '15px "Noto Sans CJK SC", "WenQuanYi Zen Hei", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif';
export const COLORS = {
  allowance: '#f5b942', actual: '#4fc3f7', strictActual: '#ff5c8a', now: 'rgba(255,255,255,0.45)',
  forecast: '#c792ea', watch: 'rgba(245,185,66,0.55)', band: 'rgba(245,185,66,0.16)', week: 'rgba(255,255,255,0.06)', quarter: 'rgba(255,255,255,0.22)',
};

/** narrowest y axis: the width of a two-digit scale, so small counts do not make the plot jump */
const MIN_Y_AXIS = 44;
/** @type {CanvasRenderingContext2D|null} */
let measurer = null;

/**
 * The y axis as wide as its widest label needs (tick, gap and text), in CSS pixels. A fixed 56 px
 * had clipped a bank-wide count's five digits on the left: 30,000 read "0,000" (found by an audit).
 * uPlot calls it while laying out; after two rounds it keeps the last size, so layout settles.
 * @param {any} u @param {string[]|null} values @param {number} axisIdx @param {number} cycleNum
 */
export function yAxisSize(u, values, axisIdx, cycleNum) {
  const axis = u.axes[axisIdx];
  if (cycleNum > 1 && axis._size) return axis._size;
  measurer ??= document.createElement('canvas').getContext('2d');
  let widest = 0;
  if (measurer) {
    measurer.font = FONT;
    for (const v of values ?? []) widest = Math.max(widest, measurer.measureText(String(v)).width);
  }
  return Math.max(MIN_Y_AXIS, Math.ceil((axis.ticks?.size ?? 10) + (axis.gap ?? 5) + widest + 2));
}

/** @returns {any} the uPlot constructor loaded by <script src="/vendor/uPlot.iife.min.js"> */
function uPlotCtor() {
  const u = /** @type {any} */ (globalThis).uPlot;
  if (!u) throw new Error('uPlot not loaded (/vendor/uPlot.iife.min.js)');
  return u;
}

/** @param {Series} s @param {number} watch */
function columns(s, watch) {
  return [s.x, s.allowance, s.actual, s.forecast ?? s.x.map(() => null), s.allowance.map((a) => a * watch)];
}

/**
 * @param {HTMLElement} container sized by the layout; the chart fills it
 * @param {Series} series
 * @param {{ timezone: string, strict: boolean, nowSec: number|null, watch?: number, compact?: boolean }} opts
 */
export function createChart(container, series, opts) {
  const uPlot = uPlotCtor();
  let nowSec = opts.nowSec;
  const watch = opts.watch ?? 0.8;
  const tz = opts.timezone;

  // Vertical "now" line: the reader sees at once how much of the year the curves cover.
  const nowLine = {
    hooks: {
      /** @param {any} u */
      drawAxes: (u) => {
        const xs = u.data[0];
        const { top, height } = u.bbox;
        const ctx = u.ctx;
        ctx.save();
        ctx.font = `${Math.round(12 * uPlot.pxRatio)}px sans-serif`;
        for (let i = 0; i < xs.length - 1; i++) {
          const quarter = (i + 1) % 13 === 0;
          const x = Math.round(u.valToPos(xs[i], 'x', true));
          ctx.fillStyle = quarter ? COLORS.quarter : COLORS.week;
          ctx.fillRect(x, top, quarter ? 2 : 1, height);
          if (quarter && !opts.compact) ctx.fillText(T.week(i + 1), x + 4, top + 14 * uPlot.pxRatio);
        }
        ctx.restore();
      },
      /** @param {any} u */
      draw: (u) => {
        if (nowSec == null) return;
        const x = u.valToPos(nowSec, 'x', true);
        const { top, height, left, width } = u.bbox;
        if (x < left || x > left + width) return;
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = COLORS.now;
        ctx.setLineDash([6, 6]);
        ctx.lineWidth = 2 * uPlot.pxRatio;
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
        ctx.restore();
      },
    },
  };

  const axis = {
    stroke: '#a9b8cc',
    font: FONT,
    grid: { stroke: 'rgba(255,255,255,0.07)', width: 1 },
    ticks: { stroke: 'rgba(255,255,255,0.15)', width: 1 },
  };

  const size = () => ({
    width: Math.max(200, container.clientWidth),
    height: Math.max(120, container.clientHeight),
  });

  const u = new uPlot(
    {
      ...size(),
      tzDate: (/** @type {number} */ ts) => uPlot.tzDate(new Date(ts * 1e3), tz),
      legend: { show: false },
      cursor: { show: false },
      plugins: [nowLine],
      scales: {
        x: { time: true },
        y: {
          range: (/** @type {any} */ _u, /** @type {number} */ _min, /** @type {number} */ max) => [
            0,
            Math.max(opts.strict ? 2 : 5, Math.ceil((max || 0) * 1.12)),
          ],
        },
      },
      axes: [
        {
          ...axis,
          values: (/** @type {any} */ _u, /** @type {number[]} */ splits) => splits.map((v) => monthDay(v, tz)),
          space: 90,
        },
        { ...axis, size: yAxisSize, space: 36 },
      ],
      series: [
        {},
        {
          label: T.allowanceKey,
          stroke: COLORS.allowance,
          width: 2.5,
          fill: 'rgba(245,185,66,0.10)',
          paths: uPlot.paths.stepped({ align: -1 }),
          points: { show: false },
        },
        {
          label: T.actualKey,
          stroke: opts.strict ? COLORS.strictActual : COLORS.actual,
          width: 3.5,
          points: { show: true, size: 7, fill: opts.strict ? COLORS.strictActual : COLORS.actual },
          spanGaps: false,
        },
        {
          label: T.forecastKey,
          stroke: COLORS.forecast,
          width: 2.5,
          dash: [10, 8],
          points: { show: false },
        },
        {
          label: T.watchKey,
          stroke: COLORS.watch,
          width: 1,
          dash: [4, 6],
          paths: uPlot.paths.stepped({ align: -1 }),
          points: { show: false },
        },
      ],
      bands: [{ series: [1, 4], fill: COLORS.band }],
    },
    columns(series, watch),
    container,
  );

  const ro = new ResizeObserver(() => {
    const s = size();
    if (s.width !== u.width || s.height !== u.height) u.setSize(s);
  });
  ro.observe(container);

  return {
    uplot: u,
    /**
     * @param {Series} s
     * @param {number|null} now
     */
    update(s, now) {
      nowSec = now;
      u.setData(columns(s, watch));
    },
    destroy() {
      ro.disconnect();
      u.destroy();
    },
  };
}
