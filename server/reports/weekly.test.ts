import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { CounterIndex } from '../../pipelines/transforms/index.ts';
import { masked } from '../../pipelines/transforms/test-plan.ts';
import { lastInstantBefore } from '../../pipelines/plan/index.ts';
import { loadPlan } from '../plan-source.ts';
import { ROOT } from '../../tests/helpers/monitor-process.ts';
import { weeklyReview, type WeekFacts } from './weekly.ts';

// The review's figures against the counters at the week's edges. Event times are finer than a
// millisecond (the counters keep them so), so "the week before" ends at lastInstantBefore(start).

const plan = loadPlan(join(ROOT, 'tests/fixtures/plan-2025.yaml'), Date.parse('2025-06-01T00:00:00Z'));
const NO_FACTS: WeekFacts = { cases: [], escalations: [], alerts: [] };
const row = (r: ReturnType<typeof weeklyReview>, scope = 'ALL') => r.rows.find((x) => x.complaintType === 'mortgage_prepayment' && x.scope === scope)!;

describe('weekly review', () => {
  it('a first contact in the last fraction of a millisecond of a week counts in that week only (audit CU1)', () => {
    const w10 = plan.weeks[9]!;
    const index = new CounterIndex(plan);
    const late = { ...masked({ id: 'e1', branch: 'SH', outcome: 'not_agreed' }), occurredAtMs: lastInstantBefore(w10.endMs) };
    index.apply([late]);
    const ten = weeklyReview(plan, index, 10, NO_FACTS);
    const eleven = weeklyReview(plan, index, 11, NO_FACTS);
    expect([row(ten).weekNotAgreed, row(ten).cumulativeNotAgreed]).toEqual([1, 1]);
    expect([row(eleven).weekNotAgreed, row(eleven).cumulativeNotAgreed]).toEqual([0, 1]);
    expect(row(eleven, 'SH').weekNotAgreed).toBe(0);
  });

  it('the week in progress is read as of the instant asked, as the board reads it (audit CU2)', () => {
    const w = plan.weeks[20]!;
    const index = new CounterIndex(plan);
    const at = (ms: number, id: string) => ({ ...masked({ id, customer: id, branch: 'GZ', outcome: 'not_agreed' }), occurredAtMs: ms });
    index.apply([at(w.startMs + 3_600_000, 'a'), at(w.startMs + 3 * 86_400_000, 'b')]);
    const asOf = w.startMs + 86_400_000;
    const partial = row(weeklyReview(plan, index, 21, NO_FACTS, asOf));
    expect([partial.weekNotAgreed, partial.cumulativeNotAgreed]).toEqual([1, index.count('mortgage_prepayment', 'ALL', asOf).unresolved]);
    expect(partial.allowanceToDate).toBe(plan.allowanceToDate('mortgage_prepayment', 'ALL', asOf));
    expect(weeklyReview(plan, index, 21, NO_FACTS, asOf).asOf).toBe('2025-05-20T00:00:00.000+08:00');
    const whole = weeklyReview(plan, index, 21, NO_FACTS);
    expect([row(whole).weekNotAgreed, whole.asOf, whole.to]).toEqual([2, undefined, '2025-05-25']);
  });
});
