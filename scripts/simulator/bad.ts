import { fakePhone } from './people.ts';
import { mulberry32 } from './prng.ts';

// Payloads a ticket system should never send, each with the rejection code the monitor must give
// it (contract section 1). Every other field of a payload is valid, so each case tests one rule.

export type RejectionCode = 'invalid_json' | 'schema' | 'no_offset' | 'too_large';

export interface BadEvent {
  label: string;
  expected: RejectionCode;
  payload: string;
  /** the branch to publish under (complaints.tickets.<subjectBranch>) */
  subjectBranch: string;
}

export const MAX_BODY_BYTES = 64 * 1024;

export function badEvents(seed: number): BadEvent[] {
  const rng = mulberry32(seed ^ 0xbad);
  let n = 0;
  const base = () => ({
    eventId: `BAD-${seed}-${++n}`,
    ticketId: `BAD-T-${seed}-${n}`,
    kind: 'opened',
    occurredAt: '2026-03-02T10:15:00+08:00',
    branch: 'BJ',
    complaintType: 'mortgage_prepayment',
    customerId: `CUST-BAD-${seed}-${n}`,
    // A phone number in the text, so the dead-letter store has something to mask.
    text: `测试坏消息，联系电话 ${fakePhone(rng)}`,
  });
  const out: BadEvent[] = [];
  const add = (label: string, expected: RejectionCode, payload: string | object, subjectBranch = 'BJ') =>
    out.push({ label, expected, payload: typeof payload === 'string' ? payload : JSON.stringify(payload), subjectBranch });
  const without = (key: string) => {
    const e: Record<string, unknown> = base();
    delete e[key];
    return e;
  };

  add('not JSON: plain text', 'invalid_json', `not json at all ${fakePhone(rng)}`);
  add('not JSON: truncated object', 'invalid_json', JSON.stringify(base()).slice(0, 40));
  add('not JSON: empty body', 'invalid_json', '');
  add('not JSON: single quotes', 'invalid_json', `{'eventId': 'BAD-${seed}-q'}`);
  add('JSON array', 'schema', JSON.stringify([base()]));
  add('JSON null', 'schema', 'null');
  add('JSON string', 'schema', '"opened"');
  for (const key of ['eventId', 'ticketId', 'kind', 'occurredAt', 'branch', 'complaintType', 'customerId']) {
    add(`missing ${key}`, 'schema', without(key));
  }
  add('bad kind', 'schema', { ...base(), kind: 'closed' });
  add('first_contact without outcome', 'schema', { ...base(), kind: 'first_contact' });
  add('resolved without outcome', 'schema', { ...base(), kind: 'resolved' });
  add('bad outcome value', 'schema', { ...base(), kind: 'first_contact', outcome: 'maybe' });
  add('escalated without escalation', 'schema', { ...base(), kind: 'escalated' });
  add('occurredAt without offset', 'no_offset', { ...base(), occurredAt: '2026-03-02T10:15:00' });
  add('occurredAt without offset, fractional seconds', 'no_offset', { ...base(), occurredAt: '2026-03-02T10:15:00.250' });
  add('occurredAt invalid date', 'schema', { ...base(), occurredAt: '2026-02-30T10:15:00+08:00' });
  add('occurredAt not a date', 'schema', { ...base(), occurredAt: 'yesterday' });
  add('branch with bad characters', 'schema', { ...base(), branch: 'BJ/海淀 支行' });
  add('branch empty', 'schema', { ...base(), branch: '' });
  add('complaintType with capitals', 'schema', { ...base(), complaintType: 'Mortgage Prepayment' });
  add('eventId empty', 'schema', { ...base(), eventId: '' });
  add('wrong type: eventId number', 'schema', { ...base(), eventId: 12345 });
  add('wrong type: customerId object', 'schema', { ...base(), customerId: { id: 1 } });
  add('wrong type: satisfaction string', 'schema', { ...base(), satisfaction: '5' });
  add('satisfaction out of range', 'schema', { ...base(), satisfaction: 9 });
  add('wrong type: tags value number', 'schema', { ...base(), tags: { product: 1 } });
  add('wrong type: customer not an object', 'schema', { ...base(), customer: '张伟 13812345678' });
  add('text longer than 20000', 'schema', { ...base(), text: 'x'.repeat(20_001) });
  // Schema-valid apart from its size, so only the size rule can reject it.
  const tags: Record<string, string> = {};
  for (let i = 0; i < 1_500; i++) tags[`tag${i}`] = 'x'.repeat(40);
  add('body larger than 64 KiB', 'too_large', { ...base(), tags });
  add('body larger than 64 KiB, not JSON', 'too_large', 'y'.repeat(MAX_BODY_BYTES + 1));
  return out;
}
