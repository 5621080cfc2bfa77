import type { ClickHouseClient } from '@clickhouse/client';
import { mkdirSync, readdirSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { wholeNativeBlocks } from './clickhouse-native.ts';
import { EVENT_COLUMNS } from './clickhouse-tsv.ts';
import { StoreUnavailableError } from './store-errors.ts';

// The embedded engine's live journal. The pipeline's batches of ticket events are appended to a
// file beside the engine's data, one block of ClickHouse's Native format each (clickhouse-native.ts), and the file is handed to the engine in one insert
// (`INSERT … FROM INFILE`) every few seconds, or at 50,000 rows: one MergeTree part per move
// instead of one per batch, and the engine's insert runs beside the pipeline instead of in it.
//
// Why: every MergeTree insert makes a part of about ten files, and merging small parts makes
// more. At live rates (tens of batches a second) creating and deleting those files cost the
// embedded engine most of a core on the benchmark machine's disk, and it set the screen latency.
// An append to an open file costs microseconds. (A StripeLog table as the journal was tried
// first: on a full disk it reported inserts as done that it had not written, and left a table
// that stopped the engine from opening. A file we write ourselves fails loudly and is cut back.)
//
// A row in the journal is as durable as a row in a part (both are in the page cache when the
// write returns, neither is fsynced; both survive a crash of the monitor). Whoever opens the
// embedded store moves leftover journal files into ticket_events before reading (migrate), and
// the monitor moves the journal before any read of its own, so no reader misses a counted event.
// A ClickHouse server has no journal: live inserts go straight to ticket_events there.

const TARGET_TABLE = 'complaints.ticket_events';
// Journals written before the sixth session hold TabSeparated rows (`<n>.tsv`); they are still
// moved, as such, when found at open.
const FILE = /^(\d+)\.(native|tsv)$/;
type JournalFormat = 'Native' | 'TabSeparated';

/** Hands a file of rows to the engine, which reads it itself. */
export type FileInserter = (insert: { table: string; columns: readonly string[]; path: string; format: JournalFormat }) => Promise<void>;

interface JournalHost {
  dir: string;
  insertFile: FileInserter;
}
const hosts = new WeakMap<ClickHouseClient, JournalHost>();

/** Called by whoever opens the embedded engine (server/clickhouse.ts). */
export function registerJournalHost(client: ClickHouseClient, host: JournalHost): void {
  mkdirSync(host.dir, { recursive: true });
  hosts.set(client, host);
}

export interface JournalOptions {
  /** the longest a row waits in the journal */
  moveEveryMs: number;
  /**
   * a journal this large is moved at once; at twice this while ClickHouse refuses the moves (or
   * ten times, ever), writes are refused: the pipeline stops acking instead of the journal growing
   */
  moveAtRows: number;
  onMoveError(err: Error): void;
}

interface OpenFile {
  seq: number;
  handle: FileHandle;
  bytes: number;
  rows: number;
}

export class LiveJournal {
  /** the file taking writes */
  private current: OpenFile | undefined;
  private nextSeq: number;
  /** rows of the files closed for moving and not in ticket_events yet, by file */
  private readonly closedRows = new Map<number, number>();
  /**
   * files this journal wrote that may end in part of a block: a write failed and cutting the
   * file back failed too. Every other file it wrote is whole (writes are one at a time, and a
   * failed one is cut back), so a move reads it as it is, without walking its blocks first.
   */
  private readonly maybeTorn = new Set<number>();
  /** writes and file switches, one at a time, in order */
  private writes: Promise<unknown> = Promise.resolve();
  /** moves, one at a time: a move never waits for a write, nor a write for a move */
  private moves: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** the last move's failure, until a move succeeds: health says so (the counts are live, the store's reads are not) */
  lastMoveError: Error | undefined;
  /** files moved into ticket_events (each one MergeTree insert) */
  moved = 0;

  /** The embedded engine's journal, or undefined for a ClickHouse server. */
  static open(client: ClickHouseClient, opts: JournalOptions): LiveJournal | undefined {
    const host = hosts.get(client);
    return host && new LiveJournal(host, opts);
  }

  private constructor(
    private readonly host: JournalHost,
    private readonly opts: JournalOptions,
  ) {
    this.nextSeq = Math.max(0, ...journalFiles(host.dir).map((f) => f.seq + 1));
  }

  get open(): boolean {
    return !this.closed;
  }

  /**
   * Resolves once the rows (one Native block: eventsNative) are in the journal; rejects when the
   * file system refused them (disk full, not writable), after cutting the file back to what it
   * held before.
   */
  write(rows: number, body: Buffer): Promise<void> {
    return this.serially('writes', async () => {
      this.refuseWhenBehind();
      const file = (this.current ??= await this.openNext());
      try {
        for (let done = 0; done < body.length; ) {
          const { bytesWritten } = await file.handle.write(body, done, body.length - done, file.bytes + done);
          done += bytesWritten;
        }
      } catch (err) {
        await file.handle.truncate(file.bytes).catch(() => {
          this.maybeTorn.add(file.seq);
          return this.closeCurrent();
        });
        throw err;
      }
      file.bytes += body.length;
      file.rows += rows;
      if (this.pending >= this.opts.moveAtRows) this.settleLater(0);
      else if (!this.timer) this.settleLater(this.opts.moveEveryMs);
    });
  }

  /** Moves every row written so far into ticket_events; the monitor's readers call this first. */
  settle(): Promise<void> {
    return this.serially('moves', async () => {
      clearTimeout(this.timer);
      this.timer = undefined;
      if (this.pending === 0) return;
      try {
        const below = await this.serially('writes', async () => {
          await this.closeCurrent();
          return this.nextSeq;
        });
        for (const { seq, path, format } of journalFiles(this.host.dir)) {
          if (seq >= below) break;
          // files of this journal are whole; others (left by a crash and not drained yet) are cut
          if (this.maybeTorn.has(seq) || !this.closedRows.has(seq)) await cutTornTail(path, format);
          await this.host.insertFile({ table: TARGET_TABLE, columns: EVENT_COLUMNS, path, format });
          await rm(path);
          this.closedRows.delete(seq);
          this.maybeTorn.delete(seq);
          this.moved++;
        }
        this.lastMoveError = undefined;
      } catch (err) {
        this.lastMoveError = err as Error;
        throw err;
      } finally {
        if (this.pending > 0) this.settleLater(this.opts.moveEveryMs);
      }
    });
  }

  /** rows written and not in ticket_events yet */
  get pending(): number {
    let rows = this.current?.rows ?? 0;
    for (const n of this.closedRows.values()) rows += n;
    return rows;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.settle();
    clearTimeout(this.timer);
  }

  private refuseWhenBehind(): void {
    const rows = this.pending;
    const limit = this.opts.moveAtRows;
    if (rows >= 2 * limit && this.lastMoveError) {
      throw new StoreUnavailableError(`ClickHouse has not taken the live journal's ${rows} rows (${this.lastMoveError.message}); retrying`);
    }
    if (rows >= 10 * limit) throw new StoreUnavailableError(`ClickHouse is behind: ${rows} rows wait in the live journal`);
  }

  private async openNext(): Promise<OpenFile> {
    const seq = this.nextSeq++;
    const handle = await open(join(this.host.dir, `${seq}.native`), 'wx');
    return { seq, handle, bytes: 0, rows: 0 };
  }

  /** The next write opens a new file; this one waits for a move. */
  private async closeCurrent(): Promise<void> {
    const file = this.current;
    if (!file) return;
    this.current = undefined;
    this.closedRows.set(file.seq, file.rows);
    await file.handle.close().catch(() => undefined);
  }

  /** Runs op after every op queued before it on that lane, whether they failed or not. */
  private serially<T>(lane: 'writes' | 'moves', op: () => Promise<T>): Promise<T> {
    const run = this[lane].then(op, op);
    this[lane] = run.catch(() => undefined);
    return run;
  }

  private settleLater(ms: number): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.settle().catch(this.opts.onMoveError);
    }, ms).unref();
  }
}

function journalFiles(dir: string): Array<{ seq: number; path: string; format: JournalFormat }> {
  return readdirSync(dir)
    .map((name) => ({ m: FILE.exec(name), name }))
    .filter((f): f is { m: RegExpExecArray; name: string } => f.m !== null)
    .map(({ m, name }) => ({ seq: Number(m[1]), path: join(dir, name), format: m[2] === 'tsv' ? ('TabSeparated' as const) : ('Native' as const) }))
    .sort((a, b) => a.seq - b.seq);
}

/** Every read through this client first moves the journal, so the monitor's own readers (routes,
 *  alert engine, plan swap, analysts' SQL) see every event the counters have counted. */
export function settleBeforeReads(client: ClickHouseClient, journal: LiveJournal): void {
  const query = client.query.bind(client);
  client.query = (async (params: Parameters<typeof query>[0]) => {
    if (journal.pending > 0) await journal.settle();
    return query(params);
  }) as typeof client.query;
}

/**
 * What a stopped or crashed monitor left in the journal, moved into ticket_events before anyone
 * reads. A write the crash cut short is cut back to its last whole block (its messages were never
 * acknowledged and come again). A crash after a file's insert and before its removal inserts it
 * again next time; ticket_events folds the copies by event_id, as it does for any redelivery.
 */
export async function drainJournal(client: ClickHouseClient): Promise<number> {
  const host = hosts.get(client);
  if (!host) return 0;
  const files = journalFiles(host.dir);
  for (const { path, format } of files) {
    await cutTornTail(path, format);
    await host.insertFile({ table: TARGET_TABLE, columns: EVENT_COLUMNS, path, format });
    await rm(path);
  }
  return files.length;
}

/** A write cut short leaves part of a block (or row) at the end: the file is cut back to its last whole one. */
async function cutTornTail(path: string, format: JournalFormat): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const { size } = await handle.stat();
    const whole = format === 'Native' ? wholeNativeBlocks(await handle.readFile()) : await lastRowEnd(handle, size);
    if (whole < size) await handle.truncate(whole);
  } finally {
    await handle.close();
  }
}

/** The length up to and including the last newline (rows never hold a raw newline: TSV escapes it). */
async function lastRowEnd(handle: FileHandle, size: number): Promise<number> {
  const chunk = Buffer.allocUnsafe(64 * 1024);
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await handle.read(chunk, 0, end - start, start);
    const at = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (at >= 0) return start + at + 1;
    end = start;
  }
  return 0;
}
