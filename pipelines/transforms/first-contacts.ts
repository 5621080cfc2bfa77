// FirstContacts: the first contacts of the plan year as a struct of typed arrays (one slot each,
// ~33 bytes), linked per ticket and per customer, so a year of facts holds no JS object per
// contact. Slots are 0, 1, 2, … in order of addition and are never freed; the arrays grow by half
// when full, the per-ticket and per-customer heads by half (at least to the id asked for).
// Walking a list allocates nothing: start at firstOfTicket / firstOfCustomer, step with
// nextInTicket / nextOfCustomer until NO_CONTACT.
//
// Types, branches and outcomes are held as the codes the counters give them (PlanNames,
// outcomeCode); which contacts count where is the counters' rule (counters.ts), not this table's.

import { grow, growFilled } from './string-ids.ts';

/** The end of a ticket's or customer's list (and the head of one that has none). */
export const NO_CONTACT = -1;

const INITIAL = 1024;

export class FirstContacts {
  /** per ticket: its most recently added first contact */
  private ticketHead = new Int32Array(INITIAL).fill(NO_CONTACT);
  /** per customer: its most recently added first contact */
  private customerHead = new Int32Array(INITIAL).fill(NO_CONTACT);
  private t = new Float64Array(INITIAL);
  private customer = new Int32Array(INITIAL);
  private type = new Int32Array(INITIAL);
  private branch = new Int32Array(INITIAL);
  private outcome = new Uint8Array(INITIAL);
  private ticket = new Int32Array(INITIAL);
  private nextInTicketOf = new Int32Array(INITIAL);
  private nextOfCustomerOf = new Int32Array(INITIAL);
  private n = 0;

  /** First contacts held. */
  get size(): number {
    return this.n;
  }

  /** Typed-array bytes held: the slots and both lists' heads. */
  get bytesHeld(): number {
    let b = this.ticketHead.byteLength + this.customerHead.byteLength;
    b += this.t.byteLength + this.customer.byteLength + this.type.byteLength + this.branch.byteLength;
    b += this.outcome.byteLength + this.ticket.byteLength;
    b += this.nextInTicketOf.byteLength + this.nextOfCustomerOf.byteLength;
    return b;
  }

  /** Makes room for the ticket's list head as soon as the ticket has an id (whether or not a
   *  first contact of it ever comes), so add() and the walks never look past the heads. */
  holdTicket(ticket: number): void {
    if (ticket >= this.ticketHead.length) this.ticketHead = growFilled(this.ticketHead, ticket);
  }

  /** Whether the ticket already holds a first contact with exactly these facts. The ticket must
   *  be held (holdTicket). */
  sameFactsInTicket(
    ticket: number, t: number, customer: number, type: number, branch: number, outcome: number,
  ): boolean {
    for (let f = this.ticketHead[ticket] as number; f !== NO_CONTACT; f = this.nextInTicketOf[f] as number) {
      if (this.t[f] === t && this.customer[f] === customer && this.type[f] === type
        && this.branch[f] === branch && this.outcome[f] === outcome) return true;
    }
    return false;
  }

  /** Adds one first contact at the head of its ticket's and its customer's lists and returns its
   *  slot. Repeats are the caller's to refuse (sameFactsInTicket); the ticket must be held. */
  add(ticket: number, t: number, customer: number, type: number, branch: number, outcome: number): number {
    const f = this.newSlot();
    this.t[f] = t;
    this.customer[f] = customer;
    this.type[f] = type;
    this.branch[f] = branch;
    this.outcome[f] = outcome;
    this.ticket[f] = ticket;
    this.nextInTicketOf[f] = this.ticketHead[ticket] as number;
    this.ticketHead[ticket] = f;
    if (customer >= this.customerHead.length) this.customerHead = growFilled(this.customerHead, customer);
    this.nextOfCustomerOf[f] = this.customerHead[customer] as number;
    this.customerHead[customer] = f;
    return f;
  }

  /** The ticket's latest first contact, or NO_CONTACT. The ticket must be held. */
  firstOfTicket(ticket: number): number {
    return this.ticketHead[ticket] as number;
  }

  /** The ticket's first contact added before f, or NO_CONTACT. */
  nextInTicket(f: number): number {
    return this.nextInTicketOf[f] as number;
  }

  /** The customer's latest first contact. The customer must have one (a customerAt of a slot). */
  firstOfCustomer(customer: number): number {
    return this.customerHead[customer] as number;
  }

  /** The customer's first contact added before f, or NO_CONTACT. */
  nextOfCustomer(f: number): number {
    return this.nextOfCustomerOf[f] as number;
  }

  timeAt(f: number): number {
    return this.t[f] as number;
  }

  customerAt(f: number): number {
    return this.customer[f] as number;
  }

  typeAt(f: number): number {
    return this.type[f] as number;
  }

  branchAt(f: number): number {
    return this.branch[f] as number;
  }

  outcomeAt(f: number): number {
    return this.outcome[f] as number;
  }

  ticketAt(f: number): number {
    return this.ticket[f] as number;
  }

  private newSlot(): number {
    const f = this.n++;
    if (f === this.t.length) {
      const cap = Math.ceil(f * 1.5);
      this.t = grow(this.t, cap);
      this.customer = grow(this.customer, cap);
      this.type = grow(this.type, cap);
      this.branch = grow(this.branch, cap);
      this.outcome = grow(this.outcome, cap);
      this.ticket = grow(this.ticket, cap);
      this.nextInTicketOf = grow(this.nextInTicketOf, cap);
      this.nextOfCustomerOf = grow(this.nextOfCustomerOf, cap);
    }
    return f;
  }
}
