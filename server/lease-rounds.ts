import type { NatsConnection } from '@nats-io/nats-core';

// The counting lease's renewal rounds (lease.ts): one at a time, none while the broker is away. A
// round asked for while one is under way (the timer's, during a slow round) shares it and runs
// once more after it; a reconnection starts a fresh round and leaves the one under way behind,
// its outcome to be ignored.

/** A round's view of whether a fresh start has replaced it since it began. */
export type IsStale = () => boolean;

export class RenewalRounds {
  /** the broker connection is up, as its last status said */
  connected = true;
  /** the round under way */
  private running?: Promise<void>;
  /** a round asked for while one was under way */
  private again = false;
  /** bumped at each fresh start: a round begun before it is stale */
  private generation = 0;

  constructor(
    /** false: the lease is not held, so nothing runs */
    private readonly mayRun: () => boolean,
    private readonly round: (isStale: IsStale) => Promise<void>,
  ) {}

  /** Runs a round, or joins the one under way and asks for one more after it. */
  run(): Promise<void> {
    // while the broker is away nothing is consumed; a request then would only hold up the renewal at reconnection
    if (!this.mayRun() || !this.connected) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const generation = this.generation;
    const round: Promise<void> = this.round(() => generation !== this.generation).finally(() => {
      if (this.running !== round) return; // stale: a fresh round replaced it
      this.running = undefined;
      if (this.again) {
        this.again = false;
        void this.run();
      }
    });
    return (this.running = round);
  }

  /** Another round right after the one under way (its write lost a race: read again now). */
  runAgain(): void {
    this.again = true;
  }

  /** A fresh round now, not queued behind the one under way, which becomes stale. */
  fresh(): void {
    this.generation++;
    this.running = undefined;
    this.again = false;
    void this.run();
  }

  /**
   * Follows the connection's status. At a reconnection the lease is confirmed before much is
   * consumed, by a fresh round: one still waiting on the connection before (a hung broker, since
   * killed) would leave the lease unconfirmed, and nothing notified, for seconds.
   */
  follow(nc: Pick<NatsConnection, 'status'>): void {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') this.connected = false;
        if (s.type === 'reconnect') {
          this.connected = true;
          this.fresh();
        }
      }
    })().catch(() => {});
  }
}
