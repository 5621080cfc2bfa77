import {
  AckPolicy,
  DeliverPolicy,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { Observable } from 'rxjs';

// The live source: a durable pull consumer on stream COMPLAINTS. Each message travels as an
// envelope carrying its own ack, so it is acknowledged only after its effect is durable.

export const STREAM = 'COMPLAINTS';
export const TICKET_SUBJECTS = 'complaints.tickets.>';
/** publishers' Nats-Msg-Id headers are deduplicated by the broker within this window */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;

export interface Envelope {
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

export async function ensureStream(jsm: JetStreamManager): Promise<void> {
  try {
    await jsm.streams.info(STREAM);
  } catch {
    await jsm.streams.add({
      name: STREAM,
      subjects: [TICKET_SUBJECTS],
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    });
  }
}

export interface ConsumerSettings {
  name: string;
  /** unacknowledged messages the broker lets the monitor hold: the bound on in-flight memory */
  maxAckPending: number;
  ackWaitMs: number;
}

export async function ensureConsumer(jsm: JetStreamManager, s: ConsumerSettings): Promise<void> {
  let info;
  try {
    info = await jsm.consumers.info(STREAM, s.name);
  } catch {
    info = undefined;
  }
  if (info) {
    // Settings follow the configuration of the monitor that runs now.
    if (info.config.ack_wait !== nanos(s.ackWaitMs) || info.config.max_ack_pending !== s.maxAckPending) {
      await jsm.consumers.update(STREAM, s.name, { ack_wait: nanos(s.ackWaitMs), max_ack_pending: s.maxAckPending });
    }
  } else {
    await jsm.consumers.add(STREAM, {
      durable_name: s.name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_ack_pending: s.maxAckPending,
      ack_wait: nanos(s.ackWaitMs),
      filter_subject: TICKET_SUBJECTS,
    });
  }
}

/**
 * The delivery facts in a JetStream ack subject, read without splitting it into tokens:
 * `$JS.ACK.<stream>.<consumer>.<deliveries>.<streamSeq>.<deliverySeq>.<nanos>.<pending>` (9 tokens),
 * or with `<domain>.<account hash>` after `$JS.ACK` (11 tokens, 12 with a trailing random token).
 * undefined for anything else (the client's own parser then answers). It runs for every message,
 * so it walks the characters and allocates nothing but its answer (the token arrays and slices
 * it used before were 0.75 KB of garbage per event).
 */
export function parseAckSubject(s: string): { deliveries: number; streamSeq: number; publishedAtMs: number } | undefined {
  if (!s.startsWith('$JS.ACK.')) return undefined;
  let tokens = 1;
  for (let i = s.indexOf('.'); i >= 0; i = s.indexOf('.', i + 1)) tokens++;
  const first = tokens === 9 ? 4 : tokens === 11 || tokens === 12 ? 6 : -1;
  if (first < 0) return undefined;
  let at = 0;
  for (let k = 0; k < first; k++) at = s.indexOf('.', at) + 1;
  const deliveries = digitsAt(s, at);
  at = s.indexOf('.', at) + 1;
  const streamSeq = digitsAt(s, at);
  at = s.indexOf('.', at) + 1; // the delivery sequence, not needed
  at = s.indexOf('.', at) + 1;
  // ms from the nanosecond text without a float of 19 digits: drop the last six digits
  const nanosEnd = s.indexOf('.', at) < 0 ? s.length : s.indexOf('.', at);
  const publishedAtMs = digitsAt(s, at, nanosEnd - 6);
  const belowMs = digitsAt(s, nanosEnd - 6, nanosEnd);
  if (!(deliveries >= 1 && streamSeq >= 1 && publishedAtMs >= 0 && belowMs >= 0)) return undefined;
  return { deliveries, streamSeq, publishedAtMs };
}

/** The decimal number from `at` to the next dot (or to `end`); NaN if empty, not digits, or unsafe. */
function digitsAt(s: string, at: number, end = -1): number {
  const stop = end < 0 ? s.length : end;
  let n = 0;
  let i = at;
  for (; i < stop; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 && end < 0) break;
    if (c < 48 || c > 57) return NaN;
    n = n * 10 + (c - 48);
  }
  return i > at && Number.isSafeInteger(n) ? n : NaN;
}

const ACK = Uint8Array.of(43, 65, 67, 75); // +ACK
const NAK = Uint8Array.of(45, 78, 65, 75); // -NAK
const encoder = new TextEncoder();
const PUB = Buffer.from('PUB ', 'latin1');
const ACK_TAIL = Buffer.from(' 4\r\n+ACK\r\n', 'latin1');

interface RawProtocol {
  sendCommand?(cmd: Uint8Array): void;
  noMorePublishing?: boolean;
}

/**
 * The acks of one event-loop turn (a committed batch: thousands) as one protocol write. nats.js's
 * publish encodes a command string per call, ~0.9 KB of garbage per ack, the largest share per
 * event after the event itself. The frames are the ones publish writes (`PUB <reply> 4` and
 * `+ACK`); where the client does not offer its raw protocol, or is closing, publish answers.
 */
class AckBatch {
  private replies: string[] = [];

  constructor(private readonly nc: NatsConnection) {}

  add(reply: string): void {
    if (this.replies.push(reply) === 1) queueMicrotask(() => this.flush());
  }

  private flush(): void {
    const replies = this.replies;
    this.replies = [];
    const protocol = (this.nc as unknown as { protocol?: RawProtocol }).protocol;
    if (typeof protocol?.sendCommand !== 'function' || protocol.noMorePublishing !== false || this.nc.isClosed()) {
      for (const reply of replies) this.nc.publish(reply, ACK);
      return;
    }
    let size = 0;
    for (const reply of replies) size += PUB.length + reply.length + ACK_TAIL.length;
    const frames = Buffer.allocUnsafe(size);
    let at = 0;
    for (const reply of replies) {
      frames.set(PUB, at);
      at += PUB.length;
      at += frames.write(reply, at, 'latin1'); // subjects are ASCII
      frames.set(ACK_TAIL, at);
      at += ACK_TAIL.length;
    }
    protocol.sendCommand(frames.subarray(0, at));
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
  readonly data: Uint8Array;
  readonly subject: string;
  readonly streamSeq: number;
  readonly deliveries: number;
  readonly publishedAtMs: number;
  /** the ack subject; '' once answered */
  private reply: string;
  /** kept only if the client's message does not show its reply subject (then it answers) */
  private msg: JsMsg | undefined;

  constructor(
    m: JsMsg,
    private readonly nc: NatsConnection,
    private readonly acks: AckBatch,
  ) {
    this.data = m.data;
    this.subject = m.subject;
    const reply = (m as unknown as { reply?: unknown }).reply;
    const parsed = typeof reply === 'string' ? parseAckSubject(reply) : undefined;
    if (parsed) {
      this.reply = reply as string;
      this.streamSeq = parsed.streamSeq;
      this.deliveries = parsed.deliveries;
      this.publishedAtMs = parsed.publishedAtMs;
    } else {
      const info = m.info;
      this.reply = '';
      this.msg = m;
      this.streamSeq = info.streamSequence;
      this.deliveries = info.deliveryCount;
      this.publishedAtMs = Math.floor(info.timestampNanos / 1e6);
    }
  }

  private respond(payload: Uint8Array): void {
    if (this.reply === '') return;
    this.nc.publish(this.reply, payload);
    this.reply = '';
  }

  ack(): void {
    if (this.msg) this.msg.ack();
    else if (this.reply !== '') {
      this.acks.add(this.reply);
      this.reply = '';
    }
  }

  nak(delayMs?: number): void {
    if (this.msg) this.msg.nak(delayMs);
    else this.respond(delayMs ? encoder.encode(`-NAK ${JSON.stringify({ delay: nanos(delayMs) })}`) : NAK);
  }

  term(reason: string): void {
    if (this.msg) this.msg.term(reason);
    else this.respond(encoder.encode(reason ? `+TERM ${reason}` : '+TERM'));
  }
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
    let current: ConsumerMessages | undefined;
    const acks = new AckBatch(nc);
    const run = async () => {
      while (!stopped) {
        try {
          const jsm = await jetstreamManager(nc);
          await ensureStream(jsm);
          await ensureConsumer(jsm, settings);
          const consumer = await jsm.jetstream().consumers.get(STREAM, settings.name);
          current = await consumer.consume({
            max_messages: Math.min(settings.maxAckPending, 1_000),
            callback: (m) => subscriber.next(new JsEnvelope(m, nc, acks)),
          });
          onStatus({ type: 'consuming', consumer: settings.name });
          const messages = current;
          void (async () => {
            for await (const s of messages.status()) {
              if (s.type === 'heartbeats_missed') {
                onStatus({ type: 'heartbeats_missed', count: s.count });
                if (s.count >= 2) messages.stop();
              } else if (s.type === 'consumer_deleted' || s.type === 'consumer_not_found' || s.type === 'stream_not_found') {
                messages.stop();
              }
            }
          })().catch(() => {});
          await messages.closed();
          if (!stopped) onStatus({ type: 'restarting', reason: 'consume loop ended' });
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
      current?.stop();
    };
  });
}
