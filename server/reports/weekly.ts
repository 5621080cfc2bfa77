// The weekly review (周复盘) as a pure function of the counters and the week's cases: per type and
// scope, this week's and the cumulative not-agreed customers against the allowance, the level
// now and a week ago, and the branches that drove the change; per strict type, the new and the
// still-open cases; escalations. Everything at the instants "end of week N" and "end of week
// N-1", so a past week's review is the same whenever it is produced (events that arrive late
// for that week change it, which is why stored reviews carry their generation time; so does
// another plan, which is why a review names the plan it was produced under).

import type { Level } from '../../pipelines/model.ts';
import type { CompiledPlan } from '../../pipelines/plan/index.ts';
import { lastInstantBefore } from '../../pipelines/plan/index.ts';
import type { CounterIndex } from '../../pipelines/transforms/index.ts';
import { levelOf } from '../../pipelines/transforms/index.ts';
import { planHash } from '../plan-in-force.ts';
import { toZonedIso } from '../time.ts';

export interface CaseFact {
  ticketId: string;
  complaintType: string;
  branch: string;
  firstContactAtMs: number;
  /** first resolved-with-agreed instant, if any */
  closedAtMs?: number;
}

export interface WeekFacts {
  /** strict-type cases with a not-agreed first contact up to the end of the week */
  cases: CaseFact[];
  /** escalation events in the week: type → ladder step → count */
  escalations: Array<{ complaintType: string; escalation: string; n: number }>;
  /** alert changes in the week from the alert engine's log (notices issued among them) */
  alerts: Array<{ complaintType: string; what: string; n: number }>;
}

export interface ReviewRow {
  complaintType: string;
  typeName: string;
  mode: string;
  scope: string;
  scopeName: string;
  weekNotAgreed: number;
  cumulativeNotAgreed: number;
  weekAllowance: number;
  allowanceToDate: number;
  annualAllowance: number;
  ratio: number | null;
  level: Level;
  previousLevel: Level;
}

export interface WeeklyReview {
  year: number;
  /** the plan it was produced under (plan-in-force.ts planHash: plan_in_force.plan_hash): its allowances and levels are that plan's */
  planHash: string;
  week: number;
  weeks: number;
  from: string;
  to: string;
  /** the week in progress: the instant its figures are as of (absent for a finished week) */
  asOf?: string;
  rows: ReviewRow[];
  drivers: Array<{ complaintType: string; branches: Array<{ scope: string; weekNotAgreed: number }> }>;
  cases: Array<{ complaintType: string; newCases: string[]; stillOpen: string[] }>;
  escalations: WeekFacts['escalations'];
  alerts: WeekFacts['alerts'];
}

const localDate = (ms: number, tz: string) => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));

/**
 * `asOfMs`: the week in progress is read as of then, as the board reads it; an event dated later
 * in the week (another system's clock) is not in it yet (audit CU2: the review ran ahead of the wall).
 */
export function weeklyReview(plan: CompiledPlan, index: CounterIndex, week: number, facts: WeekFacts, asOfMs = Infinity): WeeklyReview {
  const w = plan.weeks[week - 1];
  if (!w) throw new RangeError(`week ${week} is not in ${plan.year} (1..${plan.weeks.length})`);
  const weekEnd = lastInstantBefore(w.endMs);
  const end = Math.min(weekEnd, asOfMs);
  // times are finer than a millisecond: 1 ms before the start left a first contact of the week
  // before's last millisecond in both weeks (audit CU1)
  const before = lastInstantBefore(w.startMs);
  const rows: ReviewRow[] = [];
  const names = new Map(plan.plan.branches.map((b) => [b.code, b.name]));
  for (const t of plan.types) {
    for (const scope of plan.scopes) {
      const now = index.count(t.code, scope, end).unresolved;
      const prev = week > 1 ? index.count(t.code, scope, before).unresolved : 0;
      const allowanceToDate = plan.allowanceToDate(t.code, scope, end);
      const prevAllowance = week > 1 ? plan.allowanceToDate(t.code, scope, before) : 0;
      const annual = plan.allowance(t.code, scope);
      rows.push({
        complaintType: t.code, typeName: t.name, mode: t.mode, scope, scopeName: scope === 'ALL' ? '全行' : (names.get(scope) ?? scope),
        weekNotAgreed: now - prev, cumulativeNotAgreed: now,
        weekAllowance: allowanceToDate - prevAllowance, allowanceToDate, annualAllowance: annual,
        ratio: allowanceToDate > 0 ? now / allowanceToDate : null,
        level: levelOf(now, allowanceToDate, annual, plan.watch),
        previousLevel: week > 1 ? levelOf(prev, prevAllowance, annual, plan.watch) : 'ok',
      });
    }
  }
  // Drivers: the leaf-most scopes (branches without children in the plan) that added the most.
  const parents = new Set(plan.plan.branches.map((b) => b.parent).filter(Boolean));
  const drivers = plan.types.map((t) => ({
    complaintType: t.code,
    branches: rows
      .filter((r) => r.complaintType === t.code && r.scope !== 'ALL' && !parents.has(r.scope) && r.weekNotAgreed > 0)
      .sort((a, b) => b.weekNotAgreed - a.weekNotAgreed || (a.scope < b.scope ? -1 : 1))
      .slice(0, 5)
      .map((r) => ({ scope: r.scope, weekNotAgreed: r.weekNotAgreed })),
  }));
  const cases = plan.types.filter((t) => t.mode === 'strict').map((t) => {
    const mine = facts.cases.filter((c) => c.complaintType === t.code && c.firstContactAtMs <= end);
    return {
      complaintType: t.code,
      newCases: mine.filter((c) => c.firstContactAtMs >= w.startMs).map((c) => c.ticketId).sort(),
      stillOpen: mine.filter((c) => c.closedAtMs === undefined || c.closedAtMs > end).map((c) => c.ticketId).sort(),
    };
  });
  const asOf = end < weekEnd ? { asOf: toZonedIso(end, plan.timezone) } : {};
  return { year: plan.year, planHash: planHash(plan), week, weeks: plan.weeks.length, from: localDate(w.startMs, plan.timezone), to: localDate(weekEnd, plan.timezone), ...asOf, rows, drivers, cases, escalations: facts.escalations, alerts: facts.alerts };
}
