// CounterIndex: the in-memory counters of contract section 3, derived from the set of distinct
// events applied so far. Everything it answers is a function of that set, never of arrival
// order, and applying an event twice — at any distance — changes nothing, without remembering
// every eventId:
// - a first contact counts by its facts (ticket, customer, time, type, branch, outcome); counts
//   are distinct customers by earliest time, so two first contacts with the same facts count as
//   one, and a repeat of one is recognised inside its ticket;
// - a correction wins by its (occurredAtMs, eventId) stamp, which a repeat does not beat;
// - an event reported `unclassified` brings its classification: a ticket's most confident types
//   its first contacts reported `unclassified` (corrections.ts); other events count nothing.
// has() answers for a bounded window of recent eventIds (RecentIds): the pipeline's dedupe of
// redeliveries; an older repeat that passes it is written again (the table folds it by
// event_id) and applied again (a no-op here).
//
// Memory: ticket ids and customer hashes in byte arenas (StringIds), first contacts as struct of
// typed arrays (FirstContacts), per (type, scope) a typed-array table of customer → earliest time.

import type { CounterRow, MaskedEvent, Outcome } from '../model.ts';
import type { ChangedKey } from './counter-rows.ts';
import type { PlanView } from './plan-view.ts';
import { changedKeys, counterRows } from './counter-rows.ts';
import { CustomerMinima } from './sorted-times.ts';
import { FirstContacts, NO_CONTACT } from './first-contacts.ts';
import { StringIds } from './string-ids.ts';
import { RecentIds } from './recent-ids.ts';
import { effectiveOf, NOT_AGREED, outcomeCode, timeOf, withClassification, withCorrection } from './corrections.ts';
import type { Corrections, Effective } from './corrections.ts';
import { NOT_A_PLAN_TYPE, PlanNames } from './plan-names.ts';
import { UNCLASSIFIED } from './classify.ts';

export type { ChangedKey } from './counter-rows.ts';
export interface CounterSize { tickets: number; firstContacts: number; customers: number; recentIds: number }
export interface CounterIndexOptions {
  /** eventIds has() remembers at least (the most recent ones); default 200,000 */
  recentIds?: number;
}

export class CounterIndex {
  private readonly recent: RecentIds;
  private readonly ticketIds = new StringIds();
  private readonly customerIds = new StringIds();
  private readonly names: PlanNames;
  /** the name a first contact reported `unclassified` is held under */
  private readonly unclassified: number;
  /** the first contacts of the plan year, listed per ticket and per customer */
  private readonly contacts = new FirstContacts();
  /** per ticket: its corrections and classifications (rare, so a map) */
  private readonly corrections = new Map<number, Corrections>();
  /** first contacts whose contribution is being withdrawn by a correction */
  private readonly detached = new Set<number>();
  private readonly contacted: Array<CustomerMinima | undefined>;
  private readonly unresolved: Array<CustomerMinima | undefined>;

  constructor(private readonly plan: PlanView, options: CounterIndexOptions = {}) {
    this.recent = new RecentIds(options.recentIds ?? 200_000);
    this.names = new PlanNames(plan);
    this.unclassified = this.names.of(UNCLASSIFIED);
    const keys = plan.types.length * plan.scopes.length;
    this.contacted = new Array<CustomerMinima | undefined>(keys).fill(undefined);
    this.unresolved = new Array<CustomerMinima | undefined>(keys).fill(undefined);
  }

  /** Whether this eventId was applied recently (the window of RecentIds): the pipeline's dedupe. */
  has(eventId: string): boolean {
    return this.recent.has(eventId);
  }

  /** Marks eventIds as seen without applying anything (ids stored just before a restart). */
  remember(eventIds: Iterable<string>): void {
    for (const id of eventIds) this.recent.add(id);
  }

  get size(): CounterSize {
    return {
      tickets: this.ticketIds.size,
      firstContacts: this.contacts.size,
      customers: this.customerIds.size,
      recentIds: this.recent.size,
    };
  }

  /** Typed-array bytes held (the arenas and tables; corrections and names not included). */
  get bytesHeld(): number {
    return this.ticketIds.bytesHeld + this.customerIds.bytesHeld + this.recent.bytesHeld + this.contacts.bytesHeld;
  }

  /** Applies events (in any order, repeats allowed) and returns the (type, scope) pairs, in plan
   *  order, whose counts may have changed. */
  apply(events: readonly MaskedEvent[]): ChangedKey[] {
    return this.applyEvents(events, true);
  }

  /** Applies events even if their ids were seen: batches that raced a rebuild (a plan change),
   *  whose ids its recent-ids read may hold while its earlier fact pages do not. Safe: a first
   *  contact, correction or classification applied twice changes nothing. */
  reapply(events: readonly MaskedEvent[]): ChangedKey[] {
    return this.applyEvents(events, false);
  }

  private applyEvents(events: readonly MaskedEvent[], skipSeen: boolean): ChangedKey[] {
    const changed = new Set<number>();
    for (const e of events) {
      if (!this.recent.addIfNew(e.eventId) && skipSeen) continue;
      // Only tickets the intake left `unclassified` pay for this (a correction types by itself).
      const unclassified = e.reportedType === UNCLASSIFIED && e.kind !== 'corrected';
      if (unclassified && e.classification !== undefined && e.classification.type !== UNCLASSIFIED) {
        this.addClassification(e.ticketId, e.eventId, e.classification.confidence, e.classification.type, changed);
      }
      if (e.kind === 'first_contact') {
        const type = unclassified ? UNCLASSIFIED : e.complaintType;
        this.addFirstContact(e.ticketId, timeOf(e.occurredAtMs), e.customerHash, type, e.branch, e.outcome, changed);
      } else if (e.kind === 'corrected') {
        this.addCorrection(e.ticketId, e.eventId, timeOf(e.occurredAtMs), e.complaintType, e.branch, e.outcome, changed);
      }
    }
    return changedKeys(this.plan, changed);
  }

  /** Whether the ticket has a first contact of the plan year: a correction or classification of it, of any date, counts here. */
  countsTicket(ticketId: string): boolean {
    const ticket = this.ticketIds.find(ticketId);
    return ticket >= 0 && this.contacts.firstOfTicket(ticket) !== NO_CONTACT;
  }

  /** Distinct customers of (type, scope) up to and including asOfMs. O(log n). */
  count(type: string, scope: string, asOfMs: number): { unresolved: number; firstContact: number } {
    const ti = this.names.typeIndex.get(type), si = this.names.scopeIndex.get(scope);
    if (ti === undefined || si === undefined) return { unresolved: 0, firstContact: 0 };
    const k = ti * this.plan.scopes.length + si;
    return {
      unresolved: this.unresolved[k]?.countAtOrBefore(asOfMs) ?? 0,
      firstContact: this.contacted[k]?.countAtOrBefore(asOfMs) ?? 0,
    };
  }

  /** Every plan type x every scope (types outer, scopes inner, plan order). */
  rows(asOfMs: number, filter?: { type?: string; scope?: string }): CounterRow[] {
    return counterRows(this.plan, this, asOfMs, filter);
  }

  /** One first_contact, by its facts (the bulk path of a rebuild; apply() for events); type
   *  `unclassified` for one reported so, which its ticket's classification types. */
  addFirstContact(
    ticketId: string, t: number, customerHash: string, type: string, branch: string, outcome: Outcome | undefined,
    changed?: Set<number>,
  ): void {
    // Outside the plan year a first contact never counts, whatever corrections come.
    if (!(t >= this.plan.yearStartMs && t < this.plan.yearEndMs)) return;
    const ticket = this.ticketOf(ticketId);
    const customer = this.customerIds.add(customerHash);
    const ty = this.names.of(type), br = this.names.of(branch), oc = outcomeCode(outcome);
    // The same facts again (a repeat, or a copy under another eventId) are one first contact.
    if (this.contacts.sameFactsInTicket(ticket, t, customer, ty, br, oc)) return;
    const f = this.contacts.add(ticket, t, customer, ty, br, oc);
    this.contribute(f, this.effective(f, this.corrections.get(ticket)), +1, changed);
  }

  /** One correction, by its facts: wins over the ticket's others by (t, eventId). */
  addCorrection(
    ticketId: string, eventId: string, t: number, type: string, branch: string, outcome: Outcome | undefined,
    changed?: Set<number>,
  ): void {
    const ticket = this.ticketOf(ticketId);
    const before = this.corrections.get(ticket);
    const after = withCorrection(before, t, eventId, () => [this.names.of(type), this.names.of(branch)], outcome);
    if (after) this.switchFacts(ticket, before, after, changed);
  }

  /** One classification of an event reported `unclassified` (confidence 0..1, type classified):
   *  the ticket's most confident one types its first contacts reported `unclassified`. */
  addClassification(ticketId: string, eventId: string, confidence: number, type: string, changed?: Set<number>): void {
    const ticket = this.ticketOf(ticketId);
    const before = this.corrections.get(ticket);
    const after = withClassification(before, eventId, confidence, () => this.names.of(type));
    if (after) this.switchFacts(ticket, before, after, changed);
  }

  /** Moves the ticket's first contacts whose effective facts differ between before and after. */
  private switchFacts(
    ticket: number, before: Corrections | undefined, after: Corrections, changed: Set<number> | undefined,
  ): void {
    const moved: Array<{ f: number; old: Effective; now: Effective }> = [];
    for (let f = this.contacts.firstOfTicket(ticket); f !== NO_CONTACT; f = this.contacts.nextInTicket(f)) {
      const old = this.effective(f, before), now = this.effective(f, after);
      if (old.type !== now.type || old.branch !== now.branch || old.outcome !== now.outcome) {
        moved.push({ f, old, now });
      }
    }
    // Withdraw under the old facts (the moved contacts detached, so a customer's remaining
    // earliest time is found among the others), then switch and add under the new ones.
    for (const m of moved) this.detached.add(m.f);
    for (const m of moved) this.contribute(m.f, m.old, -1, changed);
    this.corrections.set(ticket, after);
    this.detached.clear();
    for (const m of moved) this.contribute(m.f, m.now, +1, changed);
  }

  /** Adds (sign +1) or removes (-1) one first contact in every scope of its effective branch. */
  private contribute(f: number, eff: Effective, sign: 1 | -1, changed: Set<number> | undefined): void {
    const ti = this.names.typeIndexOf(eff.type);
    if (ti === NOT_A_PLAN_TYPE) return;
    const nScopes = this.plan.scopes.length;
    const customer = this.contacts.customerAt(f), t = this.contacts.timeAt(f);
    for (const si of this.names.scopesOf(eff.branch)) {
      const k = ti * nScopes + si;
      changed?.add(k);
      const contacted = (this.contacted[k] ??= new CustomerMinima());
      if (sign > 0) contacted.add(customer, t);
      else contacted.remove(customer, t, () => this.remainingMin(customer, ti, si, false));
      if (eff.outcome !== NOT_AGREED) continue;
      const unresolved = (this.unresolved[k] ??= new CustomerMinima());
      if (sign > 0) unresolved.add(customer, t);
      else unresolved.remove(customer, t, () => this.remainingMin(customer, ti, si, true));
    }
  }

  /** The earliest time among the customer's attached first contacts that count in (ti, si). */
  private remainingMin(customer: number, ti: number, si: number, notAgreed: boolean): number {
    let min = Infinity;
    const contacts = this.contacts;
    for (let f = contacts.firstOfCustomer(customer); f !== NO_CONTACT; f = contacts.nextOfCustomer(f)) {
      if (this.detached.has(f) || !(contacts.timeAt(f) < min)) continue;
      const eff = this.effective(f, this.corrections.get(contacts.ticketAt(f)));
      if (this.names.typeIndexOf(eff.type) !== ti || (notAgreed && eff.outcome !== NOT_AGREED)) continue;
      if (this.names.scopesOf(eff.branch).includes(si)) min = contacts.timeAt(f);
    }
    return min;
  }

  private effective(f: number, c: Corrections | undefined): Effective {
    const contacts = this.contacts;
    return effectiveOf(c, contacts.typeAt(f), contacts.branchAt(f), contacts.outcomeAt(f), this.unclassified);
  }

  private ticketOf(ticketId: string): number {
    const ticket = this.ticketIds.add(ticketId);
    this.contacts.holdTicket(ticket);
    return ticket;
  }
}
