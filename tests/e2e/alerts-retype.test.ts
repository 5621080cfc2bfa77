import { describe, expect, it } from 'vitest';
import { getJson } from '../helpers/monitor-process.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { liveStack } from '../helpers/stack.ts';
import { until } from '../faults/support.ts';

// A ticket of a relative type, retyped by a correction into a strict type, opens its case with
// the steps it took before: whether the case book skipped it live or it was stored before a restart.

const live = liveStack({ ALERT_TICK_MS: '300' });
const base = { channel: 'branch', customerId: 'C1' };

describe('e2e alerts - a ticket retyped into a strict type', () => {
  it('opens a case when a correction after a restart retypes an earlier ticket into a strict type', async () => {
    // Stored before the restart as a relative-mode type, so the case book did not load it then.
    await publishEvents(live.nc, [
      { ...base, customerId: 'C9', eventId: 'r-1', ticketId: 'MORT-9', kind: 'first_contact', outcome: 'not_agreed', occurredAt: '2025-04-01T10:00:00+08:00', branch: 'GZ', complaintType: 'mortgage_prepayment' },
      { ...base, customerId: 'C9', eventId: 'r-2', ticketId: 'MORT-9', kind: 'escalated', escalation: 'case_meeting', occurredAt: '2025-04-02T10:00:00+08:00', branch: 'GZ', complaintType: 'mortgage_prepayment' },
    ]);
    await waitConsumed(live.nc);
    await new Promise((r) => setTimeout(r, 500));
    await live.restart();
    expect((await getJson(live.monitor, '/api/alerts?status=existing')).body.alerts.find((a: any) => a.id === 'case.MORT-9')).toBeUndefined();
    await publishEvents(live.nc, [
      { ...base, customerId: 'C9', eventId: 'r-3', ticketId: 'MORT-9', kind: 'corrected', occurredAt: '2025-04-03T10:00:00+08:00', branch: 'GZ', complaintType: 'insurance_dispute' },
    ]);
    await waitConsumed(live.nc);
    const opened = await until('the case of the retyped ticket', async () =>
      (await getJson(live.monitor, '/api/alerts?status=open')).body.alerts.find((a: any) => a.id === 'case.MORT-9'),
    );
    expect(opened).toMatchObject({ kind: 'case', complaintType: 'insurance_dispute', ticketId: 'MORT-9' });
    // its history knows the step taken before the restart
    expect(JSON.stringify(opened)).toContain('case_meeting');
  });

  it('opens a case when a live correction retypes a ticket the case book skipped as another type', async () => {
    await publishEvents(live.nc, [
      { ...base, customerId: 'C8', eventId: 'l-1', ticketId: 'AUTO-8', kind: 'first_contact', outcome: 'not_agreed', occurredAt: '2025-05-01T10:00:00+08:00', branch: 'SH', complaintType: 'auto_installment' },
      { ...base, customerId: 'C8', eventId: 'l-2', ticketId: 'AUTO-8', kind: 'escalated', escalation: 'mediation', occurredAt: '2025-05-02T10:00:00+08:00', branch: 'SH', complaintType: 'auto_installment' },
    ]);
    await waitConsumed(live.nc);
    await publishEvents(live.nc, [
      { ...base, customerId: 'C8', eventId: 'l-3', ticketId: 'AUTO-8', kind: 'corrected', occurredAt: '2025-05-03T10:00:00+08:00', branch: 'SH', complaintType: 'insurance_dispute' },
    ]);
    const opened = await until('the case of the retyped ticket', async () =>
      (await getJson(live.monitor, '/api/alerts?status=open')).body.alerts.find((a: any) => a.id === 'case.AUTO-8' && JSON.stringify(a).includes('mediation')),
    );
    expect(opened).toMatchObject({ kind: 'case', complaintType: 'insurance_dispute', scope: 'SH' });
  });

  // Audit AF F8: a gateway per branch heard nothing when a correction moved its case elsewhere.
  it('a case moved to another branch by a correction: its old branch\'s subject gets a copy saying where it went', async () => {
    const oldBranch = live.nc.subscribe('complaints.alerts.insurance_dispute.SH');
    const heard: Array<{ copyOf?: string; notice: { title: string; text: string }; ticketId?: string }> = [];
    void (async () => {
      for await (const m of oldBranch) heard.push(m.json());
    })();
    await publishEvents(live.nc, [
      { ...base, customerId: 'C7', eventId: 'm-1', ticketId: 'INS-7', kind: 'first_contact', outcome: 'not_agreed', occurredAt: '2025-06-01T10:00:00+08:00', branch: 'SH', complaintType: 'insurance_dispute' },
    ]);
    await until('the case announced at SH', () => heard.some((m) => m.ticketId === 'INS-7' && !m.copyOf));
    await publishEvents(live.nc, [
      { ...base, customerId: 'C7', eventId: 'm-2', ticketId: 'INS-7', kind: 'corrected', occurredAt: '2025-06-02T10:00:00+08:00', branch: 'GZ', complaintType: 'insurance_dispute' },
    ]);
    const copy = await until('the copy for SH', () => heard.find((m) => m.ticketId === 'INS-7' && m.copyOf));
    oldBranch.unsubscribe();
    expect(copy.notice.title).toContain('已转出');
    expect(copy.notice.text).toContain('转至');
  });
});
