import { createClient } from '@clickhouse/client';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPOOL_MIN_BYTES } from '../../server/clickhouse.ts';
import type { MaskedEvent } from '../model.ts';
import { nastyEvent as event } from '../../tests/helpers/nasty-events.ts';
import { ClickHouseSink, eventRow, type StoredEvent } from './clickhouse.ts';
import { EVENT_COLUMNS, eventTsvRow, eventsTsv, tsvInserter, tsvMap, tsvString } from './clickhouse-tsv.ts';
import { migratedStoreForFile } from '../../tests/helpers/temp-store.ts';

// Against the real embedded engine: every value the JSON rows carried comes back the same from
// the TabSeparated rows, through the raw insert (embedded) and the client's insert (server path).

const store = migratedStoreForFile('cewm-tsv-');

async function readBack(ids: string[]): Promise<Record<string, unknown>[]> {
  const rs = await store.ch.query({
    query: `SELECT ${EVENT_COLUMNS.join(', ')} FROM complaints.ticket_events WHERE event_id IN {ids:Array(String)} ORDER BY stream_seq`,
    query_params: { ids },
    format: 'JSONEachRow',
  });
  return rs.json<Record<string, unknown>>();
}

/** The row the JSON path stored. */
function expected(s: StoredEvent): Record<string, unknown> {
  return eventRow(s);
}

describe('clickhouse-tsv - encoding', () => {
  it('escapes only what TabSeparated needs', () => {
    expect(tsvString('plain 中文')).toBe('plain 中文');
    expect(tsvString('a\tb\nc\\d\re\0')).toBe('a\\tb\\nc\\\\d\\re\\0');
    expect(tsvMap(undefined)).toBe('{}');
    expect(tsvMap({ "a'b": 'c\td' })).toBe("{'a\\'b':'c\\td'}");
  });

  it('grows its buffer past the first guess (long Chinese text)', () => {
    const long = Array.from({ length: 50 }, (_, i) => event(i, { text: '长文本'.repeat(2_000 + i) }));
    expect(eventsTsv(long).toString('utf8')).toBe(long.map(eventTsvRow).join(''));
  });

  it('writes field by field exactly what the row-at-a-time reference writes', () => {
    const rows = Array.from({ length: 200 }, (_, i) =>
      event(i, i % 9 === 4 ? { occurredAtMs: -86_400_000 + i } : i % 9 === 5 ? { occurredAtMs: 999_999_999_999 } : {}),
    );
    rows.push({ ...event(3), receivedAtMs: 1_000_000_000_000 }, { ...event(4), streamSeq: 9_007_199_254_740_991 });
    // long ASCII with escapes, ASCII turning into Chinese and emoji mid-field, at both sides of 64 units
    for (const id of ['a\t\\'.repeat(30), `${'x'.repeat(63)}\n中`, `${'y'.repeat(10)}\0😀\t`, '\r'.repeat(65)]) rows.push(event(5, { eventId: id, branch: id }));
    expect(eventsTsv(rows).toString('utf8')).toBe(rows.map(eventTsvRow).join(''));
  });

  it('writes one line per event', () => {
    const body = eventsTsv([event(1), event(2)]).toString('utf8');
    expect(body.split('\n')).toHaveLength(3);
    expect(body.split('\n')[0]!.split('\t')).toHaveLength(EVENT_COLUMNS.length);
  });
});

describe('clickhouse-tsv - round trip through the real engine', () => {
  it('times of any era come back to the millisecond', async () => {
    const times = [Date.UTC(1969, 11, 31, 23, 59, 59, 500), Date.UTC(1970, 0, 1, 0, 0, 1, 7), Date.UTC(2001, 8, 9, 1, 46, 39, 999), 1e12, Date.UTC(2025, 0, 1, 0, 0, 0, 1), Date.UTC(2099, 11, 31, 23, 59, 59, 990)];
    const batch = times.map((ms, i) => event(700 + i, { occurredAtMs: ms }));
    await new ClickHouseSink(store.ch).writeBatch(batch, []);
    const rs = await store.ch.query({
      query: 'SELECT toUnixTimestamp64Milli(occurred_at) AS ms FROM complaints.ticket_events WHERE event_id IN {ids:Array(String)} ORDER BY stream_seq',
      query_params: { ids: batch.map((b) => b.event.eventId) },
      format: 'JSONEachRow',
    });
    expect((await rs.json<{ ms: string }>()).map((r) => Number(r.ms))).toEqual(times);
  });

  it('raw insert: every column comes back exactly (tabs, newlines, backslashes, quotes, Chinese, NULLs, maps)', async () => {
    const batch = Array.from({ length: 66 }, (_, i) => event(i));
    await new ClickHouseSink(store.ch).writeBatch(batch, []);
    const rows = await readBack(batch.map((b) => b.event.eventId));
    expect(rows).toEqual(batch.map(expected));
  });

  it('a large batch goes to the engine through a file: every column comes back exactly, and the file is removed', async () => {
    const batch = Array.from({ length: 400 }, (_, i) => event(3000 + i, { text: `${'长文本\t\n'.repeat(400)}${i}` }));
    expect(eventsTsv(batch).byteLength).toBeGreaterThanOrEqual(SPOOL_MIN_BYTES);
    await new ClickHouseSink(store.ch).writeBatch(batch, []);
    expect(await readBack(batch.map((b) => b.event.eventId))).toEqual(batch.map(expected));
    expect(readdirSync(join(store.dir, 'clickhouse', 'insert-spool'))).toEqual([]);
  });

  it('a large insert the engine refuses fails with its message and leaves no file', async () => {
    const batch = Array.from({ length: 400 }, (_, i) => event(4000 + i, { text: 'x'.repeat(3_000) }));
    const insert = tsvInserter(store.ch);
    await expect(insert({ table: 'complaints.no_such_table', columns: EVENT_COLUMNS, body: eventsTsv(batch) })).rejects.toThrow(/no_such_table/);
    expect(readdirSync(join(store.dir, 'clickhouse', 'insert-spool'))).toEqual([]);
  });

  it("the client's ordinary insert (server mode) reads the same body the same way", async () => {
    const batch = Array.from({ length: 33 }, (_, i) => event(500 + i));
    // a client with no raw inserter registered takes the path a ClickHouse server gets
    const plain = createClient({ connection: (store.ch as unknown as { connection: never }).connection } as Parameters<typeof createClient>[0]);
    const insert = tsvInserter(plain);
    await insert({ table: 'complaints.ticket_events', columns: EVENT_COLUMNS, body: eventsTsv(batch) });
    const rows = await readBack(batch.map((b) => b.event.eventId));
    expect(rows).toEqual(batch.map(expected));
  });

  it('a failed raw insert rejects (nothing would be acked)', async () => {
    const bad = event(900, { kind: 'x\tbroken' as MaskedEvent['kind'] });
    await expect(new ClickHouseSink(store.ch).writeBatch([bad], [])).rejects.toThrow();
  });
});
