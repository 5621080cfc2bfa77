import type { Logger } from '../monitor.ts';
import { chTimeMs } from '../../pipelines/sinks/clickhouse-time.ts';
import { LogSpool } from './log-spool.ts';
import type { LogRow } from './store.ts';

// Where the audit rows alert_log refused wait on the monitor's own disk (log-spool.ts), and which
// of them the disk refused too. Without a data directory every refused row is one the disk
// refused: it waits in memory only and is lost if the monitor stops before alert_log takes it.

export class KeptRows {
  private readonly spool?: LogSpool;
  /** said once per outage: the disk refused the kept rows too */
  private spoolFailing = false;
  /** refused rows the disk refused to keep too */
  private readonly notKept = new WeakSet<LogRow>();

  /** @param dataDir where refused rows are kept until written; without it they wait in memory only */
  constructor(dataDir?: string) {
    if (dataDir) this.spool = new LogSpool(dataDir);
  }

  /** the spool file, named in log lines; none without a data directory */
  get path(): string | undefined {
    return this.spool?.path;
  }

  /** Whether the row is in the file (a stop then loses nothing by it). */
  holds(row: LogRow): boolean {
    return this.spool?.holds(row) ?? false;
  }

  /** The refused rows into the spool; those the disk refuses too are marked (notKept). */
  keep(rows: readonly LogRow[], log: Logger): void {
    const spool = this.spool;
    try {
      if (!spool) throw new Error('no data directory');
      spool.keep(rows);
      // a row the disk refused before counts as kept once a later write puts it in the file (a freed disk)
      for (const r of rows) this.notKept.delete(r);
    } catch (err) {
      if (!this.spoolFailing) {
        log.error(
          { err: (err as Error).message, file: spool?.path },
          'the refused alert log rows could not be kept on disk either: '
            + 'they wait in memory only and are lost if the monitor stops first',
        );
      }
      this.spoolFailing = true;
      for (const r of rows) if (!spool?.holds(r)) this.notKept.add(r);
    }
  }

  /** Of these rows, those the disk refused to keep: lost if the monitor stops before they are written. */
  notOnDisk(rows: readonly LogRow[]): number {
    return rows.filter((r) => this.notKept.has(r)).length;
  }

  /** alert_log takes rows again: a later refusal of the disk is said again. */
  outageOver(): void {
    this.spoolFailing = false;
  }

  /** The file goes once none of the rows still waiting is in it. */
  clearIfDone(unwritten: readonly LogRow[]): void {
    const spool = this.spool;
    if (spool && spool.size > 0 && !unwritten.some((r) => spool.holds(r))) spool.clear();
  }

  /**
   * The rows an earlier run kept (refused by ClickHouse until it stopped), in the order they were
   * kept; lines that are not rows are skipped and named. An empty file goes at once.
   */
  readEarlierRun(log: Logger): LogRow[] {
    const spool = this.spool;
    if (!spool) return [];
    const { rows, skipped } = spool.read();
    if (skipped.length > 0) {
      log.error({ file: spool.path, skipped }, 'lines of the kept alert log rows that are not rows were skipped');
    }
    if (rows.length === 0) spool.clear();
    return rows;
  }
}

/** When the oldest of the rows was logged; `nowMs` for none. */
export function oldestLoggedMs(rows: readonly LogRow[], nowMs: number): number {
  let oldest = nowMs;
  for (const r of rows) {
    const ms = chTimeMs(r.logged_at);
    if (ms < oldest) oldest = ms;
  }
  return oldest;
}
