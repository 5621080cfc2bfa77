// Level alerts (contract section 4, relative mode and the strict types' level alert as well):
// one episode per (type, scope) from the moment the level leaves ok, carrying the highest level
// reached, until recovery. A pure function of the counters and the clock: the same events and
// the same `now` give the same episodes, whatever the arrival order, so corrections simply
// re-derive and a restart re-derives exactly what the live engine had.
//
// Within one statistical week the allowance to date is constant and the count can only grow, so
// the level is non-decreasing inside a week: its lowest is at the week's start (the allowance has
// just stepped up) and its highest at the week's end (or now). Two samples per week are enough,
// and crossing instants are found by binary search inside the week. A level can fall to ok at a
// week's start and rise again days later: the first episode resolves there, a second one opens.

import type { Level } from '../model.ts';
import { lastInstantBefore } from '../plan/calendar.ts';
import { levelOf, ratioOf } from '../transforms/levels.ts';
import type { AlertRulesConfig } from './config.ts';
import { entryId, LEVEL_RANK, LEVELS, type DerivedAlert, type HistoryEntry } from './types.ts';

export interface WeekSpan {
  index: number;
  startMs: number;
  endMs: number;
}

/** The counters of one (type, scope) as functions of time. */
export interface LevelSampler {
  unresolvedAt(tMs: number): number;
  allowanceToDate(tMs: number): number;
  annual: number;
  watch: number;
}

export interface LevelKey {
  year: number;
  complaintType: string;
  scope: string;
}

export function levelAlertId(k: LevelKey, n: number): string {
  return `level.${k.year}.${k.complaintType}.${k.scope}.${n}`;
}

/** Every episode up to nowMs, oldest first. */
export function deriveLevelEpisodes(
  key: LevelKey,
  s: LevelSampler,
  weeks: readonly WeekSpan[],
  nowMs: number,
  recovery: AlertRulesConfig['recovery'],
): DerivedAlert[] {
  const levelAt = (t: number): Level => levelOf(s.unresolvedAt(t), s.allowanceToDate(t), s.annual, s.watch);
  const episodes: DerivedAlert[] = [];
  let open: DerivedAlert | undefined;
  let goodWeeks = 0;

  const recoveredAt = (t: number, level: Level): boolean => {
    const ratio = ratioOf(s.unresolvedAt(t), s.allowanceToDate(t));
    return level === 'ok' && (ratio ?? (s.unresolvedAt(t) === 0 ? 0 : Infinity)) < s.watch - recovery.margin;
  };

  for (const w of weeks) {
    if (w.startMs > nowMs) break;
    if (open && recovery.weeks === 0 && w.startMs > open.openedAtMs && recoveredAt(w.startMs, levelAt(w.startMs))) {
      open.history.push(line(open.id, 'resolved', w.startMs, 'ok', s, w.startMs));
      open.clearedAtMs = w.startMs;
      open.currentLevel = 'ok';
      open = undefined;
    }
    const sampleT = Math.min(lastInstantBefore(w.endMs), nowMs);
    const complete = nowMs >= lastInstantBefore(w.endMs);
    const level = levelAt(sampleT);
    if (!open) {
      if (level === 'ok') continue;
      const id = levelAlertId(key, episodes.length + 1);
      const at = firstAt(levelAt, w.startMs, sampleT, 'watch');
      open = { id, kind: 'level', complaintType: key.complaintType, scope: key.scope, level: 'watch', currentLevel: level, openedAtMs: at, history: [] };
      open.history.push(line(id, 'opened', at, 'watch', s, at));
      episodes.push(open);
      goodWeeks = 0;
    }
    open.currentLevel = level;
    if (LEVEL_RANK[level] > LEVEL_RANK[open.level]) {
      for (const l of LEVELS) {
        if (LEVEL_RANK[l] <= LEVEL_RANK[open.level] || LEVEL_RANK[l] > LEVEL_RANK[level]) continue;
        const at = firstAt(levelAt, w.startMs, sampleT, l);
        open.history.push(line(open.id, 'raised', at, l, s, at));
      }
      open.level = level;
    }
    // immediate recovery happened at the week's start, above, or not this week
    if (recovery.weeks === 0) continue;
    if (!recoveredAt(sampleT, level)) {
      goodWeeks = 0;
      continue;
    }
    if (goodWeeks === 0) open.history.push(line(open.id, 'recovering', w.startMs, 'ok', s, sampleT));
    if (!complete) continue;
    goodWeeks++;
    if (goodWeeks >= recovery.weeks) {
      open.history.push(line(open.id, 'resolved', w.endMs, 'ok', s, sampleT));
      open.clearedAtMs = w.endMs;
      open = undefined;
    }
  }
  return episodes;
}

function line(alertId: string, what: string, atMs: number, level: Level, s: LevelSampler, sampleT: number): HistoryEntry {
  const unresolved = s.unresolvedAt(sampleT);
  const allowanceToDate = s.allowanceToDate(sampleT);
  return {
    id: entryId(alertId, what, atMs, level),
    atMs,
    what,
    level,
    detail: { unresolved, allowanceToDate: round2(allowanceToDate), ratio: round2(ratioOf(unresolved, allowanceToDate)) },
  };
}

const round2 = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);

/**
 * First instant in [from, to] whose level is at least `l` (level non-decreasing there), to the
 * millisecond; `to` may carry a fraction (a week is sampled half a microsecond before its end):
 * a crossing after its last whole millisecond is at `to` itself, not past it in the next week.
 */
function firstAt(levelAt: (t: number) => Level, from: number, to: number, l: Level): number {
  const lastWhole = Math.floor(to);
  if (lastWhole < to && LEVEL_RANK[levelAt(lastWhole)] < LEVEL_RANK[l]) return to;
  let lo = from, hi = lastWhole;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (LEVEL_RANK[levelAt(mid)] >= LEVEL_RANK[l]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
