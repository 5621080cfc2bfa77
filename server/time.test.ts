import { describe, expect, it } from 'vitest';
import { parseQueryInstant, parseRfc3339, toZonedIso } from './time.ts';

describe('server - times at the HTTP edge', () => {
  it('reads an asOf as events are read: offset required, microseconds and a leap second kept', () => {
    expect(parseRfc3339('2025-03-01T10:00:00+08:00')).toBe(Date.UTC(2025, 2, 1, 2));
    expect(parseRfc3339('2025-03-01T10:00:00.0005+08:00')).toBe(Date.UTC(2025, 2, 1, 2) + 0.5);
    expect(parseRfc3339('2016-12-31T23:59:60Z')).toBe(Date.UTC(2016, 11, 31, 23, 59, 59, 999));
    expect(parseRfc3339('2025-03-01T10:00:00')).toBeUndefined(); // no offset: not an instant
    expect(parseRfc3339('2025-02-30T10:00:00Z')).toBeUndefined();
  });

  it('reads a query string\'s instant whose + arrived as a space (form encoding) as that offset, nothing else', () => {
    expect(parseQueryInstant('2025-03-01T10:00:00 08:00')).toBe(Date.UTC(2025, 2, 1, 2));
    expect(parseQueryInstant('2025-03-01T10:00:00.5 08:00')).toBe(Date.UTC(2025, 2, 1, 2, 0, 0, 500));
    expect(parseQueryInstant('2025-03-01T10:00:00+08:00')).toBe(Date.UTC(2025, 2, 1, 2));
    expect(parseQueryInstant('2025-03-01T10:00:00-05:00')).toBe(Date.UTC(2025, 2, 1, 15));
    expect(parseQueryInstant('2025-03-01 10:00:00')).toBeUndefined(); // a space elsewhere is no offset
    expect(parseQueryInstant('2025-03-01T10:00:00 08')).toBeUndefined();
  });

  it('writes instants in the plan zone, and in UTC where the zone has no modern rules or the year would not fit', () => {
    expect(toZonedIso(Date.UTC(2025, 2, 1, 2), 'Asia/Shanghai')).toBe('2025-03-01T10:00:00.000+08:00');
    // audit S F4: .9994 and .9995 s were both answered as .999
    expect(toZonedIso(parseRfc3339('2025-01-12T23:59:59.9995Z')!, 'Europe/London')).toBe('2025-01-12T23:59:59.999500+00:00');
    expect(toZonedIso(parseRfc3339('2025-01-12T23:59:59.999001Z')!, 'UTC')).toBe('2025-01-12T23:59:59.999001+00:00');
    expect(toZonedIso(Date.UTC(9999, 11, 31, 23, 59, 59), 'Asia/Shanghai')).toBe('9999-12-31T23:59:59.000Z');
    expect(toZonedIso(parseRfc3339('0000-01-01T00:00:00Z')!, 'Asia/Shanghai')).toBe('0000-01-01T00:00:00.000Z');
  });
});
