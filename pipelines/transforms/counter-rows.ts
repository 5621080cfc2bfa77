// Contract section 3 rows: the index's distinct-customer counts joined with the plan's allowance
// curve, ratio and level. Pure; the index only counts.

import type { CounterRow } from '../model.ts';
import { lastInstantBefore } from '../plan/calendar.ts';
import type { PlanView } from './plan-view.ts';
import { levelOf, ratioOf } from './levels.ts';

export interface CountSource {
  count(type: string, scope: string, asOfMs: number): { unresolved: number; firstContact: number };
}

/** Every plan type x every scope (types outer, scopes inner, plan order), optionally filtered. */
export function counterRows(plan: PlanView, counts: CountSource, asOfMs: number, filter?: { type?: string; scope?: string }): CounterRow[] {
  // After the year the curve is complete; the plan's allowanceToDate is asked inside the year.
  const curveAt = Math.min(asOfMs, lastInstantBefore(plan.yearEndMs));
  const rows: CounterRow[] = [];
  for (const t of plan.types) {
    if (filter?.type !== undefined && filter.type !== t.code) continue;
    for (const scope of plan.scopes) {
      if (filter?.scope !== undefined && filter.scope !== scope) continue;
      const { unresolved, firstContact } = counts.count(t.code, scope, asOfMs);
      const allowanceToDate = plan.allowanceToDate(t.code, scope, curveAt);
      const annualAllowance = plan.allowance(t.code, scope);
      rows.push({
        complaintType: t.code,
        scope,
        unresolvedCustomers: unresolved,
        firstContactCustomers: firstContact,
        oneTimeResolutionRate: firstContact === 0 ? null : 1 - unresolved / firstContact,
        allowanceToDate,
        annualAllowance,
        ratio: ratioOf(unresolved, allowanceToDate),
        level: levelOf(unresolved, allowanceToDate, annualAllowance, plan.watch),
      });
    }
  }
  return rows;
}

export interface ChangedKey { complaintType: string; scope: string }

/** Keys k = typeIndex * scopes + scopeIndex → (type, scope) pairs, in plan order. */
export function changedKeys(plan: PlanView, changed: ReadonlySet<number>): ChangedKey[] {
  const nScopes = plan.scopes.length;
  return [...changed].sort((x, y) => x - y).map((k) => ({
    complaintType: plan.types[Math.floor(k / nScopes)]?.code ?? '',
    scope: plan.scopes[k % nScopes] ?? '',
  }));
}
