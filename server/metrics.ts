import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { STREAM } from '../pipelines/sources/jetstream.ts';
import { planStatus } from './plan-status.ts';
import type { Monitor } from './monitor.ts';
import { consumingNow, storeUnanswered } from './monitor-health.ts';
import type { BrokerStoreFacts, BrokerStoreJudgement } from './broker-store.ts';

// Telemetry in one vocabulary (noun + verb, counters end in _total), read from the monitor's
// health figures when scraped, so the pipeline pays nothing per event for it.

/** Batch sizes by fixed buckets (Prometheus histogram semantics: cumulative `le` buckets). */
export class SizeHistogram {
  static readonly BOUNDS = [1, 10, 100, 1_000, 5_000, 20_000, 100_000];
  readonly counts = new Array<number>(SizeHistogram.BOUNDS.length + 1).fill(0);
  sum = 0;
  count = 0;
  observe(size: number): void {
    const i = SizeHistogram.BOUNDS.findIndex((b) => size <= b);
    this.counts[i === -1 ? SizeHistogram.BOUNDS.length : i]! += 1;
    this.sum += size;
    this.count += 1;
  }
}

export interface ConsumerLag {
  /** messages in the stream the consumer has not been given yet */
  pending: number;
  /** given but not acknowledged (in flight, or waiting for redelivery) */
  ackPending: number;
  redelivered: number;
}

/** Consumer info from the broker, at most once a second whatever the scrape rate. */
export class LagProbe {
  private jsm?: JetStreamManager;
  private last?: { atMs: number; lag: ConsumerLag | null };
  constructor(private readonly monitor: Monitor) {}

  async read(nowMs: number): Promise<ConsumerLag | null> {
    if (this.last && nowMs - this.last.atMs < 1_000) return this.last.lag;
    let lag: ConsumerLag | null = null;
    try {
      this.jsm ??= await jetstreamManager(this.monitor.nc, { timeout: 1_000 });
      const info = await this.jsm.consumers.info(STREAM, this.monitor.config.consumerName);
      lag = { pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered };
    } catch {
      this.jsm = undefined; // the broker is away; health says so through nats.status
    }
    this.last = { atMs: nowMs, lag };
    return lag;
  }
}

const line = (name: string, value: number, labels?: Record<string, string>) =>
  `${name}${labels ? `{${Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`).join(',')}}` : ''} ${value}`;

/** Prometheus text exposition format 0.0.4. */
export function renderMetrics(
  monitor: Monitor,
  lag: ConsumerLag | null,
  batchSizes: SizeHistogram | undefined,
  nowMs = Date.now(),
  broker?: BrokerStoreFacts & BrokerStoreJudgement,
): string {
  const h = monitor.health;
  const out: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge' | 'histogram', help: string, lines: string[]) =>
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
  metric('EventsReceived_total', 'counter', 'messages taken from the stream (each delivery)', [line('EventsReceived_total', h.eventsReceived)]);
  metric('EventsStored_total', 'counter', 'new events durably stored and counted', [line('EventsStored_total', h.eventsStored)]);
  metric('EventsDropped_total', 'counter', 'messages not counted, by reason', [
    line('EventsDropped_total', h.duplicates, { reason: 'duplicate' }),
    line('EventsDropped_total', h.deadLetters, { reason: 'dead_letter' }),
  ]);
  metric('ClickHouseInsertFailed_total', 'counter', 'failed batch writes (messages redelivered)', [line('ClickHouseInsertFailed_total', h.writeFailures)]);
  metric('Batches_total', 'counter', 'committed batches', [line('Batches_total', h.batches)]);
  metric('EventsOutsidePlanYear_total', 'counter', 'new events dated outside the plan year: stored, not counted (since start or the last plan change)', [line('EventsOutsidePlanYear_total', monitor.uncounted.outsidePlanYear)]);
  metric('EventsUnknownBranch_total', 'counter', 'new events from a branch the plan does not list: counted bank-wide only', [line('EventsUnknownBranch_total', monitor.uncounted.unknownBranchEvents)]);
  metric('PlanYearEnded', 'gauge', '1 once the loaded plan\'s year has ended: new events are not counted until the next plan is loaded', [line('PlanYearEnded', planStatus(monitor.plan, nowMs).state === 'ended' ? 1 : 0)]);
  metric('JournalRows', 'gauge', 'events counted and durable in the live journal, not yet moved into ticket_events (embedded engine)', [
    line('JournalRows', monitor.journal?.pending ?? 0),
  ]);
  metric('JournalMoves_total', 'counter', 'live journal files moved into ticket_events, each one insert (embedded engine)', [line('JournalMoves_total', monitor.journal?.moved ?? 0)]);
  if (batchSizes) {
    let cumulative = 0;
    const buckets = SizeHistogram.BOUNDS.map((b, i) => {
      cumulative += batchSizes.counts[i]!;
      return line('BatchSize_bucket', cumulative, { le: String(b) });
    });
    metric('BatchSize', 'histogram', 'messages per batch write', [
      ...buckets,
      line('BatchSize_bucket', batchSizes.count, { le: '+Inf' }),
      line('BatchSize_sum', batchSizes.sum),
      line('BatchSize_count', batchSizes.count),
    ]);
  }
  metric('ConsumerPending', 'gauge', 'stream messages not yet delivered to the monitor (-1: unknown)', [line('ConsumerPending', lag?.pending ?? -1)]);
  metric('ConsumerAckPending', 'gauge', 'delivered, not yet acknowledged (-1: unknown)', [line('ConsumerAckPending', lag?.ackPending ?? -1)]);
  metric('Consuming', 'gauge', '1 while the pipeline consumes', [line('Consuming', consumingNow(h, monitor.lease) ? 1 : 0)]);
  metric('JournalMoveFailing', 'gauge', '1 while ClickHouse refuses the live journal\'s moves into ticket_events (counted, not yet readable there)', [line('JournalMoveFailing', monitor.journal?.lastMoveError ? 1 : 0)]);
  metric('EventWritesFailing', 'gauge', '1 while ClickHouse refuses the event writes (nothing new is counted)', [line('EventWritesFailing', h.writeFailingSinceMs === undefined ? 0 : 1)]);
  metric('ClickHouseUnanswered', 'gauge', '1 while the ClickHouse server does not answer the presence check written every 5 s (server mode; also with no ticket coming)', [line('ClickHouseUnanswered', storeUnanswered(h, monitor.lease.guard?.storeAway?.()) ? 1 : 0)]);
  metric('NatsConnected', 'gauge', '1 while connected to NATS', [line('NatsConnected', h.nats === 'connected' ? 1 : 0)]);
  metric('CountingLeaseHeld', 'gauge', '1 while this monitor holds the counting lease of its consumer (and store); 0 refused or lost: another monitor counts', [line('CountingLeaseHeld', monitor.lease.state === 'held' ? 1 : 0)]);
  if (broker) brokerStoreMetrics(metric, broker);
  const restarts = monitor.localBrokerRestarts;
  if (restarts !== undefined) metric('LocalBrokerRestarts_total', 'counter', 'times the monitor started its own nats-server again after it died (embedded mode)', [line('LocalBrokerRestarts_total', restarts)]);
  metric('AlertLogRowsWaiting', 'gauge', 'alert audit rows waiting because alert_log refused them (kept on the monitor\'s disk and tried again)', [line('AlertLogRowsWaiting', h.alertLogFailing?.rows ?? 0)]);
  metric('AlertNoticesRefused_total', 'counter', 'gateway notices refused since start (no publish permission on complaints.alerts.>, larger than max_payload): tried again every minute, kept in the outbox', [line('AlertNoticesRefused_total', h.noticeRefusals.total)]);
  const hour = monitor.deadLetterWindow.view(nowMs);
  metric('DeadLettersLastHour', 'gauge', 'messages dead-lettered in the last hour (the wall-board shows them from one)', [line('DeadLettersLastHour', hour.deadLetters)]);
  metric('ReceivedLastHour', 'gauge', 'messages received in the last hour', [line('ReceivedLastHour', hour.received)]);
  metric('LastBatchTimestampSeconds', 'gauge', 'when the last batch was committed', [line('LastBatchTimestampSeconds', h.lastBatchAtMs ? h.lastBatchAtMs / 1000 : 0)]);
  metric('RebuildSeconds', 'gauge', 'time to read the stored events back at start', [line('RebuildSeconds', h.rebuildMs / 1000)]);
  const mem = process.memoryUsage();
  metric('process_resident_memory_bytes', 'gauge', 'resident memory', [line('process_resident_memory_bytes', mem.rss)]);
  // what of the resident memory is JavaScript's (the counters' typed arrays are array buffers);
  // the rest is the embedded engine's, the code and the allocator's
  metric('nodejs_heap_used_bytes', 'gauge', 'JavaScript heap in use', [line('nodejs_heap_used_bytes', mem.heapUsed)]);
  metric('nodejs_array_buffers_bytes', 'gauge', 'array buffers (typed arrays) in use', [line('nodejs_array_buffers_bytes', mem.arrayBuffers)]);
  return `${out.join('\n')}\n`;
}

type Emit = (name: string, type: 'counter' | 'gauge', help: string, lines: string[]) => void;

/** The broker's store (server/broker-store.ts): what fills it, its limits, and whether it refuses writes. */
function brokerStoreMetrics(metric: Emit, b: BrokerStoreFacts & BrokerStoreJudgement): void {
  const s = b.stream;
  metric('StreamMessages', 'gauge', 'messages held by the COMPLAINTS stream (-1: unknown)', [line('StreamMessages', s?.messages ?? -1)]);
  metric('StreamBytes', 'gauge', 'bytes held by the COMPLAINTS stream (-1: unknown)', [line('StreamBytes', s?.bytes ?? -1)]);
  metric('StreamOldestMessageTimestampSeconds', 'gauge', 'when the oldest message the stream holds was stored (0: none or unknown)', [line('StreamOldestMessageTimestampSeconds', s?.firstAtMs ? s.firstAtMs / 1000 : 0)]);
  metric('StreamMaxAgeSeconds', 'gauge', 'how long the stream keeps a message (0: for ever; STREAM_MAX_AGE_DAYS)', [line('StreamMaxAgeSeconds', s ? s.maxAgeMs / 1000 : -1)]);
  metric('JetStreamStorageBytes', 'gauge', 'the account\'s JetStream file store in use (-1: unknown)', [line('JetStreamStorageBytes', b.account?.storageBytes ?? -1)]);
  metric('JetStreamStorageLimitBytes', 'gauge', 'the account\'s JetStream file store limit (-1: none told to clients, e.g. a server-wide max_file_store)', [line('JetStreamStorageLimitBytes', b.account?.storageLimitBytes ?? -1)]);
  metric('BrokerWritesRefused', 'gauge', '1 while the broker refused a write for want of room in the last 5 minutes: intake publishes fail', [line('BrokerWritesRefused', b.refusal ? 1 : 0)]);
  metric('BrokerStoreDegraded', 'gauge', '1 while the broker\'s store refuses writes or is 90 % of a limit (/api/health says why)', [line('BrokerStoreDegraded', b.status === 'degraded' ? 1 : 0)]);
}
