// When a finished week's review (周复盘) may be stored, and when a stored one is out of date.
// A stored review is reopened as it was issued, so it must not be taken from part of the week's
// events: the monitor must have committed everything the stream held, and the stream must have
// gone past the week's end (a start on an empty stream, or before a backfill is published, is
// "caught up" with nothing). Events that arrive later for the week (a ticket system catching up
// after an outage, a backfill published after the monitor started) make the stored review out of
// date: the monitor produces it again and the new row replaces it.

export type StoreVerdict =
  | { store: true }
  | { store: false; behind: number | null; reason: 'behind' | 'broker' | 'stream-before-week-end' };

/** `behind`: messages not committed yet (null: the broker cannot be asked); `lastAtMs`: the stream's last message. */
export function storeVerdict(behind: number | null, lastAtMs: number, weekEndMs: number): StoreVerdict {
  if (behind === null) return { store: false, behind, reason: 'broker' };
  if (behind > 0) return { store: false, behind, reason: 'behind' };
  if (!(lastAtMs >= weekEndMs)) return { store: false, behind: 0, reason: 'stream-before-week-end' };
  return { store: true };
}

/** The weeks to produce now: the last finished week if not stored yet, and the stored weeks later events changed, in order. */
export function weeksToProduce(lastFinished: number, stored: ReadonlyMap<number, number>, changed: readonly number[]): number[] {
  const weeks = new Set(changed.filter((w) => stored.has(w) && w <= lastFinished));
  if (lastFinished >= 1 && !stored.has(lastFinished)) weeks.add(lastFinished);
  return [...weeks].sort((a, b) => a - b);
}
