// Everything the rules say as of one instant, for the (type, scope) keys and tickets asked for.
// Reads the in-memory counters and ticket book; no I/O, no clock but `nowMs`.

import type { CompiledPlan } from '../plan/index.ts';
import { lastInstantBefore } from '../plan/calendar.ts';
import type { CounterIndex } from '../transforms/index.ts';
import { breachForecast, burnRate, smoothAllowance } from './burn.ts';
import { caseDueAtMs, caseWindowStartMs, deriveCase, type TicketBook } from './cases.ts';
import type { AlertRulesConfig } from './config.ts';
import { deriveLevelEpisodes } from './level.ts';
import type { DerivedAlert } from './types.ts';

export interface Key { complaintType: string; scope: string }

/** Burn rate and forecast of one (type, scope) at nowMs. */
export function signalsOf(plan: CompiledPlan, index: CounterIndex, key: Key, nowMs: number, cfg: AlertRulesConfig) {
  const { complaintType: type, scope } = key;
  const at = Math.min(nowMs, lastInstantBefore(plan.yearEndMs));
  const unresolvedAt = (t: number) => index.count(type, scope, t).unresolved;
  const annual = plan.allowance(type, scope);
  const shares = plan.cumulativeShare(type);
  const allowanceAt = (t: number) => smoothAllowance(annual, shares, plan.weeks, t);
  const fast = burnRate(unresolvedAt, allowanceAt, at, cfg.burnRate.fast);
  const slow = burnRate(unresolvedAt, allowanceAt, at, cfg.burnRate.slow);
  const forecast = breachForecast(unresolvedAt, (t) => plan.allowanceToDate(type, scope, t), plan.weeks, at, cfg.forecast.paceDays);
  return { burn: { fast, slow, firing: fast.firing || slow.firing }, forecast };
}

export function deriveLevelAlerts(plan: CompiledPlan, index: CounterIndex, keys: readonly Key[], nowMs: number, cfg: AlertRulesConfig): DerivedAlert[] {
  const out: DerivedAlert[] = [];
  // A key the plan no longer has (a type or branch dropped by a plan change) derives nothing, so
  // its open alert is withdrawn; its allowance cannot even be asked for.
  const scopes = new Set(plan.scopes);
  for (const key of keys) {
    const { complaintType: type, scope } = key;
    if (!plan.typeByCode.has(type) || !scopes.has(scope)) continue;
    const episodes = deriveLevelEpisodes(
      { year: plan.year, complaintType: type, scope },
      {
        unresolvedAt: (t) => index.count(type, scope, t).unresolved,
        allowanceToDate: (t) => plan.allowanceToDate(type, scope, t),
        annual: plan.allowance(type, scope),
        watch: plan.watch,
      },
      plan.weeks,
      nowMs,
      cfg.recovery,
    );
    const last = episodes[episodes.length - 1];
    if (last && last.clearedAtMs === undefined) last.facts = signalsOf(plan, index, key, nowMs, cfg);
    for (const episode of episodes) out.push(episode);
  }
  return out;
}

/**
 * The cases of these tickets; `dueAtMs`: when a ticket's next fact dated after now comes due (caseDueAtMs).
 * `strictBefore`: the types strict for the cases carried from the year before (the year before's
 * plan in force, server/alerts/carried-year.ts); the loaded plan's when absent.
 */
export function deriveCaseAlerts(plan: CompiledPlan, book: TicketBook, ticketIds: Iterable<string>, nowMs: number, cfg: AlertRulesConfig, strictBefore?: ReadonlySet<string>): { alerts: DerivedAlert[]; covered: Set<string>; dueAtMs: Map<string, number> } {
  const ctx = {
    year: plan.year,
    yearStartMs: plan.yearStartMs,
    yearEndMs: plan.yearEndMs,
    openFromMs: caseWindowStartMs(plan.year, plan.timezone),
    isStrict: (type: string) => plan.typeByCode.get(type)?.mode === 'strict',
    ...(strictBefore ? { isStrictBefore: (type: string) => strictBefore.has(type) } : {}),
  };
  const alerts: DerivedAlert[] = [];
  const covered = new Set<string>();
  const dueAtMs = new Map<string, number>();
  for (const id of ticketIds) {
    covered.add(id);
    const t = book.get(id);
    const d = t && deriveCase(t, ctx, nowMs, cfg.cases);
    if (d) alerts.push(d);
    const due = t ? caseDueAtMs(t, ctx, nowMs) : undefined;
    if (due !== undefined) dueAtMs.set(id, due);
  }
  return { alerts, covered, dueAtMs };
}

export function allKeys(plan: CompiledPlan): Key[] {
  return plan.types.flatMap((t) => plan.scopes.map((scope) => ({ complaintType: t.code, scope })));
}
