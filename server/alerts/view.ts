import type { AlertRecord, HistoryEntry } from '../../pipelines/rules/index.ts';
import type { Credential } from '../access.ts';
export type { Credential } from '../access.ts';
import { toZonedIso } from '../time.ts';

// An alert as the surfaces show it (contract section 5 fields first): times in the plan's zone.
// A person's action carries the token that acted (`credential`, stored in the line's detail so
// that alert_log's detail column has it too) beside the name the person typed (`by`).

/** How much history a listed alert carries: all of it (the contract's form), its last line, or
 *  none; `historyCount` then says how many lines the alert has. */
export type HistoryDepth = 'all' | 'last' | 'none';

const iso = (ms: number | undefined | null, tz: string) => (ms === undefined || ms === null || !Number.isFinite(ms) ? null : toZonedIso(ms, tz));

export function historyView(h: HistoryEntry, tz: string) {
  const { credential, ...detail } = (h.detail ?? {}) as { credential?: Credential } & Record<string, unknown>;
  return {
    at: iso(h.atMs, tz),
    what: h.what,
    ...(h.level ? { level: h.level } : {}),
    ...(h.by ? { by: h.by } : {}),
    ...(credential ? { credential } : {}),
    ...(h.reason ? { reason: h.reason } : {}),
    ...(h.before ? { before: h.before } : {}),
    ...(h.after ? { after: h.after } : {}),
    ...(h.detail && Object.keys(detail).length ? { detail } : {}),
  };
}

/** Keeps the acting token on a person's new lines. They are the new record's own objects, so it
 *  is done before the engine stores, shows or sends any of them. */
export function stampCredential(entries: HistoryEntry[], credential: Credential): void {
  for (const e of entries) e.detail = { ...e.detail, credential };
}

/** The token of the acknowledgement the alert carries: the latest `acknowledged` line's. */
function ackCredential(r: AlertRecord): Credential | undefined {
  for (let i = r.history.length - 1; i >= 0; i--) {
    const h = r.history[i]!;
    if (h.what === 'acknowledged' && h.atMs === r.ack?.atMs) return (h.detail as { credential?: Credential } | undefined)?.credential;
  }
  return undefined;
}

/** The history as shown, oldest first; `last` without sorting the whole of it. */
function historyOf(r: AlertRecord, depth: HistoryDepth): HistoryEntry[] {
  if (depth === 'all') return [...r.history].sort((a, b) => a.atMs - b.atMs);
  let last: HistoryEntry | undefined;
  // the same line the full, stably sorted history ends with: the latest, and of equal times the later one
  for (const h of r.history) if (!last || h.atMs >= last.atMs) last = h;
  return last ? [last] : [];
}

/** The alert with the history lines given, in the contract's order of fields. */
function viewWith<Shown extends object>(r: AlertRecord, tz: string, shown: Shown) {
  const facts = (r.facts ?? {}) as { burn?: unknown; forecast?: { weekStartMs: number | null } & Record<string, unknown>; deadline?: number };
  return {
    id: r.id,
    kind: r.kind,
    complaintType: r.complaintType,
    scope: r.scope,
    level: r.level,
    status: r.status,
    openedAt: iso(r.openedAtMs, tz),
    ...(r.ticketId !== undefined ? { ticketId: r.ticketId } : {}),
    ...shown,
    ...(r.currentLevel ? { currentLevel: r.currentLevel } : {}),
    ...(r.urgency ? { urgency: r.urgency } : {}),
    ...(r.resolution ? { resolution: r.resolution, resolvedAt: iso(r.resolvedAtMs, tz) } : {}),
    raisedAt: iso(r.raisedAtMs, tz),
    ack: r.ack ? { by: r.ack.by, at: iso(r.ack.atMs, tz), reason: r.ack.reason, credential: ackCredential(r) ?? null } : null,
    assignee: r.assignee ?? null,
    onCall: { level: r.onCall.level + 1, round: r.onCall.round, since: iso(r.onCall.sinceMs, tz), notify: r.onCall.notify },
    ...(facts.burn ? { burn: facts.burn } : {}),
    ...(facts.forecast ? { forecast: { ...facts.forecast, weekStartMs: undefined, weekStart: iso(facts.forecast.weekStartMs, tz) } } : {}),
    ...(facts.deadline !== undefined ? { deadline: iso(facts.deadline, tz) } : {}),
  };
}

/** The whole alert, its whole history (an alert's page, /ws, gateways, the contract's list). */
export function alertView(r: AlertRecord, tz: string) {
  return viewWith(r, tz, { history: historyOf(r, 'all').map((h) => historyView(h, tz)) });
}

export type AlertView = ReturnType<typeof alertView>;

/** An alert as a list shows it: with all, the last or none of its history lines. */
export function listedAlertView(r: AlertRecord, tz: string, depth: HistoryDepth) {
  if (depth === 'all') return alertView(r, tz);
  return viewWith(r, tz, { ...(depth === 'last' ? { history: historyOf(r, 'last').map((h) => historyView(h, tz)) } : {}), historyCount: r.history.length });
}

export type ListedAlert = ReturnType<typeof listedAlertView>;

/**
 * The new view when a change that adds no history line still moves what the surfaces show (the
 * current level, a case's urgency, the burn rate, the forecast); undefined when nothing moved.
 * Contract §4: every alert change is pushed live, not only those with a history line.
 */
export function shownChange(before: AlertRecord, after: AlertRecord, tz: string): AlertView | undefined {
  if (before === after) return undefined;
  const view = alertView(after, tz);
  return JSON.stringify(alertView(before, tz)) === JSON.stringify(view) ? undefined : view;
}
