import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadPlanFile } from '../pipelines/plan/index.ts';
import { ENDING_NOTICE_MS, outsidePlanYear, planStatus } from './plan-status.ts';

const plan = loadPlanFile(join(import.meta.dirname, '../tests/fixtures/plan-2025.yaml'));
const at = (iso: string) => Date.parse(iso);

describe('plan status - the plan year against the clock', () => {
  it('is current through the year, and asks for the next plan three weeks before its end', () => {
    expect(planStatus(plan, at('2025-06-01T12:00:00+08:00'))).toEqual({ state: 'current' });
    expect(planStatus(plan, plan.yearEndMs - ENDING_NOTICE_MS - 1).state).toBe('current');
    const ending = planStatus(plan, at('2025-12-20T09:00:00+08:00'));
    expect(ending.state).toBe('ending');
    expect(ending.warning).toBe("plan year 2025 ends in 12 days: build the plan for 2026 (npm run plan -- build) and, from 1 January, restart the monitor with PLAN set to that year's plan file");
    expect(planStatus(plan, plan.yearEndMs - 1).warning).toMatch(/ends in 1 day:/);
  });

  it('has ended from midnight of 1 January in the plan\'s time zone, and says what is not counted', () => {
    const ended = planStatus(plan, at('2026-01-01T00:00:00+08:00'));
    expect(ended.state).toBe('ended');
    expect(ended.warning).toBe("plan year 2025 ended on 2025-12-31: events dated after it are stored but not counted until a plan for the year they fall in is loaded (restart the monitor with PLAN set to that year's plan file)");
    expect(planStatus(plan, at('2025-12-31T23:59:59+08:00')).state).toBe('ending'); // 16:00 UTC is still 2025 in Shanghai
  });

  it('has not started before its first day', () => {
    expect(planStatus(plan, at('2024-12-31T23:00:00+08:00'))).toEqual({ state: 'not_started', warning: 'plan year 2025 starts on 2025-01-01: until then no event is counted' });
  });

  it('tells the events no plan year counts', () => {
    expect(outsidePlanYear(plan, at('2025-01-01T00:00:00+08:00'))).toBe(false);
    expect(outsidePlanYear(plan, at('2024-12-31T23:59:59.999+08:00'))).toBe(true);
    expect(outsidePlanYear(plan, at('2025-12-31T23:59:59.999+08:00'))).toBe(false);
    expect(outsidePlanYear(plan, at('2026-01-01T00:00:00+08:00'))).toBe(true);
  });
});
