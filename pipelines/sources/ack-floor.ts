// With an ack-all consumer one acknowledgement settles every message up to its stream sequence:
// one ack per batch instead of one per message, 2.5-3.5 µs less broker CPU per event and ~8 %
// more ingest (bench/RESULTS.md). The price is that an ack may only be sent for a sequence once
// every message at or below it is durably done. This ledger says which ack that is, from what the
// pipeline reports of each delivery. Pure: no I/O, no clock.
//
// The broker's rules it works to (nats-server consumer.go, processAckMsg, AckAll):
// - an ack for (streamSeq S, deliverySeq D) removes every pending message with stream sequence
//   <= S, whatever its own delivery;
// - it is ignored when D is at or below the delivery sequence of the last ack that counted, so a
//   redelivered message (a late, high D) must not carry an ack while earlier deliveries of later
//   messages are still to be acked;
// - a message the broker had queued for redelivery when the ack lands may be delivered again
//   anyway and then stays pending below the ack floor, where no ack reaches it (seen with
//   nats-server 2.9 when ack waits run out during a restart). The ledger counts such repeats;
//   the source replaces the consumer when one comes twice (see `stuck`).

export interface Delivery {
  readonly streamSeq: number;
  /** the consumer's delivery sequence: every delivery, redeliveries too, takes the next one */
  readonly deliverySeq: number;
}

type State = 'working' | 'done' | 'nakked';

interface Entry<D> {
  /** the latest delivery of this stream sequence: the one whose answer counts */
  delivery: D;
  state: State;
  /** it arrived after a later stream sequence had (a redelivery): delivery order is broken */
  late: boolean;
}

// Every message passes through here on the pipeline's main thread, the limit of ingest: the open
// messages sit in an array indexed by stream sequence (they arrive in order, bar redeliveries),
// and the common case, no redelivery open, picks the ack without looking at later messages.
export class AckFloor<D extends Delivery> {
  /** every stream sequence at or below it is settled at the broker, as far as this worker knows */
  private floor: number;
  /** the delivery sequence of the last ack that counted: the broker ignores an ack-all at or below it */
  private deliveryFloor: number;
  /** open messages: slots[i] is stream sequence base + i; the floor is at base + head - 1 */
  private slots: Array<Entry<D> | undefined> = [];
  private base: number;
  private head = 0;
  private count = 0;
  private lateCount = 0;
  private highestSeq: number;
  /** deliveries of messages the floor had passed, by stream sequence */
  private readonly repeats = new Map<number, number>();

  /** @param ackFloor the broker's ack floor of the consumer (stream and delivery sequence) */
  constructor(ackFloor: { streamSeq: number; deliverySeq: number }) {
    this.floor = ackFloor.streamSeq;
    this.deliveryFloor = ackFloor.deliverySeq;
    this.base = this.floor + 1;
    this.highestSeq = this.floor;
  }

  /** the stream sequence this worker has acked through */
  get ackedThrough(): number {
    return this.floor;
  }

  /** messages delivered and not yet covered by an ack */
  get unacked(): number {
    return this.count;
  }

  private entry(seq: number): Entry<D> | undefined {
    return seq > this.floor ? this.slots[seq - this.base] : undefined;
  }

  delivered(d: D): void {
    const seq = d.streamSeq;
    if (seq <= this.floor) {
      // A repeat of a settled message: after a broker restart lost the last acks, the next ack
      // above it settles it again; if it is stuck below the broker's floor, it comes back.
      // (Bounded: a broker that lost acks gives out each repeat once; a stuck one comes again.)
      if (this.repeats.size >= 10_000 && !this.repeats.has(seq)) this.repeats.clear();
      this.repeats.set(seq, (this.repeats.get(seq) ?? 0) + 1);
      return;
    }
    const late = seq < this.highestSeq;
    if (seq > this.highestSeq) this.highestSeq = seq;
    const entry = this.slots[seq - this.base];
    if (entry) {
      entry.delivery = d;
      entry.state = 'working';
      if (late && !entry.late) {
        entry.late = true;
        this.lateCount++;
      }
    } else {
      this.slots[seq - this.base] = { delivery: d, state: 'working', late };
      this.count++;
      if (late) this.lateCount++;
    }
  }

  /** the message's effect is durable (stored and counted, a duplicate, or dead-lettered) */
  done(d: D): void {
    // Only the latest delivery's answer counts: an older one finishing after the broker gave the
    // message out again leaves the redelivery to be answered.
    const entry = this.entry(d.streamSeq);
    if (entry && entry.delivery === d && entry.state === 'working') entry.state = 'done';
  }

  /**
   * The message was handed back to the broker for redelivery: the floor waits for a delivery
   * after it. Even a nak from an older delivery queues the message again at the broker.
   */
  nakked(d: D): void {
    const entry = this.entry(d.streamSeq);
    if (entry) entry.state = 'nakked';
  }

  /** The delivery whose ack-all moves the floor furthest now, if any; it counts as sent. */
  takeAck(): D | undefined {
    let top = this.floor;
    while (this.entry(top + 1)?.state === 'done') top++;
    if (top === this.floor) return undefined;
    if (this.lateCount === 0) {
      // delivery sequences rise with stream sequences: the top's is below every later one's
      const d = this.entry(top)!.delivery;
      if (d.deliverySeq > this.deliveryFloor) return this.settle(top, d);
    }
    // Later messages whose current delivery may still carry an ack; a nakked one comes back
    // with a new, higher delivery sequence anyway.
    let lowestLater = Infinity;
    for (let i = top + 1 - this.base; i < this.slots.length; i++) {
      const entry = this.slots[i];
      if (entry && entry.state !== 'nakked' && entry.delivery.deliverySeq < lowestLater) lowestLater = entry.delivery.deliverySeq;
    }
    for (let seq = top; seq > this.floor; seq--) {
      const d = this.entry(seq)!.delivery;
      if (d.deliverySeq < lowestLater && d.deliverySeq > this.deliveryFloor) return this.settle(seq, d);
      if (d.deliverySeq < lowestLater) lowestLater = d.deliverySeq;
    }
    return undefined;
  }

  /** moves the floor to `seq`, carried by `d` */
  private settle(seq: number, d: D): D {
    this.dropThrough(seq);
    this.deliveryFloor = d.deliverySeq;
    return d;
  }

  /** forgets the open messages at or below `seq` and puts the floor there */
  private dropThrough(seq: number): void {
    const end = Math.min(seq - this.base + 1, this.slots.length);
    for (let i = this.head; i < end; i++) {
      const entry = this.slots[i];
      if (!entry) continue;
      this.count--;
      if (entry.late) this.lateCount--;
      this.slots[i] = undefined;
    }
    this.floor = Math.max(this.floor, seq);
    this.head = Math.max(this.head, seq - this.base + 1);
    if (this.head >= 4_096 && this.head * 2 >= this.slots.length) {
      this.slots = this.slots.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
  }

  /**
   * A stream sequence below the floor the broker keeps giving out: twice means no ack will
   * settle it (it is pending below the broker's ack floor), and only a new consumer clears it.
   */
  stuck(): number | undefined {
    for (const [seq, count] of this.repeats) if (count >= 2) return seq;
    return undefined;
  }

  /**
   * The stream sequence the floor waits for that was never delivered here, while later ones
   * were: a delivery lost with a connection (the broker gives it again after its ack wait) or a
   * message the stream no longer holds (then `skip` it).
   */
  missing(): number | undefined {
    return this.count > 0 && !this.entry(this.floor + 1) ? this.floor + 1 : undefined;
  }

  /** the stream does not hold this sequence (deleted, purged): nothing to wait for */
  skip(streamSeq: number): void {
    if (streamSeq === this.floor + 1 && !this.entry(streamSeq)) this.dropThrough(streamSeq);
  }

  /**
   * What the broker reports as settled wins over what this worker believes: a broker killed
   * mid-stream may come back with its last acks lost, and then gives those messages again.
   */
  resync(ackFloor: { streamSeq: number; deliverySeq: number }): void {
    if (ackFloor.streamSeq >= this.floor) {
      this.dropThrough(ackFloor.streamSeq);
    } else {
      // the broker is behind: what it gives again arrives as new deliveries below the old floor
      const keep = this.slots.slice(this.head);
      const gap = this.floor - ackFloor.streamSeq;
      this.slots = [...new Array<Entry<D> | undefined>(gap), ...keep];
      this.base = ackFloor.streamSeq + 1;
      this.head = 0;
      this.floor = ackFloor.streamSeq;
    }
    this.deliveryFloor = ackFloor.deliverySeq;
    this.repeats.clear();
  }
}
