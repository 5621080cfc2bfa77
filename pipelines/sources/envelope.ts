import { nanos, type Msg, type NatsConnection } from '@nats-io/nats-core';
import { AckFloor } from './ack-floor.ts';
import {
  ackReplySubject,
  parseAckReply,
  parseAckSubject,
  parseAckSubjectLoosely,
  type AckReply,
} from './ack-subject.ts';

// One JetStream delivery as the pipeline sees it: the envelope carries the message and answers
// for it once; the consume loop's Acknowledger (an ack floor) turns the answers into one ack-all
// per committed batch. This is the ingest hot path: a batch in flight holds no closure and no
// string of its own per message, and every envelope has one object shape.

export interface Envelope {
  /**
   * the message's bytes; the pipeline drops them (NO_BYTES) once it has read them, so a batch
   * waiting for its write does not keep the client's socket buffers alive
   */
  data: Uint8Array;
  subject: string;
  streamSeq: number;
  /** 1 on first delivery */
  deliveries: number;
  /** when the broker stored the message: the start of the pipeline's lag */
  publishedAtMs: number;
  /**
   * when the broker made the stream the message is in: a stream made anew (deleted, or its
   * server's disk lost) numbers its messages from 1 again, so a sequence names one message only
   * together with this
   */
  readonly streamCreatedMs: number;
  ack(): void;
  nak(delayMs?: number): void;
  term(reason: string): void;
}

/** The client's undecoded reply subject, where its message object keeps one (nats.js 3.x). */
function replyBytesOf(m: Msg): Uint8Array | undefined {
  const reply = (m as unknown as { _msg?: { reply?: unknown } })._msg?.reply;
  return reply instanceof Uint8Array ? reply : undefined;
}

export const NO_BYTES = new Uint8Array(0);

/** where each delivery's ack reply is read into, and copied from at once */
const scratchReply: AckReply = {
  deliveries: 0,
  streamSeq: 0,
  deliverySeq: 0,
  publishedAtMs: 0,
  belowMs: 0,
  pending: 0,
  prefixLength: 0,
};

/**
 * Subjects are few (one per branch) but the client decodes a new string for every message; the
 * envelope keeps a shared one, so a batch in flight holds no string of its own for it (what a
 * batch holds across a young-generation collection is copied, and that copying was the largest
 * part of the collector's time).
 */
const subjects = new Map<string, string>();
function sharedSubject(s: string): string {
  const known = subjects.get(s);
  if (known !== undefined) return known;
  if (subjects.size >= 10_000) subjects.clear(); // a publisher inventing subjects cannot grow it
  subjects.set(s, s);
  return s;
}

const ACK = Uint8Array.of(43, 65, 67, 75); // +ACK
const NAK = Uint8Array.of(45, 78, 65, 75); // -NAK
const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** The ack floor of one consume loop; its ack goes out once per event-loop turn (a committed batch). */
export class Acknowledger {
  readonly floor: AckFloor<JsEnvelope>;
  private scheduled = false;
  /** a later loop took over: this one's deliveries come again there, and it sends nothing more */
  private retired = false;

  constructor(
    ackFloor: { streamSeq: number; deliverySeq: number },
    /** the stream this loop reads, as Envelope.streamCreatedMs says */
    readonly streamCreatedMs = 0,
  ) {
    this.floor = new AckFloor(ackFloor);
  }

  /** `$JS.ACK.<stream>.<consumer>.` of this consumer's replies: decoded once, then compared */
  private prefixBytes = NO_BYTES;
  private prefixText = '';
  prefixOf(reply: Uint8Array, length: number): string {
    const known = this.prefixBytes;
    let same = known.length === length;
    for (let i = 0; same && i < length; i++) same = known[i] === reply[i];
    if (!same) {
      this.prefixBytes = reply.slice(0, length);
      this.prefixText = decoder.decode(this.prefixBytes);
    }
    return this.prefixText;
  }

  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  flush(): void {
    if (this.retired) return;
    this.floor.takeAck()?.sendAck();
  }

  retire(): void {
    this.retired = true;
  }
}

/** A message on the pull inbox whose reply is no JetStream ack subject: nothing can answer it. */
export class NotADelivery extends Error {
  constructor(reply: string) {
    super(`not a JetStream delivery (reply ${JSON.stringify(reply.slice(0, 80))})`);
    this.name = 'NotADelivery';
  }
}

/**
 * One object per message, without the client's message objects: a batch keeps thousands of
 * envelopes alive across young-generation collections, and each one copied there costs (the
 * collector's time was a quarter of the pipeline's). Acknowledgements are the JetStream
 * protocol's replies to the message's reply subject, as nats.js sends them; each envelope
 * answers once.
 */
export class JsEnvelope implements Envelope {
  data: Uint8Array;
  readonly subject: string;
  readonly streamSeq: number;
  readonly deliverySeq: number;
  readonly deliveries: number;
  readonly publishedAtMs: number;
  /** the rest of the ack subject, rebuilt when this delivery answers (see parseAckReply) */
  readonly belowMs: number = 0;
  readonly pending: number = 0;
  private readonly ackPrefix: string = '';
  /** the ack subject as the client decoded it, when its bytes could not be read ('' otherwise) */
  private readonly replyTo: string = '';
  private answered = false;

  /** Throws NotADelivery when the message's reply is not a JetStream ack subject. */
  constructor(
    m: Msg,
    private readonly nc: NatsConnection,
    private readonly acks: Acknowledger,
  ) {
    this.data = m.data;
    this.subject = sharedSubject(m.subject);
    const bytes = replyBytesOf(m);
    const read = bytes ? parseAckReply(bytes, scratchReply) : undefined;
    if (read) {
      // the common case: numbers only, no string per delivery for the batch to hold
      this.ackPrefix = acks.prefixOf(bytes!, read.prefixLength);
      this.streamSeq = read.streamSeq;
      this.deliverySeq = read.deliverySeq;
      this.deliveries = read.deliveries;
      this.publishedAtMs = read.publishedAtMs;
      this.belowMs = read.belowMs;
      this.pending = read.pending;
    } else {
      // forms the byte reader leaves alone; the last reader accepts what nats.js's own does
      const reply = m.reply ?? '';
      const parsed = parseAckSubject(reply) ?? parseAckSubjectLoosely(reply);
      if (!parsed) throw new NotADelivery(reply);
      this.replyTo = reply;
      this.streamSeq = parsed.streamSeq;
      this.deliverySeq = parsed.deliverySeq;
      this.deliveries = parsed.deliveries;
      this.publishedAtMs = parsed.publishedAtMs;
    }
    acks.floor.delivered(this);
  }

  /** the loop's, not a field of each envelope: a batch in flight holds thousands of them */
  get streamCreatedMs(): number {
    return this.acks.streamCreatedMs;
  }

  private ackSubject(): string {
    return this.replyTo || ackReplySubject(this.ackPrefix, this);
  }

  /** the ack-all itself, sent when the floor chose this delivery to carry it */
  sendAck(): void {
    this.nc.publish(this.ackSubject(), ACK);
  }

  ack(): void {
    if (this.answered) return;
    this.answered = true;
    this.acks.floor.done(this);
    this.acks.schedule();
  }

  nak(delayMs?: number): void {
    if (this.answered) return;
    this.answered = true;
    this.acks.floor.nakked(this);
    this.nc.publish(
      this.ackSubject(),
      delayMs ? encoder.encode(`-NAK ${JSON.stringify({ delay: nanos(delayMs) })}`) : NAK,
    );
  }

  /**
   * The broker takes a term on an ack-all consumer as an ack of everything below it too, so a
   * message given up on is settled through the floor like an ack (the pipeline dead-letters such
   * messages itself, with the reason, before it answers).
   */
  term(_reason: string): void {
    this.ack();
  }
}
