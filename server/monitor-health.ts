import { PermissionViolationError, type NatsConnection } from '@nats-io/nats-core';
import type { BatchFailure, BatchOutcome } from '../pipelines/topology.ts';
import type { Logger } from './monitor-types.ts';
import { NoticeRefusals } from './notice-refusals.ts';
import { NOTICE_SUBJECT_PREFIX } from './alerts/gateway-notice.ts';
import { classifyWriteFailure } from '../pipelines/sinks/store-errors.ts';
import type { SourceStatus } from '../pipelines/sources/jetstream.ts';

// What the monitor knows about itself, as /api/health and /metrics report it (server/routes/api.ts,
// server/metrics.ts). The pipeline's outcomes and the broker's connection events update it.

export interface MonitorHealth {
  /** when this monitor started: a page told something by one run can tell it is another */
  startedAtMs: number;
  consuming: boolean;
  /** the consumer has taken messages in this run: a stop after that is an outage, not a start */
  hasConsumed: boolean;
  /** since when, and why, a consumer that ran has been taking nothing (restarting, heartbeats missed) */
  consumerAway?: { sinceMs: number; reason: string };
  nats: 'connecting' | 'connected' | 'reconnecting' | 'disconnected';
  /** since when the connection to a broker reached before has been lost */
  natsAwaySinceMs?: number;
  /** the stream was found made anew under the running monitor (its sequences start again) */
  streamMadeAnew?: { createdMs: number; previousMs: number; notedAtMs: number };
  natsUrl: string;
  /** why the broker cannot be reached yet, while the monitor waits for it at start */
  natsError?: string;
  clickhouse: 'embedded' | 'server';
  lastWriteError?: string;
  /** the first failed event write since the last good one: nothing new is stored or counted meanwhile */
  writeFailingSinceMs?: number;
  eventsReceived: number;
  /** events written and handed to the counters: new ones, plus repeats older than the index's
   *  recent-id window (at least 50,000 / 2 × max-ack-pending ids), which the table folds by
   *  event_id and the counters recognise by their facts — they change no count */
  eventsStored: number;
  /** deliveries dropped before the write as repeats: an eventId in the index's recent-id window
   *  (also after a restart: the ids received last are reloaded) or twice in one batch. A repeat
   *  from further back is not among them (see eventsStored). Exported as
   *  EventsDropped_total{reason="duplicate"}. */
  duplicates: number;
  /** messages dead-lettered since this start (EventsDropped_total{reason="dead_letter"}) */
  deadLetters: number;
  /** dead letters in the store: health's total survives a restart, as the list at
   *  /api/dead-letters does (those stored before this start, then new ones: a message
   *  dead-lettered again after a crash has a stream sequence the store already had) */
  deadLettersStored: number;
  deadLetterSeqAtStart: number;
  batches: number;
  writeFailures: number;
  lastBatchAtMs?: number;
  /** when a batch last stored a new event (a batch of redeliveries and repeats stores none) */
  lastNewEventAtMs?: number;
  /** the last batch's lag: oldest message stored in the stream → its counters durable */
  lastBatchLagMs?: number;
  rebuiltEvents: number;
  rebuildMs: number;
  /** gateway notices the broker or the client would not take, by subject */
  noticeRefusals: NoticeRefusals;
  /** alert_log writes failing: the rows wait, kept on disk, and are tried again (server/alerts/audit-writer.ts) */
  alertLogFailing?: {
    sinceMs: number;
    rows: number;
    error: string;
    /** of the rows, those the monitor's disk refused to keep too (lost if it stops first) */
    notOnDisk: number;
    /** rows an earlier run kept on disk, not refused yet: their first write is on its way */
    fromEarlierRun?: true;
  };
}


export function initialHealth(natsUrl: string, clickhouse: MonitorHealth['clickhouse']): MonitorHealth {
  return {
    startedAtMs: Date.now(),
    consuming: false,
    hasConsumed: false,
    nats: 'connecting',
    natsUrl,
    clickhouse,
    eventsReceived: 0,
    eventsStored: 0,
    duplicates: 0,
    deadLetters: 0,
    deadLettersStored: 0,
    deadLetterSeqAtStart: 0,
    batches: 0,
    writeFailures: 0,
    rebuiltEvents: 0,
    rebuildMs: 0,
    noticeRefusals: new NoticeRefusals(),
  };
}

/** The broker connection's state in health, and its changes in the log. */
export function followConnection(nc: NatsConnection, health: MonitorHealth, log: Logger): void {
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') health.nats = 'disconnected';
      else if (s.type === 'reconnecting') health.nats = 'reconnecting';
      else if (s.type === 'reconnect') health.nats = 'connected';
      if (s.type === 'disconnect' || s.type === 'reconnecting') health.natsAwaySinceMs ??= Date.now();
      else if (s.type === 'reconnect') health.natsAwaySinceMs = undefined;
      if (s.type === 'disconnect' || s.type === 'reconnect') log.warn({ nats: s.type }, 'NATS connection changed');
      if (s.type === 'error' && s.error instanceof PermissionViolationError) notePermissionRefusal(health, s.error, log);
    }
  })().catch(() => {});
}

/**
 * The broker refused a publish or a subscription for want of permission. Core NATS says so only
 * on the connection (no publish fails): a gateway notice refused this way reached no one, so it
 * is counted (server/notice-refusals.ts) and not marked sent; the first refusal of a subject is logged.
 */
export function notePermissionRefusal(h: MonitorHealth, err: Pick<PermissionViolationError, 'operation' | 'subject'>, log: Logger): void {
  const notice = err.operation === 'publish' && err.subject.startsWith(NOTICE_SUBJECT_PREFIX);
  if (notice && !h.noticeRefusals.refused(err.subject, 'no permission to publish')) return;
  log.error(
    { operation: err.operation, subject: err.subject },
    notice ? "the broker refused an alert notice: the monitor's NATS user may not publish on its subject (gateways do not get it)" : `the broker refused a ${err.operation}: permissions violation`,
  );
}

/** What one batch's outcome changes in the health figures; a failed write is also logged. */
export function noteBatch(h: MonitorHealth, outcome: BatchOutcome | BatchFailure, log: Logger): outcome is BatchOutcome {
  if ('failed' in outcome) {
    h.writeFailures++;
    h.lastWriteError = outcome.error.message;
    // a row the store refuses (poison, isolated and dead-lettered) is not the store refusing writes
    if (classifyWriteFailure(outcome.error) !== 'rows_refused') h.writeFailingSinceMs ??= Date.now();
    log.error({ err: outcome.error.message, size: outcome.size }, 'ClickHouse write failed; batch will be redelivered');
    return false;
  }
  // only rows taken into ticket_events end it: a batch of dead letters or repeats alone writes none
  if (outcome.stored > 0) {
    h.writeFailingSinceMs = undefined;
    h.lastWriteError = undefined;
  }
  h.batches++;
  h.eventsReceived += outcome.received;
  h.eventsStored += outcome.stored;
  h.duplicates += outcome.duplicates;
  h.deadLetters += outcome.deadLettered;
  for (const seq of outcome.deadLetterSeqs) if (seq > h.deadLetterSeqAtStart) h.deadLettersStored++;
  h.lastBatchAtMs = outcome.committedAtMs;
  if (outcome.stored > 0) h.lastNewEventAtMs = outcome.committedAtMs;
  h.lastBatchLagMs = outcome.lagMs;
  return true;
}

/**
 * Nothing delivered and unacked, nothing undelivered: whatever failed to be written is gone (purged,
 * or expired from the stream), so the writes are not failing any more, however long until the next
 * ticket. Said by the consumer's figures, which the wall's probe reads.
 */
export function noteNothingToWrite(h: MonitorHealth): void {
  h.writeFailingSinceMs = undefined;
  h.lastWriteError = undefined;
}

/**
 * Whether the pipeline takes messages now, as health and the wall's heartbeat say it: its
 * consumer runs, and the counting lease is not left unconfirmed. A hung broker (connections
 * open, nothing answered) leaves the consumer looking alive for minutes, while it delivers
 * nothing and the lease's renewals go unanswered (server/lease.ts). A lost connection takes
 * nothing either, though the consumer is missed only after two heartbeats and the lease after
 * 12.5 s: health said `consuming: true` for those ~12 s after a broker was killed (audit BE F4).
 */
export function consumingNow(h: Pick<MonitorHealth, 'consuming' | 'nats'>, lease: { readonly unconfirmed: string | undefined }): boolean {
  return h.consuming && h.nats === 'connected' && lease.unconfirmed === undefined;
}

/** What a consumer's status report changes in health: a consumer that ran and stopped is away. */
export function noteSourceStatus(h: MonitorHealth, s: SourceStatus, nowMs: number): void {
  if (s.type === 'stream_made_anew') {
    h.streamMadeAnew = { createdMs: s.createdMs, previousMs: s.previousMs, notedAtMs: nowMs };
    return;
  }
  h.consuming = s.type === 'consuming' || (h.consuming && s.type === 'heartbeats_missed');
  if (h.consuming) {
    h.hasConsumed = true;
    h.consumerAway = undefined;
  } else if (h.hasConsumed) {
    const reason = s.type === 'restarting' ? s.reason : `${s.type === 'heartbeats_missed' ? s.count : 0} heartbeats missed`;
    h.consumerAway = { sinceMs: h.consumerAway?.sinceMs ?? nowMs, reason };
  }
}

/** how long health names a stream made anew under the running monitor (the log keeps it) */
export const STREAM_MADE_ANEW_SHOWN_MS = 60 * 60_000;

/**
 * Why a running monitor takes nothing now, or may have lost what it never took, for health's
 * reasons: its broker connection lost, its consumer restarting, its stream made anew (named for an
 * hour). Only after it has consumed: before that it is starting (503 `starting`), which a health
 * check is told to wait for, while this is an outage it resumes from by itself.
 */
export function intakeAwayReasons(h: MonitorHealth, zoned: (ms: number) => string, nowMs = Date.now()): string[] {
  if (!h.hasConsumed) return [];
  const reasons: string[] = [];
  if (h.nats !== 'connected' && h.natsAwaySinceMs !== undefined) reasons.push(`NATS connection lost since ${zoned(h.natsAwaySinceMs)} (${h.nats}): nothing is taken until it is back; the tickets wait in the stream`);
  const anew = h.streamMadeAnew;
  if (anew && nowMs - anew.notedAtMs < STREAM_MADE_ANEW_SHOWN_MS) {
    reasons.push(`the stream COMPLAINTS was made anew (${zoned(anew.createdMs)}; the one read before was made ${zoned(anew.previousMs)}): what it held and the monitor had not taken is gone — ask the publishers to send again what they sent before ${zoned(anew.createdMs)} (docs/OPERATIONS.md)`);
  }
  if (h.consumerAway) reasons.push(`the JetStream consumer takes nothing since ${zoned(h.consumerAway.sinceMs)} and restarts by itself (${h.consumerAway.reason}); the tickets wait in the stream`);
  return reasons;
}

/**
 * The store away as the presence found it (server mode), unless an event write was stored after
 * its latest failed check: ClickHouse answers again, and the presence says so at its next renewal
 * (up to 5 s later; health said it away after the tickets were stored again meanwhile).
 */
export function storeUnanswered<A extends { lastFailedMs: number }>(h: Pick<MonitorHealth, 'lastNewEventAtMs'>, away: A | undefined): A | undefined {
  return away && !(h.lastNewEventAtMs !== undefined && h.lastNewEventAtMs > away.lastFailedMs) ? away : undefined;
}

export type HealthStatus = 'ok' | 'starting' | 'degraded' | 'lease-refused' | 'lease-lost';

/** The one word of /api/health (docs/OPERATIONS.md): the lease's end first, then any reason. */
export function healthStatus(leaseStatus: string, leaseUnconfirmed: boolean, h: Pick<MonitorHealth, 'consuming' | 'hasConsumed'>, reasons: readonly string[]): HealthStatus {
  if (leaseStatus === 'refused' || leaseStatus === 'lost') return `lease-${leaseStatus}`;
  if (leaseUnconfirmed || (reasons.length > 0 && (h.consuming || h.hasConsumed))) return 'degraded';
  return h.consuming ? 'ok' : 'starting';
}
