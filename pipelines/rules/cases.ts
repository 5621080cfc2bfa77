// Case alerts (逐笔盯盘) for strict-mode types: every ticket with a not-agreed first contact of a
// strict type opens a case that stays open until the ticket is resolved with outcome agreed.
// TicketBook keeps, per ticket, only the facts the rule reads, in columns; deriveCase is a pure
// function of one ticket's facts (a view materialised on demand) and the clock.

import type { Escalation, Level, MaskedEvent, Outcome } from '../model.ts';
import type { AlertRulesConfig } from './config.ts';
import { IdPacker } from './ids.ts';
import { entryId, type DerivedAlert, type HistoryEntry, type Urgency } from './types.ts';

const HOUR = 3_600_000;

interface Stamp { id: string; t: number }
interface Contact extends Stamp { type: string; branch: string; outcome: Outcome | undefined }
interface Correction extends Stamp { type: string; branch: string; outcome: Outcome | undefined }

/** One ticket's facts as deriveCase reads them (built by TicketBook.get, not stored). */
export interface CaseTicket {
  ticketId: string;
  contacts: Contact[];
  corrections: Correction[];
  receivedAtMs?: number;
  /** resolutions with outcome agreed (the only ones the rule reads) */
  resolutions: Array<Stamp & { outcome: Outcome | undefined }>;
  reopens: Stamp[];
  /** in order of first arrival: equal-time history lines keep that order */
  escalations: Array<Stamp & { escalation: Escalation | undefined }>;
}

// Fact kinds and codes, packed into one Int32 tag: kind | outcome << 3 | escalation << 5, and
// RELATIVE when the id is held as a suffix of the ticket id (ids.ts).
const CONTACT = 0, CORRECTION = 1, ESCALATION = 2, CLOSE = 3, REOPEN = 4;
const KIND_MASK = 7;
const RELATIVE = 1 << 7;
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
 *   list in order of first arrival (escalations at one instant keep that order in the history).
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

  /** Applies events; returns the ids of the tickets whose facts changed. */
  apply(events: readonly MaskedEvent[]): Set<string> {
    const touched = new Set<string>();
    for (const e of events) {
      const kind = KINDS.get(e.kind);
      if (kind === undefined) continue;
      let slot = this.slots.get(e.ticketId);
      if (slot === undefined) {
        slot = this.slots.size;
        if (slot === this.head.length) this.growSlots();
        this.received[slot] = Infinity;
        this.head[slot] = -1;
        this.slots.set(e.ticketId, slot);
        touched.add(e.ticketId);
      }
      const t = Number.isNaN(e.occurredAtMs) ? -Infinity : e.occurredAtMs;
      if (kind === OPENED) {
        if (t < this.received[slot]!) {
          this.received[slot] = t;
          touched.add(e.ticketId);
        }
        continue;
      }
      if (kind === CLOSE && e.outcome !== 'agreed') continue;
      const id = this.packer.pack(e.eventId, e.ticketId);
      const relative = id.relative ? RELATIVE : 0;
      let last = -1;
      let dup = false;
      for (let i = this.head[slot]!; i !== -1; i = this.next[i]!) {
        if (this.ids[i] === id.value && (this.tag[i]! & RELATIVE) === relative) {
          dup = true;
          break;
        }
        last = i;
      }
      if (dup) continue;
      const f = this.ids.length;
      if (f === this.at.length) this.growFacts();
      this.at[f] = t;
      this.tag[f] = kind | relative | (code(OUTCOMES, e.outcome) << 3) | (code(ESCALATIONS, e.escalation) << 5);
      this.pair[f] = kind === CONTACT || kind === CORRECTION ? this.pairOf(e.complaintType, e.branch) : -1;
      this.next[f] = -1;
      this.ids.push(id.value);
      if (last === -1) this.head[slot] = f;
      else this.next[last] = f;
      touched.add(e.ticketId);
    }
    return touched;
  }

  /** The facts of one ticket, as deriveCase reads them; undefined for a ticket never seen. */
  get(ticketId: string): CaseTicket | undefined {
    const slot = this.slots.get(ticketId);
    if (slot === undefined) return undefined;
    const t: CaseTicket = { ticketId, contacts: [], corrections: [], resolutions: [], reopens: [], escalations: [] };
    const received = this.received[slot]!;
    if (received !== Infinity) t.receivedAtMs = received;
    for (let i = this.head[slot]!; i !== -1; i = this.next[i]!) {
      const tag = this.tag[i]!;
      const s = { id: this.packer.unpack(this.ids[i]!, (tag & RELATIVE) !== 0, ticketId), t: this.at[i]! };
      const outcome = OUTCOMES[(tag >> 3) & 3];
      const kind = tag & KIND_MASK;
      if (kind === CONTACT || kind === CORRECTION) {
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

const later = (a: Stamp, b: Stamp | undefined) => b === undefined || a.t > b.t || (a.t === b.t && a.id > b.id);
const byTime = (a: Stamp, b: Stamp) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function caseAlertId(ticketId: string): string {
  return `case.${ticketId}`;
}

export interface CaseContext {
  year: number;
  yearStartMs: number;
  yearEndMs: number;
  isStrict(type: string): boolean;
}

const URGENCY_LEVEL: Record<Urgency, Level> = { new: 'watch', stale: 'breach', overdue: 'critical' };

/** The case of one ticket as of nowMs, or undefined when the ticket is not a case. */
export function deriveCase(t: CaseTicket, ctx: CaseContext, nowMs: number, cfg: AlertRulesConfig['cases']): DerivedAlert | undefined {
  // Contract: the latest correction (by occurredAt) decides type and branch; the latest one that
  // carries an outcome decides the outcome.
  let retype: Correction | undefined, reoutcome: Correction | undefined;
  for (const c of t.corrections) {
    if (later(c, retype)) retype = c;
    if (c.outcome !== undefined && later(c, reoutcome)) reoutcome = c;
  }
  const opening = t.contacts
    .filter((c) => c.t >= ctx.yearStartMs && c.t < ctx.yearEndMs && (reoutcome?.outcome ?? c.outcome) === 'not_agreed')
    .sort(byTime)[0];
  if (!opening) return undefined;
  const type = retype?.type ?? opening.type;
  const scope = retype?.branch ?? opening.branch;
  if (!ctx.isStrict(type)) return undefined;

  const id = caseAlertId(t.ticketId);
  const openedAtMs = opening.t;
  const history: HistoryEntry[] = [{ id: entryId(id, 'opened', openedAtMs), atMs: openedAtMs, what: 'opened', level: 'watch', detail: { eventId: opening.id } }];
  for (const c of [...t.corrections].sort(byTime)) {
    history.push({ id: entryId(id, 'corrected', c.t, c.id), atMs: c.t, what: 'corrected', detail: { eventId: c.id, complaintType: c.type, branch: c.branch, ...(c.outcome ? { outcome: c.outcome } : {}) } });
  }
  for (const e of t.escalations) history.push({ id: entryId(id, 'case-escalated', e.t, e.id), atMs: e.t, what: 'case-escalated', detail: { eventId: e.id, escalation: e.escalation ?? null } });

  // Open/closed: the latest of "resolved agreed" and "reopened" decides. One dated before the
  // opening (another system's clock, a resolution entered with the call's time) is not ignored:
  // the last of those stands at the opening, so a ticket already resolved agreed closes its case
  // as it opens, unless it was reopened since.
  const allTurns = [
    ...t.resolutions.filter((r) => r.outcome === 'agreed').map((r) => ({ ...r, closes: true })),
    ...t.reopens.map((r) => ({ ...r, closes: false })),
  ].sort(byTime);
  const before = allTurns.filter((x) => x.t < openedAtMs).at(-1);
  const turns = [...(before?.closes ? [{ ...before, t: openedAtMs }] : []), ...allTurns.filter((x) => x.t >= openedAtMs)];
  let clearedAtMs: number | undefined;
  for (const x of turns) {
    history.push({ id: entryId(id, x.closes ? 'closed' : 'ticket-reopened', x.t, x.id), atMs: x.t, what: x.closes ? 'closed' : 'ticket-reopened', detail: { eventId: x.id } });
    clearedAtMs = x.closes ? x.t : undefined;
  }
  const until = Math.min(nowMs, clearedAtMs ?? Infinity);

  // Urgency: stale after a stretch without progress, overdue past the handling deadline.
  const progress = [openedAtMs, ...t.escalations.map((e) => e.t), ...t.reopens.map((r) => r.t)].filter((x) => x >= openedAtMs && x <= until).sort((a, b) => a - b);
  const gap = cfg.noProgressHours * HOUR;
  let urgency: Urgency = 'new';
  progress.forEach((p, i) => {
    const next = progress[i + 1] ?? until;
    if (next - p >= gap) {
      history.push({ id: entryId(id, 'stale', p + gap), atMs: p + gap, what: 'stale', level: 'breach', detail: { noProgressHours: cfg.noProgressHours } });
      if (i === progress.length - 1) urgency = 'stale';
    }
  });
  const deadlineMs = Math.min(t.receivedAtMs ?? openedAtMs, openedAtMs) + cfg.deadlineDays * 24 * HOUR;
  if (until >= deadlineMs) {
    history.push({ id: entryId(id, 'overdue', deadlineMs), atMs: deadlineMs, what: 'overdue', level: 'critical', detail: { deadlineDays: cfg.deadlineDays } });
    urgency = 'overdue';
  }
  if (clearedAtMs !== undefined) history.push({ id: entryId(id, 'resolved', clearedAtMs), atMs: clearedAtMs, what: 'resolved', detail: { by: 'ticket resolved agreed' } });
  history.sort((a, b) => a.atMs - b.atMs);
  return {
    id,
    kind: 'case',
    complaintType: type,
    scope,
    level: URGENCY_LEVEL[urgency],
    urgency,
    openedAtMs,
    ...(clearedAtMs !== undefined ? { clearedAtMs } : {}),
    ticketId: t.ticketId,
    history,
    facts: { deadline: deadlineMs, escalations: t.escalations.length },
  };
}
