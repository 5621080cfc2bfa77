import type { Level } from '../model.ts';

// What the rules produce. Times are epoch ms; the server renders them in the plan's zone.

export type AlertKind = 'level' | 'case' | 'burn';
export type AlertStatus = 'open' | 'acknowledged' | 'resolved';
export type Resolution = 'recovered' | 'closed' | 'withdrawn' | 'manual';
export type Urgency = 'new' | 'stale' | 'overdue';

/** One line of an alert's history. Derived lines have deterministic ids (a re-derivation after a
 *  restart gives the same id, so the append-only log folds it); people's actions get fresh ids. */
export interface HistoryEntry {
  id: string;
  atMs: number;
  what: string;
  level?: Level;
  by?: string;
  reason?: string;
  /** status/level before and after, e.g. "open/watch" → "acknowledged/watch" */
  before?: string;
  after?: string;
  detail?: Record<string, unknown>;
}

/** An alert condition as the rules see it from the events and the clock alone. */
export interface DerivedAlert {
  id: string;
  kind: AlertKind;
  complaintType: string;
  scope: string;
  /** highest level reached (level alerts); current urgency level (case alerts) */
  level: Level;
  openedAtMs: number;
  /** the condition is over (recovered, closed); undefined while it holds */
  clearedAtMs?: number;
  ticketId?: string;
  urgency?: Urgency;
  /** level at the evaluation instant (level alerts) */
  currentLevel?: Level;
  history: HistoryEntry[];
  /** extra facts shown on the alert (burn rate, forecast, deadline …) */
  facts?: Record<string, unknown>;
}

export const LEVEL_RANK: Record<Level, number> = { ok: 0, watch: 1, breach: 2, critical: 3 };
export const LEVELS: readonly Level[] = ['ok', 'watch', 'breach', 'critical'];

export function entryId(alertId: string, what: string, atMs: number, extra = ''): string {
  return `${alertId}/${what}/${atMs}${extra ? `/${extra}` : ''}`;
}
