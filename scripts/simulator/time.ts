// Wall-clock helpers for an IANA time zone, using only Intl (no date library). Event times are
// produced as RFC 3339 strings with the zone's numeric offset, e.g. 2026-03-18T09:41:07+08:00.

const DAY = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function offsetFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    formatters.set(timeZone, f);
  }
  return f;
}

const offsetCache = new Map<string, number>();
const BUCKET = 15 * 60_000;

/** UTC offset of the zone at an instant, in minutes east of UTC. */
export function offsetMinutes(ms: number, timeZone: string): number {
  // Offsets change on quarter-hour boundaries, so one Intl lookup per quarter hour suffices.
  const key = `${timeZone} ${Math.floor(ms / BUCKET)}`;
  let off = offsetCache.get(key);
  if (off === undefined) {
    off = lookupOffset(ms, timeZone);
    if (offsetCache.size > 200_000) offsetCache.clear();
    offsetCache.set(key, off);
  }
  return off;
}

function lookupOffset(ms: number, timeZone: string): number {
  const name = offsetFormatter(timeZone).formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

/** The instant of a wall-clock time in the zone (the earlier one when a DST change repeats it). */
export function zonedToUtc(y: number, mo: number, d: number, h: number, mi: number, s: number, timeZone: string): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi, s);
  const first = guess - offsetMinutes(guess, timeZone) * 60_000;
  const second = guess - offsetMinutes(first, timeZone) * 60_000;
  return Math.min(first, second);
}

/** RFC 3339 with the zone's offset at that instant, second precision. */
export function formatRfc3339(ms: number, timeZone: string): string {
  const off = offsetMinutes(ms, timeZone);
  const local = new Date(Math.floor(ms / 1000) * 1000 + off * 60_000).toISOString().slice(0, 19);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** [start, end) of the calendar year in the zone. */
export function yearBounds(year: number, timeZone: string): { startMs: number; endMs: number } {
  return { startMs: zonedToUtc(year, 1, 1, 0, 0, 0, timeZone), endMs: zonedToUtc(year + 1, 1, 1, 0, 0, 0, timeZone) };
}

export function yearOf(ms: number, timeZone: string): number {
  return Number(formatRfc3339(ms, timeZone).slice(0, 4));
}

export interface CivilDate {
  y: number;
  m: number;
  d: number;
}

/** CFPB dates look like "2019/9/24"; ISO "2019-09-24" and US "9/24/2019" are accepted too. */
export function parseCfpbDate(s: string): CivilDate | undefined {
  let m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})/.exec(s.trim());
  if (m) return valid({ y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) });
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})/.exec(s.trim());
  if (m) return valid({ y: Number(m[3]), m: Number(m[1]), d: Number(m[2]) });
  return undefined;
}

function valid(c: CivilDate): CivilDate | undefined {
  const t = new Date(Date.UTC(c.y, c.m - 1, c.d));
  return t.getUTCMonth() === c.m - 1 && t.getUTCDate() === c.d ? c : undefined;
}

/**
 * Moves a date into the target year keeping its arrival shape: the same day of the year, nudged
 * by at most 3 days so it also falls on the same weekday (Monday peaks stay Monday peaks).
 */
export function mapToYear(src: CivilDate, year: number): CivilDate {
  const srcMs = Date.UTC(src.y, src.m - 1, src.d);
  const doy = Math.round((srcMs - Date.UTC(src.y, 0, 1)) / DAY);
  const jan1 = Date.UTC(year, 0, 1);
  const daysInYear = Math.round((Date.UTC(year + 1, 0, 1) - jan1) / DAY);
  const base = jan1 + Math.min(doy, daysInYear - 1) * DAY;
  let delta = (new Date(srcMs).getUTCDay() - new Date(base).getUTCDay() + 7) % 7;
  if (delta > 3) delta -= 7;
  let t = base + delta * DAY;
  if (t < jan1) t += 7 * DAY;
  if (t >= jan1 + daysInYear * DAY) t -= 7 * DAY;
  const out = new Date(t);
  return { y: out.getUTCFullYear(), m: out.getUTCMonth() + 1, d: out.getUTCDate() };
}
