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
// typed arrays, per (type, scope) a typed-array table of customer → earliest time.

import type { CounterRow, MaskedEvent, Outcome } from '../model.ts';
import type { ChangedKey } from './counter-rows.ts';
import type { PlanView } from './plan-view.ts';
import { changedKeys, counterRows } from './counter-rows.ts';
import { CustomerMinima } from './sorted-times.ts';
import { grow, growFilled, StringIds } from './string-ids.ts';
import { RecentIds } from './recent-ids.ts';
import { effectiveOf, NOT_AGREED, outcomeCode, timeOf, withClassification, withCorrection, type Corrections, type Effective } from './corrections.ts';
import { NOT_A_PLAN_TYPE, PlanNames } from './plan-names.ts';
import { UNCLASSIFIED } from './classify.ts';

const NONE = -1;

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
  /** per ticket: its first first-contact slot; corrections and classifications (rare) in a map */
  private ticketHead = new Int32Array(1024).fill(NONE);
  private readonly corrections = new Map<number, Corrections>();
  /** per customer: its first first-contact slot */
  private customerHead = new Int32Array(1024).fill(NONE);
  // First contacts of the plan year, struct of arrays (one slot each, ~33 bytes).
  private fT = new Float64Array(1024);
  private fCustomer = new Int32Array(1024);
  private fType = new Int32Array(1024);
  private fBranch = new Int32Array(1024);
  private fOutcome = new Uint8Array(1024);
  private fTicket = new Int32Array(1024);
  private fNextInTicket = new Int32Array(1024);
  private fNextOfCustomer = new Int32Array(1024);
  private nFc = 0;
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
    return { tickets: this.ticketIds.size, firstContacts: this.nFc, customers: this.customerIds.size, recentIds: this.recent.size };
  }

  /** Typed-array bytes held (the arenas and tables; corrections and names not included). */
  get bytesHeld(): number {
    let b = this.ticketIds.bytesHeld + this.customerIds.bytesHeld + this.recent.bytesHeld + this.ticketHead.byteLength + this.customerHead.byteLength;
    b += this.fT.byteLength + this.fCustomer.byteLength + this.fType.byteLength + this.fBranch.byteLength + this.fOutcome.byteLength;
    b += this.fTicket.byteLength + this.fNextInTicket.byteLength + this.fNextOfCustomer.byteLength;
    return b;
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
      if (e.kind === 'first_contact') this.addFirstContact(e.ticketId, timeOf(e.occurredAtMs), e.customerHash, unclassified ? UNCLASSIFIED : e.complaintType, e.branch, e.outcome, changed);
      else if (e.kind === 'corrected') this.addCorrection(e.ticketId, e.eventId, timeOf(e.occurredAtMs), e.complaintType, e.branch, e.outcome, changed);
    }
    return changedKeys(this.plan, changed);
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
  addFirstContact(ticketId: string, t: number, customerHash: string, type: string, branch: string, outcome: Outcome | undefined, changed?: Set<number>): void {
    // Outside the plan year a first contact never counts, whatever corrections come.
    if (!(t >= this.plan.yearStartMs && t < this.plan.yearEndMs)) return;
    const ticket = this.ticketOf(ticketId);
    const customer = this.customerIds.add(customerHash);
    const ty = this.names.of(type), br = this.names.of(branch), oc = outcomeCode(outcome);
    for (let f = this.ticketHead[ticket] as number; f !== NONE; f = this.fNextInTicket[f] as number) {
      if (this.fT[f] === t && this.fCustomer[f] === customer && this.fType[f] === ty && this.fBranch[f] === br && this.fOutcome[f] === oc) return;
    }
    const f = this.newSlot();
    this.fT[f] = t;
    this.fCustomer[f] = customer;
    this.fType[f] = ty;
    this.fBranch[f] = br;
    this.fOutcome[f] = oc;
    this.fTicket[f] = ticket;
    this.fNextInTicket[f] = this.ticketHead[ticket] as number;
    this.ticketHead[ticket] = f;
    if (customer >= this.customerHead.length) this.customerHead = growFilled(this.customerHead, customer);
    this.fNextOfCustomer[f] = this.customerHead[customer] as number;
    this.customerHead[customer] = f;
    this.contribute(f, this.effective(f, this.corrections.get(ticket)), +1, changed);
  }

  /** One correction, by its facts: wins over the ticket's others by (t, eventId). */
  addCorrection(ticketId: string, eventId: string, t: number, type: string, branch: string, outcome: Outcome | undefined, changed?: Set<number>): void {
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
  private switchFacts(ticket: number, before: Corrections | undefined, after: Corrections, changed: Set<number> | undefined): void {
    const moved: Array<{ f: number; old: Effective; now: Effective }> = [];
    for (let f = this.ticketHead[ticket] as number; f !== NONE; f = this.fNextInTicket[f] as number) {
      const old = this.effective(f, before), now = this.effective(f, after);
      if (old.type !== now.type || old.branch !== now.branch || old.outcome !== now.outcome) moved.push({ f, old, now });
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
    const customer = this.fCustomer[f] as number, t = this.fT[f] as number;
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
    for (let f = this.customerHead[customer] as number; f !== NONE; f = this.fNextOfCustomer[f] as number) {
      if (this.detached.has(f) || !((this.fT[f] as number) < min)) continue;
      const eff = this.effective(f, this.corrections.get(this.fTicket[f] as number));
      if (this.names.typeIndexOf(eff.type) !== ti || (notAgreed && eff.outcome !== NOT_AGREED)) continue;
      if (this.names.scopesOf(eff.branch).includes(si)) min = this.fT[f] as number;
    }
    return min;
  }

  private effective(f: number, c: Corrections | undefined): Effective {
    return effectiveOf(c, this.fType[f] as number, this.fBranch[f] as number, this.fOutcome[f] as number, this.unclassified);
  }

  private ticketOf(ticketId: string): number {
    const ticket = this.ticketIds.add(ticketId);
    if (ticket >= this.ticketHead.length) this.ticketHead = growFilled(this.ticketHead, ticket);
    return ticket;
  }

  private newSlot(): number {
    const f = this.nFc++;
    if (f === this.fT.length) {
      const cap = Math.ceil(f * 1.5);
      this.fT = grow(this.fT, cap);
      this.fCustomer = grow(this.fCustomer, cap);
      this.fType = grow(this.fType, cap);
      this.fBranch = grow(this.fBranch, cap);
      this.fOutcome = grow(this.fOutcome, cap);
      this.fTicket = grow(this.fTicket, cap);
      this.fNextInTicket = grow(this.fNextInTicket, cap);
      this.fNextOfCustomer = grow(this.fNextOfCustomer, cap);
    }
    return f;
  }
}
