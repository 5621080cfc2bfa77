import type { TicketEvent } from '../../pipelines/model.ts';
import { formatRfc3339 } from './time.ts';

// Moving generated history onto the wall clock: compressed replay of the year so far, and
// re-stamping events with "now" for the live phase.

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
