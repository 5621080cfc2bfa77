import { beforeAll, describe, expect, it } from 'vitest';
import type { TicketEvent } from '../../pipelines/model.ts';
import { getJson } from '../helpers/monitor-process.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { liveStack } from '../helpers/stack.ts';

// Times finer than a millisecond (RFC 3339 allows any number of fraction digits): an event 0.4 ms
// after an asOf is not counted at it, and of two corrections 0.8 ms apart the later wins, live
// and after a restart rebuilds the counters from ClickHouse (whose occurred_at keeps milliseconds).

const MP = 'mortgage_prepayment';
const fc = (eventId: string, ticketId: string, occurredAt: string, branch: string): TicketEvent => ({
  eventId, ticketId, kind: 'first_contact', outcome: 'not_agreed', occurredAt, branch, complaintType: MP, customerId: `cust-${ticketId}`,
});
const events: TicketEvent[] = [
  fc('f-1', 'FT-1', '2025-09-01T10:00:00.0009+08:00', 'BJ-HD'),
  fc('f-2', 'FT-2', '2025-09-02T10:00:00+08:00', 'GZ'),
  // the later correction is published first and its id sorts first: only its time can make it win
  { ...fc('a-fix-2', 'FT-2', '2025-09-03T10:00:00.0009+08:00', 'BJ-CY'), kind: 'corrected', outcome: undefined, customerId: 'correction' },
  { ...fc('z-fix-1', 'FT-2', '2025-09-03T10:00:00.0001+08:00', 'SH'), kind: 'corrected', outcome: undefined, customerId: 'correction' },
];

const live = liveStack();

beforeAll(async () => {
  await publishEvents(live.nc, events);
  await waitConsumed(live.nc);
}, 120_000);

async function unresolved(scope: string, asOf: string): Promise<number> {
  const { status, body } = await getJson(live.monitor, `/api/counters?year=2025&type=${MP}&scope=${scope}&asOf=${encodeURIComponent(asOf)}`);
  expect(status, JSON.stringify(body)).toBe(200);
  return body.rows[0].unresolvedCustomers;
}

async function expectFineTimes() {
  expect(await unresolved('BJ-HD', '2025-09-01T10:00:00.0005+08:00')).toBe(0);
  expect(await unresolved('BJ-HD', '2025-09-01T10:00:00.0009+08:00')).toBe(1);
  const end = '2025-12-31T23:59:59+08:00';
  expect([await unresolved('BJ-CY', end), await unresolved('SH', end), await unresolved('GZ', end)]).toEqual([1, 0, 0]);
}

describe('times finer than a millisecond', () => {
  it('count an event after an asOf 0.4 ms before it as after, and let the later of two corrections win', async () => {
    await expectFineTimes();
  });

  it('are the same after a restart rebuilds the counters from the store', async () => {
    await live.restart();
    await expectFineTimes();
  });
});
