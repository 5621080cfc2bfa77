import type { CompiledPlan } from '../pipelines/plan/index.ts';
import { toZonedIso } from './time.ts';

// A plan covers one calendar year. Events dated outside it are stored but counted by no one, so
// a monitor still on last year's plan after New Year shows a board frozen at 31 December while
// the new year's not-agreed customers go uncounted. Health, metrics, the log and the wall-board
// say so, and say it three weeks ahead, while there is time to build and load the next plan.

export type PlanState = 'not_started' | 'current' | 'ending' | 'ended';

export interface PlanStatus {
  state: PlanState;
  /** what an operator should do; absent while the plan is current */
  warning?: string;
}

/** How long before the year's end the monitor starts asking for the next plan. */
export const ENDING_NOTICE_MS = 21 * 86_400_000;

export function planStatus(plan: Pick<CompiledPlan, 'year' | 'timezone' | 'yearStartMs' | 'yearEndMs'>, nowMs: number): PlanStatus {
  const next = plan.year + 1;
  // PUT /api/plan changes a plan within its year; another year is a restart (the alert book,
  // the reviews and the counter history are kept per year)
  const load = 'restart the monitor with PLAN set to that year\'s plan file';
  if (nowMs >= plan.yearEndMs) {
    const lastDay = toZonedIso(plan.yearEndMs - 1, plan.timezone).slice(0, 10);
    return {
      state: 'ended',
      warning: `plan year ${plan.year} ended on ${lastDay}: events dated after it are stored but not counted until a plan for the year they fall in is loaded (${load})`,
    };
  }
  if (nowMs < plan.yearStartMs) {
    const firstDay = toZonedIso(plan.yearStartMs, plan.timezone).slice(0, 10);
    return { state: 'not_started', warning: `plan year ${plan.year} starts on ${firstDay}: until then no event is counted` };
  }
  if (plan.yearEndMs - nowMs <= ENDING_NOTICE_MS) {
    const days = Math.ceil((plan.yearEndMs - nowMs) / 86_400_000);
    return {
      state: 'ending',
      warning: `plan year ${plan.year} ends in ${days} day${days === 1 ? '' : 's'}: build the plan for ${next} (npm run plan -- build) and, from 1 January, ${load}`,
    };
  }
  return { state: 'current' };
}

/** Whether an event's time falls outside the plan year (stored, not counted). */
export function outsidePlanYear(plan: Pick<CompiledPlan, 'yearStartMs' | 'yearEndMs'>, occurredAtMs: number): boolean {
  return occurredAtMs < plan.yearStartMs || occurredAtMs >= plan.yearEndMs;
}
