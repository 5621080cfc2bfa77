import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

// Who may count: the pure rules of the counting lease (server/lease.ts holds it in NATS) and of
// the schema-migration lock (server/migration-lock.ts holds it in ClickHouse). One counting
// monitor per durable consumer (two split the messages between them, and each shows partial
// counters) and per ClickHouse store (two count everything twice into one alert_log and send
// every gateway notice twice). Nothing here does I/O, so every case is a plain-value test.
// A holder's renewals that do not confirm the lease: lease-renewal-rules.ts, re-exported here.
export { afterInconsistentRead, afterRenewalFailure, afterWrittenRound, mayAskStepDown, unconfirmedReason, type RenewalFailure, type RenewalTrouble } from './lease-renewal-rules.ts';

/** The process that holds, or asks for, a lease. Names no secret: it is shown in /api/health. */
export interface LeaseHolder {
  host: string;
  dataDir: string;
  pid: number;
  /** ISO time this process started */
  startedAt: string;
  /** this run of the process: a restart with the same pid (pid 1 in a container) is another run */
  instance: string;
}

/** What the lease subject holds: the last holder, renewed, or a release. */
export interface LeaseRecord {
  holder: LeaseHolder;
  renewedAt: string;
  ttlMs: number;
  /** set by a clean stop, so that a successor starts at once */
  released?: boolean;
}

/** The subject's last message as read back: `record` undefined when it is not a lease record. */
export interface StoredLease {
  seq: number;
  record: LeaseRecord | undefined;
}

export function thisProcess(dataDir: string, startedAtMs = Date.now() - process.uptime() * 1_000): LeaseHolder {
  return { host: hostname(), dataDir, pid: process.pid, startedAt: new Date(startedAtMs).toISOString(), instance: randomUUID() };
}

/** A subject token (or the part of one) from any text: what NATS would split or refuse becomes `_`. */
const token = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_') || '_';

/**
 * The store a ClickHouse URL points to, without user or password: host and port (the protocol's
 * default when the URL has none) and the database the schema lives in. Two spellings of one
 * server (a name and its address) are two keys: every monitor must name the server the same way.
 */
export function storeLeaseKey(clickhouseUrl: string, database = 'complaints'): string {
  const url = new URL(clickhouseUrl);
  const port = url.port || (url.protocol === 'https:' ? '8443' : '8123');
  return `store.${token(url.hostname.toLowerCase())}_${port}.${token(database)}`;
}

/**
 * The leases a monitor must hold before it counts: its consumer's, and in server mode its store's,
 * keyed by the store's own identity (sql/026) when known, so any spelling of the server's address
 * names one lease; by the address only when it is not.
 */
export function leaseKeys(config: { consumerName: string; clickhouseUrl?: string; storeId?: string }): string[] {
  const store = !config.clickhouseUrl ? [] : config.storeId ? [`store.${token(config.storeId)}`] : [storeLeaseKey(config.clickhouseUrl)];
  return [`consumer.${token(config.consumerName)}`, ...store];
}

/**
 * The holder is this monitor again, restarted: same host and data directory, and its process is
 * gone (or has this process's pid: pid 1 in a container restarted by docker). Such a lease is taken
 * over at once, expired or not, so a SIGKILL or a restart policy never waits for it to run out.
 * Another live process on the same DATA_DIR (server mode) is not this monitor.
 */
export function isEarlierRunOfMe(holder: LeaseHolder, me: LeaseHolder, aliveHere: (pid: number) => boolean): boolean {
  if (holder.host !== me.host || holder.dataDir !== me.dataDir) return false;
  return holder.pid === me.pid || !aliveHere(holder.pid);
}

/**
 * Whether the lease stream's "no record on this subject" can be trusted: only when the stream
 * itself counts no message on the subject (`onSubject`, from its per-subject state; undefined when
 * that could not be had). nats-server 2.9.10, after a quorum loss, has answered "no message" for a
 * subject holding 7 and then accepted from two monitors every round a compare-and-set expecting
 * none: two monitors counting at once. A lease stream that contradicts itself decides nothing:
 * undefined when the empty read holds, else why not (logs and health).
 */
export function inconsistentEmptyRead(onSubject: number | undefined): string | undefined {
  if (onSubject === 0) return undefined;
  const counted = onSubject === undefined ? 'its message count for the subject cannot be had' : `it counts ${onSubject} message(s) on the subject`;
  return `the lease stream is inconsistent: it answers no lease record, yet ${counted}`;
}

export type TakeDecision =
  | { take: true; expectSeq: number; why: 'free' | 'released' | 'own' }
  | { take: false; holder: LeaseHolder | undefined }
  | { take: false; holder: undefined; inconsistent: string };

/**
 * Whether a starting monitor may take the lease. `stored` null: nothing on the subject, never
 * held or expired (the lease stream's max_age removes a record its holder stopped renewing:
 * expiry is the broker's clock, never a comparison of two hosts' clocks), if the stream's own
 * count agrees (`onSubject`, inconsistentEmptyRead); a stream that contradicts itself is waited
 * on, as a held lease. The take itself is a compare-and-set on `expectSeq`, so of two monitors
 * deciding at once only one gets it.
 */
export function decideTake(stored: StoredLease | null, me: LeaseHolder, aliveHere: (pid: number) => boolean, onSubject: number | undefined): TakeDecision {
  if (!stored) {
    const inconsistent = inconsistentEmptyRead(onSubject);
    return inconsistent ? { take: false, holder: undefined, inconsistent } : { take: true, expectSeq: 0, why: 'free' };
  }
  const { record } = stored;
  if (!record) return { take: false, holder: undefined }; // not ours to overwrite: wait for it to expire
  if (record.released) return { take: true, expectSeq: stored.seq, why: 'released' };
  if (record.holder.instance === me.instance || isEarlierRunOfMe(record.holder, me, aliveHere)) return { take: true, expectSeq: stored.seq, why: 'own' };
  return { take: false, holder: record.holder };
}

export type RenewDecision =
  | { renew: true; expectSeq: number }
  | { renew: false; holder: LeaseHolder | undefined }
  | { renew: false; inconsistent: string };

/**
 * A running holder's renewal. Its own record (the one it wrote last, or a later one of this same
 * run whose acknowledgement it missed) is renewed; a lapsed one (nothing on the subject: the
 * broker was away longer than the lease) is taken again if nobody took it meanwhile and the
 * stream's own count agrees the subject is empty (`onSubject`). A holder renewing on time never
 * finds its record gone on a sane stream, so "gone" is always checked so: a stream that
 * contradicts itself leaves the lease unconfirmed, never taken again (lease-renewal-rules.ts).
 * Anything else means another monitor took the lease: this one must stop counting.
 */
export function decideRenew(stored: StoredLease | null, me: LeaseHolder, mySeq: number, onSubject: number | undefined): RenewDecision {
  if (!stored) {
    const inconsistent = inconsistentEmptyRead(onSubject);
    return inconsistent ? { renew: false, inconsistent } : { renew: true, expectSeq: 0 };
  }
  if (stored.seq === mySeq || (stored.record?.holder.instance === me.instance && !stored.record.released)) return { renew: true, expectSeq: stored.seq };
  return { renew: false, holder: stored.record?.holder };
}

/**
 * Held, and confirmed by the broker within the lease's lifetime less half a renewal. A process held
 * up longer (frozen, swapped out, a stalled event loop) may have lost the lease to another monitor
 * without knowing yet: until a renewal confirms it again it must send nothing, or it would send its
 * buffered notices again after another monitor had taken over.
 */
export function confirmedRecently(nowMs: number, confirmedAtMs: number, timing: { ttlMs: number; renewMs: number }) {
  return nowMs - confirmedAtMs < timing.ttlMs - timing.renewMs / 2;
}

/** What a holder writes: its renewal, or at a clean stop its release. */
export function leaseRecord(holder: LeaseHolder, nowMs: number, ttlMs: number, released: boolean): LeaseRecord {
  return { holder, renewedAt: new Date(nowMs).toISOString(), ttlMs, ...(released ? { released } : {}) };
}

/** A holder in one line, for logs and health: where it runs, never anything secret. */
export function describeHolder(holder: LeaseHolder | undefined): string {
  if (!holder) return 'an unreadable lease record (it expires by itself)';
  return `host ${holder.host}, DATA_DIR ${holder.dataDir}, pid ${holder.pid}, started ${holder.startedAt}`;
}

/** The one error line (and health's message) of a lease that ends: refused at start, or lost. */
export function leaseEndMessage(
  state: 'refused' | 'lost',
  key: string,
  holder: LeaseHolder | undefined,
  graceMs: number,
  exitCode: number,
  why?: string,
): string {
  const whose = `another monitor holds the counting lease ${key} (${describeHolder(holder)})`;
  if (state === 'refused') {
    return (
      `${whose}: only one counting monitor may run per consumer (CONSUMER_NAME) and per ClickHouse store; ` +
      `this one does not consume and exits in ${Math.round(graceMs / 1000)} s with code ${exitCode}, ` +
      'for its restart policy to try again'
    );
  }
  return (
    `${why ?? `counting lease lost: ${whose}`}; only one counting monitor may run per consumer and per ClickHouse ` +
    `store, so this one stops consuming and exits with code ${exitCode}`
  );
}

/**
 * Why a person's action is refused while this monitor does not count. Held but unconfirmed (a
 * hung broker, or one refusing the renewal: a full store refuses the lease's write too) is this
 * monitor's own pause, not another monitor's turn: the person is told to try again, never sent
 * looking for a monitor that counts when none other does.
 */
export function notCountingMessage(state: string, unconfirmed: string | undefined): string {
  if (state === 'held' && unconfirmed) return `监测程序暂时无法确认计数租约，操作未执行，请稍后重试 · ${unconfirmed}: nothing was done, try again in a moment`;
  return `this monitor does not hold the counting lease (${state}); act on the monitor that counts`;
}

/** What /api/health shows of a holder. */
export function holderView(holder: LeaseHolder | undefined): Omit<LeaseHolder, 'instance'> | null {
  if (!holder) return null;
  const { host, dataDir, pid, startedAt } = holder;
  return { host, dataDir, pid, startedAt };
}

export type LockDecision = 'take-over' | 'wait';

/**
 * The schema-migration lock found held: taken over when its holder is this monitor's earlier run
 * (crashed mid-migration) or when it is older than `staleAfterSec` (a holder that died elsewhere:
 * the longest migration, a copy of the events table, takes seconds per million events); waited
 * for otherwise. An unreadable holder is waited for until it is stale.
 */
export function decideLock(found: { holder: LeaseHolder | undefined; ageSec: number }, me: LeaseHolder, aliveHere: (pid: number) => boolean, staleAfterSec: number): LockDecision {
  if (found.ageSec > staleAfterSec) return 'take-over';
  if (found.holder && (found.holder.instance === me.instance || isEarlierRunOfMe(found.holder, me, aliveHere))) return 'take-over';
  return 'wait';
}

/** A lease record or lock comment read back; undefined when it is not one (never trusted blindly). */
export function parseHolderRecord(text: string): LeaseRecord | undefined {
  try {
    const r = JSON.parse(text) as Partial<LeaseRecord>;
    const h = r?.holder as Partial<LeaseHolder> | undefined;
    const holderShaped =
      h && typeof h.host === 'string' && typeof h.dataDir === 'string' && typeof h.pid === 'number' && typeof h.instance === 'string';
    if (!holderShaped) return undefined;
    return { holder: h as LeaseHolder, renewedAt: String(r.renewedAt ?? ''), ttlMs: Number(r.ttlMs ?? 0), ...(r.released ? { released: true } : {}) };
  } catch {
    return undefined;
  }
}
