import { offsetAt } from '../pipelines/plan/calendar.ts';
import { parseDateTime } from '../pipelines/transforms/time.ts';

// RFC 3339 at the HTTP edge: parsing demands an explicit offset (an instant without one is
// ambiguous across the bank's time zones); formatting uses the plan's zone so people read local time.

/** An instant with an explicit offset, read as events' occurredAt are (pipelines/transforms/time.ts):
 *  the same digits past milliseconds, the same leap second, so an asOf and an event compare as sent. */
export function parseRfc3339(text: string): number | undefined {
  const parsed = parseDateTime(text);
  return parsed?.hasOffset ? parsed.ms : undefined;
}

/**
 * An instant from a URL's query string: there a `+` reads as a space (form encoding), so
 * `asOf=2026-03-07T18:00:00+08:00` typed into a browser or curl arrives as `…18:00:00 08:00`.
 * A space is never otherwise valid in that place, so it is read back as the `+` it was.
 */
export function parseQueryInstant(text: string): number | undefined {
  return parseRfc3339(text.replace(/(\d) (\d{2}:\d{2})$/, '$1+$2'));
}

// Outside these, zone rules are local mean times (or Date's two-digit-year rules) and a zoned
// year may not have four digits: such instants are written in UTC.
const ZONED_FROM = Date.UTC(1900, 0, 2);
const ZONED_TO = Date.UTC(9999, 11, 30);

/** 2025-03-01T10:00:00.000+08:00 */
export function toZonedIso(ms: number, timeZone: string): string {
  if (!(ms >= ZONED_FROM && ms <= ZONED_TO)) return new Date(ms).toISOString();
  const off = Math.round(offsetAt(ms, timeZone) / 60_000);
  // an instant kept to the microsecond says so: two asOf values 0.1 ms apart get two labels
  const whole = Math.floor(ms);
  const micros = Math.min(999, Math.round((ms - whole) * 1000));
  const local = new Date(whole + off * 60_000).toISOString().slice(0, 23) + (micros > 0 ? String(micros).padStart(3, '0') : '');
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
