import type { ClickHouseClient } from '@clickhouse/client';
import { createHash } from 'node:crypto';
import { ALL_SCOPE } from '../pipelines/model.ts';
import type { CompiledPlan } from '../pipelines/plan/index.ts';
import { chTime } from '../pipelines/sinks/clickhouse-time.ts';

// The plan in force, written to ClickHouse (sql/028) so that analysts can reproduce
// allowanceToDate, ratio and level with SQL alone: a row in plan_in_force each time a monitor
// puts a plan in force (its start, PUT /api/plan), and the plan's allowance curve the first
// time its hash is seen. The curve rows are the compiled plan's own numbers, not a second
// implementation of contract section 2 in SQL.

/** The plan as complaints.plan_changes and plan_in_force store it: parsing builds it in one key order, whatever the file's. */
export const planJson = (p: CompiledPlan): string => JSON.stringify(p.plan);
/** sha256 of planJson: equal hashes, same plan */
export const planHash = (p: CompiledPlan): string => createHash('sha256').update(planJson(p)).digest('hex');

export type PlanSource = 'start' | 'change';

export interface PlanAllowanceRow {
  plan_year: number;
  plan_hash: string;
  complaint_type: string;
  mode: string;
  scope: string;
  parent: string;
  scope_chain: readonly string[];
  week: number;
  week_start: string;
  week_end: string;
  allowance_to_date: number;
  annual_allowance: number;
}

/** One row per type, scope and statistical week: the curve allowanceToDate follows. */
export function planAllowanceRows(plan: CompiledPlan, hash: string): PlanAllowanceRow[] {
  const parentOf = new Map(plan.plan.branches.map((b) => [b.code, b.parent ?? ALL_SCOPE]));
  const rows: PlanAllowanceRow[] = [];
  for (const type of plan.types) {
    for (const scope of plan.scopes) {
      const annual = plan.allowance(type.code, scope);
      const chain = scope === ALL_SCOPE ? [ALL_SCOPE] : plan.scopesOf(scope);
      for (const w of plan.weeks) {
        rows.push({
          plan_year: plan.year, plan_hash: hash, complaint_type: type.code, mode: type.mode,
          scope, parent: parentOf.get(scope) ?? '', scope_chain: chain,
          week: w.index, week_start: chTime(w.startMs), week_end: chTime(w.endMs),
          allowance_to_date: plan.allowanceToDate(type.code, scope, w.startMs),
          annual_allowance: annual,
        });
      }
    }
  }
  return rows;
}

/**
 * Records that `plan` is in force from `atMs`, and its curve when the store does not hold it yet
 * (a restart with the same plan adds one small row). Returns the hash recorded.
 */
export async function recordPlanInForce(ch: ClickHouseClient, plan: CompiledPlan, atMs: number, source: PlanSource): Promise<string> {
  const hash = planHash(plan);
  const rs = await ch.query({
    query: 'SELECT count() AS n FROM complaints.plan_allowances WHERE plan_year = {year:UInt16} AND plan_hash = {hash:String}',
    query_params: { year: plan.year, hash },
    format: 'JSONEachRow',
  });
  const [{ n } = { n: '0' }] = await rs.json<{ n: string }>();
  // the curve first: a plan_in_force row always finds its curve
  if (Number(n) === 0) await ch.insert({ table: 'complaints.plan_allowances', format: 'JSONEachRow', values: planAllowanceRows(plan, hash) });
  await ch.insert({
    table: 'complaints.plan_in_force',
    format: 'JSONEachRow',
    values: [{ since: chTime(atMs), plan_year: plan.year, plan_hash: hash, source, timezone: plan.timezone, watch: plan.watch, plan: planJson(plan) }],
  });
  return hash;
}
