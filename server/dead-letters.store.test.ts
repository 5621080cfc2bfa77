import { describe, expect, it } from 'vitest';
import { ClickHouseSink, type DeadLetter } from '../pipelines/sinks/clickhouse.ts';
import { migratedStoreForFile } from '../tests/helpers/temp-store.ts';
import { readDeadLetters, storedDeadLetters, summarizeDeadLetters } from './dead-letters.ts';

// Verify CD F4: a dead letter stored before sql/035 (stream_created 1970) and dead-lettered again
// after the upgrade (a redelivery) was two rows, and /api/dead-letters and health counted it twice.

const store = migratedStoreForFile('cewm-dead-letters-');
const letter = (streamSeq: number, streamCreatedMs: number, payload: string): DeadLetter =>
  ({ rejection: { code: 'invalid_json', reason: 'body is not valid JSON', payload }, subject: 'complaints.tickets.BJ', streamSeq, streamCreatedMs, receivedAtMs: Date.parse('2026-11-28T01:00:00Z') + streamSeq });

describe('dead letters - each once across the upgrade that keyed them by the stream\'s making', () => {
  it('a row from before it and the same message after it are one; a new message at a reused sequence is another', async () => {
    const sink = new ClickHouseSink(store.ch);
    const made = Date.parse('2026-11-01T00:00:00Z');
    await sink.writeBatch([], [letter(1, 0, '{"a"'), letter(2, 0, '{"b"')]); // before sql/035
    await sink.writeBatch([], [letter(1, made, '{"a"'), letter(1, made, '{"a"')]); // redelivered after it, twice
    await sink.writeBatch([], [letter(2, made + 1, '{"c"')]); // a stream made anew: another message at 2
    const { total, items } = await readDeadLetters(store.ch, 'Asia/Shanghai', 100, 0);
    expect(total).toBe(3);
    expect(items.map((d) => `${d.streamSeq} ${d.payload}`).sort()).toEqual(['1 {"a"', '2 {"b"', '2 {"c"']);
    expect((await storedDeadLetters(store.ch)).count).toBe(3);
  });
});

// Audit CI C2: a reason may quote the event (a tag key, a stage's or the store's error message):
// it is stored masked, and one kept in clear before that is masked on the way out.
describe('dead letters - reasons keep no personal number or e-mail in clear', () => {
  it('stored masked by the sink; an old row in clear is masked when read', async () => {
    const sink = new ClickHouseSink(store.ch);
    const at = Date.parse('2026-11-28T02:00:00Z');
    const said = (streamSeq: number, reason: string): DeadLetter => ({ rejection: { code: 'stage_error', reason, payload: '' }, subject: 'complaints.tickets.SH', streamSeq, streamCreatedMs: at, receivedAtMs: at + streamSeq });
    await sink.writeBatch([], [said(101, 'processing failed: bad tag 13912345640 of zhang.wei88@example.com')]);
    const old = { received_at: '2026-11-28 02:00:00.200', code: 'schema', reason: '/tags/13912345641: must be string', subject: 'complaints.tickets.SH', stream_seq: 102, stream_created: '2026-11-28 02:00:00.000', payload: '' };
    await store.ch.insert({ table: 'complaints.dead_letters', values: [old], format: 'JSONEachRow' });
    const stored = await (await store.ch.query({ query: 'SELECT reason FROM complaints.dead_letters WHERE stream_seq = 101', format: 'JSONEachRow' })).json<{ reason: string }>();
    expect(stored).toEqual([{ reason: 'processing failed: bad tag 139****5640 of z***@example.com' }]);
    const { items } = await readDeadLetters(store.ch, 'Asia/Shanghai', 100, 0);
    const reasons = items.filter((d) => d.streamSeq > 100).map((d) => d.reason).sort();
    expect(reasons).toEqual(['/tags/139****5641: must be string', 'processing failed: bad tag 139****5640 of z***@example.com']);
    const summary = await summarizeDeadLetters(store.ch, 'Asia/Shanghai', 24 * 365 * 10, at + 1_000);
    expect(JSON.stringify(summary)).not.toMatch(/13912345640|13912345641|zhang\.wei88/);
  });
});
