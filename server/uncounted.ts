import type { ClickHouseClient } from '@clickhouse/client';
import type { MaskedEvent } from '../pipelines/model.ts';
import type { CompiledPlan } from '../pipelines/plan/index.ts';
import { chTime } from '../pipelines/sinks/clickhouse-time.ts';
import { outsidePlanYear } from './plan-status.ts';
import { caseWindowStartMs } from '../pipelines/rules/cases.ts';
import { maskText } from '../pipelines/transforms/mask-text.ts';

// Events the monitor stores but no counter of the plan takes in full, which an operator must
// hear about: dated outside the plan year (counted by no one), or from a branch the plan does
// not list (counted bank-wide only, never for a branch: a new branch, or a typo in the plan or in
// the ticket system). Events outside the plan year since start or the last plan change; those of
// unlisted branches in the plan year, read from the store at start and at a plan change and then
// counted as they come (the wall explains 全行's surplus with them: counted since start only,
// it was gone after every restart while 全行 still held them). Branch codes are not personal data.

/** at most this many unknown branch codes are kept (a flood of junk codes must not grow memory) */
export const MAX_UNKNOWN_BRANCHES = 50;

type Log = { warn(obj: object, msg: string): void };

export class UncountedEvents {
  /**
   * Whether an event dated outside the plan year changed something all the same (the alert
   * engine sets it, reading the counters and the case book after the batch was applied): a
   * correction or classification of a ticket counted in the plan year, an event of a ticket whose
   * case is followed (a January resolution of a December case), a not-agreed first contact of the
   * year before that opens a case. Those are counted, so not "stored, not counted" (audit CM3).
   */
  applied: (e: MaskedEvent) => boolean = () => false;
  /** whether the counters hold a first contact of the plan year for the ticket (the alert engine sets it) */
  countsTicket: (ticketId: string) => boolean = () => true;
  outsidePlanYear = 0;
  /** events of the year before the plan's since start (endedYearEvents) */
  private readonly ended = { planYear: 0, events: 0, tickets: new Set<string>() };
  unknownBranchEvents = 0;
  private readonly unknownBranches = new Set<string>();

  note(plan: Pick<CompiledPlan, 'year' | 'timezone' | 'yearStartMs' | 'yearEndMs' | 'scopesOf'>, events: readonly MaskedEvent[], log: Log): void {
    let outside = 0;
    const ended = new Set<string>();
    let endedEvents = 0;
    for (const e of events) {
      if (this.ofEndedYear(plan, e)) {
        endedEvents++;
        const ticket = maskText(e.ticketId);
        if (ended.size < 10) ended.add(ticket);
        if (this.ended.tickets.size < MAX_ENDED_TICKETS) this.ended.tickets.add(ticket);
      }
      if (outsidePlanYear(plan, e.occurredAtMs)) {
        if (!this.applied(e)) outside++;
        continue; // counted by no one for a branch, unlisted or not
      }
      if (plan.scopesOf(e.branch).length > 1) continue; // the branch, its parents, ALL
      this.unknownBranchEvents++;
      if (this.remember(e.branch)) log.warn({ branch: e.branch, planYear: plan.year }, 'events from a branch the plan does not list: counted bank-wide only');
    }
    if (endedEvents > 0) {
      [this.ended.planYear, this.ended.events] = [plan.year, this.ended.events + endedEvents];
      log.warn({ year: plan.year - 1, events: endedEvents, tickets: [...ended] }, endedYearWords(plan.year));
    }
    if (outside === 0) return;
    if (this.outsidePlanYear === 0) log.warn({ planYear: plan.year, events: outside }, 'events dated outside the plan year: stored, not counted');
    this.outsidePlanYear += outside;
  }

  /**
   * An event of the year before the plan's (the year that ended, once the monitor runs the new
   * plan): dated in it, or a correction of a ticket the plan year does not count (dated in January,
   * it re-types or re-outcomes a ticket of December). No counter holds that year any longer, so its
   * written board (counters_current) and reviews miss it (audit CM2): said in the log and health.
   */
  private ofEndedYear(plan: Pick<CompiledPlan, 'year' | 'timezone' | 'yearStartMs'>, e: MaskedEvent): boolean {
    const from = caseWindowStartMs(plan.year, plan.timezone);
    if (!(e.occurredAtMs >= from)) return false;
    return e.occurredAtMs < plan.yearStartMs || (e.kind === 'corrected' && !this.countsTicket(e.ticketId));
  }

  /** Starts from what the store holds of the plan year from branches the plan does not list. */
  seed(stored: ReadonlyArray<{ branch: string; events: number }>): void {
    for (const { branch, events } of stored) {
      this.unknownBranchEvents += events;
      this.remember(branch);
    }
  }

  /** true when the code is newly kept */
  private remember(branch: string): boolean {
    if (this.unknownBranches.has(branch) || this.unknownBranches.size >= MAX_UNKNOWN_BRANCHES) return false;
    this.unknownBranches.add(branch);
    return true;
  }

  reset(): void {
    this.outsidePlanYear = 0;
    this.ended.events = 0;
    this.ended.tickets.clear();
    this.unknownBranchEvents = 0;
    this.unknownBranches.clear();
  }

  view() {
    const { planYear, events, tickets } = this.ended;
    return {
      outsidePlanYear: this.outsidePlanYear,
      unknownBranches: { events: this.unknownBranchEvents, codes: [...this.unknownBranches].sort() },
      ...(events > 0 ? { endedYear: { year: planYear - 1, events, tickets: [...tickets], note: endedYearWords(planYear) } } : {}),
    };
  }
}

/** masked ticket ids of the ended year's events kept for health (the first ones) */
export const MAX_ENDED_TICKETS = 20;

const endedYearWords = (planYear: number) =>
  `events of ${planYear - 1} arrived while the ${planYear} plan is loaded: stored, and a ${planYear - 1} case opens or closes, but they are not in ${planYear - 1}'s written counters (counters_current) nor its weekly reviews; read ${planYear - 1}'s final board from the events (docs/OPERATIONS.md "New Year")`;

/** The plan year's stored events from branches the plan does not list, per branch code. */
export async function storedUnknownBranches(client: ClickHouseClient, plan: Pick<CompiledPlan, 'yearStartMs' | 'yearEndMs' | 'scopes'>): Promise<Array<{ branch: string; events: number }>> {
  const rs = await client.query({
    query: `SELECT branch, toString(uniqExact(event_id)) AS events FROM complaints.ticket_events
            WHERE occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')} AND branch NOT IN {listed:Array(String)}
            GROUP BY branch ORDER BY branch LIMIT {most:UInt32}`,
    query_params: { from: chTime(plan.yearStartMs), to: chTime(plan.yearEndMs), listed: [...plan.scopes], most: 10_000 },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ branch: string; events: string }>()).map((r) => ({ branch: r.branch, events: Number(r.events) }));
}
