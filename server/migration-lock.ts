import type { ClickHouseClient } from '@clickhouse/client';
import { randomUUID } from 'node:crypto';
import { decideLock, describeHolder, parseHolderRecord, type LeaseHolder } from './lease-rules.ts';
import { processAlive } from './natsd.ts';

// The schema migrations of one ClickHouse, one process at a time. Two monitors started together
// on a new database both ran sql/004 (drop, create, copy, swap by name): one stopped with "Table
// complaints.ticket_events_v004 already exists" (or "does not exist"), and interleaved the swap
// can even leave the old table in place. Not every statement can say IF NOT EXISTS (a copy and a
// swap cannot), so the whole run is serialised instead.
//
// The lock is a table: CREATE TABLE without IF NOT EXISTS succeeds for exactly one of two
// processes (ClickHouse guards a table name while it creates it). Its comment names the holder;
// the server's own clocks give its age. A lock left by a crash is taken over at once by the
// same monitor restarted (host and DATA_DIR), and by anyone once it is older than any migration
// takes (rename first: of two doing that, one wins).

const LOCK = 'complaints.schema_migrations_lock';
/** the longest a migration may hold the lock before another process takes it over */
export const LOCK_STALE_AFTER_SEC = 30 * 60;

export interface LockOptions {
  staleAfterSec: number;
  pollMs: number;
  aliveHere: (pid: number) => boolean;
  /** told once when the lock is held by another process, and when a lock is taken over */
  onWait: (message: string) => void;
}

const codeOf = (err: unknown) => String((err as { code?: unknown })?.code ?? '');
const TABLE_ALREADY_EXISTS = '57';
const UNKNOWN_TABLE = '60';

/** A string literal for DDL (a table comment takes no query parameter). */
const literal = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

async function readLock(client: ClickHouseClient): Promise<{ holder: LeaseHolder | undefined; ageSec: number } | undefined> {
  const rs = await client.query({
    query: `SELECT comment, dateDiff('second', metadata_modification_time, now()) AS age
            FROM system.tables WHERE database = 'complaints' AND name = 'schema_migrations_lock'`,
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ comment: string; age: number | string }>();
  return row ? { holder: parseHolderRecord(row.comment)?.holder, ageSec: Number(row.age) } : undefined;
}

/** Runs `work` holding the migration lock of this ClickHouse; waits while another process holds it. */
export async function withMigrationLock<T>(client: ClickHouseClient, me: LeaseHolder, work: () => Promise<T>, opts: Partial<LockOptions> = {}): Promise<T> {
  const o: LockOptions = { staleAfterSec: LOCK_STALE_AFTER_SEC, pollMs: 250, aliveHere: processAlive, onWait: () => {}, ...opts };
  let told = false;
  for (;;) {
    const found = await readLock(client);
    if (!found) {
      try {
        const comment = literal(JSON.stringify({ holder: me, renewedAt: new Date().toISOString(), ttlMs: o.staleAfterSec * 1_000 }));
        await client.command({ query: `CREATE TABLE ${LOCK} (holder String) ENGINE = Memory COMMENT ${comment}` });
        break;
      } catch (err) {
        if (codeOf(err) === TABLE_ALREADY_EXISTS) continue; // another process created it first
        throw err;
      }
    }
    if (decideLock(found, me, o.aliveHere, o.staleAfterSec) === 'take-over') {
      o.onWait(`taking over the schema-migration lock left by ${describeHolder(found.holder)} (${found.ageSec} s old)`);
      const aside = `${LOCK}_stale_${randomUUID().replace(/-/g, '')}`;
      try {
        await client.command({ query: `RENAME TABLE ${LOCK} TO ${aside}` });
      } catch (err) {
        if (codeOf(err) === UNKNOWN_TABLE) continue; // another process took it over first
        throw err;
      }
      await client.command({ query: `DROP TABLE IF EXISTS ${aside}` });
      continue;
    }
    if (!told) o.onWait(`waiting for another process's schema migration of this ClickHouse (${describeHolder(found.holder)})`);
    told = true;
    await new Promise((r) => setTimeout(r, o.pollMs));
  }
  try {
    return await work();
  } finally {
    // only its own: a holder too slow to keep it may have been taken over meanwhile
    const found = await readLock(client).catch(() => undefined);
    if (found?.holder?.instance === me.instance) await client.command({ query: `DROP TABLE IF EXISTS ${LOCK}` }).catch(() => undefined);
  }
}

/** `CREATE … IF NOT EXISTS` raced by another process can still say "already exists": that is success. */
export async function ifNotExists(run: Promise<unknown>): Promise<void> {
  try {
    await run;
  } catch (err) {
    if (codeOf(err) !== TABLE_ALREADY_EXISTS && codeOf(err) !== '82' /* DATABASE_ALREADY_EXISTS */) throw err;
  }
}
