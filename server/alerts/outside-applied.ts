import type { MaskedEvent } from '../../pipelines/model.ts';
import type { CompiledPlan } from '../../pipelines/plan/index.ts';
import { caseWindowStartMs } from '../../pipelines/rules/cases.ts';
import { UNCLASSIFIED } from '../../pipelines/transforms/classify.ts';

// Which events dated outside the plan year still changed what the monitor shows (audit CM3):
// `events.outsidePlanYear` is to count only those that changed nothing ("stored, not counted").
// Read after the batch was applied to the counters and the case book.

export interface OutsideFacts {
  /** the counters hold a first contact of the plan year for this ticket (CounterIndex.countsTicket) */
  countsTicket(ticketId: string): boolean;
  /** the alert engine follows a case of this ticket */
  hasCase(ticketId: string): boolean;
  /** the types strict for the year before's cases: its plan's (carried-year.ts), not the loaded plan's */
  strictTypes: ReadonlySet<string>;
}

export function appliedOutside(e: MaskedEvent, plan: Pick<CompiledPlan, 'year' | 'timezone' | 'yearStartMs'>, facts: OutsideFacts): boolean {
  // corrections and classifications of any date re-type, move or re-outcome the year's tickets
  const classifies = e.reportedType === UNCLASSIFIED && e.kind !== 'corrected' && e.classification !== undefined && e.classification.type !== UNCLASSIFIED;
  if ((e.kind === 'corrected' || classifies) && facts.countsTicket(e.ticketId)) return true;
  // a resolution, re-opening, escalation or correction of a followed case (a January close of a December case)
  if (facts.hasCase(e.ticketId)) return true;
  // a strict not-agreed first contact of the year before opens its case (its ticket's stored events are read first)
  return e.kind === 'first_contact' && e.outcome === 'not_agreed' && facts.strictTypes.has(e.complaintType)
    && e.occurredAtMs >= caseWindowStartMs(plan.year, plan.timezone) && e.occurredAtMs < plan.yearStartMs;
}
