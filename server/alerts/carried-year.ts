import type { ClickHouseClient } from '@clickhouse/client';
import type { MaskedEvent } from '../../pipelines/model.ts';
import type { CompiledPlan } from '../../pipelines/plan/index.ts';
import { caseWindowStartMs } from '../../pipelines/rules/cases.ts';
import type { AlertRecord } from '../../pipelines/rules/index.ts';
import type { Logger } from '../monitor-types.ts';
import { loadTicketEvents } from './store.ts';
import { namesOfStoredPlan, rememberYearNames } from './year-before-names.ts';

// The cases carried from the year before the plan's (audit CM1) are that year's cases: which
// types are strict for them is the year before's plan's word, not the loaded one's (audit CQ1: a
// type strict in 2025 and relative in 2026 had its open 2025 cases withdrawn at the first start
// on the 2026 plan, announced `withdrawn` and written under 2025 as if they never were). The
// year before's plan is the last one stored in force for it (plan_in_force, sql/028); a store
// without one (a year run before 028) falls back to the loaded plan. Either way the type of a
// carried case still open as stored counts as strict: it was a case under that year's plan.

type Plan = Pick<CompiledPlan, 'year' | 'timezone' | 'yearStartMs'>;

/** The last plan stored in force for `year`, parsed, or undefined when none is stored (or it cannot be read). */
async function storedPlan(ch: ClickHouseClient, year: number): Promise<{ types?: Array<{ code: string; mode?: string }> } | undefined> {
  const rs = await ch.query({
    query: 'SELECT argMax(plan, since) AS plan, count() AS n FROM complaints.plan_in_force WHERE plan_year = {year:UInt16}',
    query_params: { year },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ plan: string; n: string }>();
  if (!row || Number(row.n) === 0) return undefined;
  try {
    return JSON.parse(row.plan) as { types?: Array<{ code: string; mode?: string }> };
  } catch {
    return undefined;
  }
}

/** the codes of a plan's strict types */
export const strictOf = (plan: { types?: Array<{ code: string; mode?: string }> }) =>
  new Set((plan.types ?? []).filter((t) => t.mode === 'strict').map((t) => t.code));

/** The strict types of the last plan stored in force for `year`, or undefined when none is stored (or it cannot be read). */
export async function storedStrictTypes(ch: ClickHouseClient, year: number): Promise<Set<string> | undefined> {
  const plan = await storedPlan(ch, year);
  return plan ? strictOf(plan) : undefined;
}

const carriedOpen = (r: AlertRecord, plan: Plan) => r.kind === 'case' && r.status !== 'resolved' && r.openedAtMs < plan.yearStartMs;

/** The types strict for the cases of the year before: its stored plan's (else the loaded plan's), and those of its cases still open. */
export function carriedStrict(stored: ReadonlySet<string> | undefined, loaded: ReadonlySet<string>, records: Iterable<AlertRecord>, plan: Plan): Set<string> {
  const out = new Set(stored ?? loaded);
  for (const r of records) if (carriedOpen(r, plan)) out.add(r.complaintType);
  return out;
}

/** the year-before sets loadCarried judged by the loaded plan (no plan stored in force for that year) */
const byLoadedPlan = new WeakSet<Set<string>>();

/**
 * A runtime plan change, for a year before judged by the loaded plan (a monitor's first year):
 * its strict types follow the new plan as a start on it would take them (audit CT2: a type made
 * strict by PUT /api/plan opened no case of the year before's tickets until a restart opened them,
 * unannounced by any change). Changed in place: the engine's readers hold this set. A year before
 * with a plan stored in force keeps that plan's word. Returns whether the set changed.
 */
export function followPlanChange(strict: Set<string>, loaded: ReadonlySet<string>, records: Iterable<AlertRecord>, plan: Plan): boolean {
  if (!byLoadedPlan.has(strict)) return false;
  const next = carriedStrict(undefined, loaded, records, plan);
  if (next.size === strict.size && [...next].every((t) => strict.has(t))) return false;
  strict.clear();
  for (const t of next) strict.add(t);
  return true;
}

/**
 * Whether a pushed event may bear on a case of the year before of a type the loaded plan does not
 * hold strict (the case book keeps it, change-routing.ts): one of a type strict then, dated in that
 * year (a late 30 December first contact), or a correction of such a type, whatever its date.
 */
export function carriedEvent(strictBefore: ReadonlySet<string>, plan: Plan): (e: Pick<MaskedEvent, 'kind' | 'complaintType' | 'occurredAtMs'>) => boolean {
  const from = caseWindowStartMs(plan.year, plan.timezone);
  return (e) => strictBefore.has(e.complaintType) && (e.kind === 'corrected' || (e.occurredAtMs >= from && e.occurredAtMs < plan.yearStartMs));
}

/**
 * At a start: the types strict for the year before's cases, and the stored events of the tickets
 * that may be its cases of types the loaded plan does not hold strict (loadCaseEvents reads those
 * of the loaded plan's strict types). Logs which plan judges them.
 */
export async function loadCarried(ch: ClickHouseClient, plan: Plan, loaded: ReadonlySet<string>, records: readonly AlertRecord[], log: Pick<Logger, 'info'>): Promise<{ strict: Set<string>; events: MaskedEvent[] }> {
  const before = await storedPlan(ch, plan.year - 1);
  const stored = before ? strictOf(before) : undefined;
  // the names of its types and branches, for the notices of its cases the loaded plan has no name for
  rememberYearNames(plan.year - 1, before ? namesOfStoredPlan(before) : undefined);
  const strict = carriedStrict(stored, loaded, records, plan);
  if (!stored) byLoadedPlan.add(strict);
  log.info({ year: plan.year - 1, strictTypes: [...strict], judgedBy: stored ? 'its stored plan' : 'the loaded plan' }, `cases of ${plan.year - 1} followed by its own plan's strict types`);
  const types = [...strict].filter((t) => !loaded.has(t));
  if (types.length === 0) return { strict, events: [] };
  const rs = await ch.query({
    query: `SELECT DISTINCT ticket_id FROM complaints.ticket_events
            WHERE complaint_type IN {types:Array(String)}
              AND (kind = 'corrected' OR (toUnixTimestamp64Milli(occurred_at) >= {from:Int64} AND toUnixTimestamp64Milli(occurred_at) < {to:Int64}))`,
    query_params: { types, from: caseWindowStartMs(plan.year, plan.timezone), to: plan.yearStartMs },
    format: 'JSONCompactEachRow',
  });
  const tickets = new Set((await rs.json<[string]>()).map(([t]) => t));
  for (const r of records) if (carriedOpen(r, plan) && r.ticketId !== undefined) tickets.add(r.ticketId);
  return { strict, events: await loadTicketEvents(ch, [...tickets]) };
}
