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

function envelope(m: JsMsg): Envelope {
  return {
    data: m.data,
    subject: m.subject,
    streamSeq: m.seq,
    deliveries: m.info.deliveryCount,
    publishedAtMs: Math.floor(Number(m.info.timestampNanos) / 1e6),
    ack: () => m.ack(),
    nak: (delayMs) => m.nak(delayMs),
    term: (reason) => m.term(reason),
  };
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
    const run = async () => {
      while (!stopped) {
        try {
          const jsm = await jetstreamManager(nc);
          await ensureStream(jsm);
          await ensureConsumer(jsm, settings);
          const consumer = await jsm.jetstream().consumers.get(STREAM, settings.name);
          current = await consumer.consume({
            max_messages: Math.min(settings.maxAckPending, 1_000),
            callback: (m) => subscriber.next(envelope(m)),
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
