import type { TicketEvent } from '../../pipelines/model.ts';

// A seeded stream spreads a year's tickets over about eleven months. A test that shows "the year
// in progress" must publish only events that have happened, and early in January almost none of
// a year's stream has: cutting at "now" leaves a handful of tickets. Instead the stream is squeezed
// into the part of the year that has passed, so every day of the year keeps all its tickets.

const SHANGHAI_MS = 8 * 3_600_000;

/** Start of `year` in Asia/Shanghai (no daylight saving), as epoch ms. */
export const yearStartMs = (year: number): number => Date.UTC(year, 0, 1) - SHANGHAI_MS;

/** `ms` written with the same offset as `like` (`Z` or `±hh:mm`), so the stream keeps its mix of offsets. */
function withOffsetOf(like: string, ms: number): string {
  const m = /([+-])(\d\d):(\d\d)$/.exec(like);
  if (!m) return new Date(ms).toISOString();
  const offsetMs = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
  return `${new Date(ms + offsetMs).toISOString().slice(0, 23)}${m[0]}`;
}

/**
 * The events of `year` moved, in order, into [start of year, nowMs − marginMs): instants are scaled
 * towards the start of the year (never stretched), so order, last year's events (before the start)
 * and the gaps' proportions are kept. Events still after the cut (none, unless the cut is before
 * the year's start, in its first minute) are dropped.
 */
export function squeezeIntoYearSoFar(events: readonly TicketEvent[], year: number, nowMs: number, marginMs = 60_000): TicketEvent[] {
  const start = yearStartMs(year);
  const cut = nowMs - marginMs;
  const latest = Math.max(...events.map((e) => Date.parse(e.occurredAt)));
  const scale = latest > start ? Math.min(1, Math.max(0, cut - 1 - start) / (latest - start)) : 1;
  return events
    .map((e) => ({ ...e, occurredAt: withOffsetOf(e.occurredAt, Math.floor(start + (Date.parse(e.occurredAt) - start) * scale)) }))
    .filter((e) => Date.parse(e.occurredAt) < cut);
}
