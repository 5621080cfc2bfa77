import type { TicketEvent } from '../../pipelines/model.ts';
import { formatRfc3339 } from './time.ts';

// Moving generated history onto the wall clock: compressed replay of the year so far, and the
// live phase, either at the events' own times or re-stamped with "now" at a chosen rate.

/** A copy of the event happening at another instant (live replay stamps events with "now"). */
export function restamp(event: TicketEvent, atMs: number, timezone = 'Asia/Shanghai'): TicketEvent {
  return { ...event, occurredAt: formatRfc3339(atMs, timezone) };
}

export interface ScheduledEvent {
  /** wall-clock delay from the start of the replay */
  delayMs: number;
  event: TicketEvent;
}

/**
 * Replays event time faster than real time: an event at occurredAt is due
 * (occurredAt − from) / speedup after the replay starts. Events before `from` or at/after `to`
 * are left out; occurredAt itself is unchanged, so counters see the true history.
 */
export function timeCompressed(events: readonly TicketEvent[], opts: { from: Date; to?: Date; speedup: number }): ScheduledEvent[] {
  if (!(opts.speedup > 0)) throw new RangeError('speedup must be > 0');
  const from = opts.from.getTime();
  const to = opts.to?.getTime() ?? Infinity;
  const out: ScheduledEvent[] = [];
  for (const event of events) {
    const t = Date.parse(event.occurredAt);
    if (t >= from && t < to) out.push({ delayMs: (t - from) / opts.speedup, event });
  }
  return out.sort((a, b) => a.delayMs - b.delayMs || (a.event.eventId < b.event.eventId ? -1 : 1));
}

/**
 * The live phase at a real day's pace: the generated events after `nowMs`, each due at its own
 * time, occurredAt unchanged (so the day of the year sets the pace: a quiet November day brings a
 * handful of events, a busy spring day dozens). A seed gives the same events every run, so a run
 * on a store an earlier run filled sends again only what that run had sent (the monitor keeps
 * each eventId once) and carries on with events the store does not have yet.
 */
export function atOwnTimes(events: readonly TicketEvent[], nowMs: number): ScheduledEvent[] {
  const out: ScheduledEvent[] = [];
  for (const event of events) {
    const t = Date.parse(event.occurredAt);
    if (t > nowMs) out.push({ delayMs: t - nowMs, event });
  }
  return out.sort((a, b) => a.delayMs - b.delayMs || (a.event.eventId < b.event.eventId ? -1 : 1));
}

/** How many of the scheduled events fall due within `windowMs` (what the log promises). */
export function dueWithin(scheduled: readonly ScheduledEvent[], windowMs: number): number {
  let n = 0;
  for (const s of scheduled) if (s.delayMs < windowMs) n++;
  return n;
}
