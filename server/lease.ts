import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from './monitor-types.ts';
import { LEASE_EXIT_CODE, leaseOptions, type LeaseEnd, type LeaseOptions, type LeaseState } from './lease-settings.ts';
import {
  afterInconsistentRead,
  afterRenewalFailure,
  afterWrittenRound,
  confirmedRecently,
  decideRenew,
  decideTake,
  holderView,
  leaseEndMessage,
  leaseKeys,
  leaseRecord,
  thisProcess,
  unconfirmedReason,
  type LeaseHolder,
  type RenewalTrouble,
} from './lease-rules.ts';
import { RenewalRounds, type IsStale } from './lease-rounds.ts';
import { ensureLeaseStream, isBrokerAnswer, isNoJetStreamLeader, isWrongSequence, LEASE_SUBJECT_PREFIX, LeaseStreamRepair, readLeaseChecked } from './lease-stream.ts';
import type { LeaseGuard } from './presence.ts';

// The counting lease held by this monitor: taken at start, renewed every few seconds, released
// at a clean stop. The stream it lives in: lease-stream.ts; the decisions: lease-rules.ts; the
// renewal rounds' scheduling: lease-rounds.ts; its timings and shapes: lease-settings.ts.

export { ensureLeaseStream, LEASE_STREAM, LEASE_SUBJECT_PREFIX, readLease } from './lease-stream.ts';
export {
  LEASE_EXIT_CODE,
  LEASE_REFUSED_GRACE_MS,
  LEASE_RENEW_MS,
  LEASE_TTL_MS,
  type LeaseEnd,
  type LeaseOptions,
  type LeaseState,
} from './lease-settings.ts';

const TAKEN_AGAIN =
  'counting lease had run out (the broker was away, or this process was held up); nobody took it, taken again';
const iso = (ms: number) => new Date(ms).toISOString();

const leaseError = (err: Error): never => {
  throw new Error(`the counting lease could not be taken (${err.message}); retrying`, { cause: err });
};

export class CountingLease {
  state: LeaseState = 'waiting';
  /** the other monitor that holds (or took) the lease, while refused or lost */
  private blocker?: LeaseHolder;
  private message?: string;
  private heldSinceMs?: number;
  /** when the broker last confirmed every key (taken or renewed) */
  private confirmedAtMs = -Infinity;
  private readonly seqs = new Map<string, number>();
  private js?: JetStreamClient;
  private jsm?: JetStreamManager;
  private nc?: NatsConnection;
  private readonly repair: LeaseStreamRepair;
  /** why a starting monitor waits unrefused (an inconsistent lease stream), for health */
  private waitingWhy?: string;
  private timer?: NodeJS.Timeout;
  private readonly rounds = new RenewalRounds(() => this.state === 'held', (stale) => this.renewOnce(stale));
  /** refused, unanswered, no JetStream leader, an inconsistent lease stream (lease-renewal-rules.ts) */
  private trouble: RenewalTrouble = {};
  /** the last failed renewal, kept: the monitor's one regular write shows a full store (broker-store.ts) */
  lastRenewalFailure?: { message: string; atMs: number };
  private readonly stopHandlers: Array<() => void> = [];
  private resolveHeld!: () => void;
  private resolveEnded!: (end: LeaseEnd) => void;
  /** resolves once every key is held: nothing counts, derives alerts or sends notices before */
  readonly held = new Promise<void>((r) => (this.resolveHeld = r));
  /** resolves when this monitor may not count: refused at start, or the lease taken by another */
  readonly ended = new Promise<LeaseEnd>((r) => (this.resolveEnded = r));
  private readonly opts: LeaseOptions;
  /** server mode: the store's presence beside this lease (presence.ts), for monitors on another NATS deployment */
  guard?: LeaseGuard;

  constructor(
    readonly keys: readonly string[],
    readonly me: LeaseHolder,
    private readonly log: Logger,
    opts: Partial<LeaseOptions> = {},
  ) {
    this.opts = leaseOptions(opts);
    this.repair = new LeaseStreamRepair(this.opts.ttlMs, log);
  }

  /** Held, confirmed recently enough (lease-rules.ts), the lease stream self-consistent: nothing is sent otherwise. */
  get current(): boolean {
    return this.state === 'held' && !this.trouble.inconsistent && confirmedRecently(this.opts.now(), this.confirmedAtMs, this.opts);
  }

  /** A monitor's lease: its consumer's key and, in server mode, its store's; `stopCounting` stops its consuming. */
  static of(
    config: { consumerName: string; clickhouseUrl?: string; storeId?: string; dataDir: string },
    log: Logger,
    stopCounting: () => void,
  ): CountingLease {
    const lease = new CountingLease(leaseKeys(config), thisProcess(config.dataDir), log);
    lease.onStop(stopCounting);
    return lease;
  }

  /**
   * Takes every key, or none. true: held, renewed from now on; false: refused (logged, shown in
   * health, `ended` resolved). Broker trouble throws, for the caller's connect loop to retry.
   */
  async take(nc: NatsConnection): Promise<boolean> {
    this.jsm = await jetstreamManager(nc, { timeout: 5_000 }).catch(leaseError);
    this.js = jetstream(nc, { timeout: 5_000 });
    this.nc = nc;
    this.waitingWhy = undefined;
    await ensureLeaseStream(this.jsm, this.opts.ttlMs).catch(leaseError);
    for (const key of this.keys) {
      const refusedBy = await this.takeKey(key).catch(leaseError);
      if (refusedBy !== undefined) {
        await this.release(); // the keys taken before this one: a successor need not wait for them
        this.end('refused', key, refusedBy.holder);
        return false;
      }
    }
    const presentBeside = await this.guard?.atStart(nc, this.me);
    if (presentBeside) return (await this.yieldTo(presentBeside, 'refused'), false);
    this.state = 'held';
    this.heldSinceMs = this.confirmedAtMs = this.opts.now();
    this.log.info({ leases: this.keys, renewMs: this.opts.renewMs, ttlMs: this.opts.ttlMs }, 'counting lease held');
    this.rounds.follow(nc);
    this.timer = setInterval(() => void this.renew(), this.opts.renewMs);
    this.timer.unref();
    this.guard?.follow((holder) => void this.yieldTo(holder, 'lost'));
    this.onStop(() => void this.guard?.release());
    this.resolveHeld();
    return true;
  }

  /** undefined when taken; else who holds it */
  private async takeKey(key: string): Promise<{ holder: LeaseHolder | undefined } | undefined> {
    for (let attempt = 0; ; attempt++) {
      const { stored, onSubject } = await readLeaseChecked(this.jsm!, key);
      const decision = decideTake(stored, this.me, this.opts.aliveHere, onSubject);
      if (!decision.take && 'inconsistent' in decision) {
        this.waitingWhy = `${decision.inconsistent}; the counting lease is not taken, asked again every second`;
        await this.repair.ask(this.nc, decision.inconsistent, this.opts.now(), key, false);
        throw new Error(decision.inconsistent);
      }
      if (!decision.take) return { holder: decision.holder };
      try {
        this.seqs.set(key, await this.write(key, decision.expectSeq));
        if (decision.why === 'own') {
          this.log.info({ lease: key }, 'counting lease of this monitor\'s earlier run taken over');
        }
        return undefined;
      } catch (err) {
        if (!isWrongSequence(err) || attempt >= 2) throw err; // another monitor wrote first: read again
      }
    }
  }

  private async write(key: string, expectSeq: number, released = false): Promise<number> {
    const record = JSON.stringify(leaseRecord(this.me, this.opts.now(), this.opts.ttlMs, released));
    const expect = { lastSubjectSequence: expectSeq };
    const ack = await this.js!.publish(LEASE_SUBJECT_PREFIX + key, record, { expect });
    return ack.seq;
  }

  /** Current now, or once a renewal confirmed it (a person's action waits that one round). */
  async confirm(): Promise<boolean> {
    if (!this.current && this.state === 'held') await this.renew();
    return this.current;
  }

  /** One round of renewals; a renewal that finds another holder ends the lease. */
  renew(): Promise<void> {
    return this.rounds.run();
  }

  private async renewOnce(stale: IsStale): Promise<void> {
    // a stale round's late write is ours too: the fresh round's read finds our instance
    let takenAgain = false;
    try {
      for (const key of this.keys) {
        const { stored, onSubject } = await readLeaseChecked(this.jsm!, key);
        if (stale()) return;
        const decision = decideRenew(stored, this.me, this.seqs.get(key) ?? -1, onSubject);
        if ('inconsistent' in decision) return this.inconsistentWhileHeld(key, decision.inconsistent);
        if (!decision.renew) return this.end('lost', key, decision.holder);
        const seq = await this.write(key, decision.expectSeq);
        if (stale()) return;
        this.seqs.set(key, seq);
        if (decision.expectSeq === 0) this.log.warn({ lease: key }, TAKEN_AGAIN);
        takenAgain ||= decision.expectSeq === 0;
      }
      this.confirmedAtMs = this.opts.now();
      const { unansweredSinceMs, inconsistent } = this.trouble;
      this.trouble = afterWrittenRound(this.trouble, takenAgain);
      if (inconsistent && !this.trouble.inconsistent) this.log.info({ leases: this.keys }, 'the lease stream agrees with itself again: counting lease confirmed');
      if (unansweredSinceMs !== undefined) {
        const unansweredMs = this.confirmedAtMs - unansweredSinceMs;
        this.log.info({ leases: this.keys, unansweredMs }, 'the broker answers again: counting lease confirmed');
      }
    } catch (err) {
      if (stale()) return;
      // written over between the read and the write: read again now
      if (isWrongSequence(err)) return this.rounds.runAgain();
      const nowMs = this.opts.now();
      const message = (err as Error).message;
      this.lastRenewalFailure = { message, atMs: nowMs };
      const { connected } = this.rounds;
      const failure = { connected, answered: isBrokerAnswer(err), noLeader: isNoJetStreamLeader(err), nowMs, ttlMs: this.opts.ttlMs };
      const after = afterRenewalFailure(this.trouble, failure);
      this.trouble = after.trouble;
      this.log.warn({ err: message, leases: this.keys }, after.warning);
      if (after.lostAfterMs === undefined) return;
      const why = `the counting lease could not be renewed for ${Math.round(after.lostAfterMs / 1000)} s`;
      this.end('lost', this.keys[0]!, undefined, why);
    }
  }

  /** An inconsistent lease stream: not taken again, so unconfirmed; lost after a lifetime. */
  private async inconsistentWhileHeld(key: string, why: string): Promise<void> {
    if (!this.trouble.inconsistent) this.log.warn({ lease: key }, `${why}: the counting lease is not taken again; counting paused`);
    const after = afterInconsistentRead(this.trouble, { why, nowMs: this.opts.now(), ttlMs: this.opts.ttlMs });
    this.trouble = after.trouble;
    if (after.lostAfterMs !== undefined) return this.end('lost', key, undefined, `${why} for ${Math.round(after.lostAfterMs / 1000)} s`);
    await this.repair.ask(this.nc, why, this.opts.now(), key, true);
  }

  /** Why a held lease is not current (health's reason), or undefined: nothing ticks, acts or notifies meanwhile. */
  get unconfirmed(): string | undefined {
    if (this.state !== 'held' || this.current) return undefined;
    const refusal = this.trouble.refusedSinceMs !== undefined && this.lastRenewalFailure?.message;
    return unconfirmedReason(this.rounds.connected, refusal, this.trouble.unansweredSinceMs !== undefined, this.trouble);
  }

  /** Another monitor counts into this store through another NATS deployment (presence.ts): the keys released, then ended. */
  private async yieldTo(holder: LeaseHolder, state: 'refused' | 'lost'): Promise<void> {
    if (state === 'lost' && this.state !== 'held') return;
    await this.release();
    this.end(state, this.keys.at(-1)!, holder, undefined, this.guard!.endMessage);
  }

  private end(state: 'refused' | 'lost', key: string, holder: LeaseHolder | undefined, why?: string, says = leaseEndMessage): void {
    if (this.state === 'refused' || this.state === 'lost') return;
    const wasHeld = this.state === 'held';
    this.state = state;
    this.blocker = holder;
    if (this.timer) clearInterval(this.timer);
    const graceMs = state === 'refused' ? this.opts.refusedGraceMs : 0;
    this.message = says(state, key, holder, graceMs, LEASE_EXIT_CODE, why);
    const fields = { lease: key, holder: holderView(holder), exitCode: LEASE_EXIT_CODE, exitInMs: graceMs };
    this.log.error(fields, this.message);
    if (wasHeld) for (const handler of this.stopHandlers) handler();
    this.resolveEnded({ state, message: this.message, graceMs });
  }

  /** Called at once when a held lease is lost or released: the monitor stops consuming before anything else. */
  onStop(handler: () => void): void {
    this.stopHandlers.push(handler);
  }

  /**
   * A clean stop: consuming stops, then every key is written released (compare-and-set), so a
   * successor starts at once. First thing at SIGTERM, before HTTP clients go.
   */
  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const held = [...this.seqs];
    this.seqs.clear();
    if (this.state === 'held') {
      this.state = 'waiting';
      for (const handler of this.stopHandlers) handler();
    }
    const presence = this.guard?.release();
    await Promise.all([...held.map(([key, seq]) => this.write(key, seq, true).catch(() => undefined)), presence]);
  }

  /** /api/health's `lease` */
  view() {
    const holder = this.state === 'held' ? this.me : this.blocker;
    const why = this.message ?? this.unconfirmed ?? (this.state === 'waiting' ? this.waitingWhy : undefined);
    return {
      status: this.state,
      keys: this.keys,
      heldBy: this.state === 'held' || this.state === 'refused' || this.state === 'lost' ? holderView(holder) : null,
      ...(this.heldSinceMs && this.state === 'held'
        ? { since: iso(this.heldSinceMs), confirmed: this.current, confirmedAt: iso(this.confirmedAtMs) }
        : {}),
      ...(why ? { message: why } : {}),
    };
  }
}
