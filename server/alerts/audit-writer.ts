import type { Logger, Monitor } from '../monitor.ts';
import type { GatewayMessage } from './gateway-notice.ts';
import type { LateNoticeContext } from './late-notice.ts';
import { loadUnsent, RESEND_WITHIN_MS, sentRow, sortUnsent, writeOutbox, writtenRow, type OutboxRow, type Sorted, type UnsentNotice } from './notice-outbox.ts';
import { LogSpool } from './log-spool.ts';
import { PendingNotices } from './pending-notices.ts';
import { writeLog, type LogRow } from './store.ts';

// The alert engine's writes: a burst's audit rows in one insert a few times a second (an insert
// costs the embedded engine ~7 ms of CPU whatever its size), each change's gateway notice written
// to the outbox before them and sent on NATS after them (pending-notices.ts), and the broker's
// word on what it took marked in the outbox with the next write. Writes go one after another:
// a person's action is answered once everything before it and its own row are written. Rows
// ClickHouse refuses are kept on the monitor's disk (log-spool.ts) until they are written.

/** how often a burst's audit rows are written (one insert) */
export const LOG_EVERY_MS = 250;
/** how long a stop waits for the broker's word on notices on their way */
const STOP_WAIT_MS = 2_000;
/** a failed audit write is tried again after this, doubling up to ALERT_LOG_RETRY_MAX_MS */
export const ALERT_LOG_RETRY_MS = 1_000;
const ALERT_LOG_RETRY_MAX_MS = 30_000;

export class AuditWriter {
  /** the last write's outcome: true once every row given so far is in alert_log */
  private writes: Promise<boolean> = Promise.resolve(true);
  /** a write asked for and not begun: later askers join it (it takes every row waiting when it begins) */
  private queued?: Promise<boolean>;
  private readonly spool?: LogSpool;
  /** said once per outage: the disk refused the kept rows too */
  private spoolFailing = false;
  /** refused rows the disk refused to keep too */
  private readonly notKept = new WeakSet<LogRow>();
  private retryTimer?: NodeJS.Timeout;
  private retryMs = ALERT_LOG_RETRY_MS;
  private stopped = false;
  private readonly unwritten: LogRow[] = [];
  /** outbox marks of notices the broker took, written with the next write */
  private readonly sentMarks: OutboxRow[] = [];
  private readonly notices: PendingNotices;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly monitor: Pick<Monitor, 'clickhouse' | 'nc' | 'health'>,
    private readonly log: Logger,
    refusedRetryMs?: number,
    /** where refused rows are kept until written; without it they wait in memory only */
    dataDir?: string,
  ) {
    if (dataDir) this.spool = new LogSpool(dataDir);
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

  /**
   * Writes what waits now; resolves once it, and everything before it, is written: true, or false
   * when alert_log refused the rows. They are then kept, in order, and tried again (a person's
   * action answered 200 and dropped with a failed write came back unacknowledged after a restart,
   * audit AI 1); health says so meanwhile.
   */
  write(): Promise<boolean> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // During an outage each person's action re-sent every kept row (1,000 actions, up to 1,000
    // rows each: RSS 151 → 431 MB, verify AJ); a write not begun yet takes them all at once.
    if (this.queued) return this.queued;
    if (this.unwritten.length === 0 && this.sentMarks.length === 0) return this.writes;
    const queued = this.writes.then(() => {
      this.queued = undefined;
      return this.writeWaiting();
    });
    this.queued = queued;
    this.writes = queued;
    return queued;
  }

  private writeWaiting(): Promise<boolean> {
    const rows = this.unwritten.splice(0);
    const notices = this.notices.take();
    const atMs = Date.now();
    const outbox = notices.messages.map((m, seq) => writtenRow(m, atMs, seq)); // seq: their order, as `at` is shared
    const marks = this.sentMarks.splice(0);
    for (const mark of marks) outbox.push(mark);
    const client = this.monitor.clickhouse;
    return Promise.resolve()
      .then(() => (outbox.length > 0 ? writeOutbox(client, outbox) : undefined))
      // a notice that could not be kept is still sent; only a crash before its broker took it loses it then.
      // Its marks are tried again: lost, the next start sent again what the gateways had (verify AJ N8)
      .catch((err: Error) => {
        this.log.error({ err: err.message, notices: outbox.length }, 'alert notice outbox write failed');
        for (const mark of marks) this.sentMarks.push(mark);
        this.retryLater();
      })
      .then(() => (rows.length > 0 ? writeLog(client, rows) : undefined))
      .then(() => this.logWritten(rows.length), (err: Error) => this.logFailed(rows, err))
      // a failed write still sends (a lost notice to the person on call is worse than a second one)
      .finally(notices.release);
  }

  private logWritten(rows: number): boolean {
    const failing = this.monitor.health.alertLogFailing;
    if (failing && rows > 0) {
      this.log.info({ rows, failingMs: Date.now() - failing.sinceMs }, 'alert log written again: the rows kept since its writes failed are in');
      this.monitor.health.alertLogFailing = undefined;
      this.retryMs = ALERT_LOG_RETRY_MS;
      this.spoolFailing = false;
    }
    const spool = this.spool;
    if (spool && spool.size > 0 && !this.unwritten.some((r) => spool.holds(r))) spool.clear();
    return this.monitor.health.alertLogFailing === undefined;
  }

  private logFailed(rows: readonly LogRow[], err: Error): false {
    const later = this.unwritten.splice(0);
    for (const row of rows) this.unwritten.push(row);
    for (const row of later) this.unwritten.push(row);
    const health = this.monitor.health;
    if (!health.alertLogFailing) this.log.error({ err: err.message, rows: rows.length, keptIn: this.spool?.path }, 'alert log write failed: the rows are kept and tried again');
    this.keepOnDisk(rows);
    // rows not tried yet (an action's, waiting for the next write) are not counted: only those the disk refused
    const notOnDisk = this.unwritten.filter((r) => this.notKept.has(r)).length;
    health.alertLogFailing = { sinceMs: health.alertLogFailing?.sinceMs ?? Date.now(), rows: this.unwritten.length, error: err.message, notOnDisk };
    this.retryLater();
    return false;
  }

  /** The refused rows into the spool; those the disk refuses too are marked (notKept). */
  private keepOnDisk(rows: readonly LogRow[]): void {
    const spool = this.spool;
    try {
      if (!spool) throw new Error('no data directory');
      spool.keep(rows);
      // rows the disk refused before are in the file now too (a freed disk: verify AO O1)
      for (const r of rows) this.notKept.delete(r);
    } catch (err) {
      if (!this.spoolFailing) this.log.error({ err: (err as Error).message, file: spool?.path }, 'the refused alert log rows could not be kept on disk either: they wait in memory only and are lost if the monitor stops first');
      this.spoolFailing = true;
      for (const r of rows) if (!spool?.holds(r)) this.notKept.add(r);
    }
  }

  /** tried again after a pause doubling with its own failures (an action tries at once, not lengthening it) */
  private retryLater(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.retryMs = Math.min(ALERT_LOG_RETRY_MAX_MS, this.retryMs * 2);
      void this.write();
    }, this.retryMs);
  }

  /**
   * At start, before the alerts are read back: the rows an earlier run kept on disk (refused by
   * ClickHouse until it stopped), written now or, refused again, kept and tried again like any
   * refused row. Returned, for the alerts read back to take them in either way (loadRecords): read
   * without them, a start during the outage showed every kept action undone, and the next action
   * on such an alert wrote a newer snapshot without them, for good (verify AM 1). Not waited for:
   * a hung ClickHouse held the start for its whole request timeout.
   */
  takeKept(): LogRow[] {
    const spool = this.spool;
    if (!spool) return [];
    const { rows, skipped } = spool.read();
    if (skipped.length > 0) this.log.error({ file: spool.path, skipped }, 'lines of the kept alert log rows that are not rows were skipped');
    if (rows.length === 0) {
      spool.clear();
      return [];
    }
    for (const row of rows) this.unwritten.push(row);
    // said as waiting until written: a page must not take "none wait" for "stored" (verify AN N2)
    // since the oldest kept row was logged, not since this start: the outage may have begun days ago
    this.monitor.health.alertLogFailing ??= { sinceMs: oldestLoggedMs(rows), rows: rows.length, error: 'not written yet', notOnDisk: 0, fromEarlierRun: true };
    void this.write().then((written) => {
      if (written) this.log.info({ rows: rows.length, file: spool.path }, 'alert log rows an earlier run kept on disk are written');
      else this.log.error({ rows: rows.length, file: spool.path }, 'alert log rows an earlier run kept on disk are refused again: they stay kept and are tried again; the alerts show them meanwhile');
    });
    return rows;
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
    const written = await this.write();
    // called by the stop's drain and by the engine's stop: said once (verify AJ N7)
    if (!written && !this.stopped) {
      // rule lines are derived again at the next start; a person's action is not
      const lost = this.unwritten.filter((r) => !this.spool?.holds(r));
      // which actions, for the people to do them again (audit AU F9)
      const actions = lost.filter((r) => r.actor).slice(0, 50).map((r) => ({ alert: r.alert_id, what: r.what, by: r.actor, at: `${r.at} UTC` }));
      if (lost.length > 0) this.log.error({ rows: this.unwritten.length, notOnDisk: lost.length, actions }, 'alert log rows not written before the stop (alert_log refused them, and the disk too): persons\' actions among them are lost');
      else this.log.warn({ rows: this.unwritten.length, file: this.spool?.path }, 'alert log rows not written before the stop (alert_log refused them): kept on disk, the next start writes them');
    }
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
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

/** When the oldest of the rows was logged; now for none. */
function oldestLoggedMs(rows: readonly LogRow[]): number {
  let oldest = Date.now();
  for (const r of rows) {
    const ms = Date.parse(`${r.logged_at.replace(' ', 'T')}Z`);
    if (ms < oldest) oldest = ms;
  }
  return oldest;
}
