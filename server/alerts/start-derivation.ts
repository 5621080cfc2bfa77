import {
  deriveCaseAlerts,
  deriveLevelAlerts,
  reconcile,
  type AlertRecord,
  type AlertRulesConfig,
  type Cause,
  type DerivedAlert,
  type Key,
  type Step,
  type TicketBook,
} from '../../pipelines/rules/index.ts';
import type { MaskedEvent } from '../../pipelines/model.ts';
import type { CompiledPlan } from '../../pipelines/plan/index.ts';
import type { CounterIndex } from '../../pipelines/transforms/index.ts';
import { keyOf, type AlertIndex } from './record-index.ts';
import { TurnBudget } from './turn-budget.ts';

// The derivation of the whole year, in slices, at the start and at a runtime plan change
// (rederivation.ts). In one go it held the event loop for 25–55 s over a 3 M-event year (107k
// alerts, audit CO1): the port answered nothing and the counting lease (15 s) ran out. Here the
// same work yields to the event loop every few tens of ms.
//
// The result is the one-go derivation's, step for step and in the same order: every rule reads
// the instant, plan, counters and book captured once; a derived alert's merge reads only its own
// record, so merging and committing slice by slice (each slice in one turn) sees what the one
// go saw; and the withdrawals come last, over the records the one go would have offered.

/** The stored events of the strict tickets into the book (event by event, so slices change nothing). */
export async function applyInTurns(book: TicketBook, events: readonly MaskedEvent[], budget = new TurnBudget(25)): Promise<void> {
  for (let from = 0; from < events.length; from += 4_096) {
    book.apply(events.slice(from, from + 4_096));
    await budget.spent();
  }
}

export interface YearDerivation {
  plan: CompiledPlan;
  index: CounterIndex;
  book: TicketBook;
  cfg: AlertRulesConfig;
  keys: readonly Key[];
  tickets: Iterable<string>;
  nowMs: number;
  cause: Cause;
  /** the year before's strict types, by its plan (carried-year.ts) */
  strictBefore?: ReadonlySet<string>;
}

/** How many keys, tickets or alerts between two looks at the budget (each well under a few ms). */
const KEYS_A_SLICE = 4;
const TICKETS_A_SLICE = 256;
const ALERTS_A_SLICE = 16;

function* slices<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let chunk: T[] = [];
  for (const x of items) {
    chunk.push(x);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * The same derivation in one go, for a few keys and tickets (a batch's, the clock's): the steps
 * (not yet applied), and the cases' coverage and due times. Only what was re-derived may be
 * withdrawn: the keys and tickets asked for.
 */
export function deriveAtOnce(d: YearDerivation, alerts: AlertIndex): { steps: Step[]; covered: Set<string>; dueAtMs: Map<string, number> } {
  const { plan, index, book, cfg, keys, nowMs, cause } = d;
  const keySet = new Set(keys.map((k) => keyOf(k.complaintType, k.scope)));
  const levels = deriveLevelAlerts(plan, index, keys, nowMs, cfg);
  const cases = deriveCaseAlerts(plan, book, d.tickets, nowMs, cfg, d.strictBefore);
  const isCovered = (r: AlertRecord) =>
    r.kind === 'level'
      ? keySet.has(keyOf(r.complaintType, r.scope))
      : r.kind === 'case' && r.ticketId !== undefined && cases.covered.has(r.ticketId);
  const candidates = alerts.recordsOf(keySet, cases.covered);
  const steps = reconcile(alerts.records, [...levels, ...cases.alerts], isCovered, nowMs, cause, cfg, candidates);
  return { steps, covered: cases.covered, dueAtMs: cases.dueAtMs };
}

/**
 * Derives the keys and tickets asked for and commits what changed, slice by slice; `commit`
 * must apply its steps to `alerts` at once (the engine's commit does). Resolves with the cases'
 * coverage and due times (for CasesDue), or undefined when `stopped` said so between slices.
 */
export async function deriveYearInSlices(
  d: YearDerivation,
  alerts: AlertIndex,
  commit: (steps: Step[]) => void,
  opts: { budgetMs?: number; stopped?: () => boolean } = {},
): Promise<{ covered: Set<string>; dueAtMs: Map<string, number> } | undefined> {
  const { plan, index, book, cfg, nowMs, cause } = d;
  const budget = new TurnBudget(opts.budgetMs ?? 25);
  const stopped = opts.stopped ?? (() => false);
  const derived: DerivedAlert[] = [];
  for (const keys of slices(d.keys, KEYS_A_SLICE)) {
    for (const a of deriveLevelAlerts(plan, index, keys, nowMs, cfg)) derived.push(a);
    await budget.spent();
    if (stopped()) return undefined;
  }
  const covered = new Set<string>();
  const dueAtMs = new Map<string, number>();
  for (const tickets of slices(d.tickets, TICKETS_A_SLICE)) {
    const cases = deriveCaseAlerts(plan, book, tickets, nowMs, cfg, d.strictBefore);
    for (const a of cases.alerts) derived.push(a);
    for (const t of cases.covered) covered.add(t);
    for (const [t, at] of cases.dueAtMs) dueAtMs.set(t, at);
    await budget.spent();
    if (stopped()) return undefined;
  }
  // merges: what derives now, folded into its own record (nothing to withdraw yet)
  for (const slice of slices(derived, ALERTS_A_SLICE)) {
    commit(reconcile(alerts.records, slice, () => false, nowMs, cause, cfg, []));
    await budget.spent();
    if (stopped()) return undefined;
  }
  // withdrawals: the records of the keys and tickets asked for that derive no more
  const seen = new Set(derived.map((a) => a.id));
  const keySet = new Set(d.keys.map((k) => keyOf(k.complaintType, k.scope)));
  const isCovered = (r: AlertRecord) =>
    r.kind === 'level'
      ? keySet.has(keyOf(r.complaintType, r.scope))
      : r.kind === 'case' && r.ticketId !== undefined && covered.has(r.ticketId);
  let offered: AlertRecord[] = [];
  let looked = 0;
  for (const r of alerts.eachRecordOf(keySet, covered)) {
    if (!seen.has(r.id)) offered.push(r);
    if (offered.length < ALERTS_A_SLICE && ++looked % TICKETS_A_SLICE !== 0) continue;
    commit(reconcile(alerts.records, [], isCovered, nowMs, cause, cfg, offered));
    offered = [];
    await budget.spent();
    if (stopped()) return undefined;
  }
  commit(reconcile(alerts.records, [], isCovered, nowMs, cause, cfg, offered));
  return { covered, dueAtMs };
}
