import { AckPolicy, DeliverPolicy, JetStreamApiError, type ConsumerInfo, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';

// The stream and the monitor's durable ack-all consumer: created, brought to the running
// monitor's settings, replaced when it must be (see ack-floor.ts for why ack-all).

export const STREAM = 'COMPLAINTS';
export const TICKET_SUBJECTS = 'complaints.tickets.>';
/** publishers' Nats-Msg-Id headers are deduplicated by the broker within this window */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;

/**
 * How long the stream keeps a message. Once acked an event is in ClickHouse; the stream is the
 * intake buffer and the source a replay reads after a ClickHouse restore (docs/OPERATIONS.md), so
 * it keeps a message as long as a backup may be restored from, and no longer: without a limit it
 * grew by an event's size (330–540 B) for ever (1.6–2.7 GB a year at 5 million events) until the broker's store
 * was full and every intake system's publish was refused. 0: no age limit.
 */
export interface StreamRetention {
  maxAgeMs: number;
}

export const DEFAULT_STREAM_MAX_AGE_DAYS = 90;
export const DAY_MS = 86_400_000;
export const DEFAULT_RETENTION: StreamRetention = { maxAgeMs: DEFAULT_STREAM_MAX_AGE_DAYS * DAY_MS };

/**
 * The stream, created with the retention, or an existing one brought to it (its subjects and
 * other limits are left as they are): a stream made before the retention existed, or under
 * another STREAM_MAX_AGE_DAYS, keeps messages for the configured age from the next start on.
 */
/** The stream, made or brought to the retention; resolves with when the broker made it (ms). */
export async function ensureStream(jsm: JetStreamManager, retention: StreamRetention = DEFAULT_RETENTION): Promise<number> {
  let config: StreamConfig | undefined;
  let createdMs: number;
  try {
    const info = await jsm.streams.info(STREAM);
    config = info.config;
    createdMs = createdAtMs(info.created);
  } catch {
    const stream = { name: STREAM, subjects: [TICKET_SUBJECTS], duplicate_window: nanos(DUPLICATE_WINDOW_MS), max_age: nanos(retention.maxAgeMs) };
    // three copies where the cluster has three servers: one server lost takes neither the intake
    // nor the stream with it (its consumer follows the stream's replicas); a single server, or a
    // cluster too small, answers that it cannot, and the stream is made with one (no answer at all
    // is no such word: that error stands, and the source tries again)
    const made = await jsm.streams.add({ ...stream, num_replicas: 3 }).catch((err: unknown) => {
      if (!(err instanceof JetStreamApiError)) throw err;
      return jsm.streams.add(stream);
    });
    return createdAtMs(made.created);
  }
  if (config.max_age !== nanos(retention.maxAgeMs)) {
    // the broker refuses a duplicate window longer than the age limit
    const duplicateWindow = retention.maxAgeMs > 0 ? Math.min(config.duplicate_window, nanos(retention.maxAgeMs)) : config.duplicate_window;
    await jsm.streams.update(STREAM, { ...config, max_age: nanos(retention.maxAgeMs), duplicate_window: duplicateWindow });
  }
  return createdMs;
}

/** the broker's RFC 3339 time (nanoseconds) in milliseconds; 0 when it gives none */
function createdAtMs(created: string | undefined): number {
  const ms = created ? Date.parse(created) : NaN;
  return Number.isFinite(ms) ? ms : 0;
}

export interface ConsumerSettings {
  name: string;
  /** unacknowledged messages the broker lets the monitor hold: the bound on in-flight memory */
  maxAckPending: number;
  ackWaitMs: number;
  /** the stream's age limit, applied when the source (re)creates or finds the stream */
  retention?: StreamRetention;
}

/**
 * The consumer's filter: none when the stream holds only ticket subjects (as the monitor creates
 * it). nats-server 2.9 matches every message against a consumer's wildcard filter even when the
 * filter is the stream's own subject: ~3 µs of the broker's CPU per message at full ingest, on
 * the cores the pipeline shares with it (bench/RESULTS.md, ninth session). A stream an operator
 * made with other subjects as well keeps the filter, so the monitor reads tickets only.
 */
export async function ticketFilter(jsm: JetStreamManager): Promise<string | undefined> {
  const { subjects = [] } = (await jsm.streams.info(STREAM)).config;
  return subjects.length === 1 && subjects[0] === TICKET_SUBJECTS ? undefined : TICKET_SUBJECTS;
}

/**
 * The durable ack-all consumer, created or brought to the running monitor's settings. A consumer
 * from before ack-all (explicit acks; a policy cannot be changed) is replaced by one that starts
 * after its ack floor: what it had acked above the floor comes again and is dropped as duplicate.
 * So is one whose filter is not the one the stream needs now (nats-server 2.9 cannot change a
 * filter); an ack-all consumer's floor is exact, so nothing comes twice.
 */
export async function ensureConsumer(jsm: JetStreamManager, s: ConsumerSettings): Promise<ConsumerInfo> {
  let info: ConsumerInfo | undefined;
  try {
    info = await jsm.consumers.info(STREAM, s.name);
  } catch {
    info = undefined;
  }
  const filter = await ticketFilter(jsm);
  if (!info) return await addConsumer(jsm, s, 0, filter);
  if (info.config.ack_policy !== AckPolicy.All || (info.config.filter_subject || undefined) !== filter) {
    return await replaceConsumer(jsm, s, info.ack_floor.stream_seq + 1);
  }
  // Settings follow the configuration of the monitor that runs now.
  if (info.config.ack_wait !== nanos(s.ackWaitMs) || info.config.max_ack_pending !== s.maxAckPending) {
    return await jsm.consumers.update(STREAM, s.name, { ack_wait: nanos(s.ackWaitMs), max_ack_pending: s.maxAckPending });
  }
  return info;
}

/** A new consumer in place of the old one, starting at a stream sequence (the old one's floor + 1). */
export async function replaceConsumer(jsm: JetStreamManager, s: ConsumerSettings, startSeq: number): Promise<ConsumerInfo> {
  const filter = await ticketFilter(jsm);
  await jsm.consumers.delete(STREAM, s.name).catch(() => false);
  return await addConsumer(jsm, s, startSeq, filter);
}

function addConsumer(jsm: JetStreamManager, s: ConsumerSettings, startSeq: number, filter: string | undefined): Promise<ConsumerInfo> {
  return jsm.consumers.add(STREAM, {
    durable_name: s.name,
    ack_policy: AckPolicy.All,
    ...(startSeq > 1 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq } : { deliver_policy: DeliverPolicy.All }),
    max_ack_pending: s.maxAckPending,
    ack_wait: nanos(s.ackWaitMs),
    ...(filter ? { filter_subject: filter } : {}),
  });
}

/** A consumer's ack floor at the broker; a new one that starts at sequence N has settled N - 1. */
export function brokerAckFloor(info: ConsumerInfo): { streamSeq: number; deliverySeq: number } {
  const start = (info.config.opt_start_seq ?? 1) - 1;
  return { streamSeq: Math.max(info.ack_floor.stream_seq, start), deliverySeq: info.ack_floor.consumer_seq };
}
