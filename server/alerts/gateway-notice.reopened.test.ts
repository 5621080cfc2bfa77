import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { applyAction, mergeDerived, resolveAlertConfig, type DerivedAlert, type HistoryEntry } from '../../pipelines/rules/index.ts';
import { gatewayNotice } from './gateway-notice.ts';
import { alertView } from './view.ts';

// Verify CF F7: a level alert re-opened by hand stays open against a rule's close dated before the
// re-open, yet its notice said 已恢复正常，解除 beside 现呼叫值班第2级: a contradiction for the people paged.

const plan = loadPlanFile(join(import.meta.dirname, '../../tests/fixtures/plan-2025.yaml'));
const cfg = resolveAlertConfig({ onCall: { levels: [{ notify: ['值班主管'], afterMinutes: 15 }], repeat: 0 } });
const T = Date.parse('2025-03-04T04:59:09+08:00');
const ID = 'level.2025.auto_installment.GZ.1';
const line = (what: string, at: number): HistoryEntry => ({ id: `${ID}/${what}/${at}/watch`, atMs: at, what, level: 'watch', detail: { unresolved: 8, allowanceToDate: 3.3, ratio: 2.4 } });
const alert = (history: HistoryEntry[], clearedAtMs?: number): DerivedAlert =>
  ({ id: ID, kind: 'level', complaintType: 'auto_installment', scope: 'GZ', level: 'watch', currentLevel: clearedAtMs ? 'ok' : 'watch', openedAtMs: T, history, ...(clearedAtMs ? { clearedAtMs } : {}) });

describe('a gateway notice of a rule\'s close that a person\'s re-open outranks', () => {
  it('says the re-open stands and the alert is not closed', () => {
    const opened = mergeDerived(undefined, alert([line('opened', T)]), T, { retroactive: false, reason: 'events' }, cfg).record;
    const reopenedAt = T + 86_400_000;
    const reopened = applyAction({ ...opened, status: 'resolved', resolution: 'recovered', resolvedAtMs: T + 1_000 }, { type: 'reopen', by: '王主管' }, reopenedAt, () => 'r-1', cfg).record;
    // the rules close it again, dated before the re-open: the person's re-open stands
    const closed = mergeDerived(reopened, alert([line('opened', T), line('resolved', T + 2_000)], T + 2_000), reopenedAt + 1_000, { retroactive: true, reason: 'late event' }, cfg);
    expect(closed.record.status).toBe('open');
    const text = gatewayNotice(alertView(closed.record, plan.timezone), closed.entries, plan).text;
    expect(text).not.toContain('已恢复正常，解除');
    expect(text).toContain('已恢复正常（人工重开仍有效，未解除）');
  });
});
