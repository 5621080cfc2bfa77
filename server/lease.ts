import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from './monitor-types.ts';
import { processAlive } from './natsd.ts';
import { decideRenew, decideTake, holderView, leaseEndMessage, unconfirmedReason, leaseKeys, thisProcess, type LeaseHolder, type LeaseRecord } from './lease-rules.ts';
import { ensureLeaseStream, isBrokerAnswer, isWrongSequence, LEASE_SUBJECT_PREFIX, readLease } from './lease-stream.ts';

// The counting lease held by this monitor: taken at start, renewed every few seconds, released
// at a clean stop (the stream it lives in: lease-stream.ts; the decisions: lease-rules.ts).

export { ensureLeaseStream, LEASE_STREAM, LEASE_SUBJECT_PREFIX, readLease } from './lease-stream.ts';
export const LEASE_RENEW_MS = 5_000;
/** a holder that stops renewing (SIGKILL, a lost host) frees the lease after this long */
export const LEASE_TTL_MS = 3 * LEASE_RENEW_MS;
/** EX_TEMPFAIL: another monitor counts; a restart policy tries again later */
export const LEASE_EXIT_CODE = 75;
/** a refused monitor shows why in /api/health this long, then exits (and a restart policy retries) */
export const LEASE_REFUSED_GRACE_MS = 10_000;

export type LeaseState = 'waiting' | 'held' | 'refused' | 'lost';
export interface LeaseEnd {
  state: 'refused' | 'lost';
  message: string;
  /** how long the process may still answer (health) before it exits with LEASE_EXIT_CODE */
  graceMs: number;
}

export interface LeaseOptions {
  renewMs: number;
  ttlMs: number;
  refusedGraceMs: number;
  aliveHere: (pid: number) => boolean;
  now: () => number;
}

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
  private timer?: NodeJS.Timeout;
  /** the renewal under way */
  private renewal?: Promise<void>;
  /** a renewal asked for while one was under way (the timer's, during a slow one) */
  private renewAgain = false;
  /** bumped at each reconnection: a round begun before it is stale, its outcome ignored */
  private generation = 0;
  private connected = true;
  /** when renewals began to be refused by a broker that answers: a lifetime of it ends the lease */
  private refusedSinceMs?: number;
  /** when renewals began to go unanswered (a hung broker): no evidence of another holder */
  private unansweredSinceMs?: number;
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

  constructor(
    readonly keys: readonly string[],
    readonly me: LeaseHolder,
    private readonly log: Logger,
    opts: Partial<LeaseOptions> = {},
  ) {
    this.opts = { renewMs: LEASE_RENEW_MS, ttlMs: LEASE_TTL_MS, refusedGraceMs: LEASE_REFUSED_GRACE_MS, aliveHere: processAlive, now: Date.now, ...opts };
  }

  /**
   * Held, and confirmed by the broker within the lease's lifetime (less half a renewal). A process
   * held up longer (frozen, swapped out, a stalled event loop) may have lost the lease to another
   * monitor without knowing yet: until a renewal confirms it again, it must send nothing (audit R:
   * a monitor frozen past the lease sent its buffered notices again after another had taken over).
   */
  get current(): boolean {
    return this.state === 'held' && this.opts.now() - this.confirmedAtMs < this.opts.ttlMs - this.opts.renewMs / 2;
  }

  /** A monitor's lease: its consumer's key and, in server mode, its store's; `stopCounting` stops its consuming. */
  static of(config: { consumerName: string; clickhouseUrl?: string; storeId?: string; dataDir: string }, log: Logger, stopCounting: () => void): CountingLease {
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
    await ensureLeaseStream(this.jsm, this.opts.ttlMs).catch(leaseError);
    for (const key of this.keys) {
      const refusedBy = await this.takeKey(key).catch(leaseError);
      if (refusedBy !== undefined) {
        await this.release(); // the keys taken before this one: a successor need not wait for them
        this.end('refused', key, refusedBy.holder);
        return false;
      }
    }
    this.state = 'held';
    this.heldSinceMs = this.confirmedAtMs = this.opts.now();
    this.log.info({ leases: this.keys, renewMs: this.opts.renewMs, ttlMs: this.opts.ttlMs }, 'counting lease held');
    this.watch(nc);
    this.timer = setInterval(() => void this.renew(), this.opts.renewMs);
    this.timer.unref();
    this.resolveHeld();
    return true;
  }

  /** undefined when taken; else who holds it */
  private async takeKey(key: string): Promise<{ holder: LeaseHolder | undefined } | undefined> {
    for (let attempt = 0; ; attempt++) {
      const decision = decideTake(await readLease(this.jsm!, key), this.me, this.opts.aliveHere);
      if (!decision.take) return { holder: decision.holder };
      try {
        this.seqs.set(key, await this.write(key, decision.expectSeq));
        if (decision.why === 'own') this.log.info({ lease: key }, 'counting lease of this monitor\'s earlier run taken over');
        return undefined;
      } catch (err) {
        if (!isWrongSequence(err) || attempt >= 2) throw err; // another monitor wrote first: read again
      }
    }
  }

  private async write(key: string, expectSeq: number, released = false): Promise<number> {
    const record: LeaseRecord = { holder: this.me, renewedAt: new Date(this.opts.now()).toISOString(), ttlMs: this.opts.ttlMs, ...(released ? { released } : {}) };
    const ack = await this.js!.publish(LEASE_SUBJECT_PREFIX + key, JSON.stringify(record), { expect: { lastSubjectSequence: expectSeq } });
    return ack.seq;
  }

  private watch(nc: NatsConnection): void {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') this.connected = false;
        if (s.type === 'reconnect') {
          // confirmed before much is consumed; a fresh round, not queued behind one waiting on the
          // connection before (a hung broker, killed: verify AD N1, seconds unconfirmed)
          this.connected = true;
          this.generation++;
          this.renewal = undefined;
          this.renewAgain = false;
          void this.renew();
        }
      }
    })().catch(() => {});
  }

  /**
   * Current now, or once a renewal has confirmed it: a person's action waits for that (one round,
   * a few ms) rather than fail because this process was held up a while. false: not held.
   */
  async confirm(): Promise<boolean> {
    if (!this.current && this.state === 'held') await this.renew();
    return this.current;
  }

  /** One round of renewals; a renewal that finds another holder ends the lease. */
  renew(): Promise<void> {
    // while the broker is away nothing is consumed; a request then would only hold up the renewal at reconnection
    if (this.state !== 'held' || !this.connected) return Promise.resolve();
    if (this.renewal) {
      this.renewAgain = true;
      return this.renewal;
    }
    const round: Promise<void> = this.renewOnce(this.generation).finally(() => {
      if (this.renewal !== round) return; // stale: a fresh round replaced it
      this.renewal = undefined;
      if (this.renewAgain) {
        this.renewAgain = false;
        void this.renew();
      }
    });
    return (this.renewal = round);
  }

  private async renewOnce(generation: number): Promise<void> {
    // a stale round's late write, if any, is ours too: the fresh round's read finds our instance
    const stale = () => generation !== this.generation;
    try {
      for (const key of this.keys) {
        const stored = await readLease(this.jsm!, key);
        if (stale()) return;
        const decision = decideRenew(stored, this.me, this.seqs.get(key) ?? -1);
        if (!decision.renew) return this.end('lost', key, decision.holder);
        const seq = await this.write(key, decision.expectSeq);
        if (stale()) return;
        this.seqs.set(key, seq);
        if (decision.expectSeq === 0) this.log.warn({ lease: key }, 'counting lease had run out (the broker was away, or this process was held up); nobody took it, taken again');
      }
      this.confirmedAtMs = this.opts.now();
      if (this.unansweredSinceMs !== undefined) this.log.info({ leases: this.keys, unansweredMs: this.confirmedAtMs - this.unansweredSinceMs }, 'the broker answers again: counting lease confirmed');
      this.refusedSinceMs = this.unansweredSinceMs = undefined;
    } catch (err) {
      if (stale()) return;
      // written over between the read and the write: read again now, not at the next round
      if (isWrongSequence(err)) return void (this.renewAgain = true);
      const now = this.opts.now();
      const answered = this.connected && isBrokerAnswer(err);
      this.lastRenewalFailure = { message: (err as Error).message, atMs: now };
      if (!this.connected) this.refusedSinceMs = undefined;
      else if (answered) this.refusedSinceMs ??= now;
      else this.unansweredSinceMs ??= now;
      // Unanswered (a hung broker keeps its connections open): nobody can take the lease from a
      // broker that answers no one, so it is kept and asked again (the timer queues the next
      // request behind this one: one nearly always waits, answered as the broker resumes).
      const what = answered ? 'counting lease renewal refused by the broker; will retry' : 'counting lease renewal not answered; asked again (no sign of another holder)';
      this.log.warn({ err: (err as Error).message, leases: this.keys }, what);
      // the broker answers, yet refuses for a whole lifetime: it may have let another monitor take it
      if (this.refusedSinceMs !== undefined && now - this.refusedSinceMs >= this.opts.ttlMs) {
        this.end('lost', this.keys[0]!, undefined, `the counting lease could not be renewed for ${Math.round((now - this.refusedSinceMs) / 1000)} s`);
      }
    }
  }

  /** Why a held lease is not current (health's reason), or undefined: nothing ticks, acts or notifies meanwhile. */
  get unconfirmed(): string | undefined {
    if (this.state !== 'held' || this.current) return undefined;
    return unconfirmedReason(this.connected, this.refusedSinceMs !== undefined && this.lastRenewalFailure?.message, this.unansweredSinceMs !== undefined);
  }

  private end(state: 'refused' | 'lost', key: string, holder: LeaseHolder | undefined, why?: string): void {
    if (this.state === 'refused' || this.state === 'lost') return;
    const wasHeld = this.state === 'held';
    this.state = state;
    this.blocker = holder;
    if (this.timer) clearInterval(this.timer);
    const graceMs = state === 'refused' ? this.opts.refusedGraceMs : 0;
    this.message = leaseEndMessage(state, key, holder, graceMs, LEASE_EXIT_CODE, why);
    this.log.error({ lease: key, holder: holderView(holder), exitCode: LEASE_EXIT_CODE, exitInMs: graceMs }, this.message);
    if (wasHeld) for (const handler of this.stopHandlers) handler();
    this.resolveEnded({ state, message: this.message, graceMs });
  }

  /** Called at once when a held lease is lost or released: the monitor stops consuming before anything else. */
  onStop(handler: () => void): void {
    this.stopHandlers.push(handler);
  }

  /**
   * A clean stop: consuming stops, then every key taken is written as released (compare-and-set),
   * so a successor starts at once. First thing at SIGTERM, before HTTP clients are let go.
   */
  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const held = [...this.seqs];
    this.seqs.clear();
    if (this.state === 'held') {
      this.state = 'waiting';
      for (const handler of this.stopHandlers) handler();
    }
    await Promise.all(held.map(([key, seq]) => this.write(key, seq, true).catch(() => undefined)));
  }

  /** /api/health's `lease` */
  view() {
    const holder = this.state === 'held' ? this.me : this.blocker;
    return {
      status: this.state,
      keys: this.keys,
      heldBy: this.state === 'held' || this.state === 'refused' || this.state === 'lost' ? holderView(holder) : null,
      ...(this.heldSinceMs && this.state === 'held' ? { since: new Date(this.heldSinceMs).toISOString(), confirmed: this.current, confirmedAt: new Date(this.confirmedAtMs).toISOString() } : {}),
      ...(this.message || this.unconfirmed ? { message: this.message ?? this.unconfirmed } : {}),
    };
  }
}
