// An acknowledgement stands for the level it was given at (docs/ALERTS.md, Lifecycle). A rise
// above that level opens the alert again and clears it; should a later derivation take the rise
// back (a correction removes the event that caused it, an alert withdrawn by a plan change derives
// again at the level that was acknowledged), the facts are again those the person acknowledged:
// their acknowledgement stands again, and the on-call ladder has no one to page.

import type { Level } from '../model.ts';
import { isDerivedLine } from './derived-lines.ts';
import type { AlertRecord } from './lifecycle.ts';
import { LEVEL_RANK, LEVELS, type DerivedAlert, type HistoryEntry } from './types.ts';

export interface GivenAck {
  /** the person's `acknowledged` line: who, when, why, and its note */
  line: HistoryEntry;
  /** the alert's level when it was given (the line's `after`, "acknowledged/<level>") */
  level: Level;
}

export const ON_CALL_POLICY = 'on-call policy';
const RISE_REASON = /^level rose to /;

function given(h: HistoryEntry): GivenAck | undefined {
  if (h.what !== 'acknowledged' || h.by === undefined) return undefined;
  const level = h.after?.split('/')[1] as Level | undefined;
  return level !== undefined && LEVELS.includes(level) ? { line: h, level } : undefined;
}

/** The level the acknowledgement an alert carries was given at (undefined without one). */
export function ackLevel(r: AlertRecord): Level | undefined {
  if (!r.ack) return undefined;
  for (let i = r.history.length - 1; i >= 0; i--) {
    const g = r.history[i]!.atMs === r.ack.atMs ? given(r.history[i]!) : undefined;
    if (g) return g.level;
  }
  return undefined;
}

/**
 * How a line after an acknowledgement bears on it: the rules clearing it (a rise, a withdrawal),
 * nothing (the rules' lines, notes, the ladder's steps), or a person deciding otherwise since
 * (an escalation, a close, a re-open), whose decision a derivation does not undo.
 */
function bearing(h: HistoryEntry): 'cleared' | 'neutral' | 'decided' {
  if (isDerivedLine(h)) return 'neutral';
  if (h.by === undefined) {
    if (h.what === 'reopened') return RISE_REASON.test(h.reason ?? '') ? 'cleared' : 'decided';
    if (h.what === 'withdrawn') return 'cleared';
    // amended lines, and an acknowledgement already given back (the given one is further back)
    return 'neutral';
  }
  if (h.what === 'note' || h.what === 'notice' || h.what === 'assign') return 'neutral';
  if (h.what === 'escalated' && h.by === ON_CALL_POLICY) return 'neutral';
  return 'decided';
}

/**
 * Whether the derivation's facts are those acknowledged: its level is at or below the ack's, it
 * did not end in between, and nothing rose after the ack. A level alert's level is the highest
 * reached, which only falls when what raised it is taken back; a case's urgency falls with the
 * ticket's progress, so a stale or overdue line dated after the ack is a rise that still stands.
 * A level alert opened after the ack is a situation that arose since: an alert withdrawn (a
 * correction took the crossing back) and crossed again by new customers is not the one the
 * person saw, and its ladder pages from the start (audit CH1: it was born acknowledged).
 */
function standsFor(g: GivenAck, d: DerivedAlert): boolean {
  const rank = LEVEL_RANK[g.level];
  if (LEVEL_RANK[d.level] > rank) return false;
  return !d.history.some(
    (h) =>
      h.atMs > g.line.atMs &&
      (h.what === 'closed' ||
        h.what === 'resolved' ||
        (d.kind === 'level' && h.what === 'opened') ||
        (h.level !== undefined && (d.kind === 'case' ? h.what !== 'opened' : LEVEL_RANK[h.level] > rank))),
  );
}

/**
 * The acknowledgement the rules cleared (by a rise or a withdrawal) that this derivation gives
 * back, or undefined: the alert is open or withdrawn, no person acted on its state since the
 * acknowledgement, and the derivation's facts are those acknowledged.
 */
export function ackTakenBack(prev: AlertRecord, d: DerivedAlert): GivenAck | undefined {
  if (d.clearedAtMs !== undefined || prev.status === 'acknowledged') return undefined;
  if (prev.status === 'resolved' && prev.resolution !== 'withdrawn') return undefined;
  let cleared = false;
  for (let i = prev.history.length - 1; i >= 0; i--) {
    const h = prev.history[i]!;
    const g = given(h);
    if (g) return cleared && standsFor(g, d) ? g : undefined;
    const b = bearing(h);
    if (b === 'decided') return undefined;
    if (b === 'cleared') cleared = true;
  }
  return undefined;
}

/** The history line of an acknowledgement given back: it names the person's line it restores. */
export function ackRestoredLine(id: string, g: GivenAck, prev: AlertRecord, d: DerivedAlert, nowMs: number, reason: string): HistoryEntry {
  const note = (g.line.detail as { note?: unknown } | undefined)?.note;
  return {
    id: `${id}/acknowledged/${nowMs}/restored`,
    atMs: nowMs,
    what: 'acknowledged',
    reason: `the acknowledgement given at ${g.level} stands again: what cleared it was taken back (${reason})`,
    before: `${prev.status}/${prev.level}`,
    after: `acknowledged/${d.level}`,
    detail: { restored: { by: g.line.by, atMs: g.line.atMs, reason: g.line.reason ?? 'unspecified', ...(typeof note === 'string' ? { note } : {}), entryId: g.line.id } },
  };
}
