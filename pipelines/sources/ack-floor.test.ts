// The ack-all ledger against a model of the broker's ack-all consumer, for random interleavings of
// deliveries, ack waits running out, naks, lost deliveries, batches finishing out of order, acks
// and time passing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AckFloor } from './ack-floor.ts';

interface D {
  streamSeq: number;
  deliverySeq: number;
}

const ACK_WAIT = 10;

/**
 * nats-server 2.9's ack-all consumer, reduced to deliveries, ack waits and acks (consumer.go),
 * including its flaw: a message queued for redelivery when an ack-all passes it is given out
 * again anyway and stays pending below the floor.
 */
class Broker {
  ackStream: number;
  ackDelivery = 0;
  lastDelivery = 0;
  nextNew: number;
  now = 0;
  /** stream seq -> when it was last given out */
  pending = new Map<number, number>();
  redeliver: number[] = [];
  ignored = 0;
  constructor(
    readonly size: number,
    startAfter = 0,
  ) {
    this.ackStream = startAfter;
    this.nextNew = startAfter + 1;
  }
  tick(ms: number) {
    this.now += ms;
    for (const [seq, at] of this.pending) {
      if (this.now - at >= ACK_WAIT && !this.redeliver.includes(seq)) this.redeliver.push(seq);
    }
  }
  deliver(): D | undefined {
    const seq = this.redeliver.length > 0 ? this.redeliver.shift()! : this.nextNew <= this.size ? this.nextNew++ : undefined;
    if (seq === undefined) return undefined;
    this.pending.set(seq, this.now);
    return { streamSeq: seq, deliverySeq: ++this.lastDelivery };
  }
  nak(d: D) {
    if (this.pending.has(d.streamSeq) && !this.redeliver.includes(d.streamSeq)) this.redeliver.push(d.streamSeq);
  }
  ack(d: D) {
    if (d.deliverySeq <= this.ackDelivery || d.streamSeq <= this.ackStream) {
      this.ignored++;
      return;
    }
    const queued = new Set(this.redeliver);
    for (const seq of this.pending.keys()) if (seq <= d.streamSeq && !queued.has(seq)) this.pending.delete(seq);
    this.ackDelivery = d.deliverySeq;
    this.ackStream = d.streamSeq;
  }
  /** messages pending that no ack can settle any more */
  stuck(): number {
    return [...this.pending.keys()].filter((seq) => seq <= this.ackStream).length;
  }
}

const step = fc.oneof(
  { arbitrary: fc.constant({ op: 'deliver' as const }), weight: 6 },
  { arbitrary: fc.record({ op: fc.constant('finish' as const), pick: fc.nat(), size: fc.integer({ min: 1, max: 6 }) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('nak' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.constant({ op: 'lose' as const }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('time' as const), ms: fc.integer({ min: 1, max: 8 }) }), weight: 3 },
  { arbitrary: fc.constant({ op: 'flush' as const }), weight: 3 },
);
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

/** The pipeline and the source around the ledger, replacing the consumer as the source does. */
function run(size: number, steps: Step[]) {
  let broker = new Broker(size);
  let ledger = new AckFloor<D>({ streamSeq: 0, deliverySeq: 0 });
  let replaced = 0;
  const durable = new Set<number>();
  let working: D[] = [];
  const flush = () => {
    const d = ledger.takeAck();
    if (d) {
      // safety: an ack-all never settles a message whose effect is not durable
      for (let s = broker.ackStream + 1; s <= d.streamSeq; s++) expect(durable.has(s), `ack at ${d.streamSeq} settles ${s}`).toBe(true);
      broker.ack(d);
    }
    if (ledger.stuck() !== undefined) {
      // a new consumer after the broker's floor; answers of the old one's deliveries go nowhere
      broker = new Broker(size, broker.ackStream);
      ledger = new AckFloor<D>({ streamSeq: broker.ackStream, deliverySeq: 0 });
      working = [];
      replaced++;
    }
  };
  const receive = (d: D | undefined) => {
    if (!d) return;
    ledger.delivered(d);
    working.push(d);
  };
  for (const s of steps) {
    if (s.op === 'deliver') receive(broker.deliver());
    else if (s.op === 'lose') broker.deliver(); // given out, never received: back after its ack wait
    else if (s.op === 'time') broker.tick(s.ms);
    else if (s.op === 'finish' && working.length > 0) {
      const start = s.pick % working.length;
      const batch = working.slice(start, start + s.size);
      working = working.filter((d) => !batch.includes(d));
      for (const d of batch) {
        durable.add(d.streamSeq);
        ledger.done(d);
      }
    } else if (s.op === 'nak' && working.length > 0) {
      const d = working.splice(s.pick % working.length, 1)[0]!;
      ledger.nakked(d);
      broker.nak(d);
    } else if (s.op === 'flush') flush();
  }
  // drain: everything is received and finished promptly, time passes, redeliveries come back
  for (let guard = 0; guard < 50 * size + 500 && (broker.ackStream < size || broker.pending.size > 0); guard++) {
    for (const d of working.splice(0)) {
      durable.add(d.streamSeq);
      ledger.done(d);
    }
    flush();
    const d = broker.deliver();
    if (d) receive(d);
    else broker.tick(1);
  }
  return { broker, ledger, replaced };
}

describe('AckFloor', () => {
  it('acks only durable prefixes, and the broker ends with every message settled and none stuck', () => {
    let replacedRuns = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(step, { maxLength: 200 }), (size, steps) => {
        const { broker, ledger, replaced } = run(size, steps);
        expect(broker.ackStream).toBe(size);
        expect(broker.pending.size, 'pending at the broker').toBe(0);
        expect(ledger.unacked).toBe(0);
        expect(broker.ignored, 'acks the broker ignored').toBe(0);
        if (replaced > 0) replacedRuns++;
      }),
      { numRuns: 3_000, seed: 20261126 },
    );
    expect(replacedRuns, 'runs where a stuck message made the source replace the consumer').toBeGreaterThan(0);
  });

  it('in order, one ack per finished batch', () => {
    const ledger = new AckFloor<D>({ streamSeq: 0, deliverySeq: 0 });
    const broker = new Broker(10);
    const ds = Array.from({ length: 10 }, () => broker.deliver()!);
    for (const d of ds) ledger.delivered(d);
    for (const d of ds.slice(0, 4)) ledger.done(d);
    expect(ledger.takeAck()).toEqual(ds[3]);
    for (const d of ds.slice(6)) ledger.done(d);
    expect(ledger.takeAck()).toBeUndefined(); // 5 and 6 still working
    for (const d of ds.slice(4, 6)) ledger.done(d);
    expect(ledger.takeAck()).toEqual(ds[9]);
    expect(ledger.ackedThrough).toBe(10);
  });

  it('waits for a nakked message until its redelivery is done', () => {
    const ledger = new AckFloor<D>({ streamSeq: 0, deliverySeq: 0 });
    const broker = new Broker(3);
    const [a, b, c] = [broker.deliver()!, broker.deliver()!, broker.deliver()!];
    for (const d of [a, b, c]) ledger.delivered(d);
    ledger.done(a);
    ledger.nakked(b);
    broker.nak(b);
    ledger.done(c);
    expect(ledger.takeAck()).toEqual(a);
    const again = broker.deliver()!;
    ledger.delivered(again);
    ledger.done(again);
    expect(ledger.takeAck()).toEqual(c);
  });

  it('does not let a late redelivery carry the ack while an earlier delivery of a later message works', () => {
    const ledger = new AckFloor<D>({ streamSeq: 0, deliverySeq: 0 });
    const broker = new Broker(3);
    const [a, b, c] = [broker.deliver()!, broker.deliver()!, broker.deliver()!];
    for (const d of [a, b, c]) ledger.delivered(d);
    ledger.nakked(b);
    broker.nak(b);
    const again = broker.deliver()!; // stream 2, delivery 4
    ledger.delivered(again);
    ledger.done(a);
    ledger.done(again);
    const first = ledger.takeAck()!;
    expect(first).toEqual(a); // stream 2's ack would make the broker ignore stream 3's (delivery 3)
    broker.ack(first);
    ledger.done(c);
    broker.ack(ledger.takeAck()!);
    expect([broker.ackStream, broker.ignored]).toEqual([3, 0]);
  });

  it('waits after a nak from an older delivery too (the broker queues the message again)', () => {
    const ledger = new AckFloor<D>({ streamSeq: 0, deliverySeq: 0 });
    const broker = new Broker(1);
    const first = broker.deliver()!;
    ledger.delivered(first);
    broker.tick(ACK_WAIT); // its ack wait runs out while a slow write holds it
    const second = broker.deliver()!;
    ledger.delivered(second);
    ledger.nakked(first); // the slow write failed: its batch is handed back
    broker.nak(first);
    ledger.done(second); // the repeat was stored (or dropped as a duplicate)
    expect(ledger.takeAck()).toBeUndefined(); // the broker has it queued again
    const third = broker.deliver()!;
    ledger.delivered(third);
    ledger.done(third);
    broker.ack(ledger.takeAck()!);
    expect([broker.ackStream, broker.stuck()]).toEqual([1, 0]);
  });

  it('keeps up over tens of thousands of messages (its array is compacted) and takes the floor a restarted broker reports', () => {
    const ledger = new AckFloor<D>({ streamSeq: 100, deliverySeq: 50 });
    const all: D[] = [];
    for (let i = 1; i <= 30_000; i++) all.push({ streamSeq: 100 + i, deliverySeq: 50 + i });
    for (let i = 0; i < all.length; i += 700) {
      const batch = all.slice(i, i + 700);
      for (const d of batch) ledger.delivered(d);
      for (const d of batch) ledger.done(d);
      expect(ledger.takeAck()).toEqual(batch[batch.length - 1]);
    }
    expect([ledger.ackedThrough, ledger.unacked]).toEqual([30_100, 0]);
    // the broker comes back having lost the acks above 29,000: it gives those messages again
    ledger.resync({ streamSeq: 29_000, deliverySeq: 28_950 });
    const again = Array.from({ length: 1_100 }, (_, i) => ({ streamSeq: 29_001 + i, deliverySeq: 40_000 + i }));
    for (const d of again) ledger.delivered(d);
    expect(ledger.missing()).toBeUndefined();
    for (const d of again) ledger.done(d);
    expect(ledger.takeAck()).toEqual(again[again.length - 1]);
    expect([ledger.ackedThrough, ledger.unacked]).toEqual([30_100, 0]);
  });

  it('keeps each open message\'s state and lateness through its array\'s compaction and a resync to a lower broker floor', () => {
    const ledger = new AckFloor<D>({ streamSeq: 0, deliverySeq: 0 });
    for (let i = 1; i <= 5_000; i++) {
      const d = { streamSeq: i, deliverySeq: i };
      ledger.delivered(d);
      ledger.done(d);
    }
    const [m2, m3, m4] = [5_002, 5_003, 5_004].map((seq) => ({ streamSeq: seq, deliverySeq: seq - 1 }));
    for (const d of [m2!, m3!, m4!]) ledger.delivered(d);
    const m1 = { streamSeq: 5_001, deliverySeq: 5_004 }; // late: after later sequences
    ledger.delivered(m1);
    ledger.done(m3!);
    ledger.nakked(m4!);
    expect(ledger.takeAck()).toEqual({ streamSeq: 5_000, deliverySeq: 5_000 }); // the array is compacted here
    expect(ledger.unacked).toBe(4);
    ledger.done(m1);
    expect(ledger.takeAck()).toBeUndefined(); // m1's late delivery may not carry it while m2's earlier one works
    ledger.done(m2!);
    expect(ledger.takeAck()).toEqual(m3); // m4 was nakked: it waits for its redelivery
    // the broker comes back with its floor at 4,990: those messages come again, m4 still open
    ledger.resync({ streamSeq: 4_990, deliverySeq: 4_990 });
    expect([ledger.ackedThrough, ledger.unacked]).toEqual([4_990, 1]);
    const again = Array.from({ length: 13 }, (_, i) => ({ streamSeq: 4_991 + i, deliverySeq: 6_000 + i }));
    for (const d of again) ledger.delivered(d);
    for (const d of again) ledger.done(d);
    expect(ledger.takeAck()).toEqual(again[12]);
    const m4again = { streamSeq: 5_004, deliverySeq: 7_000 };
    ledger.delivered(m4again);
    ledger.done(m4again);
    expect(ledger.takeAck()).toEqual(m4again);
    expect([ledger.ackedThrough, ledger.unacked]).toEqual([5_004, 0]);
  });

  it('sends no ack the broker would ignore (a delivery at or below its last ack\'s delivery sequence)', () => {
    const ledger = new AckFloor<D>({ streamSeq: 0, deliverySeq: 100 });
    const ds = [1, 2, 3].map((i) => ({ streamSeq: i, deliverySeq: 98 + i }));
    for (const d of ds) ledger.delivered(d);
    for (const d of ds) ledger.done(d);
    expect(ledger.takeAck()).toEqual(ds[2]); // delivery 101: the only one above 100
    const ledger2 = new AckFloor<D>({ streamSeq: 0, deliverySeq: 100 });
    for (const d of ds.slice(0, 2)) ledger2.delivered(d);
    for (const d of ds.slice(0, 2)) ledger2.done(d);
    expect(ledger2.takeAck()).toBeUndefined(); // waits for their redelivery, with higher delivery sequences
  });

  it('names a message the broker keeps giving out below the floor', () => {
    const ledger = new AckFloor<D>({ streamSeq: 10, deliverySeq: 10 });
    ledger.delivered({ streamSeq: 7, deliverySeq: 11 });
    expect(ledger.stuck()).toBeUndefined(); // once: an ack lost with a broker restart, settled by the next ack
    ledger.delivered({ streamSeq: 7, deliverySeq: 12 });
    expect(ledger.stuck()).toBe(7);
    // one-off repeats (acks a restarted broker lost) do not pile up for ever
    const many = new AckFloor<D>({ streamSeq: 50_000, deliverySeq: 50_000 });
    for (let i = 1; i <= 25_000; i++) many.delivered({ streamSeq: i, deliverySeq: 50_000 + i });
    expect((many as unknown as { repeats: Map<number, number> }).repeats.size).toBeLessThanOrEqual(10_000);
    expect(many.stuck()).toBeUndefined();
  });

  it('names a sequence it was never delivered, skips it once the stream says it is gone, and takes the broker floor', () => {
    const ledger = new AckFloor<D>({ streamSeq: 4, deliverySeq: 4 });
    const six = { streamSeq: 6, deliverySeq: 5 };
    ledger.delivered(six);
    ledger.done(six);
    expect(ledger.takeAck()).toBeUndefined();
    expect(ledger.missing()).toBe(5);
    ledger.skip(5);
    expect(ledger.takeAck()).toEqual(six);
    expect(ledger.missing()).toBeUndefined();
    ledger.resync({ streamSeq: 3, deliverySeq: 3 });
    expect(ledger.ackedThrough).toBe(3);
  });
});
