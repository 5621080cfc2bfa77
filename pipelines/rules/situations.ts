// Level alerts are numbered by their episode's place in the year (level.<year>.<type>.<scope>.<n>),
// a function of the events alone. An earlier episode found late (a back-filled ticket, a
// correction) shifts every later number by one, while people's decisions (an acknowledgement, an
// assignee, the on-call ladder's progress) were given to a situation, not to a number: they follow
// the episode whose time they were given in. Pure: (records, derivation, now) → which record's
// people's side each re-derived episode continues.

import type { AlertRecord } from './lifecycle.ts';
import type { DerivedAlert, HistoryEntry } from './types.ts';

/** What a re-derived episode continues when the record under its id is another situation. */
export type Continues =
  /** the people's side of this record, kept under another id until now */
  | { kind: 'moved'; from: AlertRecord }
  /** nothing: the record under its id was another episode (continued under `movedTo`, if any), and this one is new */
  | { kind: 'new'; before: AlertRecord; movedTo?: string };

const keyOf = (a: { complaintType: string; scope: string }) => `${a.complaintType}\u0000${a.scope}`;

/**
 * How much two episodes share in time (ms; an open one runs to now): > 0 when they overlap,
 * Infinity when they opened at the same instant (the same crossing), otherwise none (-1).
 */
function sharedMs(a: { openedAtMs: number; clearedAtMs?: number }, b: { openedAtMs: number; clearedAtMs?: number }, nowMs: number): number {
  if (a.openedAtMs === b.openedAtMs) return Infinity;
  const ms = Math.min(a.clearedAtMs ?? nowMs, b.clearedAtMs ?? nowMs) - Math.max(a.openedAtMs, b.openedAtMs);
  return ms > 0 ? ms : -1;
}

/**
 * For the re-derived level episodes whose id now names another situation than its record: which
 * earlier record each continues (the one it overlaps most in time, each record continued at most
 * once, the episodes taken in time order), or that it is new. Episodes whose record is their own
 * situation (they overlap) are left out: the common case, merged as before.
 */
export function levelSituations(
  records: ReadonlyMap<string, AlertRecord>,
  derived: readonly DerivedAlert[],
  recordsOfKeys: Iterable<AlertRecord>,
  nowMs: number,
): Map<string, Continues> {
  const shifted = new Set<string>();
  for (const d of derived) {
    if (d.kind !== 'level') continue;
    const prev = records.get(d.id);
    if (prev && sharedMs(prev, d, nowMs) < 0) shifted.add(keyOf(d));
  }
  const out = new Map<string, Continues>();
  if (shifted.size === 0) return out;
  const earlier = new Map<string, AlertRecord[]>();
  for (const r of recordsOfKeys) {
    if (r.kind !== 'level' || !shifted.has(keyOf(r))) continue;
    const list = earlier.get(keyOf(r)) ?? [];
    list.push(r);
    earlier.set(keyOf(r), list);
  }
  const taken = new Set<string>();
  const episodes = derived.filter((d) => d.kind === 'level' && shifted.has(keyOf(d))).sort((a, b) => a.openedAtMs - b.openedAtMs);
  for (const d of episodes) {
    const open = (earlier.get(keyOf(d)) ?? []).filter((r) => !taken.has(r.id));
    // a withdrawn record is continued only where no live one meets the episode (its ack may stand again)
    const best = mostShared(open.filter((r) => r.resolution !== 'withdrawn'), d, nowMs) ?? mostShared(open, d, nowMs);
    if (best) taken.add(best.id);
    if (best?.id === d.id) continue;
    if (best) out.set(d.id, { kind: 'moved', from: best });
    else if (records.has(d.id)) out.set(d.id, { kind: 'new', before: records.get(d.id)! });
  }
  for (const [to, c] of out) {
    if (c.kind !== 'moved') continue;
    const left = out.get(c.from.id);
    if (left?.kind === 'new') left.movedTo = to;
  }
  return out;
}

function mostShared(records: readonly AlertRecord[], d: DerivedAlert, nowMs: number): AlertRecord | undefined {
  let best: AlertRecord | undefined;
  let bestMs = 0;
  for (const r of records) {
    const ms = sharedMs(r, d, nowMs);
    if (ms > bestMs) [best, bestMs] = [r, ms];
  }
  return best;
}

/**
 * The record `from` as if it had always had the id `id`: its people's side and its lines, the
 * lines' ids re-keyed (a derived line's id starts with its alert's), for the merge to continue.
 */
export function underId(from: AlertRecord, id: string): AlertRecord {
  const prefix = `${from.id}/`;
  const rekey = (h: HistoryEntry): HistoryEntry => (h.id.startsWith(prefix) ? { ...h, id: `${id}/${h.id.slice(prefix.length)}` } : h);
  return { ...from, id, history: from.history.map(rekey) };
}

const WHY = "an earlier episode changed the numbering; people's decisions stay with their episode";

/**
 * The line that says a situation's people's side moved to another number, and from which. Its
 * detail keeps the acknowledgement's line (with the token that gave it): the line itself stays in
 * the log under the old number, and the alert's view reads the acknowledgement's token from it.
 */
export function renumberedLine(id: string, from: AlertRecord, nowMs: number, reason: string): HistoryEntry {
  const ack = from.ack ? `, acknowledged by ${from.ack.by}` : '';
  const ackLine = from.ack && [...from.history].reverse().find((h) => h.what === 'acknowledged' && h.atMs === from.ack!.atMs);
  return {
    id: `${id}/amended/${nowMs}/renumbered`,
    atMs: nowMs,
    what: 'amended',
    reason: `${reason}: ${WHY}`,
    before: `id=${from.id} (${from.status}${ack})`,
    after: `id=${id}`,
    detail: { renumberedFrom: from.id, ...(ackLine ? { ackLine } : {}) },
  };
}

/** The line that says a number now names another episode, and where its own went. */
export function renumberedAwayLine(id: string, before: AlertRecord, movedTo: string | undefined, nowMs: number, reason: string): HistoryEntry {
  return {
    id: `${id}/amended/${nowMs}/renumbered-away`,
    atMs: nowMs,
    what: 'amended',
    reason: `${reason}: ${WHY}`,
    before: `id=${id} named the episode opened ${new Date(before.openedAtMs).toISOString()} (${before.status})`,
    after: movedTo ? `that episode is ${movedTo} now, with its lines from here on` : 'that episode no longer derives from the events',
    detail: { renumberedTo: movedTo ?? null },
  };
}
