import type { AlertRecord } from '../../pipelines/rules/index.ts';

// The engine's alerts in memory, indexed so that a re-derivation of some (type, scope) keys and
// tickets finds the records it may withdraw without scanning every alert of the year.

/** The one spelling of a (type, scope) key in the index and in a re-derivation's key set. */
export function keyOf(complaintType: string, scope: string): string {
  return `${complaintType}|${scope}`;
}

export class AlertIndex {
  /** every alert by id; a record replaces the earlier snapshot of its id */
  readonly records = new Map<string, AlertRecord>();
  /** record ids by (type, scope) and by ticket: what a re-derivation may withdraw */
  private readonly idsByKey = new Map<string, Set<string>>();
  private readonly idsByTicket = new Map<string, Set<string>>();
  /** the ids of the alerts not resolved: the headline counts them every wall frame, a start's derivation included */
  private readonly openIds = new Set<string>();

  /**
   * Keeps the record. Index entries are never removed: an id stays under every key it was ever
   * remembered with (an old type too, should a record's type change), so `recordsOf` may return more
   * than a re-derivation covers; the caller's `covered` rule decides what is withdrawn.
   */
  remember(r: AlertRecord): void {
    this.records.set(r.id, r);
    if (r.status === 'resolved') this.openIds.delete(r.id);
    else this.openIds.add(r.id);
    const add = (index: Map<string, Set<string>>, key: string) => {
      let ids = index.get(key);
      if (!ids) index.set(key, (ids = new Set()));
      ids.add(r.id);
    };
    add(this.idsByKey, keyOf(r.complaintType, r.scope));
    if (r.ticketId !== undefined) add(this.idsByTicket, r.ticketId);
  }

  /** the alerts not resolved, without a look at the resolved ones (most of a year's) */
  *openRecords(): Generator<AlertRecord> {
    for (const id of this.openIds) yield this.records.get(id)!;
  }

  /**
   * The records of these keys (spelled by `keyOf`) and tickets, each once: the only ones a
   * re-derivation of them may withdraw.
   */
  recordsOf(keySet: ReadonlySet<string>, tickets: ReadonlySet<string>): AlertRecord[] {
    return [...this.eachRecordOf(keySet, tickets)];
  }

  /**
   * recordsOf, one at a time, in the same order (the start's derivation takes them in slices). A
   * record remembered meanwhile under a key or ticket not yet reached would be offered too: the
   * withdrawals taken from here keep their record's key and ticket.
   */
  *eachRecordOf(keySet: ReadonlySet<string>, tickets: ReadonlySet<string>): Generator<AlertRecord> {
    const ids = new Set<string>();
    const offer = (id: string) => !ids.has(id) && ids.add(id);
    for (const k of keySet) for (const id of this.idsByKey.get(k) ?? []) if (offer(id)) yield this.records.get(id)!;
    for (const t of tickets) for (const id of this.idsByTicket.get(t) ?? []) if (offer(id)) yield this.records.get(id)!;
  }
}
