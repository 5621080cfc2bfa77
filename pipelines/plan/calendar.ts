// Statistical weeks of a plan year (contract section 2): natural weeks clipped to the calendar
// year in the plan's time zone. Week 1 runs from 1 January to the first Sunday on or after it,
// later weeks run Monday to Sunday, the last one ends on 31 December. Only Intl is used for
// time zones, so any IANA zone works, DST zones included.

export interface Week {
  /** 1-based */
  index: number;
  /** UTC epoch ms of local midnight starting the week */
  startMs: number;
  /** exclusive: local midnight after the week's last day */
  endMs: number;
}

const DAY_MS = 86_400_000;

/**
 * The last instant the monitor can tell apart before an (exclusive) end: it keeps times to the
 * microsecond (a fraction of a millisecond), so sampling a week at `endMs - 1` left out an event
 * at 23:59:59.9995 on its Sunday, which /api/counters counted in that week. Half a
 * microsecond before the end lies after every time of the week, float rounding of the fraction
 * included (a microsecond is four doubles' steps at today's epoch milliseconds).
 */
export const lastInstantBefore = (endMs: number): number => endMs - 0.0005;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws RangeError for an unknown zone; callers validate zones before they get here.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows the zone. Offsets such as `+08:00` are not IANA names and are refused. */
export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone.trim() === '' || /^[+-]/.test(timeZone)) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Local wall-clock time at `tMs`, expressed as if that wall time were UTC (whole seconds). */
function wallMs(tMs: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(tMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number => {
    const part = parts.find((p) => p.type === type);
    return part ? Number(part.value) : 0;
  };
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
}

/** The zone's UTC offset at `tMs`, in ms (e.g. +8 h for Asia/Shanghai), asked of Intl. */
export function exactOffsetAt(tMs: number, timeZone: string): number {
  const whole = Math.floor(tMs / 1000) * 1000;
  return wallMs(whole, timeZone) - whole;
}

const HOUR_MS = 3_600_000;
/** per zone: UTC hour → the offset throughout that hour (only hours without a change) */
const offsetsByHour = new Map<string, Map<number, number>>();

/**
 * The zone's UTC offset at `tMs`, in ms (e.g. +8 h for Asia/Shanghai). Asking Intl costs ~5 µs
 * and every time on a screen, in an alert or an audit row is formatted with it (a start that
 * renders 600,000 alert rows spent 15 % of its time here). An hour whose first and last second
 * have the offset of the instant asked is remembered as having it throughout: no zone changes
 * its offset twice within an hour. An hour with a change is asked of Intl every time.
 */
export function offsetAt(tMs: number, timeZone: string): number {
  const hour = Math.floor(tMs / HOUR_MS);
  let hours = offsetsByHour.get(timeZone);
  if (!hours) offsetsByHour.set(timeZone, (hours = new Map()));
  const known = hours.get(hour);
  if (known !== undefined) return known;
  const offset = exactOffsetAt(tMs, timeZone);
  const start = hour * HOUR_MS;
  if (exactOffsetAt(start, timeZone) === offset && exactOffsetAt(start + HOUR_MS - 1_000, timeZone) === offset) {
    if (hours.size >= 100_000) hours.clear(); // ~11 years of hours; a bound, not a working set
    hours.set(hour, offset);
  }
  return offset;
}

/**
 * UTC epoch ms of the first instant of a local calendar day. Month and day may overflow
 * (`month 1, day 32` is 1 February), as with Date.UTC. Where midnight is repeated (clocks set
 * back at midnight) the earlier instant wins; where midnight does not exist (clocks set forward
 * at midnight, e.g. America/Sao_Paulo until 2019) the day starts at the end of the gap.
 */
export function zonedStartOfDayMs(year: number, month: number, day: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  // An offset a day either side brackets any transition near midnight.
  const before = offsetAt(wall - DAY_MS, timeZone);
  const after = offsetAt(wall + DAY_MS, timeZone);
  const candidates = [wall - before, wall - after].filter((t) => t + offsetAt(t, timeZone) === wall);
  if (candidates.length > 0) return Math.min(...candidates);
  // A gap: find the first instant whose wall time has reached the day.
  let lo = Math.min(wall - before, wall - after) - 3_600_000;
  let hi = Math.max(wall - before, wall - after) + 3_600_000;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (mid + offsetAt(mid, timeZone) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInYear(year: number): number {
  return isLeapYear(year) ? 366 : 365;
}

/**
 * Length in days of each statistical week. Pure calendar arithmetic: the same in every zone.
 * 54 weeks happen only in a leap year that starts on a Sunday (e.g. 2012, 2040).
 */
export function weekLengthsInDays(year: number): number[] {
  const jan1Weekday = new Date(Date.UTC(year, 0, 1)).getUTCDay(); // 0 = Sunday
  const lengths = [jan1Weekday === 0 ? 1 : 8 - jan1Weekday];
  let remaining = daysInYear(year) - lengths[0]!;
  while (remaining > 0) {
    const len = Math.min(7, remaining);
    lengths.push(len);
    remaining -= len;
  }
  return lengths;
}

export function weekCountOfYear(year: number): number {
  return weekLengthsInDays(year).length;
}

export function weeksOfYear(year: number, timeZone: string): Week[] {
  const weeks: Week[] = [];
  let dayOfYear = 1;
  let startMs = zonedStartOfDayMs(year, 1, 1, timeZone);
  for (const len of weekLengthsInDays(year)) {
    dayOfYear += len;
    const endMs = zonedStartOfDayMs(year, 1, dayOfYear, timeZone);
    weeks.push({ index: weeks.length + 1, startMs, endMs });
    startMs = endMs;
  }
  return weeks;
}

/** 0-based index of the week containing `tMs`; -1 before the year, weeks.length at/after its end. */
export function weekIndexAt(weeks: readonly Week[], tMs: number): number {
  const first = weeks[0];
  const last = weeks[weeks.length - 1];
  if (!first || !last || !(tMs >= first.startMs)) return -1; // NaN counts as "before"
  if (tMs >= last.endMs) return weeks.length;
  let lo = 0;
  let hi = weeks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (weeks[mid]!.startMs <= tMs) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
