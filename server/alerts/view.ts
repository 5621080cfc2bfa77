import type { AlertRecord, HistoryEntry } from '../../pipelines/rules/index.ts';
import { toZonedIso } from '../time.ts';

// An alert as the surfaces show it (contract section 5 fields first): times in the plan's zone.

const iso = (ms: number | undefined | null, tz: string) => (ms === undefined || ms === null || !Number.isFinite(ms) ? null : toZonedIso(ms, tz));

export function historyView(h: HistoryEntry, tz: string) {
  return {
    at: iso(h.atMs, tz),
    what: h.what,
    ...(h.level ? { level: h.level } : {}),
    ...(h.by ? { by: h.by } : {}),
    ...(h.reason ? { reason: h.reason } : {}),
    ...(h.before ? { before: h.before } : {}),
    ...(h.after ? { after: h.after } : {}),
    ...(h.detail ? { detail: h.detail } : {}),
  };
}

export function alertView(r: AlertRecord, tz: string) {
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
    history: [...r.history].sort((a, b) => a.atMs - b.atMs).map((h) => historyView(h, tz)),
    ...(r.currentLevel ? { currentLevel: r.currentLevel } : {}),
    ...(r.urgency ? { urgency: r.urgency } : {}),
    ...(r.resolution ? { resolution: r.resolution, resolvedAt: iso(r.resolvedAtMs, tz) } : {}),
    raisedAt: iso(r.raisedAtMs, tz),
    ack: r.ack ? { by: r.ack.by, at: iso(r.ack.atMs, tz), reason: r.ack.reason } : null,
    assignee: r.assignee ?? null,
    onCall: { level: r.onCall.level + 1, round: r.onCall.round, since: iso(r.onCall.sinceMs, tz), notify: r.onCall.notify },
    ...(facts.burn ? { burn: facts.burn } : {}),
    ...(facts.forecast ? { forecast: { ...facts.forecast, weekStartMs: undefined, weekStart: iso(facts.forecast.weekStartMs, tz) } } : {}),
    ...(facts.deadline !== undefined ? { deadline: iso(facts.deadline, tz) } : {}),
  };
}

export type AlertView = ReturnType<typeof alertView>;

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
