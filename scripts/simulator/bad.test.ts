import { describe, expect, it } from 'vitest';
import { badEvents } from './bad.ts';
import { referenceRejection } from './testkit.ts';

describe('bad events - every payload is rejected for its stated reason', () => {
  const bad = badEvents(7);
  it('covers every rejection code and required field, with unique labels', () => {
    expect(new Set(bad.map((b) => b.expected))).toEqual(new Set(['invalid_json', 'schema', 'no_offset', 'too_large']));
    expect(new Set(bad.map((b) => b.label)).size).toBe(bad.length);
    for (const f of ['eventId', 'ticketId', 'kind', 'occurredAt', 'branch', 'complaintType', 'customerId']) {
      expect(bad.some((b) => b.label === `missing ${f}`)).toBe(true);
    }
    for (const label of ['JSON array', 'bad kind', 'first_contact without outcome', 'escalated without escalation',
      'occurredAt without offset', 'occurredAt invalid date', 'branch with bad characters', 'body larger than 64 KiB']) {
      expect(bad.some((b) => b.label === label), label).toBe(true);
    }
    expect(bad.some((b) => b.label.startsWith('wrong type'))).toBe(true);
  });
  it.each(bad.map((b) => [b.label, b] as const))('%s', (_label, b) => {
    expect(referenceRejection(b.payload)).toBe(b.expected);
    expect(b.subjectBranch).toMatch(/^[A-Za-z0-9_-]+$/);
  });
  it('is deterministic per seed and distinct across seeds', () => {
    expect(badEvents(7)).toEqual(bad);
    expect(badEvents(8)).not.toEqual(bad);
  });
});
