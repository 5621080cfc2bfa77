import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { applyAction, escalationDue, mergeDerived, resolveAlertConfig, withdraw, type AlertRecord, type DerivedAlert } from '../../pipelines/rules/index.ts';
import { gatewayNotice } from './gateway-notice.ts';
import { alertView } from './view.ts';

// Audit CH4: every ladder step and every acknowledgement went out titled 【消保预警·新案】…: a gateway
// that sends the title alone ("or `title` where only a line fits", docs/ALERTS.md) told level 2
// and 3 of a case nobody had acknowledged that it was a new case. The lines are the rules' own.

const plan = loadPlanFile(join(import.meta.dirname, '../../tests/fixtures/plan-2025.yaml'));
const tz = plan.timezone;
const cfg = resolveAlertConfig({
  onCall: { levels: [{ notify: ['值班主管'], afterMinutes: 15 }, { notify: ['消保部负责人'], afterMinutes: 30 }, { notify: ['总值班', 'role:admin'], afterMinutes: 30 }], repeat: 1 },
});
const T = Date.parse('2025-03-04T02:30:00+08:00');
const CASE = 'case.T-CH-A';
const SUBJECT = '代理保险争议 · 海淀支行 · 工单 T-CH-A';

const openCase = (): AlertRecord => {
  const d: DerivedAlert = {
    id: CASE, kind: 'case', complaintType: 'insurance_dispute', scope: 'BJ-HD', level: 'watch', openedAtMs: T, ticketId: 'T-CH-A', urgency: 'new',
    history: [{ id: `${CASE}/opened/${T}`, atMs: T, what: 'opened', level: 'watch', detail: { eventId: 'e-1' } }],
  };
  return mergeDerived(undefined, d, T, { retroactive: false, reason: 'events' }, cfg).record;
};
const noticeOf = (step: { record: AlertRecord; entries: Parameters<typeof gatewayNotice>[1] }) => gatewayNotice(alertView(step.record, tz), step.entries, plan);

describe('notice titles - a title alone says what the notice is', () => {
  it('a case: new, then each ladder step names the level it calls, the acknowledgement who took it, the close how it ended', () => {
    const opened = openCase();
    expect(noticeOf({ record: opened, entries: opened.history }).title).toBe(`【消保预警·新案】${SUBJECT}：新预警`);
    const l2 = escalationDue(opened, T + 16 * 60_000, cfg.onCall)!;
    const l3 = escalationDue(l2.record, T + 46 * 60_000, cfg.onCall)!;
    const again = escalationDue(l3.record, T + 76 * 60_000, cfg.onCall)!;
    expect([l2, l3, again].map((s) => noticeOf(s).title)).toEqual([
      `【消保预警·新案】${SUBJECT}：超时未确认，呼叫值班第2级`,
      `【消保预警·新案】${SUBJECT}：超时未确认，呼叫值班第3级`,
      `【消保预警·新案】${SUBJECT}：超时未确认，呼叫值班第1级（第2轮）`,
    ]);
    const acked = applyAction(l3.record, { type: 'ack', by: '王主管', reason: 'contacting_customer', note: '已联系' }, T + 50 * 60_000, () => `${CASE}/action/1`, cfg);
    expect(noticeOf(acked).title).toBe(`【消保预警·新案】${SUBJECT}：已确认（王主管）`);
    const byHand = applyAction(opened, { type: 'escalate', by: '王主管', note: '需负责人决定' }, T + 55 * 60_000, () => `${CASE}/action/2`, cfg);
    expect(noticeOf(byHand).title).toBe(`【消保预警·新案】${SUBJECT}：王主管手动转呼值班第2级`);
    const noted = applyAction(acked.record, { type: 'note', by: '李主管', text: '客户约周五面谈' }, T + 56 * 60_000, () => `${CASE}/action/3`, cfg);
    expect(noticeOf(noted).title).toBe(`【消保预警·新案】${SUBJECT}：备注（李主管）`);
    const closedAt = T + 60 * 60_000;
    const closed = mergeDerived(acked.record, {
      ...opened, history: [...opened.history.filter((h) => h.what === 'opened'), { id: `${CASE}/resolved/${closedAt}`, atMs: closedAt, what: 'resolved', detail: { eventId: 'e-2' } }], clearedAtMs: closedAt,
    } as DerivedAlert, closedAt, { retroactive: false, reason: 'events' }, cfg);
    expect(closed.record.status).toBe('resolved');
    expect(noticeOf(closed).title).toBe(`【消保预警·已办结】${SUBJECT}`);
    // no title of a ladder step or an acknowledgement reads as a new case
    for (const s of [l2, l3, again, acked, byHand]) expect(noticeOf(s).title).not.toMatch(/新预警$/);
  });

  it('a level alert: a rise, the ladder, a withdrawal, a withdrawn alert back', () => {
    const LEVEL = 'level.2025.auto_installment.GZ.1';
    const line = (what: string, level: 'watch' | 'breach' | 'critical', at = T) => ({ id: `${LEVEL}/${what}/${at}/${level}`, atMs: at, what, level });
    const derived = (level: DerivedAlert['level'], history: DerivedAlert['history']): DerivedAlert =>
      ({ id: LEVEL, kind: 'level', complaintType: 'auto_installment', scope: 'GZ', level, currentLevel: level, openedAtMs: T, history });
    const first = mergeDerived(undefined, derived('watch', [line('opened', 'watch')]), T, { retroactive: false, reason: 'events' }, cfg);
    expect(noticeOf(first).title).toBe('【消保预警·关注】购车分期 · 广州分行：新预警');
    const rose = mergeDerived(first.record, derived('breach', [line('opened', 'watch'), line('raised', 'breach', T + 1)]), T + 1, { retroactive: false, reason: 'events' }, cfg);
    expect(noticeOf(rose).title).toBe('【消保预警·超标】购车分期 · 广州分行：级别升至超标');
    const step = escalationDue(rose.record, T + 20 * 60_000, cfg.onCall)!;
    expect(noticeOf(step).title).toBe('【消保预警·超标】购车分期 · 广州分行：超时未确认，呼叫值班第2级');
    const gone = withdraw(step.record, T + 21 * 60_000, { retroactive: true, reason: 'plan changed' })!;
    expect(noticeOf(gone).title).toBe('【消保预警·已撤销】购车分期 · 广州分行');
    const back = mergeDerived(gone.record, derived('breach', rose.record.history.filter((h) => h.what !== 'escalated')), T + 22 * 60_000, { retroactive: true, reason: 'events' }, cfg);
    expect(noticeOf(back).title).toBe('【消保预警·超标】购车分期 · 广州分行：撤销的预警恢复');
    // brought back by new events of the ticket's own system: re-figured, nobody corrected anything (audit CH5)
    expect(noticeOf(back).text).toContain('：依新事件重算：撤销的预警恢复；');
    expect(noticeOf(back).text).not.toContain('更正');
  });
});
