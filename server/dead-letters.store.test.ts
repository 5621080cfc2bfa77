import { describe, expect, it } from 'vitest';
import { ClickHouseSink, type DeadLetter } from '../pipelines/sinks/clickhouse.ts';
import { migratedStoreForFile } from '../tests/helpers/temp-store.ts';
import { readDeadLetters, storedDeadLetters } from './dead-letters.ts';

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
