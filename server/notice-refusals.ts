// Gateway notices the broker or the client would not take, by subject: a NATS user without
// publish permission on a subject (the broker says so only on the connection, the flush still
// answers), or a message larger than the broker's max_payload (the client refuses it). Nobody on
// call hears of those alerts, so health, /metrics, the wall and the console say so until a notice
// of that subject is taken again (the refused ones are tried again every minute, and the outbox
// sends what is still unsent at the next start).

export interface NoticeRefusal {
  subject: string;
  why: string;
  /** refused notices of this subject since it was last taken */
  count: number;
  atMs: number;
}

export class NoticeRefusals {
  /** every refusal since start, for /metrics */
  total = 0;
  private readonly counts = new Map<string, number>();
  private readonly standing = new Map<string, NoticeRefusal>();

  /** refusals of this subject since start: a batch compares it before and after its flush */
  countOf(subject: string): number {
    return this.counts.get(subject) ?? 0;
  }

  /** true when the subject was not refused before (worth a log line) */
  refused(subject: string, why: string, nowMs = Date.now()): boolean {
    this.total++;
    this.counts.set(subject, this.countOf(subject) + 1);
    const was = this.standing.get(subject);
    this.standing.set(subject, { subject, why, count: (was?.count ?? 0) + 1, atMs: nowMs });
    return was === undefined;
  }

  /** a notice of this subject was taken: its refusal no longer stands */
  accepted(subject: string): void {
    this.standing.delete(subject);
  }

  /** the latest refusal still standing, and how many subjects are refused */
  latest(): (NoticeRefusal & { subjects: number }) | undefined {
    let last: NoticeRefusal | undefined;
    for (const r of this.standing.values()) if (!last || r.atMs >= last.atMs) last = r;
    return last && { ...last, subjects: this.standing.size };
  }

  /** health's reason while a refusal stands; `retryMs`: NOTICE_REFUSED_RETRY_MS, as configured */
  reason(retryMs = 60_000): string | undefined {
    const r = this.latest();
    if (!r) return undefined;
    const more = r.subjects > 1 ? ` and ${r.subjects - 1} other subject(s)` : '';
    const every = retryMs === 60_000 ? 'minute' : `${Math.round(retryMs / 1000)} s`;
    return `alert notices refused: ${r.why} on ${r.subject}${more} (${this.total} since start; tried again every ${every}, the outbox sends them at the next start)`;
  }
}
