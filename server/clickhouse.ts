import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chTime } from '../pipelines/sinks/clickhouse-time.ts';
import { registerTsvInserter } from '../pipelines/sinks/clickhouse-tsv.ts';
import { drainJournal, registerJournalHost } from '../pipelines/sinks/live-journal.ts';
import { thisProcess, type LeaseHolder } from './lease-rules.ts';
import { ifNotExists, withMigrationLock } from './migration-lock.ts';

// One client API for both modes: the embedded engine (chdb, in this process, data in DATA_DIR)
// and a ClickHouse server. Everything above this file sees a plain @clickhouse/client.

export const SQL_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'sql');

export interface ClickHouseTarget {
  url?: string;
  username?: string;
  password?: string;
  /** embedded mode: the engine's data directory */
  dataDir: string;
  /**
   * embedded mode: a second connection to the same engine (one process, one engine), named. The
   * engine runs one query at a time per connection, and connections side by side; the live
   * pipeline writes through its own, so a long read or a journal move never holds it up.
   */
  lane?: string;
  /**
   * server mode: the client's own error log off. Its blocks are multi-line and not JSON; every
   * caller reports the failures itself (the monitor in its JSON log, a command line in one line).
   */
  quiet?: boolean;
}

export async function openClickHouse(target: ClickHouseTarget): Promise<ClickHouseClient> {
  if (target.url) {
    return createClient({
      url: target.url,
      username: target.username,
      password: target.password,
      request_timeout: 30_000,
      clickhouse_settings: { date_time_input_format: 'best_effort' },
      ...(target.quiet ? { log: { level: ClickHouseLogLevel.OFF } } : {}),
    });
  }
  mkdirSync(target.dataDir, { recursive: true });
  // Imported lazily so server mode never loads the native engine.
  const { createChdbConnection } = await import('chdb/connection');
  let connection: ReturnType<typeof createChdbConnection>;
  try {
    connection = createChdbConnection({ path: target.dataDir });
  } catch (err) {
    // chdb says only "Failed to create connection"; the usual cause is a second `npm start` on
    // the same DATA_DIR (the engine locks its directory), so name it
    throw new Error(`cannot open the embedded ClickHouse in ${target.dataDir}: ${(err as Error).message}. Only one process may open a data directory: is another monitor (or npm run plan/replay) running on this DATA_DIR?`);
  }
  const client = createClient({ connection } as Parameters<typeof createClient>[0]);
  const close = client.close.bind(client);
  client.close = async () => {
    await close();
    // The engine tears a connection down only once the queries still running on it end, after
    // close() has returned; a process exiting meanwhile ends inside the engine (a SIGSEGV at a stop
    // during the start's derivation, audit CO3). So a close waits for them, a few seconds at most
    // (an analyst's long query is left to end with the process, as before).
    const { drainPending } = await import('chdb');
    await Promise.race([drainPending(), new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref())]);
  };
  registerTsvInserter(client, spoolInserter(connection.chdb, join(target.dataDir, target.lane ? `insert-spool-${target.lane}` : 'insert-spool')));
  if (!target.lane) registerJournalHost(client, { dir: join(target.dataDir, 'live-journal'), insertFile: (insert) => insertFile(connection.chdb, insert) });
  return client;
}

/** how long a close waits for the embedded engine's queries still running (see openClickHouse) */
export const CLOSE_WAIT_MS = 5_000;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/** From this size on, rows go to the embedded engine through a file (see spoolInserter). */
export const SPOOL_MIN_BYTES = 1 << 20;

interface ChdbInserts {
  queryAsync(sql: string): Promise<unknown>;
  rawInsert(p: { table: string; columns: string[]; values: Uint8Array; format: 'TabSeparated' }): Promise<unknown>;
}

/**
 * Bulk rows reach the embedded engine as a file it reads itself (`INSERT … FROM INFILE`): the
 * engine parses a file about twice as fast as the same bytes handed over inline (measured with
 * batches of 10,000 event rows: 27 against 50 ms an insert; inline, the engine's time per row grew
 * with the batch, to 7–11 µs, and the engine's time is what the two cores run out of at full
 * ingest). Small batches, the live case, stay inline: there the file's own cost (2–4 ms) is more
 * than the parsing it saves, and it would add to publish-to-screen latency.
 * The file holds only what the table gets (masked rows) and is removed once the insert returns;
 * leftovers of a crash are removed at open (their messages were never acknowledged and come again).
 * `optimize_on_insert = 0`: a batch holds each event id once (the pipeline drops repeats), so the
 * replacing merge of the inserted block itself has nothing to fold.
 */
function spoolInserter(
  chdb: ChdbInserts,
  spoolDir: string,
): (insert: { table: string; columns: readonly string[]; body: Uint8Array }) => Promise<void> {
  rmSync(spoolDir, { recursive: true, force: true });
  mkdirSync(spoolDir, { recursive: true });
  let next = 0;
  return async ({ table, columns, body }) => {
    if (!IDENTIFIER.test(table) || !columns.every((c) => IDENTIFIER.test(c))) throw new Error(`not an identifier: ${table} (${columns.join(', ')})`);
    if (body.byteLength < SPOOL_MIN_BYTES) {
      await chdb.rawInsert({ table, columns: [...columns], values: body, format: 'TabSeparated' });
      return;
    }
    const path = join(spoolDir, `${next++}.tsv`);
    try {
      await writeFile(path, body);
      await insertFile(chdb, { table, columns, path });
    } finally {
      await rm(path, { force: true });
    }
  };
}

/** The engine reads a file of rows itself (see spoolInserter for why a file). */
async function insertFile(
  chdb: ChdbInserts,
  { table, columns, path, format = 'TabSeparated' }: { table: string; columns: readonly string[]; path: string; format?: 'TabSeparated' | 'Native' },
): Promise<void> {
  if (!IDENTIFIER.test(table) || !columns.every((c) => IDENTIFIER.test(c))) throw new Error(`not an identifier: ${table} (${columns.join(', ')})`);
  const quoted = path.replace(/[\\']/g, (c) => `\\${c}`);
  await chdb.queryAsync(`INSERT INTO ${table} (${columns.join(', ')}) FROM INFILE '${quoted}' SETTINGS optimize_on_insert = 0 FORMAT ${format === 'Native' ? 'Native' : 'TabSeparated'}`);
}

/** Splits a DDL file into statements; statements end with `;` at the end of a line. */
export function splitStatements(sql: string): string[] {
  const withoutComments = sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n');
  return withoutComments
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

export function readMigrations(dir = SQL_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_.+\.sql$/.test(f))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 3)),
      name: file,
      statements: splitStatements(readFileSync(join(dir, file), 'utf8')),
    }));
}

/**
 * Applies every DDL file not applied yet, in order, and records it. Safe to run at every start,
 * and by several processes at once on one ClickHouse: they take turns (migration-lock.ts), and
 * one that waited finds the files applied. `holder` names this process to the others.
 */
export async function migrate(client: ClickHouseClient, dir = SQL_DIR, holder: LeaseHolder = thisProcess(''), onWait?: (message: string) => void): Promise<string[]> {
  await ifNotExists(client.command({ query: 'CREATE DATABASE IF NOT EXISTS complaints' }));
  await ifNotExists(
    client.command({
      query: `CREATE TABLE IF NOT EXISTS complaints.schema_migrations
              (version UInt32, name String, applied_at DateTime64(3, 'UTC'))
              ENGINE = ReplacingMergeTree ORDER BY version`,
    }),
  );
  const pending = async () => {
    const rs = await client.query({ query: 'SELECT version FROM complaints.schema_migrations FINAL', format: 'JSONEachRow' });
    const applied = new Set((await rs.json<{ version: number }>()).map((r) => Number(r.version)));
    return readMigrations(dir).filter((m) => !applied.has(m.version));
  };
  // the lock only when there is something to apply: an ordinary start reads one table
  const done = (await pending()).length === 0 ? [] : await withMigrationLock(client, holder, async () => {
    const names: string[] = [];
    for (const m of await pending()) {
      for (const statement of m.statements) await client.command({ query: statement });
      await client.insert({
        table: 'complaints.schema_migrations',
        values: [{ version: m.version, name: m.name, applied_at: chTime(Date.now()) }],
        format: 'JSONEachRow',
      });
      names.push(m.name);
    }
    return names;
  }, { ...(onWait ? { onWait } : {}) });
  // rows a stopped or crashed monitor left in the live journal join ticket_events before anyone reads
  await drainJournal(client);
  return done;
}

