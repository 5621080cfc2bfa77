import { describe, expect, it } from 'vitest';
import type { TicketEvent } from '../../pipelines/model.ts';
import { getJson } from '../helpers/monitor-process.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { liveStack } from '../helpers/stack.ts';
import { until } from '../faults/support.ts';

// Audit CN3, end to end: a strict-mode case whose `opened` event (the ticket's receipt) came after
// its first contact, when the case was already overdue, was sent to the gateway as `overdue` a
// second time under a new noticeId (【消保预警·超期】…：超过办理期限 twice for one overdue case): the
// earlier receipt only moved its deadline. The second notice is now the `amended` line alone.

const live = liveStack({ ALERT_TICK_MS: '300' });
const ID = 'case.LATE-R';
const base = { ticketId: 'LATE-R', branch: 'SH', complaintType: 'insurance_dispute', customerId: 'C-late-r', channel: 'phone' };
const notices: any[] = [];
const whats = (n: any): string[] => n.change.map((c: any) => c.what);

describe('e2e alerts - a receipt reported after the case was overdue', () => {
  it('moves the deadline with one amended notice, not a second overdue page', async () => {
    const sub = live.nc.subscribe('complaints.alerts.>', { callback: (_e, m) => { const b = m.json<any>(); if (b.id === ID) notices.push(b); } });
    const firstContact = Date.parse('2025-03-10T10:00:00+08:00');
    await publishEvents(live.nc, [{ ...base, eventId: 'late-r-fc', kind: 'first_contact', outcome: 'not_agreed', occurredAt: new Date(firstContact).toISOString() } as TicketEvent]);
    await waitConsumed(live.nc);
    const first = await until('the overdue notice', async () => notices.find((n) => whats(n).includes('overdue')), 30_000);
    expect(first.status).toBe('open');

    const receipt = firstContact - 2 * 86_400_000;
    await publishEvents(live.nc, [{ ...base, eventId: 'late-r-op', kind: 'opened', occurredAt: new Date(receipt).toISOString(), text: '客户来电' } as TicketEvent]);
    await waitConsumed(live.nc);
    const amended = await until('the amended notice', async () => notices.find((n) => whats(n).includes('amended')), 30_000);
    // the clock (300 ms here) derives it again a few times: nothing more is announced
    await new Promise((r) => setTimeout(r, 2_000));
    sub.unsubscribe();

    expect(whats(amended)).toEqual(['amended']);
    expect(amended.noticeId).not.toBe(first.noticeId);
    expect(notices.filter((n) => whats(n).includes('overdue')).map((n) => n.noticeId)).toEqual([first.noticeId]);
    const { body } = await getJson(live.monitor, `/api/alerts/${ID}`);
    expect(body).toMatchObject({ status: 'open', urgency: 'overdue' });
    const overdue = body.history.filter((h: any) => h.what === 'overdue');
    expect(overdue.map((h: any) => Date.parse(h.at))).toEqual([receipt + 15 * 86_400_000]);
  }, 90_000);
});
