// Last year's weekly distribution onto the new year's week calendar (contract section 2 weeks:
// natural weeks clipped to the year, 53 or 54 of them). The two calendars do not line up (a week
// of last year may straddle two of this year's, and 1 January falls on another weekday), so the
// mapping goes through days: each of last year's weeks spreads its count evenly over its own days
// (the distribution is weekly, not daily), each day of the new year takes the rate of the same
// calendar date last year, and a new week's weight is the sum over its days. 29 February takes
// 28 February's rate when last year had none; when the new year has none, last year's
// 29 February is added to 28 February so no history is lost.

import { daysInYear, isLeapYear, weekLengthsInDays } from '../calendar.ts';

/** Per-day rates of last year: each week's total spread evenly over the week's days. */
export function weeklySmoothed(daily: readonly number[], year: number): number[] {
  const out: number[] = [];
  let d = 0;
  for (const len of weekLengthsInDays(year)) {
    let total = 0;
    for (let i = 0; i < len; i++) total += daily[d + i] ?? 0;
    for (let i = 0; i < len; i++) out.push(total / len);
    d += len;
  }
  return out;
}

/** Weekly totals of a per-day series (the new year's weeks). */
export function weeklyTotals(daily: readonly number[], year: number): number[] {
  const out: number[] = [];
  let d = 0;
  for (const len of weekLengthsInDays(year)) {
    let total = 0;
    for (let i = 0; i < len; i++) total += daily[d + i] ?? 0;
    out.push(total);
    d += len;
  }
  return out;
}

/** Month (1-12) and day of the 0-based day of the year. */
export function calendarDate(year: number, dayIndex: number): { month: number; day: number } {
  const dt = new Date(Date.UTC(year, 0, 1 + dayIndex));
  return { month: dt.getUTCMonth() + 1, day: dt.getUTCDate() };
}

export function dayOfYear(year: number, month: number, day: number): number {
  return Math.round((Date.UTC(year, month - 1, day) - Date.UTC(year, 0, 1)) / 86_400_000);
}

/** Last year's per-day rates re-laid on the new year's days, by calendar date. */
export function mapByDate(lastRates: readonly number[], lastYear: number, newYear: number): number[] {
  const feb29Last = isLeapYear(lastYear) ? (lastRates[dayOfYear(lastYear, 2, 29)] ?? 0) : 0;
  const out: number[] = [];
  for (let d = 0; d < daysInYear(newYear); d++) {
    const { month, day } = calendarDate(newYear, d);
    const leapDay = month === 2 && day === 29;
    const src = leapDay && !isLeapYear(lastYear) ? dayOfYear(lastYear, 2, 28) : dayOfYear(lastYear, month, day);
    let rate = lastRates[src] ?? 0;
    if (month === 2 && day === 28 && !isLeapYear(newYear)) rate += feb29Last;
    out.push(rate);
  }
  return out;
}
