import { ALL_SCOPE, type CounterRow } from '../pipelines/model.ts';
import type { CompiledPlan } from '../pipelines/plan/index.ts';
import { lastInstantBefore } from '../pipelines/plan/index.ts';
import type { CounterIndex } from '../pipelines/transforms/index.ts';
import { resolveAlertConfig } from '../pipelines/rules/index.ts';
import { toZonedIso } from './time.ts';
import { yearBeforeNames } from './alerts/year-before-names.ts';

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
    // the on-call ladder (defaults filled in): the console says when an unacknowledged alert climbs
    onCall: resolveAlertConfig(p.alerts).onCall,
  };
}

export interface SeriesView {
  complaintType: string;
  scope: string;
  x: number[];
  allowance: number[];
  actual: Array<number | null>;
  /** straight line at the year-to-date pace from the current week to year end; null elsewhere */
  forecast: Array<number | null>;
}

const WEEK_MS = 7 * 86_400_000;

/** Not-agreed customers per millisecond of the plan year so far; undefined outside the year. */
function paceOf(plan: CompiledPlan, unresolved: number, nowMs: number): number | undefined {
  if (nowMs <= plan.yearStartMs || nowMs >= plan.yearEndMs) return undefined;
  return unresolved / (nowMs - plan.yearStartMs);
}

/** Cumulative not-agreed customers at each week's end against the cumulative allowance. */
export function seriesView(plan: CompiledPlan, index: CounterIndex, type: string, scope: string, nowMs: number): SeriesView {
  const x: number[] = [];
  const allowance: number[] = [];
  const actual: Array<number | null> = [];
  const forecast: Array<number | null> = [];
  const current = index.count(type, scope, nowMs).unresolved;
  const pace = paceOf(plan, current, nowMs);
  for (const week of plan.weeks) {
    x.push(Math.floor(week.endMs / 1000));
    allowance.push(plan.allowanceToDate(type, scope, week.startMs));
    actual.push(week.startMs <= nowMs ? index.count(type, scope, Math.min(lastInstantBefore(week.endMs), nowMs)).unresolved : null);
    forecast.push(pace === undefined || week.endMs <= nowMs ? null : week.startMs <= nowMs ? current : current + pace * (week.endMs - nowMs));
  }
  return { complaintType: type, scope, x, allowance, actual, forecast };
}

export interface Forecast {
  /** not-agreed customers at year end at the year-to-date pace */
  projectedYearEnd: number | null;
  /** first plan week (1-based) whose cumulative allowance the pace overtakes; null: not in this year */
  breachWeek: number | null;
}

/** The breach forecast of one counter row: when the current pace crosses the allowance curve. */
export function forecastOf(plan: CompiledPlan, row: CounterRow, nowMs: number): Forecast {
  const pace = paceOf(plan, row.unresolvedCustomers, nowMs);
  if (pace === undefined) return { projectedYearEnd: null, breachWeek: null };
  const projectedYearEnd = row.unresolvedCustomers + pace * (plan.yearEndMs - nowMs);
  const first = plan.weekIndexAt(nowMs);
  for (let i = Math.max(0, first); i < plan.weeks.length; i++) {
    const w = plan.weeks[i]!;
    const at = i === first ? row.unresolvedCustomers : row.unresolvedCustomers + pace * (w.endMs - nowMs);
    if (at > plan.allowanceToDate(row.complaintType, row.scope, w.startMs)) return { projectedYearEnd, breachWeek: w.index };
  }
  return { projectedYearEnd, breachWeek: null };
}

export const withForecast = (plan: CompiledPlan, row: CounterRow, nowMs: number) => ({ ...row, ...forecastOf(plan, row, nowMs) });

export function snapshotView(plan: CompiledPlan, index: CounterIndex, nowMs: number, seq: number, alerts: object[] = []) {
  const series: Record<string, SeriesView> = {};
  for (const t of plan.types) series[t.code] = seriesView(plan, index, t.code, ALL_SCOPE, nowMs);
  return {
    type: 'snapshot',
    seq,
    asOf: toZonedIso(nowMs, plan.timezone),
    year: plan.year,
    plan: planView(plan),
    counters: index.rows(nowMs).map((r) => withForecast(plan, r, nowMs)),
    alerts,
    series,
    headline: headlineView(plan, index, nowMs, alerts),
  };
}

interface AlertLike {
  kind?: unknown;
  complaintType?: unknown;
  scope?: unknown;
  level?: unknown;
  status?: unknown;
  /** a rendered view's time (ISO text) or a record's (ms) */
  openedAt?: unknown;
  openedAtMs?: unknown;
}

/** Bank-wide figures at one instant: every type at scope ALL, summed. */
function totalsAt(plan: CompiledPlan, index: CounterIndex, tMs: number) {
  let unresolved = 0, firstContact = 0, allowanceToDate = 0, annual = 0;
  const levels = { ok: 0, watch: 0, breach: 0, critical: 0 };
  const curveAt = Math.min(tMs, lastInstantBefore(plan.yearEndMs));
  for (const row of index.rows(tMs)) {
    levels[row.level]++;
    if (row.scope !== ALL_SCOPE) continue;
    unresolved += row.unresolvedCustomers;
    firstContact += row.firstContactCustomers;
    allowanceToDate += plan.allowanceToDate(row.complaintType, ALL_SCOPE, curveAt);
    annual += row.annualAllowance;
  }
  return {
    rate: firstContact === 0 ? null : 1 - unresolved / firstContact,
    unresolved,
    firstContact,
    allowanceToDate,
    annualAllowance: annual,
    ratio: allowanceToDate > 0 ? unresolved / allowanceToDate : null,
    levels,
  };
}

/**
 * The headline tiles, computed here so every screen shows the same figures: one-time resolution
 * rate and not-agreed customers year to date (sums over types at scope ALL, so a customer who
 * complained in two types counts in each, as the per-type figures do), the (type, scope) levels,
 * the alerts; each with its value one week earlier for the trend arrow.
 */
export function headlineView(plan: CompiledPlan, index: CounterIndex, nowMs: number, alerts: readonly object[] = []) {
  const now = totalsAt(plan, index, nowMs);
  const prevMs = nowMs - WEEK_MS;
  const prev = prevMs >= plan.yearStartMs ? totalsAt(plan, index, prevMs) : null;
  const open = (alerts as AlertLike[]).filter((a) => a.status !== 'resolved');
  const byLevel: Record<string, number> = { watch: 0, breach: 0, critical: 0 };
  let openedThisWeek = 0, openedLastWeek = 0;
  for (const a of alerts as AlertLike[]) {
    const at = typeof a.openedAtMs === 'number' ? a.openedAtMs : typeof a.openedAt === 'string' ? Date.parse(a.openedAt) : NaN;
    if (at > prevMs && at <= nowMs) openedThisWeek++;
    else if (at > prevMs - WEEK_MS && at <= prevMs) openedLastWeek++;
  }
  // the levels of the level alerts; a case's level is its urgency, counted with the cases
  for (const a of open) if (a.kind !== 'case' && typeof a.level === 'string') byLevel[a.level] = (byLevel[a.level] ?? 0) + 1;
  const cases = open.filter((a) => a.kind === 'case');
  const openCasesByType: Record<string, number> = {};
  for (const a of cases) if (typeof a.complaintType === 'string') openCasesByType[a.complaintType] = (openCasesByType[a.complaintType] ?? 0) + 1;
  // the names of the types and branches of open cases the loaded plan lacks (cases carried from the
  // year before, whose plan had them): the wall has the loaded plan's names only (verify CR1/CR2)
  const before = yearBeforeNames(plan.year), carriedNames = { types: {} as Record<string, string>, branches: {} as Record<string, string> };
  for (const a of cases) {
    const t = typeof a.complaintType === 'string' && !plan.typeByCode.has(a.complaintType) ? before.types.get(a.complaintType) : undefined;
    if (t) carriedNames.types[a.complaintType as string] = t;
    const b = typeof a.scope === 'string' && !plan.plan.branches.some((x) => x.code === a.scope) ? before.branches.get(a.scope) : undefined;
    if (b) carriedNames.branches[a.scope as string] = b;
  }
  return {
    asOf: toZonedIso(nowMs, plan.timezone),
    watch: plan.watch,
    now,
    lastWeek: prev,
    alerts: {
      open: open.length,
      /** open and not acknowledged, level alerts and cases */
      unacknowledged: open.filter((a) => a.status === 'open').length,
      openCases: cases.length,
      /** open cases not acknowledged: what the cases tile calls 未确认 (of its open cases) */
      unacknowledgedCases: cases.filter((a) => a.status === 'open').length,
      openCasesByType,
      carriedNames,
      byLevel,
      openedThisWeek,
      openedLastWeek,
    },
  };
}
