import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouseHttp, type TestClickHouseHttp } from '../tests/helpers/clickhouse-http.ts';
import { migrate, readMigrations } from './clickhouse.ts';
import { thisProcess, type LeaseHolder } from './lease-rules.ts';

// Two monitors started at once on a new ClickHouse database both applied sql/: one stopped with
// "Table complaints.ticket_events_v004 already exists" (or "does not exist": the other's first
// statement had dropped its copy). Against the server-mode stand-in (tests/helpers), a ClickHouse
// HTTP endpoint over the real engine in its own process, answering requests side by side.

let ch: TestClickHouseHttp;
const clients: ClickHouseClient[] = [];
const client = () => {
  const c = createClient({ url: ch.url, username: ch.user, password: ch.password });
  clients.push(c);
  return c;
};
const rows = async <T>(query: string) => (await (await clients[0]!.query({ query, format: 'JSONEachRow' })).json<T>());
const lockLeft = async () => (await rows<{ name: string }>("SELECT name FROM system.tables WHERE database = 'complaints' AND name LIKE 'schema_migrations_lock%'")).length;

beforeAll(async () => {
  ch = await startClickHouseHttp();
  client();
}, 60_000);
afterAll(async () => {
  for (const c of clients) await c.close();
  await ch?.cleanup();
});

describe('clickhouse migrations - two processes at once', () => {
  it('both start on a new database: one applies every file, the other waits and finds them applied', async () => {
    const waits: string[] = [];
    const [a, b] = await Promise.all([migrate(client(), undefined, thisProcess('/data/a'), (m) => waits.push(m)), migrate(client(), undefined, thisProcess('/data/b'), (m) => waits.push(m))]);
    const all = readMigrations().map((m) => m.name);
    expect([a, b].sort((x, y) => x.length - y.length)).toEqual([[], all]);
    expect(waits.some((w) => /waiting for another process's schema migration of this ClickHouse \(host .*, DATA_DIR \/data\/[ab], pid \d+/.test(w))).toBe(true);
    // the schema is the one a single run makes: the events table by year, no leftovers
    expect(await rows("SELECT name, partition_key FROM system.tables WHERE database = 'complaints' AND name LIKE 'ticket_events%'")).toEqual([{ name: 'ticket_events', partition_key: 'toYear(occurred_at)' }]);
    const versions = await rows<{ version: number; n: string }>('SELECT version, count() AS n FROM complaints.schema_migrations GROUP BY version');
    expect(versions).toHaveLength(all.length);
    expect(versions.every((v) => Number(v.n) === 1)).toBe(true);
    expect(await lockLeft()).toBe(0);
    expect(await migrate(client())).toEqual([]);
  }, 120_000);

  it('waits for a live holder of the lock, and takes over at once a lock its own crashed run left', async () => {
    const c = client();
    await c.command({ query: 'DROP TABLE complaints.weekly_reports' });
    await c.command({ query: 'ALTER TABLE complaints.schema_migrations DELETE WHERE version = 23' });
    const lock = (h: LeaseHolder) => c.command({ query: `CREATE TABLE complaints.schema_migrations_lock (holder String) ENGINE = Memory COMMENT '${JSON.stringify({ holder: h })}'` });

    // another process, alive, holds it: the migration waits until it is gone
    const other = { ...thisProcess('/data/other'), host: 'elsewhere' };
    await lock(other);
    let finished = false;
    const told: string[] = [];
    const waiting = migrate(client(), undefined, thisProcess('/data/a'), (m) => told.push(m)).then((names) => ((finished = true), names));
    while (!told.some((m) => m.startsWith('waiting for another process')) && !finished) await new Promise((r) => setTimeout(r, 50));
    expect(finished).toBe(false);
    await c.command({ query: 'DROP TABLE complaints.schema_migrations_lock' });
    expect(await waiting).toEqual(['023_weekly_reports.sql']);

    // this monitor's earlier run (same host and DATA_DIR, process gone) left it: taken over at once
    await c.command({ query: 'DROP TABLE complaints.weekly_reports' });
    await c.command({ query: 'ALTER TABLE complaints.schema_migrations DELETE WHERE version = 23' });
    const me = thisProcess('/data/a');
    await lock({ ...me, pid: 999_999, instance: 'crashed-run' });
    // at once: taken over on first sight, never waited for (not timed: a loaded machine is slow either way)
    const toldMe: string[] = [];
    expect(await migrate(client(), undefined, me, (m) => toldMe.push(m))).toEqual(['023_weekly_reports.sql']);
    expect(toldMe).toEqual([expect.stringMatching(/^taking over the schema-migration lock left by host .*, DATA_DIR \/data\/a, pid 999999,/)]);
    expect(await lockLeft()).toBe(0);
  }, 120_000);
});
