// CounterIndex: the in-memory counters of contract section 3, derived from the set of distinct
// events applied so far. Everything it answers is a function of that set, never of arrival
// order: corrections keep only the latest (occurredAtMs, eventId), and each first contact's
// contribution is recomputed from the ticket's facts whenever they change.

import type { CounterRow, MaskedEvent, Outcome } from '../model.ts';
import type { PlanView } from './plan-view.ts';
import { levelOf, ratioOf } from './levels.ts';
import { DistinctCustomers } from './sorted-times.ts';

/** One first_contact event, as much of it as counting needs. */
interface FirstContact {
  readonly id: string;
  readonly t: number;
  readonly customer: number;
  readonly type: string;
  readonly branch: string;
  readonly outcome: Outcome | undefined;
}

interface Latest { readonly t: number; readonly id: string }
interface Retype extends Latest { readonly type: string; readonly branch: string }
interface Reoutcome extends Latest { readonly outcome: Outcome }

interface Ticket {
  fcs: FirstContact[];
  retype?: Retype;
  reoutcome?: Reoutcome;
}

interface Effective { type: string; branch: string; outcome: Outcome | undefined }

export interface ChangedKey { complaintType: string; scope: string }
export interface CounterSize { events: number; tickets: number; firstContacts: number; customers: number }

export class CounterIndex {
  private readonly seen = new Set<string>();
  private readonly tickets = new Map<string, Ticket>();
  // Interned: 5M events carry only a few thousand distinct branch/type strings, and customers
  // become small integers so the per-scope maps are keyed by SMIs.
  private readonly strings = new Map<string, string>();
  private readonly customerIds = new Map<string, number>();
  private readonly typeIndex: Map<string, number>;
  private readonly scopeIndex: Map<string, number>;
  private readonly scopesCache = new Map<string, readonly number[]>();
  private readonly contacted: Array<DistinctCustomers<FirstContact> | undefined>;
  private readonly unresolved: Array<DistinctCustomers<FirstContact> | undefined>;
  private firstContacts = 0;

  constructor(private readonly plan: PlanView) {
    this.typeIndex = new Map(plan.types.map((t, i) => [t.code, i]));
    this.scopeIndex = new Map(plan.scopes.map((s, i) => [s, i]));
    const keys = plan.types.length * plan.scopes.length;
    this.contacted = new Array<DistinctCustomers<FirstContact> | undefined>(keys).fill(undefined);
    this.unresolved = new Array<DistinctCustomers<FirstContact> | undefined>(keys).fill(undefined);
  }

  /** Whether this eventId was applied (of any kind): the index is also the dedupe set. */
  has(eventId: string): boolean {
    return this.seen.has(eventId);
  }

  get size(): CounterSize {
    return { events: this.seen.size, tickets: this.tickets.size, firstContacts: this.firstContacts, customers: this.customerIds.size };
  }

  /** Applies the events not applied before (in any order) and returns the (type, scope) pairs,
   *  in plan order, whose counts may have changed. */
  apply(events: readonly MaskedEvent[]): ChangedKey[] {
    const changed = new Set<number>();
    for (const e of events) {
      if (this.seen.has(e.eventId)) continue;
      this.seen.add(e.eventId);
      if (e.kind === 'first_contact') this.applyFirstContact(e, changed);
      else if (e.kind === 'corrected') this.applyCorrection(e, changed);
    }
    const nScopes = this.plan.scopes.length;
    return [...changed].sort((x, y) => x - y).map((k) => ({
      complaintType: this.plan.types[Math.floor(k / nScopes)]?.code ?? '',
      scope: this.plan.scopes[k % nScopes] ?? '',
    }));
  }

  /** Distinct customers of (type, scope) up to and including asOfMs. O(log n). */
  count(type: string, scope: string, asOfMs: number): { unresolved: number; firstContact: number } {
    const ti = this.typeIndex.get(type), si = this.scopeIndex.get(scope);
    if (ti === undefined || si === undefined) return { unresolved: 0, firstContact: 0 };
    const k = ti * this.plan.scopes.length + si;
    return {
      unresolved: this.unresolved[k]?.countAtOrBefore(asOfMs) ?? 0,
      firstContact: this.contacted[k]?.countAtOrBefore(asOfMs) ?? 0,
    };
  }

  /** Every plan type x every scope (types outer, scopes inner, plan order). */
  rows(asOfMs: number, filter?: { type?: string; scope?: string }): CounterRow[] {
    const { plan } = this;
    // After the year the curve is complete; the plan's allowanceToDate is asked inside the year.
    const curveAt = Math.min(asOfMs, plan.yearEndMs - 1);
    const rows: CounterRow[] = [];
    for (const t of plan.types) {
      if (filter?.type !== undefined && filter.type !== t.code) continue;
      for (const scope of plan.scopes) {
        if (filter?.scope !== undefined && filter.scope !== scope) continue;
        const { unresolved, firstContact } = this.count(t.code, scope, asOfMs);
        const allowanceToDate = plan.allowanceToDate(t.code, scope, curveAt);
        const annualAllowance = plan.allowance(t.code, scope);
        rows.push({
          complaintType: t.code,
          scope,
          unresolvedCustomers: unresolved,
          firstContactCustomers: firstContact,
          oneTimeResolutionRate: firstContact === 0 ? null : 1 - unresolved / firstContact,
          allowanceToDate,
          annualAllowance,
          ratio: ratioOf(unresolved, allowanceToDate),
          level: levelOf(unresolved, allowanceToDate, annualAllowance, plan.watch),
        });
      }
    }
    return rows;
  }

  private applyFirstContact(e: MaskedEvent, changed: Set<number>): void {
    const fc: FirstContact = {
      id: e.eventId,
      t: timeOf(e),
      customer: this.customerOf(e.customerHash),
      type: this.intern(e.complaintType),
      branch: this.intern(e.branch),
      outcome: e.outcome,
    };
    const ticket = this.ticketOf(e.ticketId);
    ticket.fcs.push(fc);
    this.firstContacts++;
    this.contribute(fc, effective(ticket, fc), +1, changed);
  }

  private applyCorrection(e: MaskedEvent, changed: Set<number>): void {
    const ticket = this.ticketOf(e.ticketId);
    const stamp = { t: timeOf(e), id: e.eventId };
    const retype = isNewer(stamp, ticket.retype)
      ? { ...stamp, type: this.intern(e.complaintType), branch: this.intern(e.branch) }
      : ticket.retype;
    const reoutcome = e.outcome !== undefined && isNewer(stamp, ticket.reoutcome) ? { ...stamp, outcome: e.outcome } : ticket.reoutcome;
    if (retype === ticket.retype && reoutcome === ticket.reoutcome) return; // an older correction
    const before = ticket.fcs.map((fc) => effective(ticket, fc));
    ticket.retype = retype;
    ticket.reoutcome = reoutcome;
    ticket.fcs.forEach((fc, i) => {
      const old = before[i] as Effective;
      const now = effective(ticket, fc);
      if (old.type === now.type && old.branch === now.branch && old.outcome === now.outcome) return;
      this.contribute(fc, old, -1, changed);
      this.contribute(fc, now, +1, changed);
    });
  }

  /** Adds (sign +1) or removes (-1) one first contact in every scope of its effective branch. */
  private contribute(fc: FirstContact, eff: Effective, sign: 1 | -1, changed: Set<number>): void {
    const ti = this.typeIndex.get(eff.type);
    if (ti === undefined || !(fc.t >= this.plan.yearStartMs && fc.t < this.plan.yearEndMs)) return;
    const notAgreed = eff.outcome === 'not_agreed';
    for (const si of this.scopesOf(eff.branch)) {
      const k = ti * this.plan.scopes.length + si;
      changed.add(k);
      const contacted = (this.contacted[k] ??= new DistinctCustomers<FirstContact>());
      if (sign > 0) contacted.add(fc.customer, fc); else contacted.remove(fc.customer, fc);
      if (!notAgreed) continue;
      const unresolved = (this.unresolved[k] ??= new DistinctCustomers<FirstContact>());
      if (sign > 0) unresolved.add(fc.customer, fc); else unresolved.remove(fc.customer, fc);
    }
  }

  private scopesOf(branch: string): readonly number[] {
    let scopes = this.scopesCache.get(branch);
    if (scopes === undefined) {
      const indices = this.plan.scopesOf(branch).map((s) => this.scopeIndex.get(s));
      // A scope the plan does not list has no row to count in; repeats would count twice.
      scopes = [...new Set(indices.filter((i): i is number => i !== undefined))];
      this.scopesCache.set(branch, scopes);
    }
    return scopes;
  }

  private ticketOf(ticketId: string): Ticket {
    let ticket = this.tickets.get(ticketId);
    if (ticket === undefined) {
      ticket = { fcs: [] };
      this.tickets.set(ticketId, ticket);
    }
    return ticket;
  }

  private customerOf(hash: string): number {
    let id = this.customerIds.get(hash);
    if (id === undefined) {
      id = this.customerIds.size;
      this.customerIds.set(hash, id);
    }
    return id;
  }

  private intern(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    this.strings.set(s, s);
    return s;
  }
}

/** Type and branch from the ticket's latest correction; outcome from the latest correction
 *  that carries one; otherwise the first contact's own. */
function effective(ticket: Ticket, fc: FirstContact): Effective {
  return {
    type: ticket.retype?.type ?? fc.type,
    branch: ticket.retype?.branch ?? fc.branch,
    outcome: ticket.reoutcome?.outcome ?? fc.outcome,
  };
}

function isNewer(a: Latest, b: Latest | undefined): boolean {
  return b === undefined || a.t > b.t || (a.t === b.t && a.id > b.id);
}

// A time that is not a number must still order deterministically (NaN compares false).
function timeOf(e: MaskedEvent): number {
  return Number.isNaN(e.occurredAtMs) ? -Infinity : e.occurredAtMs;
}
