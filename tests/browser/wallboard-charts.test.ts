// The wall-board's charts drawn by uPlot in a real Chromium.
import { describe, expect, it } from 'vitest';
import { modulePage } from './module-page.ts';

const { withModule } = modulePage();

interface AxisFit { labels: string[]; size: number; needed: number }

/**
 * Builds a chart of a bank-wide type whose counts reach `top`, and reports the y axis' labels, its
 * width and the width its widest label needs (tick, gap and text, in the axis' font).
 */
const yAxisOf = (top: number) =>
  withModule<AxisFit>(
    '/src/charts.js',
    `(async () => {
      const box = document.createElement('div');
      box.style.cssText = 'position:fixed;left:0;top:0;width:460px;height:260px';
      document.body.append(box);
      const weeks = 52, x = Array.from({ length: weeks }, (_, i) => 1735660800 + i * 604800);
      const allowance = x.map((_, i) => Math.round(${top} * 0.2 * (i + 1) / weeks));
      const actual = x.map((_, i) => (i < 46 ? Math.round(${top} * (i + 1) / 46) : null));
      const c = m.createChart(box, { x, allowance, actual }, { timezone: 'Asia/Shanghai', strict: false, nowSec: null });
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const axis = c.uplot.axes[1];
      const labels = (axis._values ?? []).map(String);
      const ctx = document.createElement('canvas').getContext('2d');
      ctx.font = axis.font[0];
      const widest = Math.max(...labels.map((l) => ctx.measureText(l).width));
      const out = { labels, size: axis._size, needed: axis.ticks.size + axis.gap + widest };
      c.destroy();
      box.remove();
      return out;
    })()`,
  );

describe('wall-board charts', () => {
  // audit W F5: 10,000 / 20,000 / 30,000 were drawn in a 56 px axis and read "0,000"
  it('charts - a y axis of five-digit counts is wide enough for its labels whole', async () => {
    const fit = await yAxisOf(30_000);
    expect(fit.labels).toContain('30,000');
    expect(fit.size).toBeGreaterThanOrEqual(fit.needed);
  });

  it('charts - a y axis of small counts stays narrow', async () => {
    const fit = await yAxisOf(40);
    expect(fit.size).toBeGreaterThanOrEqual(fit.needed);
    expect(fit.size).toBeLessThanOrEqual(56);
  });
});
