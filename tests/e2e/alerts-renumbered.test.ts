import { describe, expect, it } from 'vitest';
import type { TicketEvent } from '../../pipelines/model.ts';
import { getJson } from '../helpers/monitor-process.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { liveStack } from '../helpers/stack.ts';
import { until } from '../faults/support.ts';
import { ADMIN, auth, PLAN, SUP, TOKENS } from './alerts-fixture.ts';

// Audit CA C0, end to end: a supervisor acknowledged 朝阳支行's December episode of 住房贷款提前还款;
// a back-filled not-agreed ticket of 2 January then made an earlier, short episode, which took
// number 1. The acknowledgement stayed on number 1 (now January's) and December's situation came
// back as number 2, open and unacknowledged, paging the on-call ladder again; correcting the late
// ticket to agreed gave the number back, but not the acknowledgement.

const live = liveStack({ PLAN, MONITOR_TOKENS: TOKENS, ALERT_TICK_MS: '300' });
const ID = (n: number) => `level.2025.mortgage_prepayment.BJ-CY.${n}`;
const contact = (n: number, occurredAt: string): TicketEvent =>
  ({ eventId: `cy-${n}`, ticketId: `CY-${n}`, kind: 'first_contact', outcome: 'not_agreed', occurredAt, branch: 'BJ-CY', complaintType: 'mortgage_prepayment', customerId: `C-cy-${n}`, channel: 'branch' }) as TicketEvent;
const alert = async (n: number) => (await getJson(live.monitor, `/api/alerts/${ID(n)}`, { headers: auth(SUP) })).body;
const reached = (what: string, n: number, pred: (a: any) => boolean) => until(what, async () => { const a = await alert(n); return pred(a) ? a : undefined; }, 30_000);

describe('e2e alerts - an acknowledgement follows its episode when an earlier one changes the numbering', () => {
  it('acknowledged in December, a January episode found late, then taken back by a correction', async () => {
    const december = Array.from({ length: 17 }, (_, i) => contact(i + 1, `2025-12-10T10:${String(i).padStart(2, '0')}:00+08:00`));
    await publishEvents(live.nc, december);
    await reached('December\'s episode', 1, (a) => a?.status === 'open' && a.level === 'watch');
    // sent as fetch sends a string without a content type (text/plain): the contract's body as JSON text
    const acked = await getJson(live.monitor, `/api/alerts/${ID(1)}/ack`, { method: 'POST', headers: auth(SUP), body: JSON.stringify({ by: '王主管', reason: 'investigating' }) });
    expect(acked.status).toBe(200);
    const ack = acked.body.ack;

    const late = contact(100, '2025-01-02T10:00:00+08:00');
    await publishEvents(live.nc, [late]);
    const moved = await reached('December\'s episode as number 2', 2, (a) => a?.openedAt?.startsWith('2025-12-10'));
    expect(moved).toMatchObject({ status: 'acknowledged', ack });
    expect(moved.history.map((h: any) => h.what)).toContain('acknowledged');
    expect(await alert(1)).toMatchObject({ status: 'resolved', ack: null, openedAt: expect.stringMatching(/^2025-01-02/) });
    const shown = async () => [await alert(1), await alert(2)].map((a) => [a.id, a.history.map((h: any) => `${h.what}@${Date.parse(h.at)}`).sort()]);
    const beforeRestart = await shown();
    await live.restart(); // restored from the alert log: each number with its own episode's lines
    expect(await reached('number 2 after a restart', 2, (a) => a?.status !== undefined)).toMatchObject({ status: 'acknowledged', ack, openedAt: expect.stringMatching(/^2025-12-10/) });
    expect(await alert(1)).toMatchObject({ status: 'resolved', ack: null, openedAt: expect.stringMatching(/^2025-01-02/) });
    expect(await shown()).toEqual(beforeRestart);
    // and the analysts' view of the history says the same (sql/040)
    const rows = (await getJson(live.monitor, '/api/sql', { method: 'POST', headers: { ...auth(ADMIN), 'content-type': 'text/plain' }, body: `SELECT alert_id, what, toUnixTimestamp64Milli(at) AS t FROM complaints.v_alert_history WHERE alert_id IN ('${ID(1)}', '${ID(2)}')` })).body.rows as Array<{ alert_id: string; what: string; t: string }>;
    expect([ID(1), ID(2)].map((id) => [id, rows.filter((r) => r.alert_id === id).map((r) => `${r.what}@${Number(r.t)}`).sort()])).toEqual(beforeRestart);

    await publishEvents(live.nc, [{ ...late, eventId: 'cy-100-corr', kind: 'corrected', outcome: 'agreed', occurredAt: '2025-12-11T09:00:00+08:00' } as TicketEvent]);
    await waitConsumed(live.nc);
    const back = await reached('December\'s episode as number 1 again', 1, (a) => a?.openedAt?.startsWith('2025-12-10'));
    expect(back).toMatchObject({ status: 'acknowledged', ack });
    expect(await alert(2)).toMatchObject({ status: 'resolved', resolution: 'withdrawn' });
  }, 90_000);
});
