import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { alertsCsv } from './csv.ts';
import type { ListedAlert } from './view.ts';

const plan = loadPlanFile(join(import.meta.dirname, '../../tests/fixtures/plan-2025.yaml'));
const base = {
  status: 'open', openedAt: '2025-05-06T10:00:00.000+08:00', raisedAt: '2025-05-06T10:00:00.000+08:00', ack: null, assignee: null,
  onCall: { level: 1, round: 0, since: '2025-05-06T10:00:00.000+08:00', notify: [] }, history: [],
};
const alert = (a: Record<string, unknown>) => ({ ...base, ...a }) as unknown as ListedAlert;
const rowOf = (csv: string, id: string) => csv.replace(/^\uFEFF/, '').split('\r\n').find((l) => l.startsWith(`${id},`))!.split(',');

describe('alerts CSV', () => {
  // Audit CB F6: an overdue case said 严重超标 in the export where the console and the wall say 超期
  it('labels a case by its urgency and a level alert by the highest level and the level now', () => {
    const csv = alertsCsv([
      alert({ id: 'case.T1', kind: 'case', complaintType: 'insurance_dispute', scope: 'SH', level: 'critical', urgency: 'overdue', ticketId: 'T1' }),
      alert({ id: 'case.T2', kind: 'case', complaintType: 'insurance_dispute', scope: 'SH', level: 'watch', urgency: 'new', ticketId: 'T2' }),
      alert({ id: 'level.2025.insurance_dispute.ALL.1', kind: 'level', complaintType: 'insurance_dispute', scope: 'ALL', level: 'breach', currentLevel: 'watch' }),
    ], plan);
    const head = csv.replace(/^\uFEFF/, '').split('\r\n')[0]!.split(',');
    const level = head.indexOf('级别 level');
    expect(head[level + 1]).toBe('现级别 current level');
    expect(rowOf(csv, 'case.T1').slice(level, level + 3)).toEqual(['超期', '', '待处理']);
    expect(rowOf(csv, 'case.T2').slice(level, level + 2)).toEqual(['新案', '']);
    expect(rowOf(csv, 'level.2025.insurance_dispute.ALL.1').slice(level, level + 3)).toEqual(['超标', '关注', '待处理']);
    // the acknowledging credential keeps its column (R); what was added since comes after it
    expect(head.indexOf('确认凭据 acknowledged with (role and token fingerprint)')).toBe(17);
  });

  // Audit CH2, CH3: a case dated 02:30 that reached the monitor at 11:35 read "开启 02:30 … 值班级别 2"
  // with nothing saying the people on duty were told at 11:35, and the acknowledgement had no time
  it('says when the people on duty were first told and when the alert was acknowledged, after the columns that were there', () => {
    const csv = alertsCsv([
      alert({
        id: 'case.T-NIGHT', kind: 'case', complaintType: 'insurance_dispute', scope: 'SH', level: 'watch', urgency: 'new', ticketId: 'T-NIGHT', status: 'acknowledged',
        openedAt: '2025-05-06T02:30:00.000+08:00', raisedAt: '2025-05-06T11:35:03.040+08:00',
        ack: { by: '王主管', at: '2025-05-06T11:36:06.512+08:00', reason: 'contacting_customer', credential: { role: 'supervisor', fingerprint: '0ffa607c' } },
        onCall: { level: 2, round: 0, since: '2025-05-06T11:36:03.040+08:00', notify: ['消保部负责人'] },
        history: [{ at: '2025-05-06T11:36:03.040+08:00', what: 'escalated', by: 'on-call policy', reason: 'not acknowledged in time' }],
      }),
      alert({ id: 'level.2025.insurance_dispute.ALL.1', kind: 'level', complaintType: 'insurance_dispute', scope: 'ALL', level: 'watch', currentLevel: 'watch' }),
    ], plan);
    const head = csv.replace(/^\uFEFF/, '').split('\r\n')[0]!.split(',');
    expect(head.slice(0, 18)).toEqual([
      '预警编号 id', '类别 kind', '类型 type', '类型名称 type name', '机构 scope', '机构名称 scope name', '级别 level', '现级别 current level', '状态 status',
      '工单 ticket', '开启 opened', '确认人 acknowledged by', '确认原因 reason', '指派 assignee', '值班级别 on-call level', '最近变化 last change', '最近变化时间 at',
      '确认凭据 acknowledged with (role and token fingerprint)',
    ]);
    expect(head.slice(18)).toEqual(['首次通知 first notice', '确认时间 acknowledged at']);
    const night = Object.fromEntries(head.map((h, i) => [h, rowOf(csv, 'case.T-NIGHT')[i]]));
    expect(night).toMatchObject({
      '开启 opened': '2025-05-06T02:30:00.000+08:00', '首次通知 first notice': '2025-05-06T11:35:03.040+08:00',
      '确认人 acknowledged by': '王主管', '确认时间 acknowledged at': '2025-05-06T11:36:06.512+08:00',
      // the ladder's step is not a person's 上报
      '最近变化 last change': '超时未确认，自动呼叫值班 escalated',
    });
    expect(rowOf(csv, 'level.2025.insurance_dispute.ALL.1').slice(18)).toEqual(['2025-05-06T10:00:00.000+08:00', '']);
  });

  // Audit CL6: a case whose ticket went to mediation read 工单上报 case-escalated, where the console,
  // the notice and its title say 工单提交三方调解 (and 上报 is the console's word for a person's on-call step)
  it('names a complaint\'s own ladder step as the console does', () => {
    const csv = alertsCsv([
      alert({ id: 'case.T-M', kind: 'case', complaintType: 'insurance_dispute', scope: 'SH', level: 'watch', urgency: 'new', ticketId: 'T-M',
        history: [{ at: '2025-05-06T11:00:00.000+08:00', what: 'case-escalated', detail: { escalation: 'mediation', eventId: 'e-9' } }] }),
    ], plan);
    const head = csv.replace(/^\uFEFF/, '').split('\r\n')[0]!.split(',');
    expect(rowOf(csv, 'case.T-M')[head.indexOf('最近变化 last change')]).toBe('工单提交三方调解 case-escalated');
    expect(csv).not.toContain('上报');
  });
});
