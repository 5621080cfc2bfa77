import { describe, expect, it } from 'vitest';
import {
  exactOffsetAt,
  isValidTimeZone,
  offsetAt,
  weekCountOfYear,
  weekIndexAt,
  weekLengthsInDays,
  weeksOfYear,
  zonedStartOfDayMs,
  type Week,
} from './calendar.ts';

const SH = 'Asia/Shanghai';
const NY = 'America/New_York';
const HOUR = 3_600_000;
const utc = (iso: string): number => Date.parse(iso);
const weekdayIn = (tMs: number, timeZone: string): string =>
  new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short' }).format(new Date(tMs));
const localIso = (tMs: number, timeZone: string): string =>
  new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'medium' }).format(new Date(tMs));

function expectWellFormed(weeks: Week[], year: number, timeZone: string): void {
  expect(localIso(weeks[0]!.startMs, timeZone)).toBe(`${year}-01-01 00:00:00`);
  expect(localIso(weeks.at(-1)!.endMs, timeZone)).toBe(`${year + 1}-01-01 00:00:00`);
  weeks.forEach((w, i) => {
    expect(w.index).toBe(i + 1);
    expect(w.endMs).toBeGreaterThan(w.startMs);
    if (i > 0) {
      expect(w.startMs).toBe(weeks[i - 1]!.endMs);
      expect(weekdayIn(w.startMs, timeZone)).toBe('Mon');
    }
    // every week but the last ends on a Sunday
    if (i < weeks.length - 1) expect(weekdayIn(w.endMs - 1, timeZone)).toBe('Sun');
  });
}

describe('plan - calendar', () => {
  it('a year starting on Monday (2024, leap): week 1 is a full week, the last is Mon 30 - Tue 31 Dec', () => {
    expect(new Date(Date.UTC(2024, 0, 1)).getUTCDay()).toBe(1);
    const lengths = weekLengthsInDays(2024);
    expect(lengths[0]).toBe(7);
    expect(lengths.at(-1)).toBe(2);
    expect(lengths).toHaveLength(53);
    const weeks = weeksOfYear(2024, SH);
    expectWellFormed(weeks, 2024, SH);
    expect(weeks[0]).toEqual({ index: 1, startMs: utc('2023-12-31T16:00:00Z'), endMs: utc('2024-01-07T16:00:00Z') });
    expect(weeks[52]).toEqual({ index: 53, startMs: utc('2024-12-29T16:00:00Z'), endMs: utc('2024-12-31T16:00:00Z') });
  });

  it('a year starting on Sunday (2023): week 1 is 1 January alone, then Monday to Sunday', () => {
    expect(new Date(Date.UTC(2023, 0, 1)).getUTCDay()).toBe(0);
    const weeks = weeksOfYear(2023, SH);
    expectWellFormed(weeks, 2023, SH);
    expect(weeks).toHaveLength(53);
    expect(weeks[0]).toEqual({ index: 1, startMs: utc('2022-12-31T16:00:00Z'), endMs: utc('2023-01-01T16:00:00Z') });
    expect(weekLengthsInDays(2023).at(-1)).toBe(7);
  });

  it('a leap year starting on Sunday has 54 weeks (2012, 2040); 2028 starts on Saturday and has 53', () => {
    for (const year of [2012, 2040]) {
      const lengths = weekLengthsInDays(year);
      expect(lengths).toHaveLength(54);
      expect([lengths[0], lengths.at(-1)]).toEqual([1, 1]);
      expectWellFormed(weeksOfYear(year, SH), year, SH);
    }
    expect(new Date(Date.UTC(2028, 0, 1)).getUTCDay()).toBe(6);
    expect(weekLengthsInDays(2028)).toHaveLength(53);
    expect(weekLengthsInDays(2028)[0]).toBe(2);
  });

  it('every year 1970..2200 has 53 or 54 weeks, 54 exactly in leap years starting on Sunday', () => {
    const with54: number[] = [];
    for (let year = 1970; year <= 2200; year++) {
      const lengths = weekLengthsInDays(year);
      expect(lengths.reduce((a, b) => a + b, 0)).toBe(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 366 : 365);
      expect([53, 54]).toContain(lengths.length);
      if (lengths.length === 54) with54.push(year);
    }
    expect(with54).toEqual([1984, 2012, 2040, 2068, 2096, 2108, 2136, 2164, 2192]);
    expect(weekCountOfYear(2025)).toBe(53);
  });

  it('week 1 of 2025 (starts Wednesday) runs 1-5 January in the plan zone', () => {
    const weeks = weeksOfYear(2025, SH);
    expect(weeks).toHaveLength(53);
    expect(weekIndexAt(weeks, utc('2025-01-05T15:59:59.999Z'))).toBe(0);
    expect(weekIndexAt(weeks, utc('2025-01-05T16:00:00Z'))).toBe(1);
    expect(weekdayIn(weeks[1]!.startMs, SH)).toBe('Mon');
  });

  it('the time-zone edge: instants are placed by Asia/Shanghai local dates, not UTC ones', () => {
    const w2025 = weeksOfYear(2025, SH);
    expect(weekIndexAt(w2025, utc('2024-12-31T17:00:00Z'))).toBe(0); // 01:00 on 1 Jan in Shanghai
    expect(weekIndexAt(w2025, utc('2024-12-31T15:59:59.999Z'))).toBe(-1);
    expect(weekIndexAt(w2025, utc('2025-12-31T15:59:59.999Z'))).toBe(52);
    expect(weekIndexAt(w2025, utc('2025-12-31T16:00:00Z'))).toBe(53); // already 2026
    expect(weekIndexAt(weeksOfYear(2026, SH), utc('2025-12-31T16:00:00Z'))).toBe(0);
  });

  it('weekIndexAt: -1 before, length at/after the end, -1 for NaN and for no weeks', () => {
    const weeks = weeksOfYear(2025, 'UTC');
    weeks.forEach((w, i) => {
      expect(weekIndexAt(weeks, w.startMs)).toBe(i);
      expect(weekIndexAt(weeks, w.endMs - 1)).toBe(i);
    });
    expect(weekIndexAt(weeks, Number.NEGATIVE_INFINITY)).toBe(-1);
    expect(weekIndexAt(weeks, Number.POSITIVE_INFINITY)).toBe(53);
    expect(weekIndexAt(weeks, Number.NaN)).toBe(-1);
    expect(weekIndexAt([], 0)).toBe(-1);
  });

  it('a DST zone (America/New_York 2024): weeks with a clock change are 167 and 169 hours', () => {
    const weeks = weeksOfYear(2024, NY);
    expectWellFormed(weeks, 2024, NY);
    expect(weeks[0]!.startMs).toBe(utc('2024-01-01T05:00:00Z'));
    expect(weeks.at(-1)!.endMs).toBe(utc('2025-01-01T05:00:00Z'));
    const hours = weeks.map((w) => (w.endMs - w.startMs) / HOUR);
    expect(hours[9]).toBe(167); // 4-10 March, DST starts on the 10th
    expect(hours[43]).toBe(169); // 28 Oct - 3 Nov, DST ends on the 3rd
    expect(zonedStartOfDayMs(2024, 3, 10, NY)).toBe(utc('2024-03-10T05:00:00Z'));
    expect(zonedStartOfDayMs(2024, 3, 11, NY)).toBe(utc('2024-03-11T04:00:00Z'));
    expect(zonedStartOfDayMs(2024, 11, 3, NY)).toBe(utc('2024-11-03T04:00:00Z'));
    expect(zonedStartOfDayMs(2024, 11, 4, NY)).toBe(utc('2024-11-04T05:00:00Z'));
  });

  it('zonedStartOfDayMs: missing and repeated midnights (America/Sao_Paulo changed clocks at midnight)', () => {
    // 2018-11-04 00:00 did not exist (clocks went 23:59:59 -> 01:00): the day starts at 01:00.
    expect(zonedStartOfDayMs(2018, 11, 4, 'America/Sao_Paulo')).toBe(utc('2018-11-04T03:00:00Z'));
    // 2019-02-17 00:00 -02 became 2019-02-16 23:00 -03: the 16th lasts 25 hours.
    expect(zonedStartOfDayMs(2019, 2, 16, 'America/Sao_Paulo')).toBe(utc('2019-02-16T02:00:00Z'));
    expect(zonedStartOfDayMs(2019, 2, 17, 'America/Sao_Paulo')).toBe(utc('2019-02-17T03:00:00Z'));
  });

  it('zonedStartOfDayMs: fractional offsets, UTC and day overflow', () => {
    expect(zonedStartOfDayMs(2025, 1, 1, 'Asia/Kolkata')).toBe(utc('2024-12-31T18:30:00Z'));
    expect(zonedStartOfDayMs(2025, 1, 1, 'Asia/Kathmandu')).toBe(utc('2024-12-31T18:15:00Z'));
    expect(zonedStartOfDayMs(2025, 1, 1, 'UTC')).toBe(utc('2025-01-01T00:00:00Z'));
    expect(zonedStartOfDayMs(2025, 1, 32, SH)).toBe(utc('2025-01-31T16:00:00Z'));
    expect(zonedStartOfDayMs(2024, 12, 32, SH)).toBe(zonedStartOfDayMs(2025, 1, 1, SH));
  });

  it('isValidTimeZone accepts IANA names (any case) and refuses the rest', () => {
    for (const tz of ['Asia/Shanghai', 'asia/shanghai', 'America/New_York', 'UTC', 'Etc/GMT-8']) expect(isValidTimeZone(tz)).toBe(true);
    for (const tz of ['', ' ', 'Mars/Olympus', '+08:00', 'Asia/Beijing']) expect(isValidTimeZone(tz)).toBe(false);
  });
});

describe('plan - calendar offsets', () => {
  // Zones with whole-hour, half-hour and 45-minute offsets, DST both sides of the equator, a
  // 30-minute DST (Lord Howe), a zone that dropped DST at midnight (Sao Paulo) and local mean time
  // with seconds before 1901 (Shanghai +08:05:43).
  const zones = ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'America/Sao_Paulo', 'Asia/Kathmandu', 'Pacific/Chatham', 'Europe/Dublin'];

  it('remembers an hour only where the offset holds through it: the same answers as Intl everywhere', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    const instants: number[] = [];
    for (let i = 0; i < 3_000; i++) instants.push(Date.UTC(1890, 0, 1) + Math.floor(random() * (Date.UTC(2040, 0, 1) - Date.UTC(1890, 0, 1))));
    // every second around the transitions of 2025 and 1900 in a few zones
    for (const at of [Date.UTC(2025, 2, 9, 6, 59), Date.UTC(2025, 10, 2, 5, 59), Date.UTC(2025, 2, 30, 0, 59), Date.UTC(2025, 3, 5, 14, 59), Date.UTC(1900, 11, 31, 15, 53)]) {
      for (let s = 0; s < 180; s++) instants.push(at + s * 1_000 + 500);
    }
    for (const zone of zones) {
      // twice over: the second pass answers from what the first remembered
      for (let pass = 0; pass < 2; pass++) {
        for (const t of instants) {
          const got = offsetAt(t, zone);
          if (got !== exactOffsetAt(t, zone)) throw new Error(`${zone} at ${new Date(t).toISOString()}: ${got} against ${exactOffsetAt(t, zone)}`);
        }
      }
    }
    expect(offsetAt(Date.UTC(1900, 11, 31, 15, 54, 16), 'Asia/Shanghai')).toBe(exactOffsetAt(Date.UTC(1900, 11, 31, 15, 54, 16), 'Asia/Shanghai'));
  });
});
