import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertRecord, HistoryEntry } from '../../pipelines/rules/index.ts';
import { migrate, openClickHouse, SQL_DIR } from '../clickhouse.ts';
import { loadRecords, LogSequence, logRow, writeLog } from './store.ts';

// What a restart restores of the people's side: the snapshot written last, also when two rows of
// one alert share their millisecond (two people acting at once; an action and a rule line of the
// same tick). Entry ids are what the engine gives actions (random), so the rows of one
// millisecond sort either way in the table; half the alerts are made to sort each way.
// The store is one from before sql/025 (alert_log without seq), with a row in it, migrated.

const dir = mkdtempSync(join(tmpdir(), 'cewm-alertrestore-'));
let ch: ClickHouseClient;

const OLD_ID = 'case.before-025';

beforeAll(async () => {
  ch = await openClickHouse({ dataDir: join(dir, 'clickhouse') });
  const before = join(dir, 'sql-before');
  mkdirSync(before);
  // the files a store had before 025 (later ones, such as views reading seq, came after it)
  for (const f of readdirSync(SQL_DIR)) if (/^\d{3}_.+\.sql$/.test(f) && Number(f.slice(0, 3)) < 25) copyFileSync(join(SQL_DIR, f), join(before, f));
  await migrate(ch, before);
  const old = logRow(record(OLD_ID, ['A']), note(OLD_ID, `${OLD_ID}/note/z`, 'A'), YEAR, SAME_MS);
  await ch.insert({ table: 'complaints.alert_log', values: [{ ...old, seq: undefined }], format: 'JSONEachRow' });
  expect((await migrate(ch))[0]).toBe('025_alert_log_seq.sql');
});
afterAll(async () => {
  await ch.close();
  rmSync(dir, { recursive: true, force: true });
});

const YEAR = 2026;
const SAME_MS = Date.UTC(2026, 10, 27, 4, 31, 0, 123);

function record(id: string, notes: string[]): AlertRecord {
  return {
    id,
    kind: 'case',
    complaintType: 'ins',
    scope: 'GZ',
    level: 'breach',
    openedAtMs: SAME_MS - 60_000,
    ticketId: id.slice(5),
    history: notes.map((who) => ({ id: `${id}/note/${who}`, atMs: SAME_MS, what: 'note', by: who })),
    status: 'open',
    raisedAtMs: SAME_MS - 60_000,
    onCall: { level: 1, round: 0, sinceMs: SAME_MS - 60_000, notify: [] },
    // a field only the snapshot carries: which row's snapshot was read back
    assignee: notes.join(','),
  };
}

const note = (id: string, entryId: string, by: string): HistoryEntry => ({ id: entryId, atMs: SAME_MS, what: 'note', by });
const notesOf = (r: AlertRecord | undefined) => r?.history.map((h) => h.by);

describe('alert log restore - the last-written snapshot per alert', () => {
  it('takes the later of two snapshots written in the same millisecond, whichever way their entries sort', async () => {
    const ids = Array.from({ length: 80 }, (_, i) => `case.same-ms-${i}`);
    const together: Array<ReturnType<typeof logRow>> = [];
    for (const [i, id] of ids.entries()) {
      const [first, second] = i % 2 === 0 ? ['z-first', 'a-second'] : ['a-first', 'z-second'];
      const rowA = logRow(record(id, ['A']), note(id, `${id}/note/${first}`, 'A'), YEAR, SAME_MS);
      const rowB = logRow(record(id, ['A', 'B']), note(id, `${id}/note/${second}`, 'B'), YEAR, SAME_MS);
      if (i % 4 < 2) together.push(rowA, rowB);
      else {
        // answered one after the other: one insert each
        await writeLog(ch, [rowA]);
        await writeLog(ch, [rowB]);
      }
    }
    await writeLog(ch, together);
    const restored = new Map((await loadRecords(ch, YEAR)).map((r) => [r.id, r]));
    const lost = ids.filter((id) => notesOf(restored.get(id))?.join() !== 'A,B' || restored.get(id)?.assignee !== 'A,B');
    expect(lost).toEqual([]);
  });

  it('keeps the rows written before the column existed, and puts a later row of the same millisecond after them', async () => {
    expect(notesOf((await loadRecords(ch, YEAR)).find((r) => r.id === OLD_ID))).toEqual(['A']);
    await writeLog(ch, [logRow(record(OLD_ID, ['A', 'B']), note(OLD_ID, `${OLD_ID}/note/a`, 'B'), YEAR, SAME_MS)]);
    expect(notesOf((await loadRecords(ch, YEAR)).find((r) => r.id === OLD_ID))).toEqual(['A', 'B']);
  });

  it('takes the snapshot of the later run when a restart writes in the same millisecond as the run before', async () => {
    const id = 'case.restart-same-ms';
    const before = new LogSequence();
    for (let i = 0; i < 1_000; i++) before.next(); // a burst at the end of the earlier run
    await writeLog(ch, [logRow(record(id, ['A']), note(id, `${id}/note/z`, 'A'), YEAR, SAME_MS, before.next())]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const after = new LogSequence(); // the next run
    await writeLog(ch, [logRow(record(id, ['A', 'B']), note(id, `${id}/note/a`, 'B'), YEAR, SAME_MS, after.next())]);
    const restored = (await loadRecords(ch, YEAR)).find((r) => r.id === id);
    expect(notesOf(restored)).toEqual(['A', 'B']);
  });
});

// Audit W F1: every row's snapshot held the alert's whole history, so the log grew with the
// square of a history. A row keeps the record with its rule lines; the other lines are rows of
// their own, read back at the restore.
describe('alert log restore - the history from the rows', () => {
  it('a row\'s snapshot does not grow with the alert\'s lines, and the restore gives the whole history back', async () => {
    const id = 'case.long-history';
    const derived: HistoryEntry[] = [
      { id: `${id}/opened/1000`, atMs: SAME_MS - 50_000, what: 'opened', level: 'watch', detail: { eventId: 'e-1' } },
      { id: `${id}/case-escalated/2000/e-2`, atMs: SAME_MS - 40_000, what: 'case-escalated', detail: { eventId: 'e-2', escalation: 'mediation' } },
    ];
    let r: AlertRecord = { ...record(id, []), history: [...derived] };
    const rows = [logRow(r, derived[0]!, YEAR, SAME_MS), logRow(r, derived[1]!, YEAR, SAME_MS)];
    for (let i = 0; i < 60; i++) {
      const line: HistoryEntry = i % 3 === 0
        ? { id: `${id}/amended/${SAME_MS + i}/lines`, atMs: SAME_MS + i, what: 'amended', reason: 'late event', before: `opened ${i}`, after: `opened ${i + 1}` }
        : { id: `${id}/note/${i}`, atMs: SAME_MS + i, what: 'note', by: `王${i}`, detail: { text: `备注 ${i}` } };
      r = { ...r, history: [...r.history, line] };
      rows.push(logRow(r, line, YEAR, SAME_MS + i));
    }
    // a manual resolution is a person's line, though its word is a rule's too
    const manual: HistoryEntry = { id: `${id}/resolve/x`, atMs: SAME_MS + 100, what: 'resolved', by: '李值班', before: 'open/breach', after: 'resolved/breach', detail: { note: '电话已处理' } };
    r = { ...r, status: 'resolved', resolution: 'manual', resolvedAtMs: SAME_MS + 100, history: [...r.history, manual] };
    rows.push(logRow(r, manual, YEAR, SAME_MS + 100));
    expect(new Set(rows.slice(2, -1).map((row) => row.snapshot.length)).size).toBe(1);
    expect(rows.at(-1)!.snapshot).not.toContain('王5');
    await writeLog(ch, rows);
    const restored = (await loadRecords(ch, YEAR)).find((x) => x.id === id)!;
    expect(restored.history).toEqual(r.history);
    expect(restored).toMatchObject({ status: 'resolved', resolution: 'manual', resolvedAtMs: SAME_MS + 100 });
  });
});
