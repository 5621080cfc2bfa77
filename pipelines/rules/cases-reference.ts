// Test support only: the TicketBook and deriveCase as they were before the compact book (commit
// b89d894), kept verbatim as the reference the property test holds the compact book to, and as
// the "before" of the memory measurement (bench/measure-cases.ts). Not used by the monitor.

import type { Escalation, Level, MaskedEvent, Outcome } from '../model.ts';
import type { AlertRulesConfig } from './config.ts';
import { entryId, type DerivedAlert, type HistoryEntry, type Urgency } from './types.ts';

const HOUR = 3_600_000;

interface Stamp { id: string; t: number }
interface Contact extends Stamp { type: string; branch: string; outcome: Outcome | undefined }
interface Correction extends Stamp { type: string; branch: string; outcome: Outcome | undefined }

export interface ReferenceTicket {
  ticketId: string;
  contacts: Contact[];
  corrections: Correction[];
  receivedAtMs?: number;
  resolutions: Array<Stamp & { outcome: Outcome | undefined }>;
  reopens: Stamp[];
  escalations: Array<Stamp & { escalation: Escalation | undefined }>;
}

export class ReferenceTicketBook {
  private readonly seen = new Set<string>();
  readonly tickets = new Map<string, ReferenceTicket>();

  /** Applies new events; returns the ids of the tickets they touched. */
  apply(events: readonly MaskedEvent[]): Set<string> {
    const touched = new Set<string>();
    for (const e of events) {
      if (this.seen.has(e.eventId) || !['opened', 'first_contact', 'escalated', 'resolved', 'reopened', 'corrected'].includes(e.kind)) continue;
      this.seen.add(e.eventId);
      let t = this.tickets.get(e.ticketId);
      if (!t) {
        t = { ticketId: e.ticketId, contacts: [], corrections: [], resolutions: [], reopens: [], escalations: [] };
        this.tickets.set(e.ticketId, t);
      }
      const s = { id: e.eventId, t: Number.isNaN(e.occurredAtMs) ? -Infinity : e.occurredAtMs };
      if (e.kind === 'opened') t.receivedAtMs = Math.min(t.receivedAtMs ?? Infinity, s.t);
      else if (e.kind === 'first_contact') t.contacts.push({ ...s, type: e.complaintType, branch: e.branch, outcome: e.outcome });
      else if (e.kind === 'corrected') t.corrections.push({ ...s, type: e.complaintType, branch: e.branch, outcome: e.outcome });
      else if (e.kind === 'resolved') t.resolutions.push({ ...s, outcome: e.outcome });
      else if (e.kind === 'reopened') t.reopens.push(s);
      else t.escalations.push({ ...s, escalation: e.escalation });
      touched.add(e.ticketId);
    }
    return touched;
  }
}

const later = (a: Stamp, b: Stamp | undefined) => b === undefined || a.t > b.t || (a.t === b.t && a.id > b.id);
const byTime = (a: Stamp, b: Stamp) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function caseAlertId(ticketId: string): string {
  return `case.${ticketId}`;
}

interface CaseContext {
  year: number;
  yearStartMs: number;
  yearEndMs: number;
  isStrict(type: string): boolean;
}

const URGENCY_LEVEL: Record<Urgency, Level> = { new: 'watch', stale: 'breach', overdue: 'critical' };

/** The case of one ticket as of nowMs, or undefined when the ticket is not a case. */
export function referenceDeriveCase(t: ReferenceTicket, ctx: CaseContext, nowMs: number, cfg: AlertRulesConfig['cases']): DerivedAlert | undefined {
  // Contract: the latest correction (by occurredAt) decides type and branch; the latest one that
  // carries an outcome decides the outcome.
  let retype: Correction | undefined, reoutcome: Correction | undefined;
  for (const c of t.corrections) {
    if (later(c, retype)) retype = c;
    if (c.outcome !== undefined && later(c, reoutcome)) reoutcome = c;
  }
  const opening = t.contacts
    // (since audit AF F3, as the monitor's rule: a first contact dated after now opens nothing yet)
    .filter((c) => c.t >= ctx.yearStartMs && c.t < ctx.yearEndMs && c.t <= nowMs && (reoutcome?.outcome ?? c.outcome) === 'not_agreed')
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

  // Open/closed: the latest of "resolved agreed" and "reopened" dated by now decides; the last one
  // dated before the opening stands at the opening.
  const allTurns = [
    ...t.resolutions.filter((r) => r.outcome === 'agreed').map((r) => ({ ...r, closes: true })),
    ...t.reopens.map((r) => ({ ...r, closes: false })),
  ].filter((x) => x.t <= nowMs).sort(byTime);
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
