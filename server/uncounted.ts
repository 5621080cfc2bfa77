import type { MaskedEvent } from '../pipelines/model.ts';
import type { CompiledPlan } from '../pipelines/plan/index.ts';
import { outsidePlanYear } from './plan-status.ts';

// Events the monitor stores but no counter of the plan takes in full, which an operator must
// hear about: dated outside the plan year (counted by no one), or from a branch the plan does
// not list (counted bank-wide only, never for a branch: a new branch, or a typo in the plan or in
// the ticket system). Since start or the last plan change; branch codes are not personal data.

/** at most this many unknown branch codes are kept (a flood of junk codes must not grow memory) */
export const MAX_UNKNOWN_BRANCHES = 50;

type Log = { warn(obj: object, msg: string): void };

export class UncountedEvents {
  outsidePlanYear = 0;
  unknownBranchEvents = 0;
  private readonly unknownBranches = new Set<string>();

  note(plan: Pick<CompiledPlan, 'year' | 'yearStartMs' | 'yearEndMs' | 'scopesOf'>, events: readonly MaskedEvent[], log: Log): void {
    let outside = 0;
    for (const e of events) {
      if (outsidePlanYear(plan, e.occurredAtMs)) outside++;
      if (plan.scopesOf(e.branch).length > 1) continue; // the branch, its parents, ALL
      this.unknownBranchEvents++;
      if (this.unknownBranches.has(e.branch) || this.unknownBranches.size >= MAX_UNKNOWN_BRANCHES) continue;
      this.unknownBranches.add(e.branch);
      log.warn({ branch: e.branch, planYear: plan.year }, 'events from a branch the plan does not list: counted bank-wide only');
    }
    if (outside === 0) return;
    if (this.outsidePlanYear === 0) log.warn({ planYear: plan.year, events: outside }, 'events dated outside the plan year: stored, not counted');
    this.outsidePlanYear += outside;
  }

  reset(): void {
    this.outsidePlanYear = 0;
    this.unknownBranchEvents = 0;
    this.unknownBranches.clear();
  }

  view(): { outsidePlanYear: number; unknownBranches: { events: number; codes: string[] } } {
    return { outsidePlanYear: this.outsidePlanYear, unknownBranches: { events: this.unknownBranchEvents, codes: [...this.unknownBranches].sort() } };
  }
}
