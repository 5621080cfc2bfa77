import type { MaskedEvent } from '../pipelines/model.ts';

// Events dated after the moment they were counted (an intake system whose clock runs ahead):
// counters as of now leave them out until their time comes, so the counters they change must be
// pushed again then — nothing else would, and the screens and level alerts would stay one behind
// until another event touched the same (type, scope). Kept per second: a clock hours ahead adds
// one entry per second of the skew, not one per batch.

export interface ChangedKey { complaintType: string; scope: string }

// setTimeout takes at most 2^31 - 1 ms (24.8 days) and fires at once for more: an event dated a
// month ahead then spun a 1 ms timer (and Node's overflow warning, ~760 log lines a second) until
// its date came within reach. A longer wait is taken in steps of a day.
export const LONGEST_TIMER_MS = 24 * 60 * 60 * 1000;

export class DueChanges {
  /** second (ms / 1000, rounded up) → the keys to push again then */
  private readonly bySecond = new Map<number, Map<string, ChangedKey>>();
  private earliest = Infinity;
  private timer?: NodeJS.Timeout;
  private timerAt = Infinity;

  constructor(
    private readonly now: () => number,
    /** pushes the keys' counters as of atMs (the monitor's publishChanges) */
    private readonly push: (keys: ChangedKey[], atMs: number) => void,
  ) {}

  /** Notes a committed batch: the keys it changed come due again at each future event's time. */
  note(events: readonly MaskedEvent[], changed: readonly ChangedKey[], committedAtMs: number, yearEndMs: number): void {
    if (changed.length === 0) return;
    for (const e of events) {
      if (e.occurredAtMs > committedAtMs && e.occurredAtMs < yearEndMs) this.add(e.occurredAtMs, changed);
    }
    this.arm();
  }

  /** Notes keys to push again at atMs (future-dated events read back from the store at start). */
  noteKeys(atMs: number, keys: readonly ChangedKey[]): void {
    if (keys.length === 0) return;
    this.add(atMs, keys);
    this.arm();
  }

  private add(atMs: number, changed: readonly ChangedKey[]): void {
    const second = Math.ceil(atMs / 1000);
    let keys = this.bySecond.get(second);
    if (!keys) this.bySecond.set(second, (keys = new Map()));
    for (const k of changed) keys.set(`${k.complaintType}|${k.scope}`, k);
    if (second < this.earliest) this.earliest = second;
  }

  /** when the earliest keys come due (ms), or undefined */
  nextDueMs(): number | undefined {
    return Number.isFinite(this.earliest) ? this.earliest * 1000 : undefined;
  }

  /** Takes every key due at or before nowMs, once each. */
  takeDue(nowMs: number): ChangedKey[] {
    const out = new Map<string, ChangedKey>();
    this.earliest = Infinity;
    for (const [second, keys] of this.bySecond) {
      if (second * 1000 > nowMs) {
        if (second < this.earliest) this.earliest = second;
        continue;
      }
      for (const [name, k] of keys) out.set(name, k);
      this.bySecond.delete(second);
    }
    return [...out.values()];
  }

  get size(): number {
    return this.bySecond.size;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private arm(): void {
    const due = this.nextDueMs();
    if (due === undefined) return;
    const now = this.now();
    const at = Math.min(due, now + LONGEST_TIMER_MS);
    if (at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      const firedAt = this.now();
      const keys = this.takeDue(firedAt);
      if (keys.length > 0) this.push(keys, firedAt);
      this.arm();
    }, Math.max(0, at - now));
    this.timer.unref();
  }
}
