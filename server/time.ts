import { offsetAt } from '../pipelines/plan/calendar.ts';

// RFC 3339 at the HTTP edge: parsing demands an explicit offset (an instant without one is
// ambiguous across the bank's time zones); formatting uses the plan's zone so people read local time.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

export function parseRfc3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const ms = Date.parse(text.replace(' ', 'T'));
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls 2025-02-30 over to March; refuse such dates instead.
  const probe = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
  if (probe.getUTCMonth() !== mo! - 1 || probe.getUTCDate() !== d! || h! > 23 || mi! > 59 || s! > 59) return undefined;
  return ms;
}

/** 2025-03-01T10:00:00.000+08:00 */
export function toZonedIso(ms: number, timeZone: string): string {
  const off = Math.round(offsetAt(ms, timeZone) / 60_000);
  const local = new Date(ms + off * 60_000).toISOString().slice(0, 23);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
