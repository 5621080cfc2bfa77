// Level alerts are numbered by their episode's place in the year (level.<year>.<type>.<scope>.<n>),
// a function of the events alone. An earlier episode found late (a back-filled ticket, a
// correction) shifts every later number, a correction may split an episode in two or a late event
// join two into one. People's decisions (an acknowledgement, a close or re-open by hand, an
// assignee, a note) and the on-call ladder's progress were given to a situation, not to a number:
// they follow the episode in which the latest of them was given (the one that held at that
// instant; failing that, the one sharing most time with the alert). Pure.

import { isDerivedLine } from './derived-lines.ts';
import type { AlertRecord } from './lifecycle.ts';
import type { DerivedAlert, HistoryEntry } from './types.ts';

/** How a re-derived episode takes over a record when people's decisions change numbers. */
export type Continues =
  /** the people's side of `from`, kept under another number until now */
  | { kind: 'moved'; from: AlertRecord; left?: Left }
  /** the record under its number without its people's side, which went elsewhere (`left`) */
  | { kind: 'stripped'; from: AlertRecord; left: Left };

/** where the people's side of the record a number held went */
export interface Left {
  record: AlertRecord;
  /** the number it continues under, if any */
  to?: string;
  /** it went nowhere: its episode was joined into `to`'s, where a later decision stands */
  joined?: boolean;
}

const keyOf = (a: { complaintType: string; scope: string }) => `${a.complaintType}\u0000${a.scope}`;

/** The latest instant a person decided something on the alert; undefined when nobody did. */
export function decidedAtMs(r: AlertRecord): number | undefined {
  let at: number | undefined;
  for (const h of r.history) if (h.by !== undefined && (at === undefined || h.atMs > at)) at = h.atMs;
  return at;
}

const holdsAt = (d: DerivedAlert, t: number) => d.openedAtMs <= t && (d.clearedAtMs === undefined || t < d.clearedAtMs);
const sharedMs = (r: AlertRecord, d: DerivedAlert, nowMs: number) =>
  Math.min(r.clearedAtMs ?? nowMs, d.clearedAtMs ?? nowMs) - Math.max(r.openedAtMs, d.openedAtMs);

/**
 * The episode a record continues: of those sharing time with it, the one that held when its
 * latest decision was given (a split keeps a decision with the part it was given in), else the
 * one sharing most time with it; none when no episode shares time with it (it vanished).
 */
function episodeOf(r: AlertRecord, at: number | undefined, episodes: readonly DerivedAlert[], nowMs: number): DerivedAlert | undefined {
  const shared = episodes.filter((d) => d.openedAtMs === r.openedAtMs || sharedMs(r, d, nowMs) > 0);
  const holding = at === undefined ? undefined : shared.find((d) => holdsAt(d, at));
  if (holding) return holding;
  let best: DerivedAlert | undefined;
  let bestMs = -Infinity;
  for (const d of shared) {
    const ms = d.openedAtMs === r.openedAtMs ? Infinity : sharedMs(r, d, nowMs);
    if (ms > bestMs || (ms === bestMs && d.id === r.id)) [best, bestMs] = [d, ms];
  }
  return best;
}

export interface Situations {
  /** re-derived episodes whose merge starts from another record than the one under their number */
  continues: Map<string, Continues>;
  /** records whose number no longer derives, by id: where their people's side went */
  retired: Map<string, Left>;
}

/**
 * Which record each re-derived level episode continues, where people decided something on a
 * record whose number now names another episode. Keys where every decision stays with its number
 * give nothing: merged by number, as always.
 */
export function levelSituations(derived: readonly DerivedAlert[], recordsOfKeys: Iterable<AlertRecord>, nowMs: number): Situations {
  const out: Situations = { continues: new Map(), retired: new Map() };
  const episodesByKey = new Map<string, DerivedAlert[]>();
  for (const d of derived) if (d.kind === 'level') episodesByKey.set(keyOf(d), [...(episodesByKey.get(keyOf(d)) ?? []), d]);
  const byKey = new Map<string, AlertRecord[]>();
  for (const r of recordsOfKeys) if (r.kind === 'level' && episodesByKey.has(keyOf(r))) byKey.set(keyOf(r), [...(byKey.get(keyOf(r)) ?? []), r]);
  for (const [key, records] of byKey) placeDecisions(records, episodesByKey.get(key)!, nowMs, out);
  return out;
}

function placeDecisions(records: readonly AlertRecord[], episodes: readonly DerivedAlert[], nowMs: number, out: Situations): void {
  const live = records.filter((r) => r.resolution !== 'withdrawn');
  const owner = new Map<string, AlertRecord>(); // episode id → the record it continues
  const left = new Map<string, Left>(); // record id → where it went, when not to its own number
  const place = (r: AlertRecord, d: DerivedAlert) => {
    owner.set(d.id, r);
    if (d.id !== r.id) left.set(r.id, { record: r, to: d.id });
  };
  // people's decisions first, the latest first (the earlier episode first among equals): where
  // two were given in what is one episode now, that one stands and the other's episode is said
  // to be joined into it
  const decided = live
    .map((r) => ({ r, at: decidedAtMs(r) }))
    .filter((x): x is { r: AlertRecord; at: number } => x.at !== undefined)
    .sort((a, b) => b.at - a.at || a.r.openedAtMs - b.r.openedAtMs);
  for (const { r, at } of decided) {
    const d = episodeOf(r, at, episodes, nowMs);
    if (!d) continue; // its episode no longer derives: withdrawn by its number, as always
    if (owner.has(d.id)) left.set(r.id, { record: r, to: d.id, joined: true });
    else place(r, d);
  }
  // then the others, each to the free episode it shares most time with (its own number on a
  // tie): one shown before keeps its raise and its ladder under a new number
  for (const r of live) {
    if (left.has(r.id) || [...owner.values()].includes(r)) continue;
    const d = episodeOf(r, undefined, episodes.filter((e) => !owner.has(e.id)), nowMs);
    if (d) place(r, d);
  }
  if (left.size === 0) return;
  const numbers = new Set(episodes.map((d) => d.id));
  for (const d of episodes) {
    const from = owner.get(d.id);
    const before = records.find((r) => r.id === d.id);
    const beforeLeft = before && left.get(before.id);
    if (from && from.id !== d.id) out.continues.set(d.id, { kind: 'moved', from, ...(beforeLeft ? { left: beforeLeft } : {}) });
    else if (!from && before && beforeLeft) out.continues.set(d.id, { kind: 'stripped', from: before, left: beforeLeft });
  }
  for (const [id, l] of left) if (!numbers.has(id)) out.retired.set(id, l);
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

/** `from` without its people's side: what the rules alone made of it, its ladder's progress kept. */
export function withoutDecisions(from: AlertRecord): AlertRecord {
  const { ack: _ack, assignee: _assignee, reopenedByHandAtMs: _reopened, ...rest } = from;
  const manual = from.resolution === 'manual';
  const status = from.status === 'acknowledged' || manual ? 'open' : from.status;
  const { resolution: _r, resolvedAtMs: _at, ...open } = rest;
  return { ...(status === 'open' ? open : rest), status, history: from.history.filter(isDerivedLine) } as AlertRecord;
}

const WHY = "an earlier episode changed the numbering, or one was split or joined; people's decisions stay with the episode they were given in";

/** the people's lines that go with a moved side, re-keyed, marked as carried at this renumbering */
export function carriedLines(from: AlertRecord, id: string, nowMs: number): HistoryEntry[] {
  return underId(from, id)
    .history.filter((h) => !isDerivedLine(h))
    .map((h) => ({ ...h, detail: { ...h.detail, carriedFrom: from.id, carriedAt: nowMs } }));
}

/** The line that says a people's side came to this number, and from which. */
export function renumberedLine(id: string, from: AlertRecord, nowMs: number, reason: string): HistoryEntry {
  const ack = from.ack ? `, acknowledged by ${from.ack.by}` : '';
  return {
    id: `${id}/amended/${nowMs}/renumbered`,
    atMs: nowMs,
    what: 'amended',
    reason: `${reason}: ${WHY}`,
    before: `id=${from.id} (${from.status}${ack})`,
    after: `id=${id}`,
    detail: { renumberedFrom: from.id },
  };
}

/**
 * The line that says the people's side this number held went elsewhere (or was joined away). It
 * also marks where this number's own lines start again: lines dated before it were the other
 * episode's (linesOfThisEpisode).
 */
export function renumberedAwayLine(id: string, left: Left, nowMs: number, reason: string): HistoryEntry {
  const was = `id=${id} (${left.record.status}${left.record.ack ? `, acknowledged by ${left.record.ack.by}` : ''}), the episode opened ${new Date(left.record.openedAtMs).toISOString()}`;
  const after = left.joined ? `that episode is part of ${left.to} now, where a later decision stands` : left.to ? `that episode and its people's decisions are ${left.to} now` : 'that episode no longer derives from the events';
  return { id: `${id}/amended/${nowMs}/renumbered-away`, atMs: nowMs, what: 'amended', reason: `${reason}: ${WHY}`, before: was, after, detail: { renumberedTo: left.to ?? null } };
}

/**
 * An alert's history as restored from the log: lines dated before the last time its people's side
 * went elsewhere belong to that other episode, except those carried here at or after it.
 */
export function linesOfThisEpisode(history: readonly HistoryEntry[]): HistoryEntry[] {
  let since: number | undefined;
  for (const h of history) if (h.detail && 'renumberedTo' in h.detail && (since === undefined || h.atMs > since)) since = h.atMs;
  if (since === undefined) return [...history];
  const from = since;
  return history.filter((h) => isDerivedLine(h) || h.atMs >= from || Number((h.detail as { carriedAt?: number } | undefined)?.carriedAt) >= from);
}
