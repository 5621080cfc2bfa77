// Tickets with a fact dated after the clock (another system's clock, a typo): a first contact (no
// case yet, as the counters do not count it yet), an agreed resolution or a re-open (not applied
// yet: cases.ts). Nothing else would derive such a ticket again when its time comes (the clock
// re-derives only open cases), so the engine takes the due ones at the counters' push of that
// instant (server/due-changes.ts) and at each tick.

export class CasesDue {
  private readonly dueAtMs = new Map<string, number>();

  /** What a derivation of `covered` found: the tickets still waiting, and until when. */
  note(covered: Iterable<string>, dueAtMs: ReadonlyMap<string, number>): void {
    for (const id of covered) {
      const at = dueAtMs.get(id);
      if (at === undefined) this.dueAtMs.delete(id);
      else this.dueAtMs.set(id, at);
    }
  }

  /** The tickets due at or before nowMs, once each (a derivation notes those still ahead again). */
  take(nowMs: number): string[] {
    const out: string[] = [];
    for (const [id, at] of this.dueAtMs) {
      if (at > nowMs) continue;
      out.push(id);
      this.dueAtMs.delete(id);
    }
    return out;
  }

  get size(): number {
    return this.dueAtMs.size;
  }
}
