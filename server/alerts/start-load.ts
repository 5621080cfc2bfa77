import type { ClickHouseClient } from '@clickhouse/client';
import type { AlertRecord, AlertRulesConfig, TicketBook } from '../../pipelines/rules/index.ts';
import { withPlanRoster } from '../../pipelines/rules/ladder-roster.ts';
import type { CompiledPlan } from '../../pipelines/plan/index.ts';
import type { Logger } from '../monitor.ts';
import { loadCarried } from './carried-year.ts';
import type { AlertIndex } from './record-index.ts';
import { applyInTurns } from './start-derivation.ts';
import { loadCaseEvents, loadRecords, type LogRow } from './store.ts';

/**
 * What the alert engine reads back at its start, before it derives anything: the plan year's
 * stored alerts (snapshots name who was on call under the plan of their day; the plan in force
 * names them now), the strict tickets' events, and the year before's cases with their events
 * (carried-year.ts), into the engine's index and book, in turns (audit CO1). Resolves with the
 * year before's strict types, by its plan.
 */
export async function loadAtStart(s: {
  clickhouse: ClickHouseClient;
  plan: CompiledPlan;
  /** an earlier run's alert log rows kept on disk */
  kept: LogRow[];
  onCall: AlertRulesConfig['onCall'];
  strictAtPlan: Set<string>;
  alerts: AlertIndex;
  book: TicketBook;
  log: Logger;
}): Promise<Set<string>> {
  for (const r of await loadRecords(s.clickhouse, s.plan.year, s.kept, s.log)) s.alerts.remember(withPlanRoster(r, s.onCall));
  await applyInTurns(s.book, await loadCaseEvents(s.clickhouse, [...s.strictAtPlan]));
  const records: AlertRecord[] = [...s.alerts.records.values()];
  const carried = await loadCarried(s.clickhouse, s.plan, s.strictAtPlan, records, s.log);
  await applyInTurns(s.book, carried.events);
  return carried.strict;
}
