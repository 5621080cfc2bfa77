import { describe, expect, it } from 'vitest';
import type { TicketEvent } from '../../pipelines/model.ts';
import { getJson } from '../helpers/monitor-process.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { liveStack } from '../helpers/stack.ts';
import { until } from '../faults/support.ts';

// A ticket the intake never classified (a 12378 transfer): every event says `unclassified`, and
// only the first carries the complaint's text. Contract section 1: the monitor assigns a type
// from text and tags, and "such a ticket counts under the type it is given", so its first
// contact, which has nothing to classify, counts under the type its ticket was given (the most
// confident classification of its events), in any arrival order and after a restart too. Until
// some event of the ticket is classified with confidence, it waits for a person.

const MP = 'mortgage_prepayment';
const base = { complaintType: 'unclassified', branch: 'SH', channel: 'regulator_12378' } as const;
const opened = (ticketId: string, at: string): TicketEvent => ({ ...base, eventId: `${ticketId}-o`, ticketId, kind: 'opened', occurredAt: at, customerId: `c-${ticketId}`, text: '客户要求提前还贷，房贷按揭' });
const contact = (ticketId: string, at: string): TicketEvent => ({ ...base, eventId: `${ticketId}-fc`, ticketId, kind: 'first_contact', outcome: 'not_agreed', occurredAt: at, customerId: `c-${ticketId}` });

const live = liveStack();

const unresolved = async () => (await getJson(live.monitor, `/api/counters?year=2025&type=${MP}&scope=SH&asOf=2025-12-31T23:00:00%2B08:00`)).body.rows[0].unresolvedCustomers as number;
const waiting = async () => (await getJson(live.monitor, '/api/classification/review')).body.items.map((i: { ticketId: string }) => i.ticketId) as string[];

describe('unclassified tickets', () => {
  it('count a first contact with no text under the type the ticket was given', async () => {
    await publishEvents(live.nc, [opened('U1', '2025-04-01T09:00:00+08:00')]);
    await publishEvents(live.nc, [contact('U1', '2025-04-02T09:00:00+08:00')]);
    await waitConsumed(live.nc);
    expect(await unresolved()).toBe(1);
    expect(await waiting()).not.toContain('U1'); // typed with confidence: nobody needs to look
  });

  it('do so after a restart, from the types read back from the store', async () => {
    await publishEvents(live.nc, [opened('U2', '2025-04-03T09:00:00+08:00')]);
    await waitConsumed(live.nc);
    await live.restart();
    await publishEvents(live.nc, [contact('U2', '2025-04-04T09:00:00+08:00')]);
    await waitConsumed(live.nc);
    expect(await unresolved()).toBe(2);
  });

  it('count a first contact that comes before any text once the text comes, and until then leave it to a person', async () => {
    await publishEvents(live.nc, [contact('U3', '2025-04-06T09:00:00+08:00')]);
    await waitConsumed(live.nc);
    expect(await unresolved()).toBe(2);
    expect(await waiting()).toContain('U3');
    await publishEvents(live.nc, [opened('U3', '2025-04-05T09:00:00+08:00')]);
    await waitConsumed(live.nc);
    expect(await unresolved()).toBe(3); // retroactively, under the type the ticket was given
    expect(await waiting()).not.toContain('U3');
  });

  it('do so when the text comes after a restart, and keep it after another', async () => {
    await publishEvents(live.nc, [contact('U4', '2025-04-08T09:00:00+08:00')]);
    await waitConsumed(live.nc);
    await live.restart();
    await publishEvents(live.nc, [opened('U4', '2025-04-07T09:00:00+08:00')]);
    await waitConsumed(live.nc);
    expect(await unresolved()).toBe(4);
    await live.restart();
    expect(await unresolved()).toBe(4);
  });

  it('open the case of a strict type the text arrives with after the first contact', async () => {
    const insurance = { ...opened('U5', '2025-04-09T09:00:00+08:00'), text: '客户要求退保，称代理保险销售误导，保单收益不符' };
    await publishEvents(live.nc, [contact('U5', '2025-04-10T09:00:00+08:00')]);
    await waitConsumed(live.nc);
    await publishEvents(live.nc, [insurance]);
    await waitConsumed(live.nc);
    const alert = await until('case.U5', async () => ((await getJson(live.monitor, '/api/alerts?status=open')).body.alerts as Array<{ id: string }>).find((a) => a.id === 'case.U5'));
    expect(alert).toMatchObject({ kind: 'case', complaintType: 'insurance_dispute', scope: 'SH' });
    // re-derived at start from the stored events, each with its own classification
    await live.restart();
    await until('alert engine started', () => live.monitor.output().includes('alert engine started')); // its first derivation done
    const open = (await getJson(live.monitor, '/api/alerts?status=open')).body.alerts as Array<{ id: string }>;
    expect(open.find((a) => a.id === 'case.U5')).toMatchObject({ kind: 'case', complaintType: 'insurance_dispute' });
  });
});
