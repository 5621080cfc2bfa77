import type { ClickHouseClient } from '@clickhouse/client';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from './monitor-types.ts';
import type { LeaseHolder } from './lease-rules.ts';
import { LEASE_RENEW_MS, LEASE_TTL_MS } from './lease-settings.ts';
import { LEASE_STREAM } from './lease-stream.ts';
import { processAlive } from './natsd.ts';
import { decideRenewalPresence, decideStartPresence, doubtAtStart, PRESENCE_DOUBT_MS, presenceEndMessage, presenceRow, type PresenceContext, type PresenceRow } from './presence-rules.ts';

// Server mode: the store's presence table (sql/034) beside the counting lease, which lives in NATS
// and so cannot see a monitor counting into the same ClickHouse through another NATS deployment.
// The decisions: presence-rules.ts. Written at every renewal, released at a clean stop. ClickHouse
// away is no reason to stop counting (event writes already pause): a failed write or read is
// logged once and tried again at the next renewal; a failed read at start counts as no presence.

/** What the counting lease asks of a check beside it (lease.ts). */
export interface LeaseGuard {
  /** once every key is held: the holder that refuses this start, if any */
  atStart(nc: NatsConnection, me: LeaseHolder): Promise<LeaseHolder | undefined>;
  /** while held, checked at every renewal: `yieldTo` once another monitor keeps counting instead */
  follow(yieldTo: (holder: LeaseHolder) => void): void;
  /** counting stopped: the checks end, and a release row lets a successor start at once */
  release(): Promise<void>;
  endMessage: typeof presenceEndMessage;
  /** since when the store has not answered the check's writes and reads (server mode), if it has not */
  storeAway?(): StoreAway | undefined;
}

/** ClickHouse unanswered while no ticket comes: the event writes would fail, and nothing else says so */
export interface StoreAway {
  sinceMs: number;
  /** the latest failed check: an event write stored after it shows the store answers again */
  lastFailedMs: number;
  error: string;
}

const TABLE = 'complaints.monitor_presence';
/** a presence read or write waits no longer than a renewal: the next renewal asks again */
const QUERY_WAIT_MS = LEASE_RENEW_MS;

/** The NATS deployment a connection reaches: its lease stream, made once per deployment (a cluster's servers share it). */
export async function natsDeployment(nc: NatsConnection): Promise<string> {
  const info = await (await jetstreamManager(nc, { timeout: 5_000 })).streams.info(LEASE_STREAM);
  return `cluster ${info.cluster?.name ?? '(none)'}, lease stream created ${info.created}`;
}

export class StorePresence implements LeaseGuard {
  readonly endMessage = presenceEndMessage;
  private context?: PresenceContext;
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private released?: Promise<void>;
  /** the failure logged last, so an outage is logged once, not at every renewal */
  private failing?: string;
  /** the first failure since the store last answered, for health (a night without tickets writes nothing else) */
  private away?: StoreAway;

  constructor(
    private readonly clickhouse: ClickHouseClient,
    private readonly log: Logger,
    private readonly opts = { renewMs: LEASE_RENEW_MS, ttlMs: LEASE_TTL_MS, aliveHere: processAlive, deployment: natsDeployment },
  ) {}

  async atStart(nc: NatsConnection, me: LeaseHolder): Promise<LeaseHolder | undefined> {
    this.context = { me, deployment: await this.opts.deployment(nc), aliveHere: this.opts.aliveHere, ttlMs: this.opts.ttlMs };
    const readAtStart = () => this.read().catch((err: Error) => {
      this.log.warn({ err: err.message }, 'presence of other monitors in ClickHouse not readable at start; starting as if there were none');
      return [];
    });
    let rows = await readAtStart();
    if (doubtAtStart(rows, this.context)) {
      this.log.info('a monitor on another NATS deployment wrote its presence less than a minute ago: waiting two renewals for it to write again (after a ClickHouse outage every presence is old)');
      await new Promise((r) => setTimeout(r, 2 * this.opts.renewMs + 1_000));
      rows = await readAtStart();
    }
    const other = decideStartPresence(rows, this.context);
    if (!other) await this.write(false);
    return other;
  }

  follow(yieldTo: (holder: LeaseHolder) => void): void {
    this.timer = setInterval(() => {
      this.round ??= this.renew(yieldTo).finally(() => (this.round = undefined));
    }, this.opts.renewMs);
    this.timer.unref();
  }

  private async renew(yieldTo: (holder: LeaseHolder) => void): Promise<void> {
    if (!(await this.write(false))) return;
    const rows = await this.read().catch((err: Error) => this.failed('presence of other monitors in ClickHouse not readable; asked again at the next renewal', err));
    if (!rows || this.released) return;
    this.recovered();
    const other = decideRenewalPresence(rows, this.context!);
    if (other) yieldTo(other);
  }

  release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    // only a monitor that wrote a presence releases one
    this.released ??= this.timer ? Promise.resolve(this.round).then(() => this.write(true)).then(() => undefined) : Promise.resolve();
    return this.released;
  }

  /** true when ClickHouse took the row; a refusal is logged (once), counting goes on */
  private async write(released: boolean): Promise<boolean> {
    const { me, deployment } = this.context!;
    const values = [{ instance: me.instance, host: me.host, data_dir: me.dataDir, pid: me.pid, started_at: me.startedAt, nats_deployment: deployment, released: released ? 1 : 0 }];
    try {
      await this.clickhouse.insert({ table: TABLE, values, format: 'JSONEachRow', abort_signal: AbortSignal.timeout(QUERY_WAIT_MS) });
      return true;
    } catch (err) {
      this.failed('presence not written to ClickHouse; counting goes on, written again at the next renewal', err as Error);
      return false;
    }
  }

  private async read(): Promise<PresenceRow[]> {
    const rs = await this.clickhouse.query({
      query: `SELECT instance, any(host) AS host, any(data_dir) AS data_dir, any(pid) AS pid, any(started_at) AS started_at,
                argMax(nats_deployment, written_at) AS nats_deployment, argMax(released, (written_at, released)) AS released,
                toUnixTimestamp64Milli(now64(3)) - toUnixTimestamp64Milli(max(written_at)) AS age_ms,
                toUnixTimestamp64Milli(min(written_at)) AS first_ms
              FROM ${TABLE} WHERE written_at > now64(3) - INTERVAL 1 DAY
              GROUP BY instance HAVING age_ms < {within_ms:UInt32}`,
      // rows a minute past the lifetime too: a start doubts them (doubtAtStart), the rules judge age
      query_params: { within_ms: this.opts.ttlMs + PRESENCE_DOUBT_MS },
      format: 'JSONEachRow',
      abort_signal: AbortSignal.timeout(QUERY_WAIT_MS),
    });
    return (await rs.json<Record<string, unknown>>()).flatMap((raw) => presenceRow(raw) ?? []);
  }

  storeAway(): StoreAway | undefined {
    return this.away;
  }

  private failed(message: string, err: Error): undefined {
    if (this.failing !== message) this.log.warn({ err: err.message }, message);
    this.failing = message;
    const now = Date.now();
    this.away = { sinceMs: this.away?.sinceMs ?? now, lastFailedMs: now, error: err.message };
    return undefined;
  }

  private recovered(): void {
    if (this.failing) this.log.info('presence written to and read from ClickHouse again');
    this.failing = undefined;
    this.away = undefined;
  }
}
