import { describe, expect, it } from 'vitest';
import { chTime, chTimeMs } from './clickhouse-time.ts';

describe('sinks - ClickHouse time text', () => {
  it('writes UTC with milliseconds and reads it back to the same instant', () => {
    const ms = Date.parse('2026-03-01T10:00:00.123+08:00');
    expect(chTime(ms)).toBe('2026-03-01 02:00:00.123');
    expect(chTimeMs(chTime(ms))).toBe(ms);
    expect(chTimeMs('2026-12-31 23:59:59.999')).toBe(Date.parse('2026-12-31T23:59:59.999Z'));
  });
});
