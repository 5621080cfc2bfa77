// An alert's history holds two sorts of line. Derived lines (opened, raised, recovering,
// resolved, closed, corrected, case-escalated, ticket-reopened, stale, overdue) are what the rules
// say from the events and the clock; a re-derivation replaces them all, so the same events give
// the same lines whatever order and batches they arrived in. Every other line (people's actions,
// on-call steps, amended, withdrawn, reopened) records something that happened and is kept.
// What a re-derivation takes back from what was shown is said once, by one `amended` line; the
// replaced lines stay in the audit log (complaints.alert_log), where they were written.

import type { HistoryEntry } from './types.ts';

export const DERIVED_WHATS: ReadonlySet<string> = new Set(['opened', 'raised', 'recovering', 'resolved', 'closed', 'corrected', 'case-escalated', 'ticket-reopened', 'stale', 'overdue']);

/** A rule's line, not a person's (a manual resolve is a 'resolved' line with `by`). */
export function isDerivedLine(h: HistoryEntry): boolean {
  return h.by === undefined && DERIVED_WHATS.has(h.what);
}

/** 'recovering' reads the week so far: its figures move with the clock and are no claim yet. */
const provisional = (h: HistoryEntry) => h.what === 'recovering';

export interface LineChanges {
  /** lines new to this derivation: logged and sent */
  added: HistoryEntry[];
  /** lines shown before that no longer derive, or whose figures changed */
  takenBack: HistoryEntry[];
  /** the new form of lines whose figures changed (same id) */
  revised: HistoryEntry[];
}

const sameLine = (a: HistoryEntry, b: HistoryEntry) => a.atMs === b.atMs && a.level === b.level && JSON.stringify(a.detail ?? {}) === JSON.stringify(b.detail ?? {});

export function compareLines(before: readonly HistoryEntry[], after: readonly HistoryEntry[]): LineChanges {
  const old = new Map(before.map((h) => [h.id, h]));
  const now = new Set(after.map((h) => h.id));
  const changes: LineChanges = { added: [], takenBack: [], revised: [] };
  for (const h of after) {
    const was = old.get(h.id);
    if (!was) changes.added.push(h);
    else if (!provisional(h) && !sameLine(was, h)) {
      changes.takenBack.push(was);
      changes.revised.push(h);
    }
  }
  for (const h of before) if (!now.has(h.id) && !provisional(h)) changes.takenBack.push(h);
  return changes;
}

const HOUR = 3_600_000;
/** the lines a stretch without progress runs from (cases.ts: the opening, a submission, a re-open) */
const PROGRESS: ReadonlySet<string> = new Set(['opened', 'case-escalated', 'ticket-reopened']);
/** the lines that are an event of the ticket: the event is the step, whatever time it is dated */
const EVENT_LINES: ReadonlySet<string> = new Set(['closed', 'corrected', 'case-escalated', 'ticket-reopened']);

/**
 * Which step of the alert a derived line says, the same across re-derivations that only re-date
 * or re-figure it (audit CN3: a late `opened` moved a case's deadline two days earlier, and the
 * case already overdue was paged `overdue` again under a new line id). `lines`: the derivation the
 * line is of. A case is overdue once (one deadline); it goes stale once per stretch without
 * progress, named by the line that stretch runs from (the opening, whenever it is dated, or the
 * event of a submission or a re-open); a ticket's event is its event id; a case ends at the
 * closing that ended it (closed, re-opened and closed again is two ends), a level episode once.
 * Any other line (and one missing what names it) is its id: a new id is a new step.
 */
export function stepKey(h: HistoryEntry, lines: readonly HistoryEntry[]): string {
  const d = (h.detail ?? {}) as { eventId?: unknown; noProgressHours?: unknown };
  switch (h.what) {
    case 'overdue':
      return 'overdue';
    case 'stale': {
      if (typeof d.noProgressHours !== 'number') return h.id;
      const from = h.atMs - d.noProgressHours * HOUR;
      const start = lines.filter((l) => l.atMs === from && PROGRESS.has(l.what)).at(-1);
      return start ? `stale after ${start.what === 'opened' ? 'opened' : stepKey(start, lines)}` : h.id;
    }
    case 'resolved': {
      const closing = lines.filter((l) => l.what === 'closed' && l.atMs === h.atMs).at(-1);
      return `resolved${closing ? ` at ${stepKey(closing, lines)}` : ''}`;
    }
    default:
      return EVENT_LINES.has(h.what) && typeof d.eventId === 'string' ? `${h.what} ${d.eventId}` : h.id;
  }
}

/** "resolved 2025-03-10T00:00:00.000Z ok 55/75" — a line as the amended line quotes it. */
export function describeLine(h: HistoryEntry): string {
  const d = h.detail as { unresolved?: number; allowanceToDate?: number; eventId?: string } | undefined;
  const figures = d?.unresolved !== undefined ? ` ${d.unresolved}/${d.allowanceToDate}` : d?.eventId ? ` ${d.eventId}` : '';
  return `${h.what} ${Number.isFinite(h.atMs) ? new Date(h.atMs).toISOString() : String(h.atMs)}${h.level ? ` ${h.level}` : ''}${figures}`;
}
