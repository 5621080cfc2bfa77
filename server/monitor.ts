import type { ClickHouseClient } from '@clickhouse/client';
import type { NatsConnection } from '@nats-io/nats-core';
import { Subject, type Subscription } from 'rxjs';
import type { MaskedEvent } from '../pipelines/model.ts';
import type { CompiledPlan } from '../pipelines/plan/index.ts';
import { CounterIndex, decodeEvent, maskEvent } from '../pipelines/transforms/index.ts';
import { ClickHouseSink } from '../pipelines/sinks/clickhouse.ts';
import { CounterHistory } from '../pipelines/sinks/counter-history.ts';
import { historyCaughtUp } from './history-catch-up.ts';
import { jetStreamEnvelopes } from '../pipelines/sources/jetstream.ts';
import { monitorTopology, type Prepared } from '../pipelines/topology.ts';
import { openMonitorStore, type MonitorStore } from './store.ts';
import { sourceSettings, type MonitorConfig } from './config.ts';
import { MonitorBroker, sourceStatusInHealth } from './nats-connect.ts';
import { SizeHistogram } from './metrics.ts';
import { customerHashKey } from './secrets.ts';
import { checkStoreKeys } from './hash-key-check.ts';
import { checkPlanAtStart } from './plan-file-check.ts';
import { UncountedEvents } from './uncounted.ts';
import { DeadLetterWindow } from './dead-letter-window.ts';
import { DueChanges } from './due-changes.ts';
import { readCountingState } from './counting-state.ts';
import { changesThePast } from './retroactive.ts';
import { storedDeadLetters } from './dead-letters.ts';
import { initialHealth, noteBatch, type MonitorHealth } from './monitor-health.ts';
import { CountingLease } from './lease.ts';
import { StorePresence } from './presence.ts';
import { followReviews } from './reports/follow.ts';

export type { MonitorHealth } from './monitor-health.ts';
export type { CounterChange, Logger } from './monitor-types.ts';
import type { CounterChange, Logger } from './monitor-types.ts';

// The composition root of the pipeline: opens the engines, rebuilds the counters from what is
// stored, then consumes the stream. Everything it holds is derived from ClickHouse.

export class Monitor {
  readonly changes = new Subject<CounterChange>();
  /** other live messages (alerts …), broadcast on /ws */
  readonly liveMessages = new Subject<{ type: string } & Record<string, unknown>>();
  /** Set by the alert engine: open alerts for the /ws snapshot, the facts the headline counts,
   *  its start (done once the year's alerts are derived). */
  snapshotAlerts: () => object[] = () => [];
  alertFacts: () => object[] = () => [];
  alertsDerived = Promise.resolve();
  /** run at a stop before the lease goes (the alerts' last notices) */
  readonly beforeRelease: Array<() => Promise<void>> = [];
  readonly health: MonitorHealth;
  /** events stored, not counted in full: outside the plan year, or from unknown branches */
  readonly uncounted = new UncountedEvents();
  readonly deadLetterWindow = new DeadLetterWindow();
  /** messages per batch write (/metrics) */
  readonly batchSizes = new SizeHistogram();
  /** swapped whole by replacePlan: read it afresh, never keep it */
  index: CounterIndex;
  /** the PLAN file set aside a later runtime change (plan-file-check.ts) */
  planFileWarning?: string;
  private subscription?: Subscription;
  /** counters to push again when future-dated events come due */
  private readonly due = new DueChanges(() => this.now(), (keys, atMs) => this.publishChanges(keys, [], atMs));
  private readonly history: CounterHistory;
  /** held before anything consumes (lease.ts) */
  readonly lease: CountingLease;

  private constructor(
    readonly config: MonitorConfig,
    /** swapped together with `index` by replacePlan */
    public plan: CompiledPlan,
    private readonly hashKey: Uint8Array,
    readonly clickhouse: ClickHouseClient,
    private readonly live: MonitorStore['live'],
    private readonly broker: MonitorBroker,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {
    this.index = new CounterIndex(plan);
    this.history = new CounterHistory(clickhouse, (err) => log.warn({ err: err.message }, 'counter history write failed'));
    this.health = initialHealth(broker.local?.url ?? config.natsUrl ?? '', config.clickhouseUrl ? 'server' : 'embedded');
    this.lease = CountingLease.of(config, log, () => this.stopConsuming());
    // the lease in NATS sees only monitors on the same NATS deployment; a store's presence, the others
    if (config.clickhouseUrl) this.lease.guard = new StorePresence(clickhouse, log);
  }

  static async start(
    config: MonitorConfig,
    plan: CompiledPlan,
    log: Logger,
    now: () => number = Date.now,
  ): Promise<Monitor> {
    const { clickhouse, live, storeId } = await openMonitorStore(config, log);
    const hashKey = customerHashKey(config.dataDir, config.customerHashKey);
    try {
      await checkStoreKeys(clickhouse, hashKey, now(), config, log);
    } catch (err) {
      await Promise.all([clickhouse.close(), live.client === clickhouse ? undefined : live.client.close()]);
      throw err;
    }
    const broker = await MonitorBroker.start(config, log, hashKey);
    const monitor = new Monitor({ ...config, storeId }, plan, hashKey, clickhouse, live, broker, log, now);
    // Broker and lease first: a refused standby reads nothing back. A broker down at start is
    // waited for, the store read meanwhile.
    const stopped = () => monitor.stopped;
    const leased = broker.connectAndLease({ health: monitor.health, log, stopped }, monitor.lease);
    let decided = false;
    void leased.then(() => (decided = true));
    if ((await Promise.race([leased, new Promise((r) => setTimeout(r, 3_000).unref())])) === false) return monitor;
    // A lease taken after the store was read may follow a holder that stored meanwhile: read again
    // before anything counts or derives, or this wall lacks them until a restart.
    const readBeforeLease = !decided;
    await monitor.rebuild();
    void leased.then(async (held) => {
      if (!held) return;
      if (readBeforeLease) await monitor.readAgain();
      monitor.resolveCounting();
      monitor.consume();
      void historyCaughtUp(monitor, now(), log);
      followReviews(monitor, log, now);
    });
    return monitor;
  }

  /** embedded mode: how often its own broker was started again after it died */
  get localBrokerRestarts(): number | undefined {
    return this.broker.local?.restarts();
  }

  private stopped = false;

  /** The broker connection; throws without it or a current counting lease. */
  get nc(): NatsConnection {
    return this.broker.leasedConnection(this.health, this.lease);
  }

  private readOptions() {
    return { nowMs: this.now(), recentIds: Math.max(50_000, 2 * this.config.maxAckPending) };
  }

  private resolveCounting!: () => void;
  /** resolves once the lease is held and the counters hold every stored event: alerts derive from then on */
  readonly counting = new Promise<void>((r) => (this.resolveCounting = r));

  /** The store read into a new index before anything consumes (a lease taken late); a failed
   *  read is asked again every second, nothing counted meanwhile. */
  private async readAgain(): Promise<void> {
    for (let tries = 1; ; tries++) {
      const index = new CounterIndex(this.plan);
      try {
        const state = await readCountingState(this.clickhouse, this.plan, index, this.due, this.readOptions());
        [this.index, this.health.rebuiltEvents] = [index, state.events];
        this.uncounted.reset();
        this.uncounted.seed(state.unlisted);
        return this.log.info({ events: state.events }, 'counters read again from ClickHouse: the lease was taken after the first read');
      } catch (err) {
        if (tries === 1) this.log.warn({ err: (err as Error).message }, 'reading the store again failed; asked again every second');
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  /** Reads the stored events back into the counters: the state is derived, never kept. */
  private async rebuild(): Promise<void> {
    const started = Date.now();
    const state = await readCountingState(this.clickhouse, this.plan, this.index, this.due, this.readOptions());
    this.health.rebuiltEvents = state.events;
    this.uncounted.seed(state.unlisted);
    this.health.rebuildMs = Date.now() - started;
    const dead = await storedDeadLetters(this.clickhouse);
    [this.health.deadLettersStored, this.health.deadLetterSeqAtStart] = [dead.count, dead.maxSeq];
    this.log.info({ events: this.health.rebuiltEvents, ms: this.health.rebuildMs }, 'counters rebuilt from ClickHouse');
    this.planFileWarning = await checkPlanAtStart(this.clickhouse, this.plan, this.config.planPath, this.now(), this.log);
  }

  private prepare = (data: Uint8Array): Prepared => {
    const decoded = decodeEvent(data);
    if (!decoded.ok) return decoded;
    return { ok: true, event: maskEvent(decoded.event, { hashKey: this.hashKey, plan: this.plan }) };
  };

  private consume(): void {
    if (this.stopped) return;
    const sink = new ClickHouseSink(this.live.client, this.live.journal);
    const status = sourceStatusInHealth(this.health, this.log);
    const source$ = jetStreamEnvelopes(this.nc, sourceSettings(this.config), status);
    this.subscription = monitorTopology(source$, {
      prepare: this.prepare,
      isKnown: (id) => this.index.has(id),
      write: async (events, deadLetters) => {
        await this.whileCounting();
        return sink.writeBatch(events, deadLetters);
      },
      apply: (events) => this.applyLive(events),
      now: this.now,
      batchMs: this.config.batchMs,
      batchMax: this.config.batchMax,
    }).subscribe((outcome) => {
      this.batchSizes.observe('failed' in outcome ? outcome.size : outcome.received);
      if (!noteBatch(this.health, outcome, this.log)) return;
      this.deadLetterWindow.note(outcome.committedAtMs, outcome.received, outcome.deadLettered);
      if (outcome.stored > 0) this.publishChanges(outcome.changed, outcome.events, outcome.committedAtMs);
      this.uncounted.note(this.plan, outcome.events, this.log);
      this.due.note(outcome.events, outcome.changed, outcome.committedAtMs, this.plan.yearEndMs);
    });
  }

  /**
   * A batch is stored and acknowledged only while the lease is confirmed: an unconfirmed holder
   * (broker away, no quorum, an inconsistent lease stream) storing and acking took what a successor
   * needed. The batch waits here (bounded by max-ack-pending), or is left for the next holder.
   */
  private async whileCounting(): Promise<void> {
    while (!this.lease.current) {
      if (this.stopped || this.lease.state !== 'held') throw new Error('the counting lease ended: the batch is left for the next holder');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private publishChanges(
    changed: Array<{ complaintType: string; scope: string }>,
    events: MaskedEvent[],
    asOfMs: number,
  ): void {
    const rows = changed.flatMap(({ complaintType, scope }) => this.index.rows(asOfMs, { type: complaintType, scope }));
    const retroactive = changesThePast(this.plan.weeks, events, asOfMs);
    this.changes.next({ asOfMs, rows, events, retroactive });
    if (rows.length > 0) this.history.add(rows, this.plan.year, asOfMs, 'monitor');
  }

  /** While replacePlan rebuilds, live batches are kept for the new index too. */
  private swapBuffer?: MaskedEvent[][];
  private applyLive(events: MaskedEvent[]) {
    this.swapBuffer?.push(events);
    return this.index.apply(events);
  }

  /** A plan change without a restart: a new index from the stored events (and the batches
   * applied meanwhile), then plan and index swapped at once; whatever can fail comes first.
   * `inForce` runs in the swap's turn: no batch counts under the new plan before it is told. */
  async replacePlan(next: CompiledPlan, inForce: (rebuiltEvents: number) => void): Promise<{ rebuiltEvents: number }> {
    if (this.swapBuffer) throw new Error('a plan change is already in progress');
    this.swapBuffer = [];
    try {
      const index = new CounterIndex(next);
      const counted = await readCountingState(this.clickhouse, next, index, this.due, this.readOptions());
      const { events: rebuiltEvents, unlisted } = counted;
      for (const batch of this.swapBuffer) index.reapply(batch); // they raced the rebuild
      this.plan = next;
      this.index = index;
      this.uncounted.reset();
      this.uncounted.seed(unlisted);
      this.planFileWarning = undefined;
      inForce(rebuiltEvents);
      return { rebuiltEvents };
    } finally {
      this.swapBuffer = undefined;
    }
  }

  /** the live journal (embedded engine): events counted and durable, not yet in ticket_events; its moves */
  get journal(): MonitorStore['live']['journal'] {
    return this.live.journal;
  }

  /** Resolves once every event counted so far is in ticket_events. */
  async settleStore(): Promise<void> {
    await this.live.journal?.settle();
  }

  /** No more events taken: the lease's end, and first at a stop. */
  stopConsuming(): void {
    // a stop's drain may wait on a hung broker: it is not killed and started again meanwhile
    this.broker.local?.stopWatching();
    this.subscription?.unsubscribe();
    this.due.stop();
    this.health.consuming = false;
  }

  async stop(): Promise<void> {
    this.stopConsuming();
    await this.history.flush();
    this.changes.complete();
    this.liveMessages.complete();
    this.stopped = true;
    await this.lease.release(); // a successor may start at once
    await this.broker.leave();
    const journalLeft = (err: Error) => this.log.warn({ err: err.message }, 'live journal left for the next start');
    await this.live.journal?.close().catch(journalLeft);
    if (this.live.client !== this.clickhouse) await this.live.client.close();
    await this.clickhouse.close();
  }
}
