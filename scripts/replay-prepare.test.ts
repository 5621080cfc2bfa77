import { describe, expect, it } from 'vitest';
import type { TicketEvent } from '../pipelines/model.ts';
import { decodeEvent } from '../pipelines/transforms/index.ts';
import { testPlan } from '../pipelines/transforms/test-plan.ts';
import { StreamPreparer } from './replay-prepare.ts';

// A replay prepares the stream's messages as the monitor did (an audit: a replay stored a 12378
// transfer's text-less first contact as `unclassified`, where the monitor had given it its
// ticket's type, and its not-agreed customer stopped counting).

const transfer = { ticketId: 'RP-T1', branch: 'SH', complaintType: 'unclassified', customerId: 'C-1', channel: 'regulator_12378' };
const opened: TicketEvent = { ...transfer, eventId: 'rp-1', kind: 'opened', occurredAt: '2025-11-02T10:00:00+08:00', text: '12378转办：客户反映住房贷款提前还款被收取违约金' };
const contact: TicketEvent = { ...transfer, eventId: 'rp-2', kind: 'first_contact', occurredAt: '2025-11-02T11:00:00+08:00', outcome: 'not_agreed' };
const message = (e: TicketEvent) => decodeEvent(JSON.stringify(e));
const preparer = () => new StreamPreparer(testPlan(), new TextEncoder().encode('test-key'));

describe('replay - preparing the stream as the monitor did', () => {
  it("gives a text-less event of an unclassified ticket the type its ticket's earlier text gave", () => {
    const p = preparer();
    expect(p.prepare(message(opened))?.complaintType).toBe('mortgage_prepayment');
    const stored = p.prepare(message(contact));
    expect([stored?.complaintType, stored?.reportedType, stored?.classification?.modelVersion]).toEqual(['mortgage_prepayment', 'unclassified', 'keywords-v1+ticket']);
  });

  it('leaves a first contact read before any text unclassified, and keeps that first copy when it comes again', () => {
    const p = preparer();
    expect(p.prepare(message(contact))?.complaintType).toBe('unclassified'); // as live: it waits for a person
    expect(p.prepare(message(opened))?.complaintType).toBe('mortgage_prepayment');
    expect(p.prepare(message(contact))).toBeUndefined(); // the monitor dropped the copy; storing it typed would replace its row
    expect(p.duplicates).toBe(1);
  });

  it('starts from what it is told the monitor knew (the store, before the first message read)', () => {
    const p = preparer();
    p.ticketTypes.note('RP-T1', { type: 'auto_installment', confidence: 0.9, modelVersion: 'keywords-v1', needsReview: false });
    expect(p.prepare(message(contact))?.complaintType).toBe('auto_installment');
  });

  it('skips invalid messages (the dead-letter store has them)', () => {
    expect(preparer().prepare(decodeEvent('{"eventId":'))).toBeUndefined();
  });
});
