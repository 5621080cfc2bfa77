import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '../pipelines/plan/index.ts';
import { CounterIndex } from '../pipelines/transforms/index.ts';
import { headlineView } from './views.ts';
import { rememberYearNames } from './alerts/year-before-names.ts';

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
    expect(h.alerts.carriedNames).toEqual({ types: {}, branches: {} });
  });

  // verify CR1/CR2: the wall has the loaded plan's names only; a case carried from the year before
  // of a type or branch that plan dropped is named by the year before's stored plan
  it('names the types and branches of open cases the loaded plan lacks, by the year before\'s plan', () => {
    const plan = loadPlanFile('tests/fixtures/plan-2025.yaml');
    const at = plan.yearStartMs + 86_400_000;
    const open = (complaintType: string, scope: string, status = 'open') => ({ kind: 'case', complaintType, scope, level: 'watch', status, openedAtMs: plan.yearStartMs - 86_400_000 });
    const alerts = [open('wealth_mgmt', 'SH'), open('insurance_dispute', 'HZ'), open('gone', 'XX', 'resolved'), open('unnamed', 'SH')];
    rememberYearNames(2024, { types: new Map([['wealth_mgmt', '理财产品'], ['gone', '已无'], ['insurance_dispute', '旧名']]), branches: new Map([['HZ', '杭州分行'], ['XX', '某行']]) });
    try {
      const h = headlineView(plan, new CounterIndex(plan), at, alerts);
      expect(h.alerts.openCasesByType).toEqual({ wealth_mgmt: 1, insurance_dispute: 1, unnamed: 1 });
      expect(h.alerts.carriedNames).toEqual({ types: { wealth_mgmt: '理财产品' }, branches: { HZ: '杭州分行' } });
    } finally {
      rememberYearNames(2024, undefined);
    }
  });
});
