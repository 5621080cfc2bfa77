import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LogRow } from './store.ts';

// Audit rows ClickHouse refused, kept on the monitor's own disk until they are written. In
// memory alone they were lost when the monitor stopped or crashed during the outage, and with
// them a person's acknowledgement, escalation or assignment: after the restart the alert was
// open again and paged anew (audit AI, the note of the eighteenth session). One JSON row per
// line, appended and synced before the person is answered; the next start writes them before it
// reads the alerts back. alert_log folds a row written twice (ReplacingMergeTree keyed by alert
// and entry; the readers take one row per entry), so a row written just before a crash and kept
// here too does no harm.

export const SPOOL_FILE = 'alert-log-waiting.ndjson';

export interface SpoolRead {
  rows: LogRow[];
  /** lines that are not a row (a write cut short by a crash or a full disk): skipped, named */
  skipped: Array<{ line: number; reason: string }>;
}

const REQUIRED = ['alert_id', 'entry_id', 'logged_at', 'at', 'what', 'snapshot'] as const;

/** The rows in a spool file's text, in the order they were kept; anything else is skipped with its line. */
export function parseSpool(text: string): SpoolRead {
  const rows: LogRow[] = [];
  const skipped: SpoolRead['skipped'] = [];
  const lines = text.split('\n');
  // no newline after the last line: its write was cut short
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    if (i === lines.length - 1) {
      skipped.push({ line: i + 1, reason: 'cut short (no end of line)' });
      continue;
    }
    try {
      const row = JSON.parse(line) as Record<string, unknown>;
      const missing = REQUIRED.find((k) => typeof row?.[k] !== 'string');
      if (missing) skipped.push({ line: i + 1, reason: `field ${missing} missing or not text` });
      else rows.push(row as unknown as LogRow);
    } catch (err) {
      skipped.push({ line: i + 1, reason: `not JSON: ${(err as Error).message}` });
    }
  }
  return { rows, skipped };
}

export class LogSpool {
  readonly path: string;
  /** rows kept in the file and not yet known written */
  private kept = new WeakSet<LogRow>();
  private count = 0;

  constructor(dataDir: string) {
    this.path = join(dataDir, SPOOL_FILE);
  }

  /** rows in the file, this run's and an earlier run's not yet written */
  get size(): number {
    return this.count;
  }

  /** Whether this row is in the file. */
  holds(row: LogRow): boolean {
    return this.kept.has(row);
  }

  /**
   * Appends the rows not kept yet and syncs the file; throws when the disk refuses (the rows then
   * stay in memory only), leaving the file as it was: a write the disk took only in part (a
   * nearly full disk takes what fits) is cut off again, not left as a row's first half.
   */
  keep(rows: readonly LogRow[]): void {
    const fresh = rows.filter((r) => !this.kept.has(r));
    if (fresh.length === 0) return;
    let text = '';
    for (const r of fresh) text += `${JSON.stringify(r)}\n`;
    const fd = openSync(this.path, 'a+', 0o600);
    let size = -1;
    try {
      size = fstatSync(fd).size;
      // a crash cut the last line short: the rows go on a line of their own, not glued to it
      const bytes = Buffer.from(endsMidLine(fd, size) ? `\n${text}` : text);
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
      fsyncSync(fd);
      size = -1;
    } finally {
      if (size >= 0) cutBack(fd, size);
      closeSync(fd);
    }
    for (const r of fresh) this.kept.add(r);
    this.count += fresh.length;
  }

  /** What an earlier run kept (its rows are then counted as held, until cleared). */
  read(): SpoolRead {
    if (!existsSync(this.path)) return { rows: [], skipped: [] };
    const read = parseSpool(readFileSync(this.path, 'utf8'));
    for (const r of read.rows) this.kept.add(r);
    this.count += read.rows.length;
    return read;
  }

  /** Every kept row is written: the file goes. */
  clear(): void {
    if (this.count === 0 && !existsSync(this.path)) return;
    rmSync(this.path, { force: true });
    this.kept = new WeakSet();
    this.count = 0;
  }
}

function endsMidLine(fd: number, size: number): boolean {
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  return last[0] !== 0x0a;
}

function cutBack(fd: number, size: number): void {
  try {
    ftruncateSync(fd, size);
  } catch {
    // the half-written line stays: the next start skips it, named (parseSpool)
  }
}
