import { describe, expect, it } from 'vitest';
import { deriveLevelAlerts } from '../../pipelines/rules/derive.ts';
import { applyAction, reconcile, type AlertRecord } from '../../pipelines/rules/lifecycle.ts';
import { DAY, ev, notAgreed, world } from '../../pipelines/rules/testkit.ts';
import { gatewayNotice } from './gateway-notice.ts';
import { alertView } from './view.ts';

// Verify CD F1/F3: when an acknowledged episode changed number, the number it left was announced
// as 已撤销…原报严重超标，现不成立 (a live situation said false), and the notices' causes came out
// half in English ("late event: an earlier episode changed the numbering…").

const KEY = { complaintType: 'steady', scope: 'ALL' };
const id = (n: number) => `level.2025.steady.ALL.${n}`;

describe('gateway notices of an episode that changed number', () => {
  it('say where the situation went, in Chinese, and never that it no longer holds', () => {
    const w = world();
    const wk = (i: number) => w.plan.weeks[i - 1]!;
    const now = wk(50).startMs + 3 * DAY;
    const records = new Map<string, AlertRecord>();
    const derive = (reason: string) => {
      const steps = reconcile(records, deriveLevelAlerts(w.plan, w.index, [KEY], now, w.cfg), (r) => r.kind === 'level', now, { retroactive: true, reason }, w.cfg);
      for (const s of steps) records.set(s.record.id, s.record);
      return new Map(steps.map((s) => [s.record.id, gatewayNotice(alertView(s.record, w.plan.timezone), s.entries, w.plan).text]));
    };
    w.add(notAgreed(600, wk(49).startMs + DAY));
    derive('events');
    records.set(id(1), applyAction(records.get(id(1))!, { type: 'ack', by: '王主管' }, now, () => 'ack-1', w.cfg).record);
    const late = notAgreed(30, wk(2).startMs + DAY);
    w.add(late);
    const shifted = derive('late event');
    expect(shifted.get(id(2))).toContain('编号调整（迟到事件补入）：原第1次预警的情形改为此编号');
    expect(shifted.get(id(1))).toContain('编号调整（迟到事件补入）：原此编号的情形现为第2次预警');
    w.add(late.map((e, i) => ev('corrected', e.ticketId, wk(3).startMs + i, { complaintType: 'weekly' })));
    const back = derive('correction');
    expect(back.get(id(2))).toContain('情形仍在，改用新编号');
    expect(back.get(id(2))).toContain('编号调整（工单更正）：此情形现为第1次预警');
    expect(back.get(id(2))).not.toContain('不成立');
    for (const text of [...shifted.values(), ...back.values()]) expect(text).not.toMatch(/[A-Za-z]{4,}/);
  });
});
