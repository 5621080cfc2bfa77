// Last year's history as the plan builder needs it: for each complaint type, how many distinct
// not-agreed customers were first seen on each local calendar day of that year. Counted exactly as
// the monitor counts (contract section 3): each distinct eventId once, corrections of a ticket
// (latest occurredAt, then eventId) replace its type and outcome, a customer counts once per type
// per year, on the day of their first not-agreed first contact.

import type { EventKind, Outcome } from '../../model.ts';
import { daysInYear, zonedStartOfDayMs } from '../calendar.ts';

/** One stored or published ticket event, reduced to what the history needs. */
export interface HistoryEvent {
  eventId: string;
  ticketId: string;
  kind: EventKind;
  atMs: number;
  type: string;
  /** any stable customer key: the monitor's hash, or the raw id (kept in memory only) */
  customer: string;
  outcome?: Outcome;
}

/** Per type: new not-agreed customers per day of the year (index 0 = 1 January, local). */
export type DailyHistory = Map<string, number[]>;

interface Stamp { t: number; id: string }
const newer = (a: Stamp, b: Stamp | undefined) => b === undefined || a.t > b.t || (a.t === b.t && a.id > b.id);

/** Local-midnight starts of every day of `year`, plus the end of the year. */
export function dayStarts(year: number, timeZone: string): number[] {
  const n = daysInYear(year);
  const starts: number[] = [];
  for (let d = 0; d <= n; d++) starts.push(zonedStartOfDayMs(year, 1, 1 + d, timeZone));
  return starts;
}

/** 0-based day of the year containing tMs, or -1 outside the year. */
export function dayIndexAt(starts: readonly number[], tMs: number): number {
  if (!(tMs >= starts[0]!) || tMs >= starts[starts.length - 1]!) return -1;
  let lo = 0;
  let hi = starts.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= tMs) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * How many days of `year` the history covers: through the day of its latest event of any kind
 * (every type, every kind: the stream's own pulse). A plan is usually built in December, before
 * last year is over; the days after this one are not quiet, they are not known yet.
 */
export function observedDays(events: Iterable<HistoryEvent>, year: number, timeZone: string): number {
  const starts = dayStarts(year, timeZone);
  let latest = -1;
  for (const e of events) {
    if (e.atMs >= starts[starts.length - 1]!) return starts.length - 1; // something after the year: it is complete
    latest = Math.max(latest, dayIndexAt(starts, e.atMs));
  }
  return latest + 1;
}

export function notAgreedByDay(events: Iterable<HistoryEvent>, year: number, timeZone: string): DailyHistory {
  const unique = new Map<string, HistoryEvent>();
  for (const e of events) if (!unique.has(e.eventId)) unique.set(e.eventId, e);
  const retype = new Map<string, Stamp & { type: string }>();
  const reoutcome = new Map<string, Stamp & { outcome: Outcome }>();
  for (const e of unique.values()) {
    if (e.kind !== 'corrected') continue;
    const s = { t: e.atMs, id: e.eventId };
    if (newer(s, retype.get(e.ticketId))) retype.set(e.ticketId, { ...s, type: e.type });
    if (e.outcome && newer(s, reoutcome.get(e.ticketId))) reoutcome.set(e.ticketId, { ...s, outcome: e.outcome });
  }
  const starts = dayStarts(year, timeZone);
  // earliest not-agreed day per (type, customer)
  const first = new Map<string, { type: string; day: number }>();
  for (const e of unique.values()) {
    if (e.kind !== 'first_contact') continue;
    const outcome = reoutcome.get(e.ticketId)?.outcome ?? e.outcome;
    if (outcome !== 'not_agreed') continue;
    const day = dayIndexAt(starts, e.atMs);
    if (day < 0) continue;
    const type = retype.get(e.ticketId)?.type ?? e.type;
    const key = `${type}\u0000${e.customer}`;
    const known = first.get(key);
    if (!known || day < known.day) first.set(key, { type, day });
  }
  const out: DailyHistory = new Map();
  const n = daysInYear(year);
  for (const { type, day } of first.values()) {
    let days = out.get(type);
    if (!days) out.set(type, (days = new Array<number>(n).fill(0)));
    days[day]! += 1;
  }
  return out;
}
