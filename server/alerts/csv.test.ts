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
    // the acknowledging credential stays the last column
    expect(head.at(-1)).toBe('确认凭据 acknowledged with (role and token fingerprint)');
  });
});
