// Burn rate and breach forecast: how fast a (type, scope) spends its allowance now, and in which
// week it will cross its cumulative allowance at the current pace.
//
// The contract's allowance to date is a step per statistical week; a one-day window would see
// an allowance increment of 0 on six days of seven. Burn rate therefore uses the curve
// interpolated linearly inside each week, which is what "allowance added in the window" means.

import type { BurnWindow } from './config.ts';
import { lastInstantBefore } from '../plan/calendar.ts';
import type { WeekSpan } from './level.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Cumulative allowance at t, linear inside each week (shares: cumulative per week, last 1). */
export function smoothAllowance(annual: number, shares: readonly number[], weeks: readonly WeekSpan[], tMs: number): number {
  const first = weeks[0], last = weeks[weeks.length - 1];
  if (!first || !last || tMs < first.startMs) return 0;
  if (tMs >= last.endMs) return annual;
  for (let i = 0; i < weeks.length; i++) {
    const w = weeks[i]!;
    if (tMs >= w.endMs) continue;
    const before = i === 0 ? 0 : (shares[i - 1] ?? 0);
    const after = shares[i] ?? 1;
    return annual * (before + ((after - before) * (tMs - w.startMs)) / (w.endMs - w.startMs));
  }
  return annual;
}

export interface BurnReading {
  hours: number;
  added: number;
  allowanceAdded: number;
  /** added ÷ allowanceAdded; null when no allowance was added in the window */
  rate: number | null;
  firing: boolean;
}

export function burnRate(unresolvedAt: (t: number) => number, allowanceAt: (t: number) => number, nowMs: number, win: BurnWindow): BurnReading {
  const from = nowMs - win.hours * HOUR;
  const added = unresolvedAt(nowMs) - unresolvedAt(from);
  const allowanceAdded = allowanceAt(nowMs) - allowanceAt(from);
  const rate = allowanceAdded > 0 ? added / allowanceAdded : null;
  const firing = added >= Math.max(1, win.minCount) && (rate === null || rate >= win.threshold);
  return { hours: win.hours, added, allowanceAdded: Math.round(allowanceAdded * 1000) / 1000, rate: rate === null ? null : Math.round(rate * 100) / 100, firing };
}

export interface BreachForecast {
  /** 1-based statistical week in which the count crosses the allowance; null: not this year */
  week: number | null;
  weekStartMs: number | null;
  /** not-agreed customers per day over the pace window */
  pacePerDay: number;
  alreadyBreached: boolean;
}

export function breachForecast(
  unresolvedAt: (t: number) => number,
  allowanceToDate: (t: number) => number,
  weeks: readonly WeekSpan[],
  nowMs: number,
  paceDays: number,
): BreachForecast {
  const first = weeks[0];
  const now = unresolvedAt(nowMs);
  const spanDays = first ? Math.min(paceDays, Math.max(0, (nowMs - first.startMs) / DAY)) : 0;
  const pacePerDay = spanDays > 0 ? (now - unresolvedAt(nowMs - spanDays * DAY)) / spanDays : 0;
  const round = Math.round(pacePerDay * 1000) / 1000;
  for (const w of weeks) {
    if (w.endMs <= nowMs) continue;
    const at = Math.max(w.startMs, nowMs);
    const projected = now + (pacePerDay * (lastInstantBefore(w.endMs) - nowMs)) / DAY;
    if (at === nowMs && now > allowanceToDate(nowMs)) return { week: w.index, weekStartMs: w.startMs, pacePerDay: round, alreadyBreached: true };
    if (projected > allowanceToDate(lastInstantBefore(w.endMs))) return { week: w.index, weekStartMs: w.startMs, pacePerDay: round, alreadyBreached: false };
  }
  return { week: null, weekStartMs: null, pacePerDay: round, alreadyBreached: false };
}
