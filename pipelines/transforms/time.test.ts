import { describe, expect, it } from 'vitest';
import { parseDateTime } from './time.ts';

describe('transforms - parseDateTime', () => {
  it('answers each input by itself, repeated or alternating (the last answer is reused)', () => {
    const a = '2025-03-01T10:00:00+08:00';
    const b = '2025-03-01T10:00:00Z';
    const c = '2025-03-01T10:00:00';
    const d = '2025-02-30T10:00:00Z';
    const expected: Record<string, number> = { [a]: Date.UTC(2025, 2, 1, 2), [b]: Date.UTC(2025, 2, 1, 10) };
    for (const s of [a, a, b, a, c, c, d, d, b, b, a]) {
      const r = parseDateTime(s);
      if (s === c) expect(r).toEqual({ ms: NaN, hasOffset: false });
      else if (s === d) expect(r).toBeNull();
      else expect(r).toEqual({ ms: expected[s], hasOffset: true });
    }
    // a shared answer cannot be changed by one caller for the next
    const r = parseDateTime(a)!;
    expect(() => ((r as { ms: number }).ms = 0)).toThrow();
    expect(parseDateTime(a)!.ms).toBe(expected[a]);
  });
});
