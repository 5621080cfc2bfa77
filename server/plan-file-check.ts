import type { ClickHouseClient } from '@clickhouse/client';
import { statSync } from 'node:fs';
import type { CompiledPlan } from '../pipelines/plan/index.ts';
import { SAMPLE_PLAN } from './plan-source.ts';
import { planHash, recordPlanInForce } from './plan-in-force.ts';
import { planStatus } from './plan-status.ts';
import { toZonedIso } from './time.ts';

// A plan changed with PUT /api/plan lasts until the next restart: a start loads the PLAN file
// again (under docker-compose a read-only mount, and restarts come by themselves), and the
// allowance the change raised, with the alerts it closed, comes back without a word. At start the
// monitor compares the file with the year's last runtime change (complaints.plan_changes) and
// says so, in the log and in /api/health `planFileWarning`, when the file set the change aside.

export { planHash, planJson } from './plan-in-force.ts';

export interface RuntimePlanChange {
  atMs: number;
  by: string;
  /** planHash of the plan it put in force */
  newHash: string;
}

export interface LoadedPlanFile {
  path: string;
  hash: string;
  /** when the file was last written; unknown: compared by hash only */
  modifiedMs?: number;
  year: number;
  timezone: string;
}

/**
 * The warning when the loaded file is not the plan of the year's last runtime change and the file
 * is older than that change. A file written after the change was written knowing it: the
 * operator's choice, no warning (and so `touch PLAN` confirms a file's plan on purpose).
 */
export function setAsidePlanChange(last: RuntimePlanChange | undefined, file: LoadedPlanFile): string | undefined {
  if (!last || last.newHash === file.hash) return undefined;
  if (file.modifiedMs !== undefined && file.modifiedMs > last.atMs) return undefined;
  return (
    `the ${file.year} plan was changed at runtime (PUT /api/plan) on ${toZonedIso(last.atMs, file.timezone)} by ${last.by}, ` +
    `but this start loaded the PLAN file ${file.path} instead, which is another plan and older than that change: the change is no longer in force. ` +
    'To keep the change, write it into the PLAN file (GET /api/plan/changes shows it) and restart; ' +
    'to keep the file\'s plan, touch the file (the warning goes at the next start)'
  );
}

/** The year's last runtime change, read from the store. */
export async function lastRuntimePlanChange(clickhouse: ClickHouseClient, year: number): Promise<RuntimePlanChange | undefined> {
  const rs = await clickhouse.query({
    query: `SELECT toString(toUnixTimestamp64Milli(changed_at)) AS at, changed_by, new_hash FROM complaints.plan_changes
            WHERE plan_year = {year:UInt16} ORDER BY changed_at DESC LIMIT 1`,
    query_params: { year },
    format: 'JSONEachRow',
  });
  const row = (await rs.json<{ at: string; changed_by: string; new_hash: string }>())[0];
  return row && { atMs: Number(row.at), by: row.changed_by, newHash: row.new_hash };
}

/**
 * At start, each logged once as one JSON line: the plan year's status (plan-status.ts), and
 * whether the PLAN file set a runtime change aside, returned for /api/health. The plan loaded is
 * recorded as the one in force (plan-in-force.ts), read before so the warning sees the last change.
 */
export async function checkPlanAtStart(
  clickhouse: ClickHouseClient,
  plan: CompiledPlan,
  planPath: string | undefined,
  nowMs: number,
  log: { warn(fields: object, msg: string): void },
): Promise<string | undefined> {
  const { warning: yearWarning } = planStatus(plan, nowMs);
  if (yearWarning) log.warn({ planYear: plan.year }, yearWarning);
  const last = await lastRuntimePlanChange(clickhouse, plan.year);
  const path = planPath ?? SAMPLE_PLAN;
  let modifiedMs: number | undefined;
  try {
    modifiedMs = statSync(path).mtimeMs;
  } catch {
    // read a moment ago; gone now: compared by hash only
  }
  const warning = setAsidePlanChange(last, { path, hash: planHash(plan), modifiedMs, year: plan.year, timezone: plan.timezone });
  if (warning && last) log.warn({ planYear: plan.year, runtimeChangeAt: toZonedIso(last.atMs, plan.timezone), planFile: path }, warning);
  await recordPlanInForce(clickhouse, plan, nowMs, 'start');
  return warning;
}
