import { ALL_SCOPE } from '../pipelines/model.ts';
import type { CompiledPlan } from '../pipelines/plan/index.ts';
import type { CounterIndex } from '../pipelines/transforms/index.ts';
import { toZonedIso } from './time.ts';

// What the read surfaces send, built from the plan and the counters. Charts get columns
// (uPlot's [xs, ...ys]) so the page draws and never aggregates.

export function planView(plan: CompiledPlan) {
  const p = plan.plan;
  return {
    year: plan.year,
    timezone: plan.timezone,
    thresholds: { watch: plan.watch },
    branches: p.branches.map((b) => ({ code: b.code, name: b.name, parent: b.parent ?? null, weight: b.weight })),
    types: p.types.map((t) => ({ code: t.code, name: t.name, mode: t.mode, annualAllowance: t.annualAllowance })),
    weeks: plan.weeks.map((w) => ({
      index: w.index,
      start: toZonedIso(w.startMs, plan.timezone),
      end: toZonedIso(w.endMs, plan.timezone),
    })),
  };
}

export interface SeriesView {
  complaintType: string;
  scope: string;
  x: number[];
  allowance: number[];
  actual: Array<number | null>;
}

/** Cumulative not-agreed customers at each week's end against the cumulative allowance. */
export function seriesView(plan: CompiledPlan, index: CounterIndex, type: string, scope: string, nowMs: number): SeriesView {
  const x: number[] = [];
  const allowance: number[] = [];
  const actual: Array<number | null> = [];
  for (const week of plan.weeks) {
    x.push(Math.floor(week.endMs / 1000));
    allowance.push(plan.allowanceToDate(type, scope, week.startMs));
    actual.push(week.startMs <= nowMs ? index.count(type, scope, Math.min(week.endMs - 1, nowMs)).unresolved : null);
  }
  return { complaintType: type, scope, x, allowance, actual };
}

export function snapshotView(plan: CompiledPlan, index: CounterIndex, nowMs: number, seq: number, alerts: object[] = []) {
  const series: Record<string, SeriesView> = {};
  for (const t of plan.types) series[t.code] = seriesView(plan, index, t.code, ALL_SCOPE, nowMs);
  return {
    type: 'snapshot',
    seq,
    asOf: toZonedIso(nowMs, plan.timezone),
    year: plan.year,
    plan: planView(plan),
    counters: index.rows(nowMs),
    alerts,
    series,
  };
}
