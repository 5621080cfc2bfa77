// The type an unclassified ticket was given, kept per ticket (contract section 1: "the monitor
// then assigns a type from text and tags … Such a ticket counts under the type it is given").
// An intake system that never classifies a ticket sends `unclassified` on each of its events, and
// often the complaint's text only on the first (the 12378 transfer): the first contact, the event
// that counts, then has nothing to classify. It takes the type its ticket was given by an earlier
// event. A first contact that arrives before any event with text keeps no type and waits in the
// classification review, where a person types it.

import type { Classification } from '../model.ts';
import { UNCLASSIFIED } from './classify.ts';

/** tickets remembered at most (an unclassified ticket's events come within days of each other) */
const MAX_TICKETS = 200_000;

export class TicketTypes {
  private readonly byTicket = new Map<string, Classification>();

  /**
   * The classification an event of this ticket gets: its own when its text or tags gave a type
   * (then remembered for the ticket, the most confident one winning), else the ticket's.
   */
  resolve(ticketId: string, own: Classification): Classification {
    if (own.type !== UNCLASSIFIED) {
      this.note(ticketId, own);
      return own;
    }
    const known = this.byTicket.get(ticketId);
    return known ? { ...known, modelVersion: `${known.modelVersion}+ticket` } : own;
  }

  /** Remembers a type given to the ticket (also when the store is read back at start). */
  note(ticketId: string, c: Classification): void {
    const known = this.byTicket.get(ticketId);
    if (known && known.confidence > c.confidence) return;
    this.byTicket.delete(ticketId); // re-inserted: the newest last, the oldest first out
    this.byTicket.set(ticketId, c);
    if (this.byTicket.size > MAX_TICKETS) this.byTicket.delete(this.byTicket.keys().next().value!);
  }

  get size(): number {
    return this.byTicket.size;
  }
}
