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

describe('transforms - parseDateTime instants', () => {
  it('agrees with Date for every era, offset and fraction (seeded sample)', () => {
    let seed = 7;
    const r = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    for (let i = 0; i < 20_000; i++) {
      const y = i % 10 === 0 ? Math.floor(r() * 200) : 1600 + Math.floor(r() * 800);
      const mo = 1 + Math.floor(r() * 12);
      const d = 1 + Math.floor(r() * 28);
      const [h, mi, s] = [Math.floor(r() * 24), Math.floor(r() * 60), Math.floor(r() * 60)];
      const frac = Math.floor(r() * 1000);
      const off = Math.floor(r() * 28 * 60) - 14 * 60;
      const zone = off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
      const text = `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}.${pad(frac, 3)}${zone}`;
      const date = new Date(0);
      date.setUTCFullYear(y, mo - 1, d);
      date.setUTCHours(h, mi, s, frac);
      expect(parseDateTime(text)?.ms, text).toBe(date.getTime() - off * 60_000);
    }
  });

  it('leap days, leap seconds and impossible dates', () => {
    expect(parseDateTime('2024-02-29T00:00:00Z')?.ms).toBe(Date.UTC(2024, 1, 29));
    expect(parseDateTime('2000-02-29T00:00:00Z')?.ms).toBe(Date.UTC(2000, 1, 29));
    expect(parseDateTime('1900-02-29T00:00:00Z')).toBeNull();
    expect(parseDateTime('2016-12-31T23:59:60Z')?.ms).toBe(Date.UTC(2016, 11, 31, 23, 59, 59, 999));
    expect(parseDateTime('2017-01-01T07:59:60+08:00')?.ms).toBe(Date.UTC(2016, 11, 31, 23, 59, 59, 999));
    expect(parseDateTime('2016-12-31T23:58:60Z')).toBeNull();
    expect(parseDateTime('0001-01-01T00:00:00Z')?.ms).toBe(-62135596800000);
    expect(parseDateTime('1969-12-31T23:59:59.9999Z')?.ms).toBeCloseTo(-0.1, 9);
  });

  // Contract audit: digits past milliseconds were cut, so an event 0.4 ms after an asOf counted
  // at it, and of two corrections in one millisecond the later could lose.
  it('keeps microseconds as a fraction of a millisecond; whole milliseconds stay whole', () => {
    const base = Date.UTC(2026, 8, 1, 2);
    expect(parseDateTime('2026-09-01T10:00:00.0009+08:00')?.ms).toBe(base + 0.9);
    expect(parseDateTime('2026-09-01T10:00:00.0005+08:00')?.ms).toBe(base + 0.5);
    expect(parseDateTime('2026-09-01T10:00:00.123456789+08:00')?.ms).toBe(base + 123 + 0.456);
    expect(parseDateTime('2026-09-01T10:00:00.123000+08:00')?.ms).toBe(base + 123);
    expect(Number.isInteger(parseDateTime('2026-09-01T10:00:00.123+08:00')?.ms)).toBe(true);
    const times = ['.0001', '.0002', '.000999', '.001', '.0010001'].map((f) => parseDateTime(`2026-09-01T10:00:00${f}+08:00`)!.ms);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(new Set(times).size).toBe(4); // .001 and .0010001 differ only past the sixth digit
  });
});

describe('transforms - parseDateTime shapes', () => {
  it.each([
    ['2025-03-01T10:00:00Z', Date.UTC(2025, 2, 1, 10)],
    ['2025-03-01t10:00:00z', Date.UTC(2025, 2, 1, 10)],
    ['2025-03-01 10:00:00-01:30', Date.UTC(2025, 2, 1, 11, 30)],
    ['2025-03-01T10:00:00.57Z', Date.UTC(2025, 2, 1, 10, 0, 0, 570)],
    ['2025-03-01T10:00:00.9999999+00:00', Date.UTC(2025, 2, 1, 10, 0, 0, 999) + 0.999], // microseconds kept, the rest cut
    ['2025-03-01T10:00:00.1Z', Date.UTC(2025, 2, 1, 10, 0, 0, 100)],
    ['2016-12-31T23:59:60Z', Date.UTC(2016, 11, 31, 23, 59, 59, 999)],
  ])('reads %s', (s, ms) => expect(parseDateTime(s)).toEqual({ ms, hasOffset: true }));

  it.each([
    '2025-03-01T10:00Z', '2025-3-01T10:00:00Z', '2025-03-01T10:00:00.Z', '2025-03-01T10:00:00+0800', '2025-03-01T10:00:00+08',
    '2025-03-01T10:00:00Zjunk', '2025-03-01X10:00:00Z', '２025-03-01T10:00:00Z', '2025-03-01T10:00:00 Z', '', '2025-03-01',
    '2025-03-01T24:00:00Z', '2025-03-01T10:60:00Z', '2025-03-01T10:00:00+24:00', '2025-13-01T10:00:00Z', '2025-03-01T12:00:60Z',
  ])('refuses %j', (s) => expect(parseDateTime(s)).toBeNull());
});
