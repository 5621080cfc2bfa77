import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { applyAction, mergeDerived, resolveAlertConfig, withdraw, type DerivedAlert, type HistoryEntry } from '../../pipelines/rules/index.ts';
// @ts-expect-error the console's plain ES module, without type declarations
import { reasonText, WHAT_ZH } from '../../web/console/words.js';
import { gatewayNotice } from './gateway-notice.ts';
import { alertView } from './view.ts';
import { titleHeadline } from './notice-title.ts';

// Audit CT3: a case closed by hand, withdrawn by a plan change and derived again when the plan went
// back came back open and paged the gateways (撤销的预警恢复). Its close stands now
// (pipelines/rules/close-standing.ts); the notice says so, as 原确认恢复有效 says an
// acknowledgement given back, and calls no one. The lines are the rules' own.

const plan = loadPlanFile(join(import.meta.dirname, '../../tests/fixtures/plan-2025.yaml'));
const cfg = resolveAlertConfig({ onCall: { levels: [{ notify: ['值班主管'], afterMinutes: 15 }], repeat: 1 } });
const T = Date.parse('2025-03-04T04:59:09+08:00');
const ID = 'case.F3';
const opened: HistoryEntry = { id: `${ID}/opened/${T}`, atMs: T, what: 'opened', level: 'watch', detail: { eventId: 'F3-fc' } };
const theCase: DerivedAlert = { id: ID, kind: 'case', complaintType: 'insurance_dispute', scope: 'SH', level: 'watch', openedAtMs: T, ticketId: 'F3', urgency: 'new', history: [opened] };
const cause = (reason: string) => ({ retroactive: true, reason });

describe('gateway notice - a close by hand that stands again after a plan round trip', () => {
  it('says the closure stands and who closed it; the bracket says it ended; nobody is called', () => {
    const first = mergeDerived(undefined, theCase, T + 1_000, cause('events'), cfg).record;
    const closed = applyAction(first, { type: 'resolve', by: '王主管', note: '已与客户沟通' }, T + 2_000, () => `${ID}/resolve/1`, cfg).record;
    const gone = withdraw(closed, T + 3_000, cause('plan changed'))!.record;
    const { record, entries } = mergeDerived(gone, theCase, T + 4_000, cause('plan changed'), cfg);
    expect(record).toMatchObject({ status: 'resolved', resolution: 'manual' });
    const n = gatewayNotice(alertView(record, plan.timezone), entries, plan);
    expect(n.title).toMatch(/^【消保预警·已解除】.*：原人工解除恢复有效（王主管）$/);
    expect(n.text).toContain('原人工解除恢复有效（王主管：已与客户沟通）');
    expect(n.text).not.toMatch(/现呼叫值班|重新打开/);
    expect(n.text).not.toMatch(/[a-z]{4,}/);
    // the console's history line says it in its own words
    const line = entries.find((e) => e.what === 'resolution-restored')!;
    expect(WHAT_ZH[line.what]).toBe('人工解除恢复有效');
    expect(reasonText(line.reason, 'case')).toBe('人工解除重新生效：使其撤销的变化已撤回（管控计划调整）');
  });

  it('says so in the title too when the ticket also closed while it was withdrawn (verify CV5: the title had no words)', () => {
    const first = mergeDerived(undefined, theCase, T + 1_000, cause('events'), cfg).record;
    const closed = applyAction(first, { type: 'resolve', by: '张主管', note: '已电话沟通' }, T + 2_000, () => `${ID}/resolve/1`, cfg).record;
    const gone = withdraw(closed, T + 3_000, cause('plan changed'))!.record;
    const { record, entries } = mergeDerived(gone, theCase, T + 4_000, cause('plan changed'), cfg);
    const restored = entries.find((e) => e.what === 'resolution-restored')!;
    // the lines such a change announces: the ticket's close and resolution, the re-derivation, the close by hand given back
    const fresh = [{ what: 'closed' }, { what: 'resolved' }, { what: 'amended', reason: 'plan changed', before: 'withdrawn' }, restored];
    expect(titleHeadline(alertView(record, plan.timezone), fresh, plan)).toBe('原人工解除恢复有效（张主管）');
  });
});
