import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { MaskedEvent } from './model.ts';
import type { DeadLetter, StoredEvent } from './sinks/clickhouse.ts';
import type { Envelope } from './sources/jetstream.ts';
import { monitorTopology, type BatchFailure, type BatchOutcome } from './topology.ts';

// A failed write at a message's last delivery: dead-lettered only when the row is the cause.
// Audit H1: a store refusing every insert into ticket_events (TOO_MANY_PARTS) while still taking
// dead letters turned every message in flight into a dead letter after five deliveries.

const MAX = 3;
const event = (id: string): MaskedEvent => ({
  eventId: id, ticketId: `t-${id}`, kind: 'opened', occurredAt: '', occurredAtMs: 0, branch: 'BJ',
  complaintType: 'x', reportedType: 'x', customerHash: 'h', customerMasked: {},
});
const tooManyParts = Object.assign(new Error('Too many parts (2). Merges are processing significantly slower than inserts'), { code: '252', type: 'TOO_MANY_PARTS' });
const unexplained = new Error('something odd happened');
const badValue = Object.assign(new Error('Cannot parse input: expected ... (CANNOT_PARSE_INPUT_ASSERTION_FAILED)'), { type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED' });

/** A store whose event writes fail with `error` while `refuses(ids)` says so; dead letters always go in. */
function harness(refuses: (ids: string[]) => Error | undefined) {
  const source = new Subject<Envelope>();
  const stored: string[] = [];
  const deadLetters: DeadLetter[] = [];
  const writes: string[][] = [];
  const outcomes: Array<BatchOutcome | BatchFailure> = [];
  const naks = new Map<string, number>();
  monitorTopology(source, {
    prepare: (data) => ({ ok: true, event: event(new TextDecoder().decode(data)) }),
    isKnown: (id) => stored.includes(id),
    write: async (events: StoredEvent[], dls: DeadLetter[]) => {
      const ids = events.map((e) => e.event.eventId);
      writes.push(ids);
      const error = ids.length ? refuses(ids) : undefined;
      if (error) throw error;
      stored.push(...ids);
      deadLetters.push(...dls);
    },
    apply: () => [],
    now: () => 0,
    batchMs: 0,
    batchMax: 1_000,
    retryDelayMs: 1,
    maxDeliveries: MAX,
  }).subscribe((o) => outcomes.push(o));
  /** delivers the messages (one batch) for the given time, and waits for their outcome */
  async function deliver(ids: string[], deliveries: number) {
    const before = outcomes.length;
    for (const [i, id] of ids.entries()) {
      const env: Envelope = {
        data: new TextEncoder().encode(id), subject: 'complaints.tickets.BJ', streamSeq: i + 1, streamCreatedMs: 0, deliveries, publishedAtMs: 0,
        ack: () => {}, nak: () => void naks.set(id, (naks.get(id) ?? 0) + 1), term: () => {},
      };
      source.next(env);
    }
    for (let i = 0; i < 100 && outcomes.length === before; i++) await new Promise((r) => setTimeout(r, 2));
    await new Promise((r) => setTimeout(r, 10));
  }
  return { deliver, stored, deadLetters, writes, naks };
}

describe('topology - poison isolation against store outages', () => {
  it('a store refusing every event write (too many parts) dead-letters nothing and is not hammered with split inserts', async () => {
    let refusing = true;
    const h = harness(() => (refusing ? tooManyParts : undefined));
    const ids = Array.from({ length: 64 }, (_, i) => `e${i}`);
    for (let d = 1; d <= MAX + 2; d++) await h.deliver(ids, d);
    expect(h.deadLetters).toEqual([]);
    expect(h.writes, 'one insert per delivery, not one per row').toHaveLength(MAX + 2);
    expect(h.naks.get('e0')).toBe(MAX + 2);
    refusing = false;
    await h.deliver(ids, MAX + 3);
    expect(h.stored.sort()).toEqual([...ids].sort());
  });

  it('an unexplained failure of a message alone at its last delivery is retried while the store takes no other write', async () => {
    const h = harness(() => unexplained);
    for (let d = 1; d <= MAX + 1; d++) await h.deliver(['lonely'], d);
    expect(h.deadLetters).toEqual([]);
    expect(h.naks.get('lonely')).toBe(MAX + 1);
  });

  it('an unexplained failure of one row while the rest of its batch is stored is that row\'s: dead-lettered at its last delivery', async () => {
    const h = harness((ids) => (ids.includes('poison') ? unexplained : undefined));
    const ids = ['a', 'b', 'poison', 'c', 'd'];
    for (let d = 1; d <= MAX; d++) await h.deliver(ids, d);
    expect(h.stored.sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(h.deadLetters.map((d) => [d.rejection.code, d.rejection.reason])).toEqual([
      ['write_failed', `the store refused this event after ${MAX} deliveries: something odd happened`],
    ]);
  });

  it('a value the store cannot parse is dead-lettered at its last delivery even alone', async () => {
    const h = harness(() => badValue);
    for (let d = 1; d <= MAX; d++) await h.deliver(['bad'], d);
    expect(h.deadLetters.map((d) => d.rejection.payload)).toEqual([expect.stringContaining('"eventId":"bad"')]);
  });
});
