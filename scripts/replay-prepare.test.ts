import { describe, expect, it } from 'vitest';
import type { TicketEvent } from '../pipelines/model.ts';
import { decodeEvent } from '../pipelines/transforms/index.ts';
import { testPlan } from '../pipelines/transforms/test-plan.ts';
import { StreamPreparer } from './replay-prepare.ts';

// A replay prepares the stream's messages as the monitor does: each event masked and classified
// on its own (the ticket's type is the counters' business, whatever the order), the first copy
// of an event kept (the monitor drops the later ones; the store keeps the last row written).

const transfer = { ticketId: 'RP-T1', branch: 'SH', complaintType: 'unclassified', customerId: 'C-1', channel: 'regulator_12378' };
const opened: TicketEvent = { ...transfer, eventId: 'rp-1', kind: 'opened', occurredAt: '2025-11-02T10:00:00+08:00', text: '12378转办：客户反映住房贷款提前还款被收取违约金' };
const contact: TicketEvent = { ...transfer, eventId: 'rp-2', kind: 'first_contact', occurredAt: '2025-11-02T11:00:00+08:00', outcome: 'not_agreed' };
const message = (e: TicketEvent) => decodeEvent(JSON.stringify(e));
const preparer = () => new StreamPreparer(testPlan(), new TextEncoder().encode('test-key'));

describe('replay - preparing the stream as the monitor does', () => {
  it('classifies each event on its own, in either order: a text-less first contact stays unclassified in the store', () => {
    for (const order of [[opened, contact], [contact, opened]]) {
      const p = preparer();
      const stored = order.map((e) => p.prepare(message(e)));
      const byId = new Map(stored.map((e) => [e?.eventId, e]));
      expect(byId.get('rp-1')?.complaintType).toBe('mortgage_prepayment');
      expect([byId.get('rp-2')?.complaintType, byId.get('rp-2')?.reportedType]).toEqual(['unclassified', 'unclassified']);
    }
  });

  it('keeps the first copy of an event when it comes again', () => {
    const p = preparer();
    expect(p.prepare(message(contact))).toBeDefined();
    expect(p.prepare(message(contact))).toBeUndefined();
    expect(p.duplicates).toBe(1);
  });

  it('skips invalid messages (the dead-letter store has them)', () => {
    expect(preparer().prepare(decodeEvent('{"eventId":'))).toBeUndefined();
  });
});
