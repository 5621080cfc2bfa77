import { toZonedIso } from './time.ts';

// How many of the last hour's messages could not be counted. A ticket system that changes its
// date format sends every event to the dead-letter store: the counters then simply stop rising and
// the wall looks calm. The board and /api/health show this window so that someone looks.

const MINUTE_MS = 60_000;
const MINUTES = 60;

export interface DeadLetterView {
  /** messages received in the last hour (counted, repeats and dead letters alike) */
  received: number;
  /** of them, dead-lettered */
  deadLetters: number;
  /** the latest dead letter's commit time since the start, epoch ms; null if none yet */
  lastAtMs: number | null;
}

export class DeadLetterWindow {
  private readonly received = new Float64Array(MINUTES);
  private readonly dead = new Float64Array(MINUTES);
  /** the minute (epoch ms / 60 s) each slot holds */
  private readonly minuteOf = new Float64Array(MINUTES).fill(-1);
  private lastAtMs: number | null = null;

  note(atMs: number, received: number, deadLetters: number): void {
    const minute = Math.floor(atMs / MINUTE_MS);
    const slot = minute % MINUTES;
    if (this.minuteOf[slot] !== minute) {
      this.minuteOf[slot] = minute;
      this.received[slot] = 0;
      this.dead[slot] = 0;
    }
    this.received[slot]! += received;
    this.dead[slot]! += deadLetters;
    if (deadLetters > 0) this.lastAtMs = Math.max(this.lastAtMs ?? atMs, atMs);
  }

  view(nowMs: number): DeadLetterView {
    const now = Math.floor(nowMs / MINUTE_MS);
    let received = 0;
    let deadLetters = 0;
    for (let slot = 0; slot < MINUTES; slot++) {
      const minute = this.minuteOf[slot]!;
      if (minute > now - MINUTES && minute <= now) {
        received += this.received[slot]!;
        deadLetters += this.dead[slot]!;
      }
    }
    return { received, deadLetters, lastAtMs: this.lastAtMs };
  }
}

/**
 * The window as /api/health and the wall-board's pipeline state show it. With `startedAtMs` (when
 * this process began counting) it says `since`: that start while it is less than an hour ago, null
 * once the window holds a whole hour. The window lives in memory, so a restart empties it: the wall
 * read "3 条…（近1小时）" minutes after a restart while ~140 had come in the hour (soak CE F4).
 */
export function lastHourView(
  window: DeadLetterWindow,
  nowMs: number,
  timezone: string,
  startedAtMs?: number,
): { received: number; deadLetters: number; lastDeadLetterAt: string | null; since?: string | null } {
  const v = window.view(nowMs);
  const view = { received: v.received, deadLetters: v.deadLetters, lastDeadLetterAt: v.lastAtMs === null ? null : toZonedIso(v.lastAtMs, timezone) };
  if (startedAtMs === undefined) return view;
  return { ...view, since: nowMs - startedAtMs < MINUTES * MINUTE_MS ? toZonedIso(startedAtMs, timezone) : null };
}
