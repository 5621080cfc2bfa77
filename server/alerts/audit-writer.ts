import type { Logger, Monitor } from '../monitor.ts';
import type { GatewayMessage } from './gateway-notice.ts';
import { KeptRows, oldestLoggedMs } from './kept-rows.ts';
import type { LateNoticeContext } from './late-notice.ts';
import { sentRow, writeOutbox, writtenRow, type OutboxRow } from './notice-outbox.ts';
import { PendingNotices } from './pending-notices.ts';
import { writeLog, type LogRow } from './store.ts';
import { unsentAtStart } from './unsent-at-start.ts';

// The alert engine's writes: a burst's audit rows in one insert a few times a second (an insert
// costs the embedded engine ~7 ms of CPU whatever its size), each change's gateway notice written
// to the outbox before them and sent on NATS after them (pending-notices.ts), and the broker's
// word on what it took marked in the outbox with the next write. Writes go one after another:
// a person's action is answered once everything before it and its own row are written. Rows
// ClickHouse refuses are kept on the monitor's disk (kept-rows.ts) until they are written.

/** how often a burst's audit rows are written (one insert) */
export const LOG_EVERY_MS = 250;
/** how long a stop waits for the broker's word on notices on their way */
const STOP_WAIT_MS = 2_000;
/** a failed audit write is tried again after this, doubling up to ALERT_LOG_RETRY_MAX_MS */
export const ALERT_LOG_RETRY_MS = 1_000;
const ALERT_LOG_RETRY_MAX_MS = 30_000;
/** the persons' actions a stop that loses them names, for the people to do them again */
const LOST_ACTIONS_NAMED = 50;

export class AuditWriter {
  /** the last write's outcome: true once every row given so far is in alert_log */
  private writes: Promise<boolean> = Promise.resolve(true);
  /** a write asked for and not begun: later askers join it (it takes every row waiting when it begins) */
  private queued?: Promise<boolean>;
  private readonly kept: KeptRows;
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
    private readonly now: () => number = () => Date.now(),
  ) {
    this.kept = new KeptRows(dataDir);
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
   * when alert_log refused the rows. They are then kept, in order, and tried again, so a person's
   * action answered 200 is never dropped with a failed write (it would come back unacknowledged
   * after a restart); health says so meanwhile.
   */
  write(): Promise<boolean> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // A write not begun yet takes every kept row at once: during an outage each person's action
    // re-sending every kept row grew memory with the square of the actions.
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
    const atMs = this.now();
    // seq: their order, as `at` is shared
    const outbox = notices.messages.map((m, seq) => writtenRow(m, atMs, seq));
    const marks = this.sentMarks.splice(0);
    for (const mark of marks) outbox.push(mark);
    const client = this.monitor.clickhouse;
    return Promise.resolve()
      .then(() => (outbox.length > 0 ? writeOutbox(client, outbox) : undefined))
      // A notice that could not be kept is still sent; only a crash before its broker took it loses
      // it then. Its marks are tried again: a lost mark has the next start send again what the
      // gateways already had.
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
      this.log.info(
        { rows, failingMs: this.now() - failing.sinceMs },
        'alert log written again: the rows kept since its writes failed are in',
      );
      this.monitor.health.alertLogFailing = undefined;
      this.retryMs = ALERT_LOG_RETRY_MS;
      this.kept.outageOver();
    }
    this.kept.clearIfDone(this.unwritten);
    return this.monitor.health.alertLogFailing === undefined;
  }

  /** The refused rows go back before those given since, so that they are written in order. */
  private logFailed(rows: readonly LogRow[], err: Error): false {
    const later = this.unwritten.splice(0);
    for (const row of rows) this.unwritten.push(row);
    for (const row of later) this.unwritten.push(row);
    const health = this.monitor.health;
    if (!health.alertLogFailing) {
      this.log.error(
        { err: err.message, rows: rows.length, keptIn: this.kept.path },
        'alert log write failed: the rows are kept and tried again',
      );
    }
    this.kept.keep(rows, this.log);
    // rows not tried yet (an action's, waiting for the next write) are not counted: only those the disk refused
    health.alertLogFailing = {
      sinceMs: health.alertLogFailing?.sinceMs ?? this.now(),
      rows: this.unwritten.length,
      error: err.message,
      notOnDisk: this.kept.notOnDisk(this.unwritten),
    };
    this.retryLater();
    return false;
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
   * At start, before the alerts are read back: the rows an earlier run kept on disk, written now
   * or, refused again, kept and tried again like any refused row. Returned, for the alerts read
   * back to take them in either way (loadRecords): read without them, a start during the outage
   * would show every kept action undone, and the next action on such an alert would write a newer
   * snapshot without them, for good. Not waited for: a hung ClickHouse would hold the start for
   * its whole request timeout.
   */
  takeKept(): LogRow[] {
    const rows = this.kept.readEarlierRun(this.log);
    if (rows.length === 0) return [];
    for (const row of rows) this.unwritten.push(row);
    // Said as waiting until written, so that a page never takes "none wait" for "stored"; since the
    // oldest kept row was logged, not since this start: the outage may have begun days ago.
    this.monitor.health.alertLogFailing ??= {
      sinceMs: oldestLoggedMs(rows, this.now()),
      rows: rows.length,
      error: 'not written yet',
      notOnDisk: 0,
      fromEarlierRun: true,
    };
    const file = this.kept.path;
    void this.write().then((written) => {
      if (written) this.log.info({ rows: rows.length, file }, 'alert log rows an earlier run kept on disk are written');
      else {
        this.log.error(
          { rows: rows.length, file },
          'alert log rows an earlier run kept on disk are refused again: '
            + 'they stay kept and are tried again; the alerts show them meanwhile',
        );
      }
    });
    return rows;
  }

  /**
   * At start, under the counting lease, before anything is derived: the notices earlier runs wrote
   * and never saw the broker take, sent again or marked dropped (unsent-at-start.ts).
   */
  async resendUnsent(late?: LateNoticeContext): Promise<void> {
    try {
      const unsent = await unsentAtStart(this.monitor.clickhouse, late, this.now);
      if (!unsent) return;
      for (const mark of unsent.drops) this.sentMarks.push(mark);
      if (unsent.drops.length > 0) void this.write();
      this.log.warn(
        unsent.found,
        'alert notices an earlier run wrote and never sent on NATS: sending them now (not those whose change '
          + 'never reached the audit log, nor those a later notice of their alert replaced)',
      );
      this.notices.resend(unsent.resend);
    } catch (err) {
      this.log.error(
        { err: (err as Error).message },
        'reading the alert notice outbox failed: notices a crash kept from the gateways are not sent again',
      );
    }
  }

  /** At a stop: everything written, and what the broker took meanwhile marked (not sent again by the next start). */
  async stop(): Promise<void> {
    await this.write();
    await Promise.race([this.notices.settled(), new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref())]);
    const written = await this.write();
    // both the stop's drain and the engine's stop call this: the loss is said once
    if (!written && !this.stopped) this.sayNotWritten();
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private sayNotWritten(): void {
    // rule lines are derived again at the next start; a person's action is not
    const lost = this.unwritten.filter((r) => !this.kept.holds(r));
    if (lost.length === 0) {
      this.log.warn(
        { rows: this.unwritten.length, file: this.kept.path },
        'alert log rows not written before the stop (alert_log refused them): kept on disk, the next start writes them',
      );
      return;
    }
    // which actions, for the people to do them again
    const actions = lost
      .filter((r) => r.actor)
      .slice(0, LOST_ACTIONS_NAMED)
      .map((r) => ({ alert: r.alert_id, what: r.what, by: r.actor, at: `${r.at} UTC` }));
    this.log.error(
      { rows: this.unwritten.length, notOnDisk: lost.length, actions },
      'alert log rows not written before the stop (alert_log refused them, and the disk too): '
        + 'persons\' actions among them are lost',
    );
  }

  private markSent(messages: readonly GatewayMessage[], state: 'sent' | 'dropped' = 'sent'): void {
    const atMs = this.now();
    for (const m of messages) this.sentMarks.push(sentRow(m, atMs, state));
    this.timer ??= setTimeout(() => void this.write(), LOG_EVERY_MS);
  }
}
