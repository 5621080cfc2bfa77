// A person's actions on an alert (acknowledge, note, notice, assign, escalate, resolve, re-open)
// and the on-call ladder that pages while nobody acknowledges. Pure: (record, input, now) →
// record + the lines to append, which the engine stores as append-only rows and pushes live.

import { ON_CALL_POLICY } from './ack-standing.ts';
import type { AlertRulesConfig } from './config.ts';
import type { AlertRecord, Step } from './lifecycle.ts';
import type { HistoryEntry } from './types.ts';

export type Action =
  | { type: 'ack'; by: string; reason?: string; note?: string }
  | { type: 'note'; by: string; text: string }
  | { type: 'notice'; by: string; to: string; text: string }
  | { type: 'assign'; by: string; to: string }
  | { type: 'escalate'; by: string; note?: string }
  | { type: 'resolve'; by: string; note?: string }
  | { type: 'reopen'; by: string; note?: string };

export class ActionRefused extends Error {
  override readonly name = 'ActionRefused';
  constructor(readonly status: 400 | 409, readonly code: string, message: string) {
    super(message);
  }
}

/** The `what` of the history line each action writes: a change of state reads as what it did. */
const ACTION_LINE: Record<Action['type'], string> = {
  ack: 'acknowledged',
  note: 'note',
  notice: 'notice',
  assign: 'assign',
  escalate: 'escalated',
  resolve: 'resolved',
  reopen: 'reopened',
};

/** "status/level", the form of a history line's `before` and `after`. */
export const tag = (r: AlertRecord) => `${r.status}/${r.level}`;

/** The ladder's place: `level` in `round`, since `sinceMs`, and who that level pages. */
export function onCallAt(
  cfg: AlertRulesConfig['onCall'],
  level: number,
  round: number,
  sinceMs: number,
): AlertRecord['onCall'] {
  return { level, round, sinceMs, notify: cfg.levels[level]?.notify ?? [] };
}

/** A person's action. Throws ActionRefused for an action the alert's state does not allow. */
export function applyAction(
  r: AlertRecord,
  a: Action,
  nowMs: number,
  entryIdOf: () => string,
  cfg: AlertRulesConfig,
): Step {
  const before = tag(r);
  const next: AlertRecord = { ...r, history: [...r.history] };
  const detail: Record<string, unknown> = {};
  let reason: string | undefined;
  switch (a.type) {
    case 'ack': {
      if (r.status !== 'open') {
        throw new ActionRefused(409, 'NOT_OPEN', `alert is ${r.status}; only an open alert can be acknowledged`);
      }
      reason = a.reason ?? 'unspecified';
      if (a.reason !== undefined && !cfg.ackReasons.includes(a.reason)) {
        throw new ActionRefused(400, 'BAD_REASON', `reason must be one of: ${cfg.ackReasons.join(', ')}`);
      }
      next.status = 'acknowledged';
      next.ack = { by: a.by, atMs: nowMs, reason };
      if (a.note) detail.note = a.note;
      break;
    }
    case 'note':
      detail.text = a.text;
      break;
    case 'notice':
      detail.to = a.to;
      detail.text = a.text;
      break;
    case 'assign':
      next.assignee = a.to;
      detail.to = a.to;
      break;
    case 'escalate': {
      if (r.status === 'resolved') {
        throw new ActionRefused(409, 'RESOLVED', 'a resolved alert cannot be escalated; re-open it first');
      }
      const lvl = Math.min(r.onCall.level + 1, Math.max(0, cfg.onCall.levels.length - 1));
      next.onCall = onCallAt(cfg.onCall, lvl, r.onCall.round, nowMs);
      // open again, so the acknowledgement no longer stands (its line stays in the history)
      next.status = 'open';
      delete next.ack;
      detail.onCallLevel = lvl + 1;
      detail.notify = next.onCall.notify;
      if (a.note) detail.note = a.note;
      break;
    }
    case 'resolve':
      if (r.status === 'resolved') throw new ActionRefused(409, 'RESOLVED', 'alert is already resolved');
      next.status = 'resolved';
      next.resolution = 'manual';
      next.resolvedAtMs = nowMs;
      delete next.reopenedByHandAtMs;
      if (a.note) detail.note = a.note;
      break;
    case 'reopen':
      if (r.status !== 'resolved') {
        throw new ActionRefused(409, 'NOT_RESOLVED', `alert is ${r.status}; only a resolved alert can be re-opened`);
      }
      if (r.resolution === 'withdrawn') {
        const why = 'a withdrawn alert no longer derives from the events; it cannot be re-opened';
        throw new ActionRefused(409, 'WITHDRAWN', why);
      }
      next.status = 'open';
      next.reopenedByHandAtMs = nowMs;
      delete next.resolution;
      delete next.resolvedAtMs;
      delete next.ack;
      next.onCall = onCallAt(cfg.onCall, 0, 0, nowMs);
      if (a.note) detail.note = a.note;
      break;
  }
  const entry: HistoryEntry = {
    id: entryIdOf(),
    atMs: nowMs,
    what: ACTION_LINE[a.type],
    by: a.by,
    before,
    after: tag(next),
    ...(reason ? { reason } : {}),
    ...(Object.keys(detail).length ? { detail } : {}),
  };
  next.history.push(entry);
  return { record: next, entries: [entry] };
}

/** The on-call ladder: an open (unacknowledged) alert moves up one level per timeout. */
export function escalationDue(r: AlertRecord, nowMs: number, cfg: AlertRulesConfig['onCall']): Step | undefined {
  if (r.status !== 'open' || cfg.levels.length === 0) return undefined;
  const current = cfg.levels[r.onCall.level];
  if (!current || nowMs - r.onCall.sinceMs < current.afterMinutes * 60_000) return undefined;
  let level = r.onCall.level + 1, round = r.onCall.round;
  if (level >= cfg.levels.length) {
    if (round >= cfg.repeat) return undefined;
    level = 0;
    round++;
  }
  const atMs = r.onCall.sinceMs + current.afterMinutes * 60_000;
  const next: AlertRecord = { ...r, onCall: onCallAt(cfg, level, round, atMs), history: [...r.history] };
  const entry: HistoryEntry = {
    id: `${r.id}/oncall/${level}/${round}/${atMs}`,
    atMs,
    what: 'escalated',
    by: ON_CALL_POLICY,
    reason: 'not acknowledged in time',
    before: tag(r),
    after: tag(next),
    detail: { onCallLevel: level + 1, round, notify: next.onCall.notify },
  };
  next.history.push(entry);
  return { record: next, entries: [entry] };
}
