import { describe, expect, it } from 'vitest';
import { SPOOL_MIN_BYTES } from '../clickhouse.ts';
import { type logRow, writeLog } from './store.ts';
import { migratedStoreForFile } from '../../tests/helpers/temp-store.ts';

// The audit rows through the embedded engine and back, field for field: what the TabSeparated
// writer escapes (backslash, tab, newline, CR, NUL), quotes and JSON inside a field, Chinese,
// slices small enough to go inline and one large enough to go through a file.

type Row = ReturnType<typeof logRow>;
const store = migratedStoreForFile('cewm-alertlog-');

const NASTY = ['tab\there', 'new\nline', 'back\\slash', 'cr\rhere', 'nul\0here', `quote " and ' both`, '客户不同意 \\N', '\\', '', '{"a":"b\\"c"}'];

function row(i: number, snapshot: string): Row {
  const nasty = NASTY[i % NASTY.length]!;
  return {
    logged_at: '2026-11-26 10:00:00.123',
    seq: 1_795_000_000_000_000 + i,
    at: '2026-11-26 09:59:59.001',
    plan_year: 2026,
    alert_id: `case:insurance_dispute:T${i}`,
    entry_id: `e${i}`,
    kind: 'case',
    complaint_type: 'insurance_dispute',
    scope: 'BJ-CY',
    ticket_id: `T${i}`,
    what: 'opened',
    actor: i % 3 === 0 ? '' : `张${i}`,
    reason: nasty,
    before: '',
    after: 'breach',
    status: 'open',
    level: 'breach',
    detail: JSON.stringify({ note: nasty }),
    snapshot,
  } as Row;
}

describe('alert log through the engine', () => {
  it('reads back every field as written, inline and through a file', async () => {
    const small = Array.from({ length: 200 }, (_, i) => row(i, JSON.stringify({ id: i, text: NASTY[i % NASTY.length], history: [{ what: 'opened' }] })));
    const big = [row(1_000, JSON.stringify({ id: 1_000, pad: '监'.repeat(SPOOL_MIN_BYTES) }))]; // > 1 MB: its own slice, through a file
    await writeLog(store.ch, [...small, ...big]);
    const rs = await store.ch.query({ query: 'SELECT * FROM complaints.alert_log ORDER BY toUInt32(substring(entry_id, 2))', format: 'JSONEachRow' });
    const back = (await rs.json<Row>()).map((r) => ({ ...r, plan_year: Number(r.plan_year), seq: Number(r.seq) }));
    expect(back).toHaveLength(201);
    expect(back).toEqual([...small, ...big]);
  });
});
