import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { applyAction, mergeDerived, resolveAlertConfig, type DerivedAlert, type HistoryEntry } from '../../pipelines/rules/index.ts';
import { gatewayMessages } from './gateway-notice.ts';
import { alertView } from './view.ts';

// Audit AF F8: a case moved to another branch by a correction was announced only on the new
// branch's subject, as 已更正; the branch it left, whose people were paged about it, heard nothing.
// The lines are the rules' own (lifecycle.ts), so the `amended` line is the one the engine sends.

const plan = loadPlanFile(join(import.meta.dirname, '../../tests/fixtures/plan-2025.yaml'));
const tz = plan.timezone;
const cfg = resolveAlertConfig({ onCall: { levels: [{ notify: ['值班主管', 'role:supervisor'], afterMinutes: 15 }], repeat: 1 } });
const T = Date.parse('2025-03-04T04:59:09+08:00');
const NOW = T + 60_000;
const cause = (reason: string) => ({ retroactive: true, reason });

describe('F8: a case moved by a correction says where it came from, and the branch it left is told', () => {
  const CASE = 'case.AF-T6';
  const caseAt = (scope: string, history: HistoryEntry[]): DerivedAlert =>
    ({ id: CASE, kind: 'case', complaintType: 'insurance_dispute', scope, level: 'watch', openedAtMs: T, ticketId: 'AF-T6', urgency: 'new', history });
  const opened: HistoryEntry = { id: `${CASE}/opened/${T}`, atMs: T, what: 'opened', level: 'watch', detail: { eventId: 'e-1' } };
  const corrected: HistoryEntry = { id: `${CASE}/corrected/${NOW}/c-9`, atMs: NOW, what: 'corrected', detail: { eventId: 'c-9', complaintType: 'insurance_dispute', branch: 'BJ-HD' } };
  const before = mergeDerived(undefined, caseAt('SH', [opened]), T, cause('events'), cfg).record;
  const moved = mergeDerived(before, caseAt('BJ-HD', [opened, corrected]), NOW, cause('correction c-9'), cfg);
  const monitor = { plan, index: { rows: () => [] } } as unknown as Parameters<typeof gatewayMessages>[0];

  it('the notice on the new branch\'s subject says 自上海分行转入; a copy on the old one says where it went', () => {
    const [here, left, ...more] = gatewayMessages(monitor, alertView(moved.record, tz), moved.entries, moved.record, NOW);
    expect(more).toEqual([]);
    expect(here!.subject).toBe('complaints.alerts.insurance_dispute.BJ-HD');
    expect(JSON.parse(here!.data).notice.text).toBe('【消保预警·新案】代理保险争议 · 海淀支行 · 工单 AF-T6：逐笔盯盘，客户首轮沟通未达成一致；已更正（工单更正）：自上海分行转入；现呼叫值班第1级：值班主管、全体主管。');
    expect(left!.subject).toBe('complaints.alerts.insurance_dispute.SH');
    const copy = JSON.parse(left!.data);
    expect(copy.notice).toEqual({
      title: '【消保预警·已转出】代理保险争议 · 上海分行 · 工单 AF-T6',
      text: '【消保预警·已转出】代理保险争议 · 上海分行 · 工单 AF-T6：已更正（工单更正），转至海淀支行；此后的通知发往该处。',
      typeName: '代理保险争议',
      scopeName: '上海分行',
    });
    // its own id (a stream's duplicate window would fold a second message of the same id), naming the first's
    expect(left!.id).not.toBe(here!.id);
    expect(copy.noticeId).toBe(left!.id);
    expect(copy.copyOf).toBe(here!.id);
    expect(copy.change).toEqual(JSON.parse(here!.data).change);
  });

  it('a change that moves nothing is one message', () => {
    const noted = applyAction(moved.record, { type: 'note', by: '王主管', text: '已转交' }, NOW, () => `${CASE}/note/1`, cfg);
    expect(gatewayMessages(monitor, alertView(noted.record, tz), noted.entries, noted.record, NOW)).toHaveLength(1);
  });
});
