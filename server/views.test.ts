import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '../pipelines/plan/index.ts';
import { CounterIndex } from '../pipelines/transforms/index.ts';
import { headlineView } from './views.ts';

// The headline tiles' alert figures, as a screens audit found them: the cases tile said "N 未确认"
// of alerts some of which were acknowledged, the level distribution counted cases' urgency as
// allowance levels, and panels counted cases from the ticker's latest 50 only.

describe('views - the headline', () => {
  it('counts unacknowledged alerts apart, level alerts by level, and open cases per type (all of them)', () => {
    const plan = loadPlanFile('tests/fixtures/plan-2025.yaml');
    const at = plan.yearStartMs + 86_400_000;
    const cases = Array.from({ length: 60 }, (_, i) => ({ kind: 'case', complaintType: 'insurance_dispute', level: i < 10 ? 'critical' : 'watch', status: i < 5 ? 'acknowledged' : 'open', openedAtMs: at }));
    const levels = [
      { kind: 'level', complaintType: 'mortgage_prepayment', level: 'breach', status: 'acknowledged', openedAtMs: at },
      { kind: 'level', complaintType: 'auto_installment', level: 'critical', status: 'open', openedAtMs: at },
      { kind: 'level', complaintType: 'auto_installment', level: 'watch', status: 'resolved', openedAtMs: at },
    ];
    const h = headlineView(plan, new CounterIndex(plan), at + 1000, [...cases, ...levels]);
    expect(h.alerts).toMatchObject({
      open: 62,
      unacknowledged: 56,
      openCases: 60,
      unacknowledgedCases: 55, // the cases tile's "N 未确认" is a part of its 60 (audit I: it said 56 of level alerts too)
      openCasesByType: { insurance_dispute: 60 },
      byLevel: { critical: 1, breach: 1, watch: 0 },
    });
    expect(h.watch).toBe(0.8);
  });
});
