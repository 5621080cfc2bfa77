import type { ClickHouseClient } from '@clickhouse/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openClickHouse } from '../../server/clickhouse.ts';
import { nastyEvent as event } from '../../tests/helpers/nasty-events.ts';
import { ClickHouseSink, eventRow, type StoredEvent } from './clickhouse.ts';
import { eventsNative, NativeWriter, wholeNativeBlocks } from './clickhouse-native.ts';
import { EVENT_COLUMNS } from './clickhouse-tsv.ts';
import { LiveJournal } from './live-journal.ts';

// The live journal's Native blocks against the real embedded engine: every value comes back as
// the JSON rows stored it, and a block cut short anywhere is recognised as such.

const dir = mkdtempSync(join(tmpdir(), 'cewm-native-'));
let ch: ClickHouseClient;
let journal: LiveJournal;
let sink: ClickHouseSink;

beforeAll(async () => {
  ch = await openClickHouse({ dataDir: join(dir, 'clickhouse') });
  await migrate(ch);
  journal = LiveJournal.open(ch, { moveEveryMs: 600_000, moveAtRows: 1_000_000, onMoveError: () => {} })!;
  sink = new ClickHouseSink(ch, journal);
});
afterAll(async () => {
  await journal.close();
  await ch.close();
  rmSync(dir, { recursive: true, force: true });
});

async function roundTrip(batch: StoredEvent[]): Promise<Record<string, unknown>[]> {
  await sink.writeBatch(batch, []);
  expect(journal.pending).toBeGreaterThanOrEqual(batch.length);
  await journal.settle();
  const rs = await ch.query({
    query: `SELECT ${EVENT_COLUMNS.join(', ')} FROM complaints.ticket_events WHERE event_id IN {ids:Array(String)} ORDER BY stream_seq`,
    query_params: { ids: batch.map((b) => b.event.eventId) },
    format: 'JSONEachRow',
  });
  return rs.json<Record<string, unknown>>();
}

describe('clickhouse-native - round trip through the live journal and the real engine', () => {
  it('every column comes back exactly (tabs, newlines, backslashes, quotes, Chinese, emoji, NULLs, maps)', async () => {
    const batch = Array.from({ length: 66 }, (_, i) => event(i));
    expect(await roundTrip(batch)).toEqual(batch.map(eventRow));
  });

  it('strings on both sides of the one-byte length (127/128 bytes), long Chinese text, the largest safe sequence', async () => {
    const batch = [
      event(100, { eventId: 'a'.repeat(127), text: 'b'.repeat(128) }),
      event(101, { eventId: `${'c'.repeat(126)}中`, text: '长文本'.repeat(3_000) }),
      event(102, { eventId: '中'.repeat(43), ticketId: '😀'.repeat(40), text: '' }),
      event(103, { tags: Object.fromEntries(Array.from({ length: 300 }, (_, k) => [`k${k}`, '值'.repeat(k)])) }),
      { ...event(104), streamSeq: 9_007_199_254_740_991 },
    ];
    expect(await roundTrip(batch)).toEqual(batch.map(eventRow));
  });

  it('times of any era come back to the millisecond', async () => {
    const times = [Date.UTC(1969, 11, 31, 23, 59, 59, 500), Date.UTC(1900, 0, 1, 0, 0, 0, 1), 0, Date.UTC(2001, 8, 9, 1, 46, 39, 999), Date.UTC(2099, 11, 31, 23, 59, 59, 990)];
    const batch = times.map((ms, i) => ({ ...event(700 + i, { occurredAtMs: ms }), receivedAtMs: ms + 1 }));
    await roundTrip(batch);
    const rs = await ch.query({
      query: 'SELECT toUnixTimestamp64Milli(occurred_at) AS at, toUnixTimestamp64Milli(received_at) AS got FROM complaints.ticket_events WHERE event_id IN {ids:Array(String)} ORDER BY stream_seq',
      query_params: { ids: batch.map((b) => b.event.eventId) },
      format: 'JSONEachRow',
    });
    const back = await rs.json<{ at: string; got: string }>();
    expect(back.map((r) => Number(r.at))).toEqual(times);
    expect(back.map((r) => Number(r.got))).toEqual(times.map((t) => t + 1));
  });

  it('several blocks in one file are one move', async () => {
    const a = Array.from({ length: 5 }, (_, i) => event(800 + i));
    const b = Array.from({ length: 7 }, (_, i) => event(900 + i));
    const movedBefore = journal.moved;
    await sink.writeBatch(a, []);
    expect(journal.pending).toBe(5);
    expect(await roundTrip(b)).toEqual(b.map(eventRow));
    expect(journal.moved).toBe(movedBefore + 1);
    const rs = await ch.query({ query: "SELECT count() AS n FROM complaints.ticket_events WHERE event_id LIKE 'e-8__-%'", format: 'JSONEachRow' });
    expect(Number((await rs.json<{ n: string }>())[0]!.n)).toBe(5);
  });

  it('batches written at once each land whole, though the sink reuses its block buffer', async () => {
    const batches = Array.from({ length: 4 }, (_, k) => Array.from({ length: 3 + k * 50 }, (_, i) => event(2_000 + k * 1_000 + i)));
    await Promise.all(batches.map((b) => sink.writeBatch(b, [])));
    await sink.writeBatch(batches[0]!.map((e) => event(9_000 + e.streamSeq)), []); // the kept buffer, again
    await journal.settle();
    for (const b of [...batches, batches[0]!.map((e) => event(9_000 + e.streamSeq))]) {
      const rs = await ch.query({
        query: `SELECT ${EVENT_COLUMNS.join(', ')} FROM complaints.ticket_events WHERE event_id IN {ids:Array(String)} ORDER BY stream_seq`,
        query_params: { ids: b.map((e) => e.event.eventId) },
        format: 'JSONEachRow',
      });
      expect(await rs.json()).toEqual(b.map(eventRow));
    }
  });
});

describe('clickhouse-native - whole blocks', () => {
  it('an empty batch is no block', () => {
    expect(eventsNative([]).length).toBe(0);
  });

  it('a reused writer gives the bytes a fresh one does, whatever it held before', () => {
    const writer = new NativeWriter(0);
    const big = Array.from({ length: 40 }, (_, i) => event(i));
    const small = Array.from({ length: 3 }, (_, i) => event(100 + i));
    const fresh = Buffer.from(eventsNative(small));
    expect(Buffer.from(eventsNative(big, writer))).toEqual(Buffer.from(eventsNative(big)));
    expect(Buffer.from(eventsNative(small, writer))).toEqual(fresh);
  });

  it('a block after one whose long texts outgrew the kept column buffers is what a first block would be', () => {
    const small = [event(1, { text: '短' }), event(2, { tags: { a: 'b' } }), event(3)];
    const first = Buffer.from(eventsNative(small));
    const long = Array.from({ length: 300 }, (_, i) => event(200 + i, { text: '长'.repeat(20_000) }));
    expect(eventsNative(long).length).toBeGreaterThan(300 * 60_000);
    expect(Buffer.from(eventsNative(small))).toEqual(first);
  });

  it('finds the end of the last whole block wherever a write was cut', () => {
    const blocks = [eventsNative([event(1), event(2)]), eventsNative([event(3)]), eventsNative(Array.from({ length: 11 }, (_, i) => event(10 + i)))];
    const file = Buffer.concat(blocks);
    const ends = [0, blocks[0]!.length, blocks[0]!.length + blocks[1]!.length, file.length];
    for (let cut = 0; cut <= file.length; cut++) {
      const whole = wholeNativeBlocks(file.subarray(0, cut));
      expect(whole).toBe(Math.max(...ends.filter((e) => e <= cut)));
    }
  });
});
