// A close by hand stands until the ticket moves after it, or the level rises (docs/ALERTS.md,
// Lifecycle). A withdrawal is not the ticket moving: a plan change (strict → relative) or a
// correction took the alert back, and a later derivation that brings it back (the plan back to
// strict, a second correction undoing the first) brings back the facts the person closed. Their
// close stands again, as an acknowledgement does in the same round trip (ack-standing.ts); it
// had come back open and unacknowledged and paged the gateways again (audit CT3).

import type { Level } from '../model.ts';
import { ON_CALL_POLICY } from './ack-standing.ts';
import { isDerivedLine } from './derived-lines.ts';
import type { AlertRecord } from './lifecycle.ts';
import { LEVEL_RANK, LEVELS, type DerivedAlert, type HistoryEntry } from './types.ts';

/** The `what` of the line that says a close by hand stands again (not a rule's `resolved`, not a person's act). */
export const CLOSE_RESTORED = 'resolution-restored';

export interface GivenClose {
  /** the person's `resolved` line: who, when, and its note */
  line: HistoryEntry;
  /** the alert's level when they closed it (the line's `after`, "resolved/<level>") */
  level: Level;
}

function given(h: HistoryEntry): GivenClose | undefined {
  if (h.what !== 'resolved' || h.by === undefined || h.by === ON_CALL_POLICY) return undefined;
  const level = h.after?.split('/')[1] as Level | undefined;
  return level !== undefined && LEVELS.includes(level) ? { line: h, level } : undefined;
}

/**
 * How a line after a close by hand bears on it: a withdrawal took it back ('cleared'); the rules'
 * lines, amended lines, notes, an earlier give-back ('neutral'); anything else undid or replaced the
 * close before the withdrawal (a re-open by hand or by the rules, an acknowledgement).
 */
function bearing(h: HistoryEntry): 'cleared' | 'neutral' | 'decided' {
  if (isDerivedLine(h)) return 'neutral';
  if (h.what === 'withdrawn' && h.by === undefined) return 'cleared';
  if (h.by === undefined) return h.what === 'amended' || h.what === CLOSE_RESTORED ? 'neutral' : 'decided';
  if (h.what === 'note' || h.what === 'notice' || h.what === 'assign') return 'neutral';
  return 'decided';
}

/** What a derivation does to a close by hand a withdrawal took back (closeRoundTrip). */
export type CloseBack =
  | { stands: true; given: GivenClose }
  /** `lineReason`: why it opens, said by a `reopened` line (the ticket's event, a rise); none for a new situation */
  | { stands: false; lineReason?: string };

/**
 * Whether the derivation's facts are those the person closed, by the rule a close by hand keeps
 * without a round trip (merge.ts statusAfter, 1.): it gives way when the ticket moved after it (a
 * `ticket-reopened` or `case-escalated` dated later) or the level rose above the one it was closed
 * at while the condition holds. A level alert opened after the close is a situation that arose
 * since (new customers crossed again after a correction took the crossing back): not what the
 * person saw, as for an acknowledgement (audit CH1).
 */
function against(g: GivenClose, d: DerivedAlert): CloseBack {
  const moved = d.history.find((h) => (h.what === 'ticket-reopened' || h.what === 'case-escalated') && h.atMs > g.line.atMs);
  if (moved) return { stands: false, lineReason: `${moved.what} ${String(moved.detail?.eventId ?? '')}`.trim() };
  if (d.kind === 'level' && d.history.some((h) => h.what === 'opened' && h.atMs > g.line.atMs)) return { stands: false };
  if (d.clearedAtMs === undefined && LEVEL_RANK[d.level] > LEVEL_RANK[g.level]) return { stands: false, lineReason: `level rose to ${d.level}` };
  return { stands: true, given: g };
}

/**
 * A withdrawn alert whose last decision before the withdrawal was a person's close (nothing
 * re-opened it in between) meets a derivation that brings it back: whether the close stands
 * again. Undefined when there is no such close (an open or acknowledged alert withdrawn).
 */
export function closeRoundTrip(prev: AlertRecord, d: DerivedAlert): CloseBack | undefined {
  if (prev.status !== 'resolved' || prev.resolution !== 'withdrawn') return undefined;
  let cleared = false;
  for (let i = prev.history.length - 1; i >= 0; i--) {
    const h = prev.history[i]!;
    const g = given(h);
    if (g) return cleared ? against(g, d) : undefined;
    const b = bearing(h);
    if (b === 'decided') return undefined;
    if (b === 'cleared') cleared = true;
  }
  return undefined;
}

/** The history line of a close by hand given back: it names the person's line it restores. */
export function closeRestoredLine(id: string, g: GivenClose, prev: AlertRecord, d: DerivedAlert, nowMs: number, reason: string): HistoryEntry {
  const note = (g.line.detail as { note?: unknown } | undefined)?.note;
  return {
    id: `${id}/${CLOSE_RESTORED}/${nowMs}`,
    atMs: nowMs,
    what: CLOSE_RESTORED,
    reason: `the resolution by hand stands again: what withdrew it was taken back (${reason})`,
    before: `${prev.status}/${prev.level}`,
    after: `resolved/${d.level}`,
    detail: { restored: { by: g.line.by, atMs: g.line.atMs, ...(typeof note === 'string' ? { note } : {}), entryId: g.line.id } },
  };
}
