import { Subject } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import type { MaskedEvent } from './model.ts';
import { batchWhileBusy } from './batch.ts';
import { monitorTopology, planBatch, safePrepare, type BatchFailure, type BatchOutcome, type Prepared } from './topology.ts';
import type { Envelope } from './sources/jetstream.ts';

// The wiring between stages, with plain values in place of the broker and the database: what is
// acked when, what is dead-lettered, and how batches form while the sink is busy.

const event = (id: string): MaskedEvent => ({
  eventId: id, ticketId: 't', kind: 'opened', occurredAt: '', occurredAtMs: 0, branch: 'BJ',
  complaintType: 'x', reportedType: 'x', customerHash: 'h', customerMasked: {},
});

function envelope(text: string, seq: number) {
  const calls = { ack: 0, nak: 0 };
  const env: Envelope = {
    data: new TextEncoder().encode(text), subject: 'complaints.tickets.BJ', streamSeq: seq, streamCreatedMs: 7_000, deliveries: 1, publishedAtMs: 0,
    ack: () => void calls.ack++, nak: () => void calls.nak++, term: () => {},
  };
  return { env, calls };
}

const prepare = (data: Uint8Array): Prepared => {
  const text = new TextDecoder().decode(data);
  if (text === 'throw') throw new Error('boom');
  return text.startsWith('bad') ? { ok: false, rejection: { code: 'schema', reason: 'bad', payload: text } } : { ok: true, event: event(text) };
};

describe('topology - batch planning', () => {
  it('drops known and repeated events, dead-letters rejections', () => {
    const items = ['a', 'b', 'a', 'bad1', 'k'].map((t, i) => ({ env: envelope(t, i + 1).env, prepared: prepare(new TextEncoder().encode(t)) }));
    const plan = planBatch(items, (id) => id === 'k', 1000);
    expect(plan.events.map((e) => e.event.eventId)).toEqual(['a', 'b']);
    expect(plan.duplicates).toBe(2);
    expect(plan.deadLetters).toEqual([{ rejection: { code: 'schema', reason: 'bad', payload: 'bad1' }, subject: 'complaints.tickets.BJ', streamSeq: 4, streamCreatedMs: 7_000, receivedAtMs: 1000 }]);
  });

  it('gives the new events alone and the oldest arrival of any message, dead letters and repeats included', () => {
    const arrivals = [30, 20, 40, 10, 50];
    const items = ['a', 'b', 'a', 'bad1', 'c'].map((t, i) => {
      const { env } = envelope(t, i + 1);
      return { env: { ...env, publishedAtMs: arrivals[i]! }, prepared: prepare(new TextEncoder().encode(t)) };
    });
    const plan = planBatch(items, () => false, 1000);
    expect(plan.newEvents.map((e) => e.eventId)).toEqual(['a', 'b', 'c']);
    expect(plan.newEvents).toEqual(plan.events.map((e) => e.event));
    expect(plan.oldestPublishedAtMs).toBe(10);
  });

  it('turns a throwing stage into a dead letter instead of ending the stream', () => {
    const out = safePrepare(prepare, new TextEncoder().encode('throw'));
    expect(out).toEqual({ ok: false, rejection: { code: 'stage_error', reason: 'processing failed: boom', payload: '' } });
  });
});

describe('topology - ack after the write', () => {
  function run(write: () => Promise<void>) {
    const source = new Subject<Envelope>();
    const out: Array<BatchOutcome | BatchFailure> = [];
    const applied: string[] = [];
    monitorTopology(source, {
      prepare, isKnown: () => false, write, now: () => 5,
      apply: (events) => { applied.push(...events.map((e) => e.eventId)); return []; },
      batchMs: 1, batchMax: 100,
    }).subscribe((o) => out.push(o));
    return { source, out, applied };
  }

  it('acks every message of a batch only once the write resolved, and counts after it', async () => {
    let release!: () => void;
    const t = run(() => new Promise<void>((r) => (release = r)));
    const a = envelope('a', 1);
    const b = envelope('bad', 2);
    t.source.next(a.env);
    t.source.next(b.env);
    await vi.waitFor(() => expect(release).toBeTypeOf('function'));
    expect([a.calls.ack, b.calls.ack, t.applied.length]).toEqual([0, 0, 0]);
    release();
    await vi.waitFor(() => expect(t.out).toHaveLength(1));
    expect([a.calls.ack, b.calls.ack]).toEqual([1, 1]);
    expect(t.applied).toEqual(['a']);
    expect(t.out[0]).toMatchObject({ received: 2, stored: 1, deadLettered: 1 });
  });

  it('lets go of the message bytes once they are read, while the batch waits for its write', async () => {
    let release!: () => void;
    const t = run(() => new Promise<void>((r) => (release = r)));
    const a = envelope('a', 1);
    t.source.next(a.env);
    await vi.waitFor(() => expect(release).toBeTypeOf('function'));
    expect(a.env.data.byteLength).toBe(0);
    release();
    await vi.waitFor(() => expect(t.out).toHaveLength(1));
    expect(t.applied).toEqual(['a']);
  });

  it('naks the batch when the write fails and goes on with the next one', async () => {
    let fail = true;
    const t = run(async () => {
      if (fail) throw new Error('disk full');
    });
    const a = envelope('a', 1);
    t.source.next(a.env);
    await vi.waitFor(() => expect(t.out).toHaveLength(1));
    expect(t.out[0]).toMatchObject({ failed: true, size: 1 });
    expect(a.calls).toEqual({ ack: 0, nak: 1 });
    expect(t.applied).toEqual([]);
    fail = false;
    const b = envelope('b', 2);
    t.source.next(b.env);
    await vi.waitFor(() => expect(t.out).toHaveLength(2));
    expect(b.calls).toEqual({ ack: 1, nak: 0 });
  });
});

describe('topology - batches grow while the sink is busy', () => {
  it('gathers everything that arrives during a write into the next batch, split at max', async () => {
    const source = new Subject<number>();
    const batches: number[][] = [];
    const releases: Array<() => void> = [];
    const done = vi.fn();
    source
      .pipe(batchWhileBusy((batch: number[]) => new Promise<number[]>((r) => { batches.push(batch); releases.push(() => r(batch)); }), { lingerMs: 1, max: 3 }))
      .subscribe({ complete: done });
    source.next(1);
    await vi.waitFor(() => expect(batches).toEqual([[1]]));
    for (const n of [2, 3, 4, 5]) source.next(n);
    await new Promise((r) => setTimeout(r, 20));
    expect(batches).toHaveLength(1); // nothing is written while the first write runs
    releases[0]!();
    await vi.waitFor(() => expect(batches).toEqual([[1], [2, 3, 4]]));
    releases[1]!();
    await vi.waitFor(() => expect(batches).toEqual([[1], [2, 3, 4], [5]]));
    source.complete();
    expect(done).not.toHaveBeenCalled(); // completes only after the last write
    releases[2]!();
    await vi.waitFor(() => expect(done).toHaveBeenCalled());
  });
});
