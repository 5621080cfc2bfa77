import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { applyAction, mergeDerived, resolveAlertConfig, type AlertRecord, type DerivedAlert } from '../../pipelines/rules/index.ts';
import { gatewayNotice } from './gateway-notice.ts';
import { lateNoticeData } from './late-notice.ts';
import { amendedWords, updatedZh } from './notice-lines.ts';
import { boundTitle, cut, SMS_CHARS, TITLE_CHARS } from './title-bound.ts';
import { alertView } from './view.ts';

// Verify CL: a title took a 78-character name whole (119 characters: two or more SMS, CL5); a
// plan change or a restart still read 已更正（管控计划调整） where the console says 数据更新 (CL3);
// a case re-opened because it went stale was titled 级别上升，重新打开: a case has no 级别 (CL6).

const plan = loadPlanFile(join(import.meta.dirname, '../../tests/fixtures/plan-2025.yaml'));
const tz = plan.timezone;
const cfg = resolveAlertConfig({ onCall: { levels: [{ notify: ['值班主管'], afterMinutes: 15 }, { notify: ['消保部负责人'], afterMinutes: 30 }], repeat: 0 } });
const T = Date.parse('2025-03-04T10:00:00+08:00');
const events = { retroactive: false, reason: 'events' };

const openCase = (ticketId: string): AlertRecord => {
  const id = `case.${ticketId}`;
  const d: DerivedAlert = {
    id, kind: 'case', complaintType: 'insurance_dispute', scope: 'BJ-HD', level: 'watch', openedAtMs: T, ticketId, urgency: 'new',
    history: [{ id: `${id}/opened/${T}`, atMs: T, what: 'opened', level: 'watch', detail: { eventId: 'e-1' } }],
  };
  return mergeDerived(undefined, d, T, events, cfg).record;
};
const noticeOf = (step: { record: AlertRecord; entries: Parameters<typeof gatewayNotice>[1] }) => gatewayNotice(alertView(step.record, tz), step.entries, plan);

describe('notice titles - one SMS at most', () => {
  const longName = `消保部值班主管${'张'.repeat(70)}王`; // 78 characters: the action's `by` takes up to 80

  it('a long name is cut in the title, which still says what the notice is; the text keeps it whole', () => {
    const opened = openCase('T-CL5');
    const byHand = noticeOf(applyAction(opened, { type: 'escalate', by: longName }, T + 60_000, () => 'a-1', cfg));
    expect(byHand.title.length).toBeLessThanOrEqual(TITLE_CHARS);
    expect(byHand.title).toMatch(/^【消保预警·新案】代理保险争议 · 海淀支行 · 工单 T-CL5：消保部值班主管张张张张…手动转呼值班第2级$/);
    expect(byHand.text).toContain(`${longName}手动转呼值班第2级`);
    const acked = noticeOf(applyAction(opened, { type: 'ack', by: longName, reason: 'investigating' }, T + 60_000, () => 'a-2', cfg));
    expect(acked.title).toMatch(/：已确认（消保部值班主管张张张张…）$/);
    expect(acked.title.length).toBeLessThanOrEqual(TITLE_CHARS);
  });

  it('a long ticket id gives way before what the notice is; a title sent late with 【补发】 is still one SMS', () => {
    const ticket = `T-${'9'.repeat(126)}`; // 128: the longest a ticket id may be
    const opened = openCase(ticket);
    const n = noticeOf(applyAction(opened, { type: 'escalate', by: '王主管' }, T + 60_000, () => 'a-3', cfg));
    expect(n.title.length).toBeLessThanOrEqual(TITLE_CHARS);
    expect(n.title).toMatch(/^【消保预警·新案】代理保险争议 · 海淀支行 · 工单 T-99+…：王主管手动转呼值班第2级$/);
    expect(n.text).toContain(`工单 ${ticket}：`);
    const late = JSON.parse(lateNoticeData(JSON.stringify({ status: 'open', notice: n }), T + 120_000, { ladder: cfg.onCall, timezone: tz }));
    expect(late.notice.title.length).toBeLessThanOrEqual(SMS_CHARS);
    const first = noticeOf({ record: opened, entries: opened.history }).title;
    expect(first).toMatch(/^【消保预警·新案】代理保险争议 · 海淀支行 · 工单 T-99+…：新预警$/);
    expect(first.length).toBe(TITLE_CHARS);
  });

  it('the subject\'s longest part gives way first, down to its head; then the headline\'s end', () => {
    const bracket = '【消保预警·严重超标】';
    expect(boundTitle(bracket, ['购车分期', '广州分行'], '级别升至严重超标')).toBe('【消保预警·严重超标】购车分期 · 广州分行：级别升至严重超标');
    const long = boundTitle(bracket, ['购车分期'.repeat(10), '广州分行'], '级别升至严重超标');
    expect(long.length).toBe(TITLE_CHARS);
    expect(long).toMatch(/^【消保预警·严重超标】(购车分期)+购?车?分?…\s·\s广州分行：级别升至严重超标$/);
    const both = boundTitle(bracket, ['类'.repeat(60), '行'.repeat(60)], '备注');
    expect(both).toMatch(/^【消保预警·严重超标】类+… · 行+…：备注$/);
    expect(both.length).toBe(TITLE_CHARS);
    const headline = boundTitle(bracket, ['购车分期', '广州分行'], '字'.repeat(100));
    expect(headline).toMatch(/^【消保预警·严重超标】购车分期 · 广州分行：字+…$/);
    expect(headline.length).toBe(TITLE_CHARS);
    // an SMS counts UTF-16 units: a character outside the BMP is two, and never cut in half
    expect(cut('𠀀𠀀𠀀', 4)).toBe('𠀀…');
  });
});

describe('notice words - only a person\'s correction is 已更正', () => {
  it('a plan change, a restart, a late event: 数据更新 and why, as the console says it', () => {
    expect(['plan changed', 're-derived at start', 'late event', 'clock', undefined, 'events', 'correction e-1, e-2'].map(updatedZh)).toEqual([
      '数据更新（管控计划调整）', '数据更新（监测重启后重算）', '数据更新（迟到事件补入）', '数据更新（按时重算）', '数据更新', '依新事件重算', '已更正（工单更正）',
    ]);
    const view = alertView({ ...openCase('T-CL3'), kind: 'level', id: 'level.2025.auto_installment.BJ.1', complaintType: 'auto_installment', scope: 'BJ', level: 'breach', ticketId: undefined } as AlertRecord, tz);
    const amended = { what: 'amended', reason: 'plan changed', before: 'raised critical 2025-03-04T10:00:00.000Z', after: '' };
    const n = gatewayNotice(view, [amended], plan);
    expect(n.title).toBe('【消保预警·超标】购车分期 · 北京分行：数据更新（管控计划调整）');
    expect(n.text).not.toContain('更正');
    expect(amendedWords({ what: 'amended', reason: 're-derived at start', before: 'withdrawn' }, plan)).toBe('数据更新（监测重启后重算）：撤销的预警恢复');
  });
});

describe('notice titles - a case re-opened because it went stale or overdue says so', () => {
  it('长时间无进展，重新打开 / 超过办理期限，重新打开, not 级别上升', () => {
    const opened = openCase('T-CL6');
    const acked = applyAction(opened, { type: 'ack', by: '王主管', reason: 'investigating' }, T + 60_000, () => 'a-4', cfg).record;
    const staleAt = T + 72 * 3_600_000;
    const stale: DerivedAlert = {
      id: opened.id, kind: 'case', complaintType: 'insurance_dispute', scope: 'BJ-HD', level: 'breach', openedAtMs: T, ticketId: 'T-CL6', urgency: 'stale',
      history: [opened.history[0]!, { id: `${opened.id}/stale/${staleAt}`, atMs: staleAt, what: 'stale', level: 'breach', detail: { noProgressHours: 72 } }],
    };
    const wentStale = mergeDerived(acked, stale, staleAt, { retroactive: false, reason: 'clock' }, cfg);
    expect(wentStale.entries.find((e) => e.what === 'reopened')?.reason).toBe('level rose to breach');
    const n = noticeOf(wentStale);
    expect(n.title).toBe('【消保预警·无进展】代理保险争议 · 海淀支行 · 工单 T-CL6：长时间无进展，重新打开');
    expect(n.text).toContain('重新打开（长时间无进展，此前的确认不再适用）');
    expect(`${n.title}${n.text}`).not.toContain('级别');
    const overdueAt = T + 15 * 86_400_000;
    const overdue = mergeDerived(applyAction(wentStale.record, { type: 'ack', by: '王主管', reason: 'investigating' }, staleAt + 1, () => 'a-5', cfg).record, {
      ...stale, level: 'critical', urgency: 'overdue',
      history: [...stale.history, { id: `${opened.id}/overdue/${overdueAt}`, atMs: overdueAt, what: 'overdue', level: 'critical', detail: { deadlineDays: 15 } }],
    }, overdueAt, { retroactive: false, reason: 'clock' }, cfg);
    expect(noticeOf(overdue).title).toBe('【消保预警·超期】代理保险争议 · 海淀支行 · 工单 T-CL6：超过办理期限，重新打开');
  });

  it('a close by hand set aside by a rise is named as such, not as an acknowledgement (verify CV6)', () => {
    const opened = openCase('T-CV6');
    const closed = applyAction(opened, { type: 'resolve', by: '张主管', note: '已电话沟通' }, T + 60_000, () => 'r-1', cfg).record;
    const overdueAt = T + 15 * 86_400_000;
    const overdue: DerivedAlert = {
      id: opened.id, kind: 'case', complaintType: 'insurance_dispute', scope: 'BJ-HD', level: 'critical', openedAtMs: T, ticketId: 'T-CV6', urgency: 'overdue',
      history: [opened.history[0]!, { id: `${opened.id}/overdue/${overdueAt}`, atMs: overdueAt, what: 'overdue', level: 'critical', detail: { deadlineDays: 15 } }],
    };
    const rose = mergeDerived(closed, overdue, overdueAt, { retroactive: false, reason: 'clock' }, cfg);
    expect(rose.record.status).toBe('open');
    const { text } = noticeOf(rose);
    expect(text).toContain('此前的人工解除不再适用');
    expect(text).not.toContain('此前的确认');
  });
});
