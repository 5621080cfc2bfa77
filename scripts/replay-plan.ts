// Which plan a replay counts under. Without --plan (or PLAN) it is the plan a monitor last put in
// force in this store (complaints.plan_in_force): the sample plan, the monitor's own default,
// rewrote a bank's counter history and weekly reviews under another bank's branches.
import type { ClickHouseClient } from '@clickhouse/client';
import { compilePlan, parsePlan, type CompiledPlan } from '../pipelines/plan/index.ts';
import { planHash } from '../server/plan-in-force.ts';

export interface PlanInForce {
  plan: CompiledPlan;
  sinceMs: number;
  hash: string;
}

/** The plan last put in force in the store, of `year` or of any year; undefined when none was recorded. */
export async function planLastInForce(ch: ClickHouseClient, year?: number): Promise<PlanInForce | undefined> {
  const rs = await ch.query({
    query: `SELECT plan, plan_hash, toString(toUnixTimestamp64Milli(since)) AS since FROM complaints.plan_in_force
            ${year === undefined ? '' : 'WHERE plan_year = {year:UInt16}'} ORDER BY since DESC LIMIT 1`,
    query_params: year === undefined ? {} : { year },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ plan: string; plan_hash: string; since: string }>();
  if (!row) return undefined;
  return { plan: compilePlan(parsePlan(row.plan, 'complaints.plan_in_force')), sinceMs: Number(row.since), hash: row.plan_hash };
}

/**
 * The plan to replay under: the file given, or the one last in force. `warning`, for stderr: a
 * file that is not the plan in force for its year (a correction is a reason to replay, but the
 * monitor must then start with it too, or its live counters and the rebuilt history disagree).
 */
export async function replayPlan(ch: ClickHouseClient, given: CompiledPlan | undefined): Promise<{ plan: CompiledPlan; note: string; warning?: string }> {
  if (!given) {
    const inForce = await planLastInForce(ch);
    if (!inForce) throw new ReplayPlanError('no plan was ever put in force in this store: give the plan to count under with --plan FILE (or PLAN)');
    return { plan: inForce.plan, note: `no --plan: replaying under the plan last in force in this store (year ${inForce.plan.year}, since ${new Date(inForce.sinceMs).toISOString()}, hash ${inForce.hash.slice(0, 12)})` };
  }
  const inForce = await planLastInForce(ch, given.year);
  const hash = planHash(given);
  const note = `replaying under the plan given (year ${given.year}, hash ${hash.slice(0, 12)})`;
  if (!inForce || inForce.hash === hash) return { plan: given, note };
  return {
    plan: given,
    note,
    warning: `the plan given is not the one last in force in this store for ${given.year} (hash ${inForce.hash.slice(0, 12)}, since ${new Date(inForce.sinceMs).toISOString()}): start the monitor with the plan given too, or its live counters and this history will disagree`,
  };
}

export class ReplayPlanError extends Error {}
