import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { Observable } from 'rxjs';
import { Acknowledger, JsEnvelope, NotADelivery, type Envelope } from './envelope.ts';
import { watchFloor } from './floor-watch.ts';
import { PullLoop } from './pull.ts';
import { brokerAckFloor, ensureConsumer, ensureStream, STREAM, type ConsumerSettings } from './jetstream-setup.ts';

// The live source: a durable pull consumer on stream COMPLAINTS with ack-all acknowledgement.
// Each message travels as an envelope (envelope.ts) that reports when its effect is durable; the
// ack floor (ack-floor.ts) then sends one ack for the settled prefix of the stream.

export { ackReplySubject, parseAckReply, parseAckSubject, type AckReply } from './ack-subject.ts';
export { NO_BYTES, NotADelivery, type Envelope } from './envelope.ts';
export {
  brokerAckFloor,
  DAY_MS,
  DEFAULT_RETENTION,
  DUPLICATE_WINDOW_MS,
  ensureConsumer,
  ensureStream,
  replaceConsumer,
  STREAM,
  TICKET_SUBJECTS,
  type ConsumerSettings,
  type StreamRetention,
} from './jetstream-setup.ts';

export type SourceStatus =
  | { type: 'consuming'; consumer: string }
  | { type: 'restarting'; reason: string }
  | { type: 'heartbeats_missed'; count: number }
  /** the stream is not the one read before: deleted and made again, or its server lost its disk */
  | { type: 'stream_made_anew'; createdMs: number; previousMs: number };

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
 * The broker's idle heartbeat on an open pull. Short, so a pull lost with a cluster's consumer
 * leader is asked again within seconds (pull.ts asks at every miss, on the same inbox)…
 */
const PULL_HEARTBEAT_MS = 5_000;
/**
 * …while the loop itself is rebuilt only after this long without a word: a new loop's inbox
 * strands what the old pulls still deliver until the ack wait, so it is the last resort (a broker
 * that forgot the consumer, a connection that went quiet).
 */
const LOOP_SILENT_MS = 30_000;

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
    /** when the stream this source read last was made (0 before the first) */
    let readStreamCreatedMs = 0;
    const stopWatch = watchFloor(nc, settings, () => acks, onStatus);
    const run = async () => {
      while (!stopped) {
        try {
          const jsm = await jetstreamManager(nc);
          const streamCreatedMs = await ensureStream(jsm, settings.retention);
          if (streamCreatedMs && readStreamCreatedMs && streamCreatedMs !== readStreamCreatedMs) {
            onStatus({ type: 'stream_made_anew', createdMs: streamCreatedMs, previousMs: readStreamCreatedMs });
          }
          readStreamCreatedMs = streamCreatedMs || readStreamCreatedMs;
          const info = await ensureConsumer(jsm, settings);
          // Envelopes still in the pipeline from a loop before answer a retired floor: the broker
          // gives their messages again to this loop, which starts from the broker's floor.
          const session = new Acknowledger(brokerAckFloor(info), streamCreatedMs);
          acks?.retire();
          acks = session;
          let ended = 'consume loop ended';
          const loop: PullLoop = new PullLoop(
            nc,
            { stream: STREAM, consumer: settings.name, heartbeatMs: PULL_HEARTBEAT_MS, ...pullSize(settings.maxAckPending) },
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
                if (s.count * PULL_HEARTBEAT_MS >= LOOP_SILENT_MS) loop.stop();
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
