import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CounterRow } from '../../pipelines/model.ts';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import type { HistoryEntry } from '../../pipelines/rules/index.ts';
import { gatewayMessage, gatewayNotice, noticeId, NOTICE_HISTORY_LINES, gatewayMessages, publishGatewayMessage } from './gateway-notice.ts';
import type { AlertView } from './view.ts';

const plan = loadPlanFile(join(import.meta.dirname, '../../tests/fixtures/plan-2025.yaml'));

const view = (extra: Partial<AlertView>): AlertView => ({
  id: 'level.2025.auto_installment.GZ.1', kind: 'level', complaintType: 'auto_installment', scope: 'GZ', level: 'critical', status: 'open',
  openedAt: '2025-03-04T04:59:09.000+08:00', history: [], raisedAt: '2025-03-04T04:59:09.000+08:00', ack: null, assignee: null,
  onCall: { level: 2, round: 0, since: '2025-03-04T05:14:09.000+08:00', notify: ['消保部负责人', 'role:admin'] },
  ...extra,
}) as AlertView;

const row: CounterRow = {
  complaintType: 'auto_installment', scope: 'GZ', unresolvedCustomers: 11, firstContactCustomers: 30, oneTimeResolutionRate: 0.633,
  allowanceToDate: 9.1, annualAllowance: 10, ratio: 11 / 9.1, level: 'critical',
} as CounterRow;

describe('gatewayNotice', () => {
  it('words a level alert with the plan\'s names, its numbers, what happened and who is on call', () => {
    const n = gatewayNotice(view({}), [{ what: 'escalated' }], plan, row);
    expect(n).toEqual({
      // the title says what the notice is (audit CH4): the ladder's step, not the level alone
      title: '【消保预警·严重超标】购车分期 · 广州分行：超时未确认，呼叫值班第2级',
      text: '【消保预警·严重超标】购车分期 · 广州分行：未达成一致 11 人，为累计管控值 9.1 的 120.9%，年度允许量 10；超时未确认；现呼叫值班第2级：消保部负责人、全体管理员。',
      typeName: '购车分期',
      scopeName: '广州分行',
    });
  });

  it('words a case with its ticket, the bank as 全行, and a resolved alert without the on-call line', () => {
    const c = gatewayNotice(view({ kind: 'case', id: 'case.T-9', complaintType: 'insurance_dispute', scope: 'BJ-HD', level: 'watch', ticketId: 'T-9', onCall: { level: 1, round: 0, since: '', notify: ['role:supervisor'] } }), [{ what: 'opened' }], plan);
    // a case is labelled by its urgency, as on the wall and the console, not by allowance words
    expect(c.text).toBe('【消保预警·新案】代理保险争议 · 海淀支行 · 工单 T-9：逐笔盯盘，客户首轮沟通未达成一致；新预警；现呼叫值班第1级：全体主管。');
    const overdue = gatewayNotice(view({ kind: 'case', complaintType: 'insurance_dispute', scope: 'BJ-HD', ticketId: 'T-9', level: 'critical', urgency: 'overdue' }), [{ what: 'overdue' }], plan);
    expect(overdue.title).toBe('【消保预警·超期】代理保险争议 · 海淀支行 · 工单 T-9：超过办理期限');
    const up = gatewayNotice(view({ kind: 'case', scope: 'BJ-HD', ticketId: 'T-9' }), [{ what: 'case-escalated', detail: { escalation: 'mediation' } }], plan);
    expect(up.text).toContain('；工单提交三方调解；');
    const all = gatewayNotice(view({ scope: 'ALL', status: 'resolved', resolution: 'recovered' }), [{ what: 'resolved' }, { what: 'resolved' }], plan, { ...row, scope: 'ALL', ratio: null });
    expect(all.text).toBe('【消保预警·已解除】购车分期 · 全行：最高曾达严重超标；未达成一致 11 人，累计管控值 9.1，年度允许量 10；已恢复正常，解除。');
  });

  // Audit T 9: 年度允许量 0.6666666666666666, an English ticket-reopened, and no "to whom"
  it('rounds a branch\'s allowance, words a ticket re-opening, and says to whom a case was assigned or a notice sent', () => {
    const branchRow = { ...row, annualAllowance: 2 / 3, allowanceToDate: 0.6, ratio: 1 / 0.6 };
    expect(gatewayNotice(view({}), [{ what: 'raised', level: 'critical' }], plan, branchRow).text).toContain('，年度允许量 0.7；级别升至严重超标；');
    const reopened = gatewayNotice(view({ kind: 'case', ticketId: 'T-9' }), [{ what: 'ticket-reopened', detail: { eventId: 'e-9' } }], plan);
    expect(reopened.text).toContain('；工单重开；');
    const assigned = gatewayNotice(view({}), [{ what: 'assign', detail: { to: '广州分行消保专员陈某' } }], plan, row);
    expect(assigned.text).toContain('；已指派：广州分行消保专员陈某；');
    const notice = gatewayNotice(view({}), [{ what: 'notice', detail: { to: '广州分行', text: '请三日内回访' } }], plan, row);
    expect(notice.text).toContain('；已发消保提示书：广州分行；');
  });
});

// Audit T 3: a crash between sending a notice and writing its audit row sent it again after the
// restart, with nothing a gateway could tell the copy by.
describe('gateway notices - one id per announced change', () => {
  const line = (id: string, what = 'escalated'): HistoryEntry => ({ id, atMs: 1_741_000_000_000, what, by: 'on-call policy' });
  const alert = view({});
  const record = { id: alert.id, kind: 'level' as const, complaintType: 'auto_installment', scope: 'GZ' };
  const monitor = { plan, index: { rows: () => [row] } } as unknown as Parameters<typeof gatewayMessages>[0];
  const log = { warn: () => {} } as unknown as Parameters<typeof publishGatewayMessage>[2];

  function send(entries: HistoryEntry[]) {
    const sent: Array<{ subject: string; body: any; msgId: string | undefined }> = [];
    const nc = { publish: (subject: string, data: string, opts?: { headers?: { get(k: string): string } }) => sent.push({ subject, body: JSON.parse(data), msgId: opts?.headers?.get('Nats-Msg-Id') }) };
    for (const m of gatewayMessages(monitor, alert, entries, record, 0)) publishGatewayMessage(nc as unknown as Parameters<typeof publishGatewayMessage>[0], m, log);
    return sent[0]!;
  }

  it('sends the same id for the same change, in the body and as Nats-Msg-Id, and another for another change', () => {
    const first = send([line(`${alert.id}/oncall/1/0/1741000000000`)]);
    const again = send([line(`${alert.id}/oncall/1/0/1741000000000`)]);
    expect(first.subject).toBe('complaints.alerts.auto_installment.GZ');
    expect(first.body.noticeId).toMatch(/^[0-9a-f]{32}$/);
    expect(first.msgId).toBe(first.body.noticeId);
    expect(again.body.noticeId).toBe(first.body.noticeId);
    expect(first.body.change).toEqual([{ id: `${alert.id}/oncall/1/0/1741000000000`, what: 'escalated', at: 1_741_000_000_000, by: 'on-call policy' }]);
    expect(send([line(`${alert.id}/oncall/0/1/1741000900000`)]).body.noticeId).not.toBe(first.body.noticeId);
  });

  it('derives the id from the alert and the set of its lines, not their order', () => {
    expect(noticeId('a', ['x', 'y'])).toBe(noticeId('a', ['y', 'x']));
    expect(noticeId('a', ['x'])).not.toBe(noticeId('b', ['x']));
    expect(noticeId('a', ['x'])).not.toBe(noticeId('a', ['x', 'y']));
  });
});

// Verify AE 1: a notice carried the alert's whole history, 242 KB for a level alert after a burst,
// and a broker with a smaller max_payload (or 1 MB, in time) took none of that alert's notices.
describe('gatewayMessage - the alert as a notice carries it', () => {
  it('carries the latest lines of a long history and says how many earlier ones it left out', () => {
    const history = Array.from({ length: NOTICE_HISTORY_LINES + 30 }, (_, i) => ({ id: `l${i}`, at: `2025-03-04T05:${String(i).padStart(2, '0')}:00.000+08:00`, what: 'escalated' }));
    const monitor = { plan, index: { rows: () => [row] } } as unknown as Parameters<typeof gatewayMessage>[0];
    const last: HistoryEntry = { id: 'l49', atMs: 0, what: 'escalated' };
    const m = gatewayMessage(monitor, view({ history } as unknown as Partial<AlertView>), [last], { id: 'level.2025.auto_installment.GZ.1', kind: 'level', complaintType: 'auto_installment', scope: 'GZ' }, 0);
    const body = JSON.parse(m.data);
    expect(body.history.map((h: { id: string }) => h.id)).toEqual(history.slice(30).map((h) => h.id));
    expect(body.historyOmitted).toBe(30);
    expect(body.change.map((c: { id: string }) => c.id)).toEqual(['l49']);
  });

  it('a short history goes whole, without historyOmitted', () => {
    const monitor = { plan, index: { rows: () => [row] } } as unknown as Parameters<typeof gatewayMessage>[0];
    const history = [{ id: 'l0', at: '2025-03-04T05:00:00.000+08:00', what: 'opened' }];
    const body = JSON.parse(gatewayMessage(monitor, view({ history } as unknown as Partial<AlertView>), [{ id: 'l0', atMs: 0, what: 'opened' }], { id: 'x', kind: 'level', complaintType: 'auto_installment', scope: 'GZ' }, 0).data);
    expect(body.history).toHaveLength(1);
    expect(body.historyOmitted).toBeUndefined();
  });
});
