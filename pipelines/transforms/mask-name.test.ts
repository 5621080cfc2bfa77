import { describe, expect, it } from 'vitest';
import type { TicketEvent } from '../model.ts';
import { maskEvent } from './mask.ts';
import { testPlan } from './test-plan.ts';

// Verify CK1: a customer's name typed with an invisible character (copied from a page or a chat)
// stayed in clear in the text, once the text's masking dropped that character and the name, kept
// with it, no longer matched. The name is compared without invisible characters on either side.

const KEY = new TextEncoder().encode('test-key');
const plan = testPlan();
const event = (name: string, text: string): TicketEvent => ({
  eventId: 'e1', ticketId: 't1', kind: 'opened', occurredAt: '2025-04-01T09:00:00+08:00', branch: 'SH',
  complaintType: 'mortgage_prepayment', customerId: 'CUST-0042', text, customer: { name },
});

describe('transforms - the customer name in free text, with invisible characters', () => {
  it.each([
    ['张伟\u200b', '客户张伟\u200b 来电投诉', '客户张* 来电投诉'],
    ['张伟', '客户张\u200b伟来电投诉', '客户张*来电投诉'],
    ['张\u200b伟', '客户张伟来电', '客户张*来电'],
    ['John Smith\u200e', 'Customer John Smith\u200e called', 'Customer J********* called'],
    ['محمد علي\u200f', 'العميل محمد علي\u200f اتصل', null],
  ])('name %j in %j', (name, text, expected) => {
    const out = maskEvent(event(name, text), { hashKey: KEY, plan }).text!;
    const clean = name.replace(/\p{Cf}/gu, '');
    expect(out.replace(/\p{Cf}/gu, '')).not.toContain(clean);
    if (expected !== null) expect(out).toBe(expected);
  });
});
