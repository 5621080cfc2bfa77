import type { ClickHouseClient } from '@clickhouse/client';
import { execFileSync } from 'node:child_process';
import { appendFileSync, closeSync, mkdtempSync, openSync, readdirSync, rmdirSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openClickHouse } from '../../server/clickhouse.ts';
import type { MaskedEvent } from '../model.ts';
import type { StoredEvent } from './clickhouse.ts';
import { eventsNative } from './clickhouse-native.ts';
import { eventsTsv } from './clickhouse-tsv.ts';
import { drainJournal, LiveJournal, settleBeforeReads, type JournalOptions } from './live-journal.ts';

// Against the real embedded engine and file system: rows written to the journal reach
// ticket_events, none is lost while a move runs or fails or the disk is full, and a journal a
// crash left behind (torn last write included) is moved at the next open.

function stored(i: number): StoredEvent {
  const event: MaskedEvent = {
    eventId: `j-${i}`,
    ticketId: `t-${i}`,
    kind: 'first_contact',
    occurredAt: '2026-03-01T10:00:00+08:00',
    occurredAtMs: Date.UTC(2026, 2, 1, 2) + i,
    branch: 'BJ',
    complaintType: 'mortgage_prepayment',
    reportedType: 'mortgage_prepayment',
    customerHash: 'h'.repeat(32),
    customerMasked: { name: '王*' },
    channel: 'phone',
    outcome: 'not_agreed',
    text: '提前还款',
    tags: {},
  };
  return { event, streamSeq: i, receivedAtMs: Date.now() };
}

const batch = (from: number, n: number) => Array.from({ length: n }, (_, k) => stored(from + k));

let dataDir: string;
let main: ClickHouseClient;

const journalDir = () => join(dataDir, 'live-journal');
const journalFiles = () => readdirSync(journalDir()).filter((f) => /\.(native|tsv)$/.test(f));

async function open(dir: string): Promise<void> {
  dataDir = dir;
  main = await openClickHouse({ dataDir });
  await migrate(main);
}
const distinctEvents = async () => {
  const rs = await main.query({ query: 'SELECT uniqExact(event_id) AS n, count() AS c FROM complaints.ticket_events', format: 'JSONEachRow' });
  const [r] = await rs.json<{ n: string; c: string }>();
  return { distinct: Number(r!.n), rows: Number(r!.c) };
};

function journal(opts: Partial<JournalOptions> = {}): LiveJournal {
  return LiveJournal.open(main, { moveEveryMs: 600_000, moveAtRows: 1_000_000, onMoveError: () => {}, ...opts })!;
}
const write = (j: LiveJournal, rows: StoredEvent[]) => j.write(rows.length, eventsNative(rows));

beforeAll(async () => open(mkdtempSync(join(tmpdir(), 'cewm-journal-'))));
afterAll(async () => {
  await main.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('live journal', () => {
  it('keeps written rows in its file until a move puts them in ticket_events, then removes the file', async () => {
    const before = (await distinctEvents()).distinct;
    const j = journal();
    await write(j, batch(0, 10));
    await write(j, batch(10, 5));
    expect(j.pending).toBe(15);
    expect(journalFiles()).toHaveLength(1);
    expect((await distinctEvents()).distinct).toBe(before);
    await j.settle();
    expect(j.pending).toBe(0);
    expect(journalFiles()).toEqual([]);
    expect(await distinctEvents()).toEqual({ distinct: before + 15, rows: before + 15 });
    await j.close();
  });

  it('takes live writes in a new file while the last one is moved, and loses none of them', async () => {
    const before = (await distinctEvents()).distinct;
    const j = journal();
    let next = 1_000;
    await write(j, batch(next, 500));
    next += 500;
    const settled = j.settle();
    const writes: Promise<void>[] = [];
    for (let k = 0; k < 20; k++, next += 7) writes.push(write(j, batch(next, 7)));
    await Promise.all([settled, ...writes]);
    // two readers at once: each sees everything written before it asked
    await Promise.all([j.settle(), j.settle()]);
    expect(j.pending).toBe(0);
    expect(journalFiles()).toEqual([]);
    expect((await distinctEvents()).distinct).toBe(before + 500 + 140);
    await j.close();
  });

  it('moves on its own after moveEveryMs, and at moveAtRows', async () => {
    const before = (await distinctEvents()).distinct;
    const timed = journal({ moveEveryMs: 200 });
    await write(timed, batch(5_000, 3));
    await expect.poll(() => timed.pending, { timeout: 5_000 }).toBe(0);
    expect((await distinctEvents()).distinct).toBe(before + 3);
    await timed.close();
    const sized = journal({ moveAtRows: 10 });
    await write(sized, batch(6_000, 12));
    await expect.poll(() => sized.pending, { timeout: 5_000 }).toBe(0);
    expect((await distinctEvents()).distinct).toBe(before + 15);
    await sized.close();
  });

  it('keeps the rows of a move that failed, takes writes meanwhile, and moves them all once the table is back', async () => {
    const before = (await distinctEvents()).distinct;
    const j = journal();
    await write(j, batch(7_000, 20));
    await main.command({ query: 'RENAME TABLE complaints.ticket_events TO complaints.ticket_events_away' });
    try {
      await expect(j.settle()).rejects.toThrow(/ticket_events/);
      await write(j, batch(7_100, 5));
      expect(j.pending).toBe(25);
      expect(journalFiles()).toHaveLength(2);
    } finally {
      await main.command({ query: 'RENAME TABLE complaints.ticket_events_away TO complaints.ticket_events' });
    }
    await j.settle();
    expect(j.pending).toBe(0);
    expect(journalFiles()).toEqual([]);
    expect((await distinctEvents()).distinct).toBe(before + 25);
    await j.close();
  });

  it('refuses writes once ClickHouse has refused the journal and it has grown, and takes them again after a move', async () => {
    const before = (await distinctEvents()).distinct;
    const j = journal({ moveAtRows: 10 });
    await main.command({ query: 'RENAME TABLE complaints.ticket_events TO complaints.ticket_events_away' });
    try {
      await write(j, batch(7_500, 25)); // at moveAtRows the journal starts a move, which fails
      await expect.poll(async () => write(j, batch(7_600, 1)).then(() => 'taken', (e: Error) => e.message), { timeout: 5_000 }).toMatch(
        /ClickHouse has not taken the live journal's \d+ rows/,
      );
    } finally {
      await main.command({ query: 'RENAME TABLE complaints.ticket_events_away TO complaints.ticket_events' });
    }
    await j.settle();
    await write(j, batch(7_700, 3));
    await j.settle();
    // the refused single rows are not in; at most a few taken before the move failed are
    const { distinct } = await distinctEvents();
    expect(distinct - before).toBeGreaterThanOrEqual(28);
    expect(j.pending).toBe(0);
    await j.close();
  });

  it('lets every read through the monitor’s client see what was written a moment ago', async () => {
    const j = journal();
    settleBeforeReads(main, j);
    await write(j, batch(8_000, 4));
    const rs = await main.query({ query: "SELECT count() AS n FROM complaints.ticket_events WHERE event_id LIKE 'j-800_'", format: 'JSONEachRow' });
    expect(Number((await rs.json<{ n: string }>())[0]!.n)).toBe(4);
    await j.close();
  });

  it('moves what a crash left in the journal at the next open, cutting a torn last write back to whole blocks', async () => {
    const before = (await distinctEvents()).distinct;
    // three files, as a crash during a move leaves them: one of TabSeparated rows from a monitor
    // of before the Native journal, the last write of each of the others cut short
    writeFileSync(join(journalDir(), '99.tsv'), eventsTsv(batch(8_900, 12)));
    const tornRow = eventsTsv(batch(8_950, 8));
    writeFileSync(join(journalDir(), '100.tsv'), tornRow.subarray(0, tornRow.lastIndexOf(0x0a, tornRow.length - 2) + 40));
    const whole = Buffer.concat([eventsNative(batch(9_000, 30)), eventsNative(batch(9_100, 20))]);
    const tornBlock = eventsNative(batch(9_200, 5));
    writeFileSync(join(journalDir(), '101.native'), Buffer.concat([whole, tornBlock.subarray(0, tornBlock.length - 3)]));
    await main.close();
    await open(dataDir); // migrate drains
    expect(journalFiles()).toEqual([]);
    expect((await distinctEvents()).distinct).toBe(before + 12 + 7 + 50);
    expect(await drainJournal(main)).toBe(0);
    // and the next journal does not reuse a name
    const j = journal();
    await write(j, batch(9_500, 2));
    await j.settle();
    expect((await distinctEvents()).distinct).toBe(before + 12 + 7 + 52);
    await j.close();
  });
});

describe('live journal on a full disk', () => {
  it('refuses the write with the file system’s error, keeps the file whole, and takes writes again once there is space', async (ctx) => {
    const mount = mkdtempSync(join(tmpdir(), 'cewm-journal-full-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mount], { stdio: 'pipe' });
    } catch (err) {
      rmdirSync(mount);
      ctx.skip(`cannot mount a small tmpfs here (${String((err as Error).message).trim()}); needs root`);
    }
    const previous = dataDir;
    await main.close();
    try {
      await open(join(mount, 'data'));
      const j = journal();
      await write(j, batch(20_000, 50));
      const filler = join(mount, 'filler');
      const fd = openSync(filler, 'w');
      try {
        for (;;) writeSync(fd, Buffer.alloc(64 * 1024));
      } catch {
        // full
      }
      try {
        for (;;) writeSync(fd, Buffer.alloc(512));
      } catch {
        // full to the last block
      }
      closeSync(fd);
      await expect(write(j, batch(20_100, 2_000))).rejects.toThrow(/ENOSPC|space/);
      expect(j.pending).toBe(50);
      unlinkSync(filler);
      await write(j, batch(20_100, 2_000));
      await j.settle();
      expect(await distinctEvents()).toEqual({ distinct: 2_050, rows: 2_050 });
      await j.close();
      await main.close();
    } finally {
      execFileSync('umount', ['-l', mount]);
      rmSync(mount, { recursive: true, force: true });
      await open(previous);
    }
  });
});
