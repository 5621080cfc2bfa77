// The people's side of an alert: open → acknowledged → resolved (and re-open), actions, the
// on-call ladder. Pure: (record, input, now) → record + the lines to append, which the engine
// stores as append-only rows and pushes live.

import type { Level } from '../model.ts';
import { ackLevel, ackRestoredLine, ackTakenBack, ON_CALL_POLICY } from './ack-standing.ts';
import type { AlertRulesConfig } from './config.ts';
import { compareLines, describeLine, isDerivedLine } from './derived-lines.ts';
import { LEVEL_RANK, type AlertStatus, type DerivedAlert, type HistoryEntry, type Resolution } from './types.ts';

export interface AlertRecord extends DerivedAlert {
  status: AlertStatus;
  resolution?: Resolution;
  resolvedAtMs?: number;
  /** wall-clock time the monitor first raised it: the on-call ladder runs from here */
  raisedAtMs: number;
  ack?: { by: string; atMs: number; reason: string };
  assignee?: string;
  onCall: { level: number; round: number; sinceMs: number; notify: string[] };
  /** when a person re-opened it: a close dated before this does not close it again */
  reopenedByHandAtMs?: number;
}

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

export interface Step {
  record: AlertRecord;
  entries: HistoryEntry[];
}

const tag = (r: AlertRecord) => `${r.status}/${r.level}`;

function onCallAt(cfg: AlertRulesConfig['onCall'], level: number, round: number, sinceMs: number): AlertRecord['onCall'] {
  return { level, round, sinceMs, notify: cfg.levels[level]?.notify ?? [] };
}

/** A person's action. Throws ActionRefused for an action the alert's state does not allow. */
export function applyAction(r: AlertRecord, a: Action, nowMs: number, entryIdOf: () => string, cfg: AlertRulesConfig): Step {
  const before = tag(r);
  const next: AlertRecord = { ...r, history: [...r.history] };
  const detail: Record<string, unknown> = {};
  let reason: string | undefined;
  switch (a.type) {
    case 'ack': {
      if (r.status !== 'open') throw new ActionRefused(409, 'NOT_OPEN', `alert is ${r.status}; only an open alert can be acknowledged`);
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
      if (r.status === 'resolved') throw new ActionRefused(409, 'RESOLVED', 'a resolved alert cannot be escalated; re-open it first');
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
      if (r.status !== 'resolved') throw new ActionRefused(409, 'NOT_RESOLVED', `alert is ${r.status}; only a resolved alert can be re-opened`);
      if (r.resolution === 'withdrawn') throw new ActionRefused(409, 'WITHDRAWN', 'a withdrawn alert no longer derives from the events; it cannot be re-opened');
      next.status = 'open';
      next.reopenedByHandAtMs = nowMs;
      delete next.resolution;
      delete next.resolvedAtMs;
      delete next.ack;
      next.onCall = onCallAt(cfg.onCall, 0, 0, nowMs);
      if (a.note) detail.note = a.note;
      break;
  }
  const what = a.type === 'ack' ? 'acknowledged' : a.type === 'escalate' ? 'escalated' : a.type === 'resolve' ? 'resolved' : a.type === 'reopen' ? 'reopened' : a.type;
  const entry: HistoryEntry = { id: entryIdOf(), atMs: nowMs, what, by: a.by, before, after: tag(next), ...(reason ? { reason } : {}), ...(Object.keys(detail).length ? { detail } : {}) };
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

export interface Cause {
  /** the change rewrote the past (a correction, a late event) */
  retroactive: boolean;
  /** what caused it, recorded on amended/withdrawn lines */
  reason: string;
}

/**
 * Folds one re-derived condition into its record (or creates it). The derived lines and their
 * fields are the derivation's, whatever came before, so the same events give the same alert in
 * any order and batching; what changes of what was shown is one `amended` line. People's
 * decisions stand against older facts: a manual close until the ticket moves after it (a
 * re-opening, a later escalation, a level rise), a manual re-open until a later close.
 */
export function mergeDerived(prev: AlertRecord | undefined, d: DerivedAlert, nowMs: number, cause: Cause, cfg: AlertRulesConfig): Step {
  const cleared = d.clearedAtMs !== undefined;
  const ruleResolution: Resolution = d.kind === 'case' ? 'closed' : 'recovered';
  if (!prev) {
    const record: AlertRecord = {
      ...d,
      history: [...d.history],
      status: cleared ? 'resolved' : 'open',
      ...(cleared ? { resolution: ruleResolution, resolvedAtMs: d.clearedAtMs } : {}),
      raisedAtMs: nowMs,
      onCall: onCallAt(cfg.onCall, 0, 0, nowMs),
    } as AlertRecord;
    return { record, entries: [...d.history] };
  }
  const lines = compareLines(prev.history.filter(isDerivedLine), d.history);
  const withdrawnBack = prev.resolution === 'withdrawn';
  // a line re-dated or re-figured is no news to page for (AW F1); a rise past the level shown is,
  // and a withdrawn alert back is opened again, figures changed or not (AX2)
  const news = (e: HistoryEntry) => (e.what === 'opened' ? withdrawnBack : e.what === 'raised' ? LEVEL_RANK[e.level as Level] > LEVEL_RANK[prev.level as Level] : true);
  const back = withdrawnBack ? d.history.filter((h) => h.what === 'opened') : [];
  const entries: HistoryEntry[] = [...new Set([...back, ...lines.added, ...lines.revised])].filter(news);
  const next: AlertRecord = {
    ...prev, ...d, status: prev.status, raisedAtMs: prev.raisedAtMs, onCall: prev.onCall,
    history: [...prev.history.filter((h) => !isDerivedLine(h)), ...d.history].sort((a, b) => a.atMs - b.atMs),
  };
  if (!cleared) delete next.clearedAtMs;
  const say = (e: HistoryEntry) => { next.history.push(e); entries.push(e); };

  const changed = (['complaintType', 'scope', 'openedAtMs'] as const).filter((k) => prev[k] !== d[k]);
  if (changed.length > 0 || lines.takenBack.length > 0 || withdrawnBack) {
    say({
      id: `${d.id}/amended/${nowMs}/${changed.join('+') || (withdrawnBack ? 'restored' : 'lines')}`,
      atMs: nowMs,
      what: 'amended',
      reason: cause.reason,
      before: [...changed.map((k) => `${k}=${String(prev[k])}`), ...(withdrawnBack ? ['withdrawn'] : []), ...lines.takenBack.map(describeLine)].join('; '),
      after: [...changed.map((k) => `${k}=${String(d[k])}`), ...[...lines.revised, ...lines.added].map(describeLine)].join('; '),
    });
  }

  const rose = LEVEL_RANK[d.level] > LEVEL_RANK[prev.level as Level];
  // an ack stands for the level it was given at (a level alert's only falls below it when a rise
  // is taken back); a case's urgency falls with progress, and rises again past it
  const roseOverAck = prev.status === 'acknowledged' && (d.kind === 'level' ? LEVEL_RANK[d.level] > LEVEL_RANK[ackLevel(prev) ?? prev.level] : rose);
  const givenBack = ackTakenBack(prev, d);
  const manual = prev.status === 'resolved' && prev.resolution === 'manual';
  // the ticket moved after a person closed it: their close no longer stands
  const movedSince = manual ? d.history.find((h) => (h.what === 'ticket-reopened' || h.what === 'case-escalated') && h.atMs > prev.resolvedAtMs!) : undefined;
  const heldOpen = cleared && prev.status !== 'resolved' && prev.reopenedByHandAtMs !== undefined && d.clearedAtMs! <= prev.reopenedByHandAtMs;
  const reopen = (reason: string) => {
    say({ id: `${d.id}/reopened/${nowMs}`, atMs: nowMs, what: 'reopened', reason, before: `${prev.status}/${prev.level}`, after: `open/${d.level}` });
  };
  if (manual && !movedSince && (cleared || !rose)) {
    // a person's close stands
  } else if (heldOpen) {
    // a person's re-open stands against a close dated before it
  } else if (cleared) {
    next.status = 'resolved';
    next.resolution = ruleResolution;
    next.resolvedAtMs = d.clearedAtMs;
    delete next.reopenedByHandAtMs;
  } else if (givenBack) {
    // the rise (or withdrawal) that cleared a person's acknowledgement is taken back: it stands
    next.status = 'acknowledged';
    delete next.resolution;
    delete next.resolvedAtMs;
    next.ack = { by: givenBack.line.by!, atMs: givenBack.line.atMs, reason: givenBack.line.reason ?? 'unspecified' };
    say(ackRestoredLine(d.id, givenBack, prev, d, nowMs, cause.reason));
  } else if (prev.status === 'resolved' || roseOverAck) {
    // back again: a ticket moved after a manual close, a withdrawal or resolution undone (said
    // above), or a level rise after an ack or a manual close
    if (manual || prev.status === 'acknowledged') reopen(rose || roseOverAck ? `level rose to ${d.level}` : `${movedSince!.what} ${String(movedSince!.detail?.eventId ?? '')}`.trim());
    next.status = 'open';
    delete next.resolution;
    delete next.resolvedAtMs;
    delete next.ack;
    next.onCall = onCallAt(cfg.onCall, 0, 0, nowMs);
  }
  if (entries.length === 0 && (next.status !== prev.status || next.resolvedAtMs !== prev.resolvedAtMs)) {
    // every change of state is a line in the audit trail, never a silent one
    say({ id: `${d.id}/amended/${nowMs}/status`, atMs: nowMs, what: 'amended', reason: cause.reason, before: `${prev.status}/${prev.resolution ?? ''}`, after: `${next.status}/${next.resolution ?? ''}` });
  }
  return { record: next, entries };
}

/** A record whose condition no longer derives from the events: withdrawn, with the reason. */
export function withdraw(prev: AlertRecord, nowMs: number, cause: Cause): Step | undefined {
  if (prev.resolution === 'withdrawn') return undefined;
  const e: HistoryEntry = { id: `${prev.id}/withdrawn/${nowMs}`, atMs: nowMs, what: 'withdrawn', reason: cause.reason, before: `${prev.status}/${prev.level}`, after: `resolved/${prev.level}` };
  // a withdrawn alert has no level now: what it claimed no longer derives from the events
  const { currentLevel: _stale, ...rest } = prev;
  const next: AlertRecord = { ...rest, status: 'resolved', resolution: 'withdrawn', resolvedAtMs: nowMs, history: [...prev.history, e] };
  return { record: next, entries: [e] };
}

/**
 * Folds a re-derivation into the records: new conditions open, changed ones are merged, and a
 * record the derivation covered but no longer produces is withdrawn. Returns only what changed.
 */
export function reconcile(
  records: ReadonlyMap<string, AlertRecord>,
  derived: readonly DerivedAlert[],
  covered: (r: AlertRecord) => boolean,
  nowMs: number,
  cause: Cause,
  cfg: AlertRulesConfig,
  /** the records `covered` may hold (default: all); a caller with an index passes only those */
  candidates: Iterable<AlertRecord> = records.values(),
): Step[] {
  const steps: Step[] = [];
  const seen = new Set<string>();
  for (const d of derived) {
    seen.add(d.id);
    const prev = records.get(d.id);
    const step = mergeDerived(prev, d, nowMs, cause, cfg);
    if (!prev || step.entries.length > 0 || JSON.stringify(prev) !== JSON.stringify(step.record)) steps.push(step);
  }
  for (const r of candidates) {
    if (seen.has(r.id) || r.kind === 'burn' || !covered(r)) continue;
    const step = withdraw(r, nowMs, cause);
    if (step) steps.push(step);
  }
  return steps;
}
