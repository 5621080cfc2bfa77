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

/** "resolved 2025-03-10T00:00:00.000Z ok 55/75" — a line as the amended line quotes it. */
export function describeLine(h: HistoryEntry): string {
  const d = h.detail as { unresolved?: number; allowanceToDate?: number; eventId?: string } | undefined;
  const figures = d?.unresolved !== undefined ? ` ${d.unresolved}/${d.allowanceToDate}` : d?.eventId ? ` ${d.eventId}` : '';
  return `${h.what} ${Number.isFinite(h.atMs) ? new Date(h.atMs).toISOString() : String(h.atMs)}${h.level ? ` ${h.level}` : ''}${figures}`;
}
