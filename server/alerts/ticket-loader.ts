// Tickets whose stored events the alert engine must read back, gathered for a short while and
// read in one query: in a burst of tickets brought into a strict type, one query per `everyMs`
// for every ticket that arrived meanwhile, not one per batch (each read moves the live journal
// into ticket_events first: a burst opening cases made a move per batch).

export class TicketLoader {
  private readonly waiting = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private loads: Promise<void> = Promise.resolve();

  constructor(
    /** reads the tickets' events into the book and derives each group again with its reason */
    private readonly load: (tickets: string[], byReason: Map<string, string[]>) => Promise<void>,
    private readonly onError: (err: Error, tickets: number) => void,
    private readonly everyMs: number,
  ) {}

  add(tickets: readonly string[], reason: string): void {
    if (tickets.length === 0) return;
    for (const t of tickets) if (!this.waiting.has(t)) this.waiting.set(t, reason);
    this.timer ??= setTimeout(() => void this.flush(), this.everyMs);
  }

  /** Runs another read after those before it (one at a time, in order). */
  then(read: () => Promise<void>, onError: (err: Error) => void): Promise<void> {
    this.loads = this.loads.then(read).catch(onError);
    return this.loads;
  }

  /** Reads what waits now; resolves when every read so far is done. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waiting.size === 0) return this.loads;
    const tickets = [...this.waiting.keys()];
    const byReason = new Map<string, string[]>();
    for (const [ticket, reason] of this.waiting) {
      const group = byReason.get(reason);
      if (group) group.push(ticket);
      else byReason.set(reason, [ticket]);
    }
    this.waiting.clear();
    return this.then(() => this.load(tickets, byReason), (err) => this.onError(err, tickets.length));
  }
}
