import type { Logger, Monitor } from '../monitor.ts';
import type { GatewayMessage } from './gateway-notice.ts';
import type { LateNoticeContext } from './late-notice.ts';
import { loadUnsent, RESEND_WITHIN_MS, sentRow, sortUnsent, writeOutbox, writtenRow, type OutboxRow, type Sorted, type UnsentNotice } from './notice-outbox.ts';
import { PendingNotices } from './pending-notices.ts';
import { writeLog, type LogRow } from './store.ts';

// The alert engine's writes: a burst's audit rows in one insert a few times a second (an insert
// costs the embedded engine ~7 ms of CPU whatever its size), each change's gateway notice written
// to the outbox before them and sent on NATS after them (pending-notices.ts), and the broker's
// word on what it took marked in the outbox with the next write. Writes go one after another:
// a person's action is answered once everything before it and its own row are written.

/** how often a burst's audit rows are written (one insert) */
export const LOG_EVERY_MS = 250;
/** how long a stop waits for the broker's word on notices on their way */
const STOP_WAIT_MS = 2_000;

export class AuditWriter {
  private writes: Promise<void> = Promise.resolve();
  private readonly unwritten: LogRow[] = [];
  /** outbox marks of notices the broker took, written with the next write */
  private readonly sentMarks: OutboxRow[] = [];
  private readonly notices: PendingNotices;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly monitor: Pick<Monitor, 'clickhouse' | 'nc' | 'health'>,
    private readonly log: Logger,
    refusedRetryMs?: number,
  ) {
    const leased = () => { try { return monitor.nc; } catch { return undefined; } };
    this.notices = new PendingNotices(leased, () => this.log, {
      onSent: (sent) => this.markSent(sent),
      onDropped: (stale) => this.markSent(stale, 'dropped'),
      refusals: monitor.health.noticeRefusals,
      refusedRetryMs,
    });
  }

  /** Rows of changes made now, and their notices; written within LOG_EVERY_MS. */
  add(rows: readonly LogRow[], notices: readonly GatewayMessage[]): void {
    // one at a time: a start over 5M events derived more rows than a spread call takes (RangeError)
    for (const row of rows) this.unwritten.push(row);
    for (const m of notices) this.notices.add(m);
    if (rows.length) this.timer ??= setTimeout(() => void this.write(), LOG_EVERY_MS);
  }

  /** Writes what waits now; resolves once it, and everything before it, is written. */
  write(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.unwritten.length === 0 && this.sentMarks.length === 0) return this.writes;
    const rows = this.unwritten.splice(0);
    const notices = this.notices.take();
    const atMs = Date.now();
    const outbox = notices.messages.map((m, seq) => writtenRow(m, atMs, seq)); // seq: their order, as `at` is shared
    for (const mark of this.sentMarks.splice(0)) outbox.push(mark);
    const client = this.monitor.clickhouse;
    this.writes = this.writes
      .then(() => (outbox.length > 0 ? writeOutbox(client, outbox) : undefined))
      // a notice that could not be kept is still sent; only a crash before its broker took it loses it then
      .catch((err: Error) => this.log.error({ err: err.message, notices: outbox.length }, 'alert notice outbox write failed'))
      .then(() => (rows.length > 0 ? writeLog(client, rows) : undefined))
      // a failed write still sends (a lost notice to the person on call is worse than a second one)
      .catch((err: Error) => this.log.error({ err: err.message, rows: rows.length }, 'alert log write failed'))
      .then(notices.release);
    return this.writes;
  }

  /**
   * At start, under the counting lease, before anything is derived: the notices an earlier run
   * (this store's, any monitor's) wrote in the last day and never saw the broker take.
   */
  async resendUnsent(late?: LateNoticeContext): Promise<void> {
    try {
      const since = Date.now() - RESEND_WITHIN_MS;
      const { messages, more } = await loadUnsent(this.monitor.clickhouse, since);
      if (messages.length === 0) return;
      const { resend, unlogged, superseded } = await sortInSlices(this.monitor.clickhouse, messages, since, late);
      const atMs = Date.now();
      for (const m of unlogged) this.sentMarks.push(sentRow(m, atMs, 'dropped'));
      for (const m of superseded) this.sentMarks.push(sentRow(m, atMs, 'dropped'));
      if (unlogged.length + superseded.length > 0) void this.write();
      this.log.warn(
        { notices: resend.length, more, neverLogged: unlogged.length, superseded: superseded.length },
        'alert notices an earlier run wrote and never sent on NATS: sending them now (not those whose change never reached the audit log, nor those a later notice of their alert replaced)',
      );
      this.notices.resend(resend);
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'reading the alert notice outbox failed: notices a crash kept from the gateways are not sent again');
    }
  }

  /** At a stop: everything written, and what the broker took meanwhile marked (not sent again by the next start). */
  async stop(): Promise<void> {
    await this.write();
    await Promise.race([this.notices.settled(), new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref())]);
    await this.write();
  }

  private markSent(messages: readonly GatewayMessage[], state: 'sent' | 'dropped' = 'sent'): void {
    const atMs = Date.now();
    for (const m of messages) this.sentMarks.push(sentRow(m, atMs, state));
    this.timer ??= setTimeout(() => void this.write(), LOG_EVERY_MS);
  }
}

/** sortUnsent a thousand at a time: a server takes the ids as query parameters in the URL */
async function sortInSlices(client: Monitor['clickhouse'], messages: readonly UnsentNotice[], sinceMs: number, late?: LateNoticeContext): Promise<Sorted> {
  const all: Sorted = { resend: [], unlogged: [], superseded: [] };
  for (let from = 0; from < messages.length; from += 1_000) {
    const part = await sortUnsent(client, messages.slice(from, from + 1_000), sinceMs, late);
    for (const key of ['resend', 'unlogged', 'superseded'] as const) for (const m of part[key]) (all[key] as GatewayMessage[]).push(m);
  }
  return all;
}

