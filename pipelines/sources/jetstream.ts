import { jetstreamManager } from '@nats-io/jetstream';
import { nanos, type Msg, type NatsConnection } from '@nats-io/nats-core';
import { Observable } from 'rxjs';
import { AckFloor } from './ack-floor.ts';
import { ackReplySubject, parseAckReply, parseAckSubject, parseAckSubjectLoosely, type AckReply } from './ack-subject.ts';
import { PullLoop } from './pull.ts';
import { brokerAckFloor, ensureConsumer, ensureStream, replaceConsumer, STREAM, type ConsumerSettings } from './jetstream-setup.ts';

// The live source: a durable pull consumer on stream COMPLAINTS with ack-all acknowledgement.
// Each message travels as an envelope that reports when its effect is durable; the ack floor
// (ack-floor.ts) then sends one ack for the settled prefix of the stream.

export { ackReplySubject, parseAckReply, parseAckSubject, type AckReply } from './ack-subject.ts';
export { brokerAckFloor, DAY_MS, DEFAULT_RETENTION, DUPLICATE_WINDOW_MS, ensureConsumer, ensureStream, replaceConsumer, STREAM, TICKET_SUBJECTS, type ConsumerSettings, type StreamRetention } from './jetstream-setup.ts';

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
  ack(): void;
  nak(delayMs?: number): void;
  term(reason: string): void;
}

export type SourceStatus =
  | { type: 'consuming'; consumer: string }
  | { type: 'restarting'; reason: string }
  | { type: 'heartbeats_missed'; count: number };

/** The client's undecoded reply subject, where its message object keeps one (nats.js 3.x). */
function replyBytesOf(m: Msg): Uint8Array | undefined {
  const reply = (m as unknown as { _msg?: { reply?: unknown } })._msg?.reply;
  return reply instanceof Uint8Array ? reply : undefined;
}

export const NO_BYTES = new Uint8Array(0);

/** where each delivery's ack reply is read into, and copied from at once */
const scratchReply: AckReply = { deliveries: 0, streamSeq: 0, deliverySeq: 0, publishedAtMs: 0, belowMs: 0, pending: 0, prefixLength: 0 };

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
class Acknowledger {
  readonly floor: AckFloor<JsEnvelope>;
  private scheduled = false;
  /** a later loop took over: this one's deliveries come again there, and it sends nothing more */
  private retired = false;

  constructor(ackFloor: { streamSeq: number; deliverySeq: number }) {
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
class JsEnvelope implements Envelope {
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
    this.nc.publish(this.ackSubject(), delayMs ? encoder.encode(`-NAK ${JSON.stringify({ delay: nanos(delayMs) })}`) : NAK);
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

/** How often a stalled ack floor is checked against the broker. */
const FLOOR_CHECK_MS = 2_000;

/**
 * Every check: a message the broker keeps giving out below its ack floor (see ack-floor.ts) is
 * cleared by replacing the consumer with one that starts after the floor; the consume loop then
 * starts over on it. And when messages wait and the floor has not moved for a whole check, the
 * broker is asked: its ack floor wins (acks lost with a broker restart), and a sequence this
 * worker was never given is skipped if the stream no longer holds it. A delivery lost on the way
 * comes back when its ack wait runs out, and the floor goes on from there.
 */
function watchFloor(nc: NatsConnection, settings: ConsumerSettings, current: () => Acknowledger | undefined, onStatus: (s: SourceStatus) => void): () => void {
  let lastFloor = -1;
  let checking = false;
  const check = async (a: Acknowledger, floor: number | undefined) => {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.consumers.info(STREAM, settings.name);
    const broker = brokerAckFloor(info);
    const stuck = a.floor.stuck();
    if (stuck !== undefined) {
      onStatus({ type: 'restarting', reason: `message ${stuck} stuck below the ack floor ${broker.streamSeq}: consumer replaced after it` });
      a.retire();
      await replaceConsumer(jsm, settings, broker.streamSeq + 1);
      return;
    }
    if (floor === undefined) return;
    if (a.floor.ackedThrough === floor && broker.streamSeq !== floor) a.floor.resync(broker);
    const gap = a.floor.missing();
    if (gap !== undefined && !(await jsm.streams.getMessage(STREAM, { seq: gap }).catch(() => null))) a.floor.skip(gap);
    a.flush();
  };
  const timer = setInterval(() => {
    const a = current();
    if (!a || checking) return;
    const floor = a.floor.ackedThrough;
    const stalled = a.floor.unacked > 0 && floor === lastFloor;
    lastFloor = stalled ? -1 : floor;
    if (!stalled && a.floor.stuck() === undefined) return;
    checking = true;
    check(a, stalled ? floor : undefined)
      .catch(() => {}) // the broker is away: the consume loop reports that
      .finally(() => (checking = false));
  }, FLOOR_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * How much the loop asks for: 5,000 messages, asked again at half used (one pull per 2,500).
 * Every pull request wakes the broker, which on a busy 2-core machine takes the core from this
 * thread for a while; with nats.js's 1,000 at three quarters (a pull per 250) the main thread
 * spent 4–17 % of a full-rate second in the socket write of pulls, and the ingest ran 8–15 %
 * slower (bench/RESULTS.md, ninth session). The broker never sends more than max-ack-pending
 * unacknowledged, so asking for more does not hold more in memory.
 */
export function pullSize(maxAckPending: number): { maxMessages: number; thresholdMessages: number } {
  const maxMessages = Math.max(1, Math.min(maxAckPending, 5_000));
  return { maxMessages, thresholdMessages: Math.floor(maxMessages / 2) };
}

/**
 * Emits every message of the durable consumer, forever. The consume loop is rebuilt when the
 * server stops answering heartbeats or the consumer disappears, the known way a nats.js consumer
 * can go quiet after a broker restart.
 */
export function jetStreamEnvelopes(
  nc: NatsConnection,
  settings: ConsumerSettings,
  onStatus: (s: SourceStatus) => void = () => {},
): Observable<Envelope> {
  return new Observable<Envelope>((subscriber) => {
    let stopped = false;
    let current: PullLoop | undefined;
    let acks: Acknowledger | undefined;
    const stopWatch = watchFloor(nc, settings, () => acks, onStatus);
    const run = async () => {
      while (!stopped) {
        try {
          const jsm = await jetstreamManager(nc);
          await ensureStream(jsm, settings.retention);
          const info = await ensureConsumer(jsm, settings);
          // Envelopes still in the pipeline from a loop before answer a retired floor: the broker
          // gives their messages again to this loop, which starts from the broker's floor.
          const session = new Acknowledger(brokerAckFloor(info));
          acks?.retire();
          acks = session;
          let ended = 'consume loop ended';
          const loop: PullLoop = new PullLoop(
            nc,
            { stream: STREAM, consumer: settings.name, ...pullSize(settings.maxAckPending) },
            (m) => {
              let env: JsEnvelope;
              try {
                env = new JsEnvelope(m, nc, session);
              } catch (err) {
                if (err instanceof NotADelivery) return; // not from the broker: nothing to count or answer
                throw err;
              }
              subscriber.next(env);
            },
            (s) => {
              if (s.type === 'heartbeats_missed') {
                onStatus({ type: 'heartbeats_missed', count: s.count });
                if (s.count >= 2) loop.stop();
              } else {
                ended = `consume loop ended: ${s.type} (${s.description})`;
              }
            },
          );
          current = loop;
          onStatus({ type: 'consuming', consumer: settings.name });
          await loop.closed();
          if (!stopped) onStatus({ type: 'restarting', reason: ended });
        } catch (err) {
          if (stopped) break;
          onStatus({ type: 'restarting', reason: (err as Error).message });
        }
        if (!stopped) await new Promise((r) => setTimeout(r, 1_000));
      }
    };
    void run();
    return () => {
      stopped = true;
      stopWatch();
      current?.stop();
    };
  });
}
