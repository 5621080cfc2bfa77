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
    expect(html).toContain('<h2>工单提交（案例会、三方调解、管理层）</h2>');
    expect(html).toMatch(/超时或手动呼叫值班 3/);
    expect(reviewHtml({ ...review, escalations: [] }, '2025-01-20T09:00:00+08:00')).toContain('本周无工单提交');
  });

  // Audit CL1: the 预警与通知 section printed most kinds as engine codes (amended 2, case-escalated 1,
  // stale 1) and called the 消保提示书 "发出通知" while 90 gateway notices went out; CL6: its heading
  // said 案件会商 where every other surface says 案例会
  it('says every kind of change in the notices\' words, the 消保提示书 as such', () => {
    const kinds = ['opened', 'raised', 'acknowledged', 'escalated', 'note', 'notice', 'assign', 'resolved', 'reopened', 'withdrawn', 'amended',
      'stale', 'overdue', 'case-escalated', 'closed', 'recovering', 'corrected', 'ticket-reopened'];
    const html = reviewHtml({ ...review, alerts: kinds.map((what, i) => ({ complaintType: 'insurance', what, n: i + 1 })) }, '2025-01-20T09:00:00+08:00');
    const section = /<h2>预警与通知<\/h2><ul>(.*)<\/ul>/.exec(html)![1]!;
    const items = [...section.matchAll(/<li>insurance：(.*?) (\d+)<\/li>/g)].map((m) => m[1]);
    expect(items).toEqual(['新预警', '级别上升', '已确认', '超时或手动呼叫值班', '备注', '已发消保提示书', '已指派', '已解除', '重新打开', '已撤销', '数据更新',
      '长时间无进展', '超过办理期限', '工单提交', '已办结', '回落中', '工单已更正', '工单重开']);
    expect(items.join()).not.toMatch(/[a-z]|发出通知|升级|上报/);
    expect(html).not.toContain('案件会商');
  });
});
