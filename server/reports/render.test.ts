import { describe, expect, it } from 'vitest';
import { reviewHtml } from './render.ts';
import type { WeeklyReview } from './weekly.ts';

// The weekly review's words follow the alerts' (docs/ALERTS.md): 升级 is not used. The complaint's
// own ladder (case meeting, mediation, management) is a ticket submitted to it; an alert's
// `escalated` line is the on-call ladder calling the next level, or a person doing it by hand.

const review: WeeklyReview = {
  year: 2025, planHash: 'h', week: 3, weeks: 53, from: '2025-01-13', to: '2025-01-19', rows: [], drivers: [], cases: [],
  escalations: [{ complaintType: 'insurance', escalation: 'mediation', n: 2 }],
  alerts: [{ complaintType: 'insurance', what: 'escalated', n: 3 }],
};

describe('weekly review - words', () => {
  it('never says 升级: the complaint ladder is 工单提交, the on-call one 呼叫值班', () => {
    const html = reviewHtml(review, '2025-01-20T09:00:00+08:00');
    expect(html).not.toContain('升级');
    expect(html).toContain('<h2>工单提交（案件会商、三方调解、管理层）</h2>');
    expect(html).toMatch(/超时或手动呼叫值班 3/);
    expect(reviewHtml({ ...review, escalations: [] }, '2025-01-20T09:00:00+08:00')).toContain('本周无工单提交');
  });
});
