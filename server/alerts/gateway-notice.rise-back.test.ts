import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { mergeDerived, resolveAlertConfig, withdraw, type DerivedAlert, type HistoryEntry } from '../../pipelines/rules/index.ts';
import { gatewayNotice } from './gateway-notice.ts';
import { alertView } from './view.ts';

// Verify AX3: a rise past the level shown, at the instant of a line shown before at a lower level
// (a level that jumps two steps at once after a correction), was read as that line revised: the
// text said only 已更正, not 级别升至严重超标, though the gateways page for it.

const plan = loadPlanFile(join(import.meta.dirname, '../../tests/fixtures/plan-2025.yaml'));
const cfg = resolveAlertConfig({ onCall: { levels: [{ notify: ['值班主管'], afterMinutes: 15 }], repeat: 0 } });
const T = Date.parse('2025-03-04T04:59:09+08:00');
const ID = 'level.2025.auto_installment.GZ.1';
const line = (what: string, level: 'watch' | 'breach' | 'critical', unresolved: number): HistoryEntry =>
  ({ id: `${ID}/${what}/${T}/${level}`, atMs: T, what, level, detail: { unresolved, allowanceToDate: 0.5, ratio: unresolved / 0.5 } });
const alert = (level: DerivedAlert['level'], history: HistoryEntry[]): DerivedAlert =>
  ({ id: ID, kind: 'level', complaintType: 'auto_installment', scope: 'GZ', level, currentLevel: level, openedAtMs: T, history });

describe('gateway notice - a rise at the instant of a line shown before', () => {
  it('says the rise, and the correction of the lines shown', () => {
    const first = mergeDerived(undefined, alert('breach', [line('opened', 'watch', 1), line('raised', 'breach', 1)]), T, { retroactive: false, reason: 'events' }, cfg);
    const rose = mergeDerived(first.record, alert('critical', [line('opened', 'watch', 2), line('raised', 'breach', 2), line('raised', 'critical', 2)]), T + 60_000, { retroactive: true, reason: 'correction e-9' }, cfg);
    expect(rose.entries.map((e) => e.what).sort()).toEqual(['amended', 'raised']);
    const text = gatewayNotice(alertView(rose.record, plan.timezone), rose.entries, plan).text;
    expect(text).toContain('级别升至严重超标');
    expect(text).toContain('已更正（工单更正）');
  });

  // Verify AY4: back with the same figures it said 新预警 and 撤销的预警恢复 at once
  it('a withdrawn alert back is said as restored, not as new, and is opened for the gateways', () => {
    const first = mergeDerived(undefined, alert('breach', [line('opened', 'watch', 1), line('raised', 'breach', 1)]), T, { retroactive: false, reason: 'events' }, cfg);
    const gone = withdraw(first.record, T + 60_000, { retroactive: true, reason: 'plan changed' })!;
    const back = mergeDerived(gone.record, alert('breach', [line('opened', 'watch', 1), line('raised', 'breach', 1)]), T + 120_000, { retroactive: true, reason: 'plan changed' }, cfg);
    expect(back.entries.map((e) => e.what)).toContain('opened');
    const text = gatewayNotice(alertView(back.record, plan.timezone), back.entries, plan).text;
    expect(text).toContain('撤销的预警恢复');
    expect(text).not.toContain('新预警');
  });
});
