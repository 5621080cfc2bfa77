// The alert engine's ticket book: per ticket, only the facts the case rule (cases.ts) reads, in
// columns, so that a year of tickets stays small.

import type { Escalation, MaskedEvent, Outcome } from '../model.ts';
import { UNCLASSIFIED } from '../transforms/classify.ts';
import { thousandths } from '../transforms/corrections.ts';
import type { CaseTicket } from './cases.ts';
import { IdPacker } from './ids.ts';

// Fact kinds and codes, packed into one Int32 tag: kind | outcome << 3 | escalation << 5, and
// RELATIVE when the id is held as a suffix of the ticket id (ids.ts); a classification's
// confidence, in thousandths, from bit 8.
const CONTACT = 0, CORRECTION = 1, ESCALATION = 2, CLOSE = 3, REOPEN = 4, CLASSIFIED = 5;
const KIND_MASK = 7;
const RELATIVE = 1 << 7;
const CONFIDENCE_SHIFT = 8;
const OUTCOMES: ReadonlyArray<Outcome | undefined> = [undefined, 'agreed', 'not_agreed'];
const ESCALATIONS: ReadonlyArray<Escalation | undefined> = [undefined, 'case_meeting', 'mediation', 'management'];
const code = <T>(list: ReadonlyArray<T | undefined>, v: T | undefined) => Math.max(0, list.indexOf(v));

/**
 * What is kept, and why it is the minimum. A ticket that is not a case now (a relative type, no
 * correction) becomes one retroactively when a correction re-types it, from its first contact on,
 * with every escalation, agreed resolution and re-opening in the case's history (each with its
 * eventId) and its received time in the deadline; so those facts are kept for every ticket, and
 * nothing else is:
 * - 'opened' folds to the earliest time (one number; its id is never shown);
 * - 'resolved' without outcome agreed is dropped (it neither closes nor progresses a case);
 * - each other fact is one row of columns (time, kind/outcome/escalation tag, interned
 *   type-and-branch pair, the eventId packed by ids.ts, for history and for ties) in a per-ticket
 *   list in order of first arrival (escalations at one instant keep that order in the history);
 * - an event reported `unclassified` adds a row for its classification (confidence in the tag,
 *   the type in the pair): the ticket's most confident one types its first contacts reported so.
 * There is no all-time eventId set: an event whose id is already in its ticket's list (or an
 * 'opened'/dropped 'resolved', whose folding is idempotent) changes nothing and costs nothing, at
 * any distance. Memory is bounded by the distinct facts of each ticket, not by deliveries.
 */
export class TicketBook {
  private readonly slots = new Map<string, number>();
  /** per slot: earliest 'opened' time (+Infinity: none) and the first fact (-1: none) */
  private received = new Float64Array(256);
  private head = new Int32Array(256);
  /** per fact: time, tag, type-and-branch pair, next fact of the same ticket (-1: last) */
  private at = new Float64Array(1024);
  private tag = new Int32Array(1024);
  private pair = new Int32Array(1024);
  private next = new Int32Array(1024);
  private readonly ids: Array<string | bigint> = [];
  private readonly packer = new IdPacker();
  private readonly pairs: Array<readonly [type: string, branch: string]> = [];
  private readonly pairIndex = new Map<string, Map<string, number>>();

  get size(): number {
    return this.slots.size;
  }

  /** Facts held (rows of the fact columns), for tests and measurements. */
  get facts(): number {
    return this.ids.length;
  }

  ticketIds(): IterableIterator<string> {
    return this.slots.keys();
  }

  has(ticketId: string): boolean {
    return this.slots.has(ticketId);
  }

  /** Applies events; returns the ids of the tickets whose facts changed. An event reported
   *  `unclassified` brings its classification as a fact of its own (any kind but a correction,
   *  which types by itself), and a first contact reported so is held as `unclassified`. */
  apply(events: readonly MaskedEvent[]): Set<string> {
    const touched = new Set<string>();
    for (const e of events) {
      const kind = KINDS.get(e.kind);
      if (kind === undefined) continue;
      const unclassified = e.reportedType === UNCLASSIFIED && kind !== CORRECTION;
      if (unclassified && e.classification !== undefined && e.classification.type !== UNCLASSIFIED) {
        this.add(e, CLASSIFIED | (thousandths(e.classification.confidence) << CONFIDENCE_SHIFT), -Infinity, this.pairOf(e.classification.type, ''), touched);
      }
      this.applyFact(e, kind, unclassified, touched);
    }
    return touched;
  }

  private applyFact(e: MaskedEvent, kind: number, unclassified: boolean, touched: Set<string>): void {
    const t = Number.isNaN(e.occurredAtMs) ? -Infinity : e.occurredAtMs;
    if (kind === OPENED) {
      const slot = this.slotOf(e.ticketId, touched);
      if (t < this.received[slot]!) {
        this.received[slot] = t;
        touched.add(e.ticketId);
      }
      return;
    }
    if (kind === CLOSE && e.outcome !== 'agreed') return void this.slotOf(e.ticketId, touched);
    const type = kind === CONTACT && unclassified ? UNCLASSIFIED : e.complaintType;
    const pair = kind === CONTACT || kind === CORRECTION ? this.pairOf(type, e.branch) : -1;
    this.add(e, kind | (code(OUTCOMES, e.outcome) << 3) | (code(ESCALATIONS, e.escalation) << 5), t, pair, touched);
  }

  private slotOf(ticketId: string, touched: Set<string>): number {
    let slot = this.slots.get(ticketId);
    if (slot === undefined) {
      slot = this.slots.size;
      if (slot === this.head.length) this.growSlots();
      this.received[slot] = Infinity;
      this.head[slot] = -1;
      this.slots.set(ticketId, slot);
      touched.add(ticketId);
    }
    return slot;
  }

  /** One fact row, unless the ticket holds this event's fact of this kind already. */
  private add(e: MaskedEvent, tag: number, t: number, pair: number, touched: Set<string>): void {
    const slot = this.slotOf(e.ticketId, touched);
    const id = this.packer.pack(e.eventId, e.ticketId);
    const relative = id.relative ? RELATIVE : 0;
    const key = (tag & KIND_MASK) | relative;
    let last = -1;
    for (let i = this.head[slot]!; i !== -1; i = this.next[i]!) {
      if (this.ids[i] === id.value && (this.tag[i]! & (KIND_MASK | RELATIVE)) === key) return;
      last = i;
    }
    const f = this.ids.length;
    if (f === this.at.length) this.growFacts();
    this.at[f] = t;
    this.tag[f] = tag | relative;
    this.pair[f] = pair;
    this.next[f] = -1;
    this.ids.push(id.value);
    if (last === -1) this.head[slot] = f;
    else this.next[last] = f;
    touched.add(e.ticketId);
  }

  /** The facts of one ticket, as deriveCase reads them; undefined for a ticket never seen. */
  get(ticketId: string): CaseTicket | undefined {
    const slot = this.slots.get(ticketId);
    if (slot === undefined) return undefined;
    const t: CaseTicket = { ticketId, contacts: [], corrections: [], resolutions: [], reopens: [], escalations: [], classifications: [] };
    const received = this.received[slot]!;
    if (received !== Infinity) t.receivedAtMs = received;
    for (let i = this.head[slot]!; i !== -1; i = this.next[i]!) {
      const tag = this.tag[i]!;
      const s = { id: this.packer.unpack(this.ids[i]!, (tag & RELATIVE) !== 0, ticketId), t: this.at[i]! };
      const outcome = OUTCOMES[(tag >> 3) & 3];
      const kind = tag & KIND_MASK;
      if (kind === CLASSIFIED) t.classifications.push({ id: s.id, confidence: tag >>> CONFIDENCE_SHIFT, type: this.pairs[this.pair[i]!]![0] });
      else if (kind === CONTACT || kind === CORRECTION) {
        const [type, branch] = this.pairs[this.pair[i]!]!;
        (kind === CONTACT ? t.contacts : t.corrections).push({ ...s, type, branch, outcome });
      } else if (kind === CLOSE) t.resolutions.push({ ...s, outcome });
      else if (kind === REOPEN) t.reopens.push(s);
      else t.escalations.push({ ...s, escalation: ESCALATIONS[(tag >> 5) & 3] });
    }
    return t;
  }

  private pairOf(type: string, branch: string): number {
    let byBranch = this.pairIndex.get(type);
    if (!byBranch) this.pairIndex.set(type, (byBranch = new Map()));
    let p = byBranch.get(branch);
    if (p === undefined) {
      p = this.pairs.length;
      this.pairs.push([type, branch]);
      byBranch.set(branch, p);
    }
    return p;
  }

  private growSlots(): void {
    const n = Math.ceil(this.head.length * 1.5);
    this.received = grow(this.received, new Float64Array(n));
    this.head = grow(this.head, new Int32Array(n));
  }

  private growFacts(): void {
    const n = Math.ceil(this.at.length * 1.5);
    this.at = grow(this.at, new Float64Array(n));
    this.tag = grow(this.tag, new Int32Array(n));
    this.pair = grow(this.pair, new Int32Array(n));
    this.next = grow(this.next, new Int32Array(n));
  }
}

const OPENED = -1;
const KINDS = new Map<string, number>([['opened', OPENED], ['first_contact', CONTACT], ['corrected', CORRECTION], ['escalated', ESCALATION], ['resolved', CLOSE], ['reopened', REOPEN]]);

function grow<A extends Float64Array | Int32Array>(from: A, to: A): A {
  to.set(from);
  return to;
}

