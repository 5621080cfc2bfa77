// buildPlan: the seed practice as a pure function. "Spread the yearly allowance by last year's
// weekly share, then correct it by this year's forecast": per type, last year's new not-agreed
// customers per week → per-day rates → the new year's days by calendar date → × forecast factor
// of each day → summed into the new year's weeks. The result is an ordinary plan (contract
// section 2), validated by compilePlan before it is returned.

import { compilePlan, type CompiledPlan } from '../compile.ts';
import { daysInYear } from '../calendar.ts';
import { PlanError } from '../errors.ts';
import type { Plan, PlanBranch } from '../schema.ts';
import type { DailyHistory } from './history.ts';
import { factorOf, type BranchSize, type ForecastPeriod } from './inputs.ts';
import { calendarDate, mapByDate, weeklySmoothed, weeklyTotals } from './mapping.ts';

export interface BuildInput {
  /** the plan to start from, kept whole (zone, thresholds, types, branches, alerts) but for its
   *  year and weeklyWeights, which are replaced, and its branches when `branches` is given */
  base: Plan;
  year: number;
  lastYear: number;
  history: DailyHistory;
  forecast: readonly ForecastPeriod[];
  /** replaces the base plan's branches (weights = sizes) when given */
  branches?: readonly BranchSize[];
  /** the branches file's name, for its errors */
  branchesFile?: string;
  /** each day gets at least this share of the type's average daily rate (0..1, default 0) */
  floor?: number;
  /**
   * days of last year the history covers (default: all). The days after them take each type's
   * average daily rate over the covered ones: a plan built before last year ended must not give
   * its last weeks no allowance (history.ts observedDays).
   */
  observedDays?: number;
}

export interface TypeReport {
  code: string;
  /** last year's new not-agreed customers (the history the weights come from) */
  lastYearCustomers: number;
  /** 'history' or 'days' (no history: shares by days, forecast applied) */
  source: 'history' | 'days';
  weights: number[];
}

export interface BuildResult {
  plan: Plan;
  compiled: CompiledPlan;
  types: TypeReport[];
  warnings: string[];
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
const pad = (n: number) => String(n).padStart(2, '0');

export function buildPlan(input: BuildInput): BuildResult {
  const { base, year, lastYear, forecast } = input;
  const floor = input.floor ?? 0;
  const warnings: string[] = [];
  if (!(floor >= 0 && floor <= 1)) throw new PlanError({ file: '(options)', field: 'floor', reason: `floor must be from 0 to 1 (got ${floor})` });
  const codes = new Set(base.types.map((t) => t.code));
  for (const p of forecast) for (const t of p.types ?? []) {
    if (!codes.has(t)) throw new PlanError({ file: '(forecast)', field: 'types', reason: `period "${p.name}" names type "${t}", which the plan does not have (${[...codes].join(', ')})` });
  }
  const unmonitored = [...input.history.keys()].filter((t) => !codes.has(t)).sort();
  if (unmonitored.length) warnings.push(`history types the plan does not monitor, ignored: ${unmonitored.join(', ')}`);
  const n = daysInYear(year);
  const lastDays = daysInYear(lastYear);
  const observed = Math.min(lastDays, Math.max(0, Math.floor(input.observedDays ?? lastDays)));
  if (observed < lastDays && observed > 0) {
    const through = calendarDate(lastYear, observed - 1);
    warnings.push(`the ${lastYear} history ends on ${lastYear}-${pad(through.month)}-${pad(through.day)} (${observed} of ${lastDays} days): `
      + `the ${lastDays - observed} days after it take each type's average daily rate of the days before`);
  }
  const reports: TypeReport[] = [];
  const types = base.types.map((t) => {
    const daily = input.history.get(t.code);
    const total = daily ? daily.reduce((s, x) => s + x, 0) : 0;
    let rates: number[];
    let source: TypeReport['source'] = 'history';
    if (total > 0) {
      const known = observed > 0 && observed < lastDays ? daily!.map((x, d) => (d < observed ? x : total / observed)) : daily!;
      rates = mapByDate(weeklySmoothed(known, lastYear), lastYear, year);
      if (floor > 0) {
        const min = (floor * rates.reduce((s, x) => s + x, 0)) / n;
        rates = rates.map((r) => Math.max(r, min));
      }
    } else {
      source = 'days';
      rates = new Array<number>(n).fill(1);
      warnings.push(`type "${t.code}" has no not-agreed customers in ${lastYear}: its weeks are shared by days (forecast applied)`);
    }
    const adjusted = rates.map((r, d) => r * factorOf(forecast, year, t.code, d));
    let weights = weeklyTotals(adjusted, year).map(round);
    if (!weights.some((w) => w > 0)) {
      warnings.push(`type "${t.code}": the forecast sets every week to 0; its weeks are shared by days instead`);
      weights = weeklyTotals(new Array<number>(n).fill(1), year);
      source = 'days';
    }
    reports.push({ code: t.code, lastYearCustomers: total, source, weights });
    // key order as in the plan format docs, so a built plan reads like a hand-written one; every
    // other field of the base's type is kept as it was
    const { code, name, mode, annualAllowance, weeklyWeights: _replaced, ...kept } = t;
    return { code, name, mode, annualAllowance, weeklyWeights: weights, ...kept };
  });
  const branches: PlanBranch[] = input.branches
    ? input.branches.map((b) => ({ code: b.code, name: b.name, ...(b.parent ? { parent: b.parent } : {}), weight: b.size }))
    : base.branches.map((b) => ({ code: b.code, name: b.name, ...(b.parent ? { parent: b.parent } : {}), weight: b.weight }));
  if (input.branches) {
    const known = new Set(branches.map((b) => b.code));
    for (const t of types) for (const b of Object.keys(t.branchAllowances)) {
      if (!known.has(b)) throw new PlanError({ file: input.branchesFile ?? '(branches)', field: 'code', reason: `type "${t.code}" has a branchAllowances entry for "${b}", which the branch file does not list` });
    }
  }
  // Everything the builder does not make is the base's, as the operator maintains it: the zone,
  // the thresholds and the alerts section (on-call ladder, recovery, burn rate, cases; an audit
  // found a built plan without it, the escalation gone with no word).
  const plan: Plan = { ...base, year, branches, types };
  return { plan, compiled: compilePlan(plan), types: reports, warnings };
}
