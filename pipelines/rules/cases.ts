// Case alerts (逐笔盯盘) for strict-mode types: every ticket with a not-agreed first contact of a
// strict type opens a case that stays open until the ticket is resolved with outcome agreed.
// TicketBook (ticket-book.ts) keeps, per ticket, only the facts the rule reads, in columns;
// deriveCase is a pure function of one ticket's facts (a view materialised on demand) and the clock.

import type { Escalation, Level, Outcome } from '../model.ts';
import { zonedStartOfDayMs } from '../plan/calendar.ts';
import { UNCLASSIFIED } from '../transforms/classify.ts';
import type { AlertRulesConfig } from './config.ts';
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
  /** own classifications of events reported `unclassified` (confidence in thousandths) */
  classifications: Array<{ id: string; confidence: number; type: string }>;
}

export { TicketBook } from './ticket-book.ts';

const later = (a: Stamp, b: Stamp | undefined) => b === undefined || a.t > b.t || (a.t === b.t && a.id > b.id);
const byTime = (a: Stamp, b: Stamp) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function caseAlertId(ticketId: string): string {
  return `case.${ticketId}`;
}

export interface CaseContext {
  year: number;
  yearStartMs: number;
  yearEndMs: number;
  /**
   * First contacts from here on open cases (yearStartMs when absent). The plan's derivation sets
   * the start of the year before the plan's (caseWindowStartMs): a strict not-agreed customer of
   * 30 December still needs handling after the operator restarts on the new year's plan, and a
   * first contact of that day arriving in January still opens its case (contract section 4,
   * audit CM1). Counters and level alerts stay the plan year's.
   */
  openFromMs?: number;
  isStrict(type: string): boolean;
  /**
   * Whether a type is strict for a case opened before yearStartMs (carried from the year
   * before): the year before's plan decides, not the loaded one, so a type that is relative in
   * the new plan does not take back a real case of the old year (audit CQ1). isStrict when absent.
   */
  isStrictBefore?(type: string): boolean;
}

/** Where the cases of a plan of `year` start: the first instant of the year before, in its time zone. */
export function caseWindowStartMs(year: number, timeZone: string): number {
  return zonedStartOfDayMs(year - 1, 1, 1, timeZone);
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
  // A first contact dated after now (another system's clock, a typo) is not a fact yet: the
  // counters count it once its time comes (occurredAt <= t), and so does the case (caseDueAtMs).
  const opening = t.contacts
    .filter((c) => c.t >= (ctx.openFromMs ?? ctx.yearStartMs) && c.t < ctx.yearEndMs && c.t <= nowMs && (reoutcome?.outcome ?? c.outcome) === 'not_agreed')
    .sort(byTime)[0];
  if (!opening) return undefined;
  // A first contact reported `unclassified` is of its ticket's most confident classification
  // (ties to the greater eventId), as the counters count it (transforms/corrections.ts).
  let classified: CaseTicket['classifications'][number] | undefined;
  for (const c of t.classifications) if (!classified || c.confidence > classified.confidence || (c.confidence === classified.confidence && c.id > classified.id)) classified = c;
  const type = retype?.type ?? (opening.type === UNCLASSIFIED ? (classified?.type ?? UNCLASSIFIED) : opening.type);
  const scope = retype?.branch ?? opening.branch;
  const strict = opening.t < ctx.yearStartMs && ctx.isStrictBefore ? ctx.isStrictBefore(type) : ctx.isStrict(type);
  if (!strict) return undefined;

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
  // as it opens, unless it was reopened since. One dated after now is not a fact yet, as a first
  // contact is not (audit CH6: a resolution from a clock 60 s fast closed the case at once, with
  // history lines in the future); the case is derived again when it comes due (caseDueAtMs).
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

/**
 * When a ticket's next fact dated after now comes due, or undefined: a first contact (it may open
 * a case then), an agreed resolution or a re-open (it may close or open the case then; the clock
 * derives open cases again, but not a closed one).
 */
export function caseDueAtMs(t: CaseTicket, ctx: CaseContext, nowMs: number): number | undefined {
  let due: number | undefined;
  const note = (at: number) => {
    if (at > nowMs && at >= (ctx.openFromMs ?? ctx.yearStartMs) && at < ctx.yearEndMs && (due === undefined || at < due)) due = at;
  };
  for (const c of t.contacts) note(c.t);
  for (const r of t.resolutions) if (r.outcome === 'agreed') note(r.t);
  for (const r of t.reopens) note(r.t);
  return due;
}
