import type { ClickHouseClient } from '@clickhouse/client';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseSink, type StoredEvent } from '../pipelines/sinks/clickhouse.ts';
import { migrate, openClickHouse, SQL_DIR } from './clickhouse.ts';

// A data directory from before sql/004 (ticket_events partitioned by month, the analyst views on
// it) is migrated at start: the events stay, the views keep working, the partition key is the year.

const dir = mkdtempSync(join(tmpdir(), 'cewm-migrate-'));
let ch: ClickHouseClient;

function stored(i: number, month: number): StoredEvent {
  return {
    event: {
      eventId: `m-${i}`,
      ticketId: `T${i}`,
      kind: 'first_contact',
      occurredAt: '',
      occurredAtMs: Date.UTC(2025, month, 10, 2),
      branch: 'BJ',
      complaintType: 'credit_card',
      reportedType: 'credit_card',
      customerHash: `c${i % 7}`,
      customerMasked: {},
      outcome: 'not_agreed',
    },
    streamSeq: i,
    receivedAtMs: Date.UTC(2025, 11, 31),
  };
}

const count = async (query: string) => {
  const rs = await ch.query({ query, format: 'JSONEachRow' });
  return Number(((await rs.json<{ n: string }>())[0] as { n: string }).n);
};
const partitionKey = async () => {
  const rs = await ch.query({
    query: "SELECT partition_key FROM system.tables WHERE database = 'complaints' AND name = 'ticket_events'",
    format: 'JSONEachRow',
  });
  return (await rs.json<{ partition_key: string }>())[0]?.partition_key;
};

beforeAll(async () => {
  ch = await openClickHouse({ dataDir: join(dir, 'clickhouse') });
  // the schema as it was before 004
  const before = join(dir, 'sql-before');
  mkdirSync(before);
  const newer = ['004_', '005_'];
  for (const f of readdirSync(SQL_DIR)) if (/^\d{3}_.+\.sql$/.test(f) && !newer.some((p) => f.startsWith(p))) copyFileSync(join(SQL_DIR, f), join(before, f));
  await migrate(ch, before);
});
afterAll(async () => {
  await ch.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('clickhouse migrations - 004 ticket_events by year', () => {
  it('keeps an existing data directory: events copied, views working, partitioned by year', async () => {
    expect(await partitionKey()).toBe('toYYYYMM(occurred_at)');
    const events = Array.from({ length: 240 }, (_, i) => stored(i, i % 12));
    const sink = new ClickHouseSink(ch);
    await sink.writeBatch(events, []);
    await sink.writeBatch(events.slice(0, 30), []); // a redelivered copy, not merged yet
    expect(await count('SELECT count() AS n FROM complaints.first_contacts')).toBe(240);

    expect(await migrate(ch)).toEqual(['004_ticket_events_by_year.sql', '005_part_cleanup.sql']);
    expect(await partitionKey()).toBe('toYear(occurred_at)');
    expect(await count('SELECT uniqExact(event_id) AS n FROM complaints.ticket_events')).toBe(240);
    expect(await count('SELECT count() AS n FROM complaints.events_dedup')).toBe(240);
    expect(await count('SELECT count() AS n FROM complaints.first_contacts')).toBe(240);
    expect(await count("SELECT count() AS n FROM system.tables WHERE database = 'complaints' AND name LIKE 'ticket_events_v004%'")).toBe(0);

    // new writes land in the new table and fold with the copied ones
    await sink.writeBatch(events.slice(0, 10), []);
    expect(await count('SELECT count() AS n FROM complaints.events_dedup')).toBe(240);
    expect(await migrate(ch)).toEqual([]);
  });
});

describe('clickhouse migrations - 005 part cleanup', () => {
  it('cleans outdated parts every second on the tables the pipeline inserts into', async () => {
    for (const table of ['ticket_events', 'dead_letters', 'counter_changes']) {
      const rs = await ch.query({
        query: `SELECT engine_full FROM system.tables WHERE database = 'complaints' AND name = {table:String}`,
        query_params: { table },
        format: 'JSONEachRow',
      });
      const [{ engine_full }] = (await rs.json<{ engine_full: string }>()) as [{ engine_full: string }];
      expect(engine_full).toContain('cleanup_delay_period = 1');
      expect(engine_full).toContain('max_cleanup_delay_period = 1');
    }
  });
});
