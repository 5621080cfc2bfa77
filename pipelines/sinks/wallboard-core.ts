// Pure parts of the wall-board fan-out, tested without sockets: coalescing of bursts, the bounded
// replay ring that lets a reconnecting page catch up from the last seq it saw. The public (masked)
// form of a message is in wallboard-public.ts.

/** A message before it is numbered: the hub adds `seq` when it is broadcast. */
export type LiveMessage = { type: string } & Record<string, unknown>;

/**
 * Pending messages keyed by what they describe (e.g. `counter:<type>:<scope>`): a later message
 * for the same key replaces the earlier one in place, so a burst of changes to one counter costs
 * one frame per flush, and insertion order (first change first) is kept.
 */
export function coalesce(pending: ReadonlyMap<string, LiveMessage>, key: string, message: LiveMessage): Map<string, LiveMessage> {
  const next = new Map(pending);
  next.set(key, message);
  return next;
}

export interface RingEntry {
  seq: number;
  text: string;
  /** the frame's type: a resumed client naming no view is replayed the contract's types only */
  type?: string;
  /** the public form when it differs from text (see wallboard-public.ts) */
  masked?: string;
  /** an alert frame's wall form (wallboard-brief.ts), and its public form */
  brief?: string;
  briefMasked?: string;
  /** a snapshot sent to every screen: only marked here, each screen got its own form */
  snapshot?: true;
}

/**
 * The last frames sent, bounded by count and bytes. Mutable on purpose: it is appended to at
 * the broadcast rate, and a copy per frame would cost more than the send. An evicted frame's slot
 * is emptied at once: left in the array until a compaction, up to a thousand evicted frames stayed
 * alive — alert frames carry the alert's history, and a thousand notes on five alerts held 100 MB
 * in each of the two hubs' rings past their 16 MB bound.
 */
export class ReplayRing {
  private entries: Array<RingEntry | undefined> = [];
  private head = 0;
  private bytesHeld = 0;

  constructor(private readonly maxEntries: number, private readonly maxBytes: number) {}

  get size(): number {
    return this.entries.length - this.head;
  }

  get bytes(): number {
    return this.bytesHeld;
  }

  get oldestSeq(): number | undefined {
    return this.entries[this.head]?.seq;
  }

  push(entry: RingEntry): void {
    this.entries.push(entry);
    this.bytesHeld += sizeOf(entry);
    while (this.size > this.maxEntries || (this.bytesHeld > this.maxBytes && this.size > 1)) {
      this.bytesHeld -= sizeOf(this.entries[this.head]!);
      this.entries[this.head++] = undefined;
    }
    // Compact now and then so the array does not keep evicted frames alive.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /** Frames with seq > since, oldest first. */
  after(since: number): RingEntry[] {
    const out: RingEntry[] = [];
    for (let i = this.head; i < this.entries.length; i++) if (this.entries[i]!.seq > since) out.push(this.entries[i]!);
    return out;
  }
}

/** bytes in memory at most: a string with any character beyond Latin-1 (Chinese text) takes two a character */
const sizeOf = (e: RingEntry) => 2 * (e.text.length + (e.masked?.length ?? 0) + (e.brief?.length ?? 0) + (e.briefMasked?.length ?? 0));

export type ResumePlan = { kind: 'replay'; entries: readonly RingEntry[] } | { kind: 'snapshot'; reason: string };

/**
 * What a page that saw everything up to `since` (of hub life `epoch`) needs: the frames after it
 * when the ring still holds all of them, else a snapshot. Another epoch means the server
 * restarted and its numbers mean something else; a seq ahead of ours likewise.
 */
export function resumeFrom(ring: ReplayRing, lastSeq: number, hubEpoch: string, since: { seq: number; epoch: string } | undefined): ResumePlan {
  if (!since) return { kind: 'snapshot', reason: 'new' };
  if (since.epoch !== hubEpoch) return { kind: 'snapshot', reason: 'epoch' };
  if (!Number.isInteger(since.seq) || since.seq < 0 || since.seq > lastSeq) return { kind: 'snapshot', reason: 'ahead' };
  if (since.seq === lastSeq) return { kind: 'replay', entries: [] };
  const oldest = ring.oldestSeq;
  if (oldest === undefined || oldest > since.seq + 1) return { kind: 'snapshot', reason: 'evicted' };
  const entries = ring.after(since.seq);
  // a fresh picture was sent meanwhile (week, plan): a page that missed it takes one too
  if (entries.some((e) => e.snapshot)) return { kind: 'snapshot', reason: 'resnapshot' };
  return { kind: 'replay', entries };
}
