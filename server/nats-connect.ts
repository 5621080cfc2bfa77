import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import type { SourceStatus } from '../pipelines/sources/jetstream.ts';
import type { MonitorConfig } from './config.ts';
import type { CountingLease } from './lease.ts';
import { followConnection, noteSourceStatus, type MonitorHealth } from './monitor-health.ts';
import type { Logger } from './monitor-types.ts';
import { keepLocalNats, natsStoreDir, type KeptNats } from './natsd.ts';
import { embeddedBrokerAuth, type EmbeddedBrokerAuth } from './natsd-config.ts';
import { brokerStoreKey, checkBrokerStoreKey } from './broker-at-rest.ts';
import { describeNatsAuth, natsSecurityFromEnv, type NatsSecurity } from './nats-options.ts';

// The monitor's broker: which one, connecting (retried every second while the broker is down or
// refuses what comes right after the connection: taking the lease), the consumer's status in
// health, and a stop that a hung broker cannot hold up.

export interface ConnectContext {
  /** `nats` and `natsError` show the connection's progress in /api/health */
  health: MonitorHealth;
  log: Logger;
  /** true once the monitor stops: no further attempt, and a connection made meanwhile is closed */
  stopped: () => boolean;
}

const RETRY_MS = 1_000;
/** the first failure is logged, then one in this many, so a long outage does not flood the log */
const WARN_EVERY = 30;
/** how long a stop waits for a drain */
const DRAIN_WAIT_MS = 5_000;

/** The broker a monitor uses, and its connection once the counting lease is held on it. */
export class MonitorBroker {
  /** the connection the lease was (or is being) taken on */
  private connection?: NatsConnection;

  private constructor(
    readonly natsUrl: string,
    private readonly security: NatsSecurity,
    /** embedded mode: the nats-server this monitor started and keeps running */
    readonly local: KeptNats | undefined,
  ) {}

  /**
   * NATS_URL, or in embedded mode a nats-server this monitor starts and keeps, its store encrypted
   * at rest with a key from the customer-hash key (checked against the stored events before).
   */
  static async start(config: MonitorConfig, log: Logger, customerHashKey: Uint8Array): Promise<MonitorBroker> {
    const security = natsSecurityFromEnv(); // a bad NATS_* variable stops the start, named, before any broker starts
    const embedded = config.natsUrl ? undefined : embeddedBrokerAuth(security);
    const storeDir = natsStoreDir(config.dataDir);
    const storeKey = embedded ? brokerStoreKey(customerHashKey) : undefined;
    if (storeKey && checkBrokerStoreKey(storeDir, storeKey) === 'recorded') log.info({ storeDir }, "the local broker's store is encrypted at rest from now on (a store kept in clear so far is encrypted as nats-server reads it)");
    const localNats = embedded
      ? await keepLocalNats({
          storeDir,
          port: config.natsPort,
          log,
          hangMs: config.localNatsHangMs,
          authorization: embedded.authorization,
          storeKey,
        })
      : undefined;
    const natsUrl = localNats?.url ?? config.natsUrl!;
    if (localNats && embedded) logEmbeddedBroker(log, natsUrl, security, embedded);
    return new MonitorBroker(natsUrl, security, localNats);
  }

  /**
   * Connects, then takes the counting lease on that connection (a take that throws closes it and
   * connects again). true once held, the connection followed in health from then on; false when
   * refused (the connection closed) or stopped.
   */
  connectAndLease(context: ConnectContext, lease: Pick<CountingLease, 'take'>): Promise<boolean> {
    return connectUntil(this.natsUrl, this.security, context, async (nc) => {
      this.connection = nc; // `nc` (alert notices) and the consumer only with the lease held
      const held = await lease.take(nc).catch((err) => nc.close().then(() => Promise.reject(err)));
      if (!held) return (await nc.close(), false);
      followConnection(nc, context.health, context.log);
      return true;
    });
  }

  /** The connection, for use only while the counting lease is current; throws otherwise. */
  leasedConnection(
    health: Pick<MonitorHealth, 'natsError'>,
    lease: Pick<CountingLease, 'current' | 'state'>,
  ): NatsConnection {
    if (!this.connection) throw new Error(`NATS not connected yet (${health.natsError ?? 'connecting'})`);
    if (!lease.current) throw new Error(`not counting (lease ${lease.state})`);
    return this.connection;
  }

  /** At a stop, once the lease is released: the connection drained and closed, then the own broker stopped. */
  async leave(): Promise<void> {
    if (this.connection) await drainAtMost(this.connection, DRAIN_WAIT_MS);
    await this.local?.stop();
  }
}

const SECURED_BROKER = 'for a secured broker (nkeys, TLS, accounts), run nats-server with its own configuration and set NATS_URL to it (docs/OPERATIONS.md)';

/** The start of the own broker, said once: what it requires of clients (the method, never the secret). */
export function logEmbeddedBroker(log: Pick<Logger, 'info' | 'warn'>, natsUrl: string, security: NatsSecurity, embedded: EmbeddedBrokerAuth): void {
  const auth = embedded.authorization ? security.method : 'none';
  if (embedded.authorization) log.info({ natsUrl, auth }, `started local nats-server; it requires the monitor's ${auth === 'token' ? 'NATS_TOKEN' : 'NATS_USER/NATS_PASSWORD'} of every client`);
  else log.info({ natsUrl, auth }, `started local nats-server; it accepts any local client (127.0.0.1, no authentication): a trial setting, ${SECURED_BROKER}`);
  if (embedded.notEnforced.length > 0) {
    log.warn({ natsUrl, notEnforced: embedded.notEnforced }, `the local nats-server runs without ${embedded.notEnforced.join(' and ')}, which it cannot enforce: ${SECURED_BROKER}`);
  }
}

/**
 * Connects and hands the connection to `connected`; a failure of either (the broker down, or
 * trouble taking the lease) is retried a second later, on a new connection. Resolves with what
 * `connected` returns, or false once stopped.
 */
export async function connectUntil(
  natsUrl: string,
  security: NatsSecurity,
  { health, log, stopped }: ConnectContext,
  connected: (nc: NatsConnection) => Promise<boolean>,
): Promise<boolean> {
  for (let attempt = 1; !stopped(); attempt++) {
    let reached = false;
    try {
      const nc = await connect({
        servers: natsUrl.split(',').map((s) => s.trim()),
        name: 'complaint-monitor',
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        ...security.options,
      });
      if (stopped()) return (await nc.close(), false);
      health.nats = 'connected';
      health.natsError = undefined;
      reached = true;
      log.info({ ...describeNatsAuth(security), attempts: attempt }, 'connected to NATS');
      return await connected(nc);
    } catch (err) {
      health.natsError = (err as Error).message;
      if (attempt === 1 || attempt % WARN_EVERY === 0) {
        const fields = { err: (err as Error).message, attempt, ...describeNatsAuth(security) };
        // connected, the error is the lease's (no quorum, an inconsistent lease stream), not the broker's reach
        const what = reached ? 'NATS reached, the counting lease not taken yet' : 'NATS not reachable';
        log.warn(fields, `${what}; retrying every second`);
      }
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
  return false;
}

/**
 * The JetStream consumer's status in health: consuming from its first 'consuming' until it
 * restarts (missed heartbeats alone leave it as it was); anything but 'consuming' is logged.
 */
export function sourceStatusInHealth(health: MonitorHealth, log: Logger): (s: SourceStatus) => void {
  return (s) => {
    noteSourceStatus(health, s, Date.now());
    if (s.type === 'stream_made_anew') {
      log.error(s, 'the stream COMPLAINTS was made anew under the running monitor (deleted, or its broker lost its disk): its sequences start again, and what it held that the monitor had not taken is gone');
    } else if (s.type !== 'consuming') log.warn(s, 'JetStream consumer status');
  };
}

/**
 * Drains the connection, waiting at most `waitMs`, then closes it. A hung broker never answers a
 * drain, so the wait is bounded; a failed drain or close is not a failed stop.
 */
export async function drainAtMost(nc: NatsConnection, waitMs: number): Promise<void> {
  await Promise.race([nc.drain(), new Promise((r) => setTimeout(r, waitMs).unref())])
    .catch(() => undefined)
    .finally(() => nc.close().catch(() => undefined));
}
