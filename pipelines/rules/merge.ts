// Folding a re-derivation into the alert records: new conditions open, changed ones are merged
// (the derived lines are the derivation's, people's decisions stand), and what no longer derives
// is withdrawn. Pure: (records, derivation, now) → the steps to store and push.

import type { Level } from '../model.ts';
import { ackLevel, ackRestoredLine, ackTakenBack, type GivenAck } from './ack-standing.ts';
import { onCallAt } from './actions.ts';
import { closeRestoredLine, closeRoundTrip, type GivenClose } from './close-standing.ts';
import type { AlertRulesConfig } from './config.ts';
import { compareLines, describeLine, isDerivedLine, stepKey } from './derived-lines.ts';
import type { AlertRecord, Step } from './lifecycle.ts';
import { LEVEL_RANK, type DerivedAlert, type HistoryEntry, type Resolution } from './types.ts';

export interface Cause {
  /** the change rewrote the past (a correction, a late event) */
  retroactive: boolean;
  /** what caused it, recorded on amended/withdrawn lines */
  reason: string;
}

/** Which status a re-derivation leaves an existing record in, and why (see statusAfter). */
export type StatusAfter =
  | { kind: 'manual-close-stands' }
  | { kind: 'manual-reopen-stands' }
  | { kind: 'cleared' }
  | { kind: 'ack-restored'; given: GivenAck }
  | { kind: 'close-restored'; given: GivenClose }
  /**
   * open again; `lineReason` is the reason of the `reopened` line, said when this undoes a
   * person's decision (a manual close, an acknowledgement). Undoing a rule's close or a
   * withdrawal is said by the amended line instead.
   */
  | { kind: 'reopen'; lineReason?: string }
  | { kind: 'unchanged' };

/**
 * Which status wins when the derivation `d` meets the record `prev`, first match:
 * 1. a person's close stands, unless the ticket moved after it, or the level rose and the
 *    condition still holds;
 * 2. a person's re-open stands against a close dated before it;
 * 3. a person's close a withdrawal took back stands again, on the terms of 1. (close-standing.ts);
 * 4. the condition is over: the rules close it;
 * 5. what cleared a person's acknowledgement (a rise, a withdrawal) is taken back: it stands again;
 * 6. back again (a ticket moved after a manual close, a withdrawal or a rule's close undone, a
 *    level rise after an ack or a manual close): open, with the ladder from its start;
 * 7. otherwise the status stays.
 */
export function statusAfter(prev: AlertRecord, d: DerivedAlert): StatusAfter {
  const cleared = d.clearedAtMs !== undefined;
  const rose = LEVEL_RANK[d.level] > LEVEL_RANK[prev.level as Level];
  // an ack stands for the level it was given at (a level alert's only falls below it when a rise
  // is taken back); a case's urgency falls with progress, and rises again past it
  const roseOverAck =
    prev.status === 'acknowledged' &&
    (d.kind === 'level' ? LEVEL_RANK[d.level] > LEVEL_RANK[ackLevel(prev) ?? prev.level] : rose);
  const givenBack = ackTakenBack(prev, d);
  const manual = prev.status === 'resolved' && prev.resolution === 'manual';
  // the ticket moved after a person closed it: their close no longer stands
  const movesTicket = (h: HistoryEntry) => h.what === 'ticket-reopened' || h.what === 'case-escalated';
  const movedSince = manual ? d.history.find((h) => movesTicket(h) && h.atMs > prev.resolvedAtMs!) : undefined;
  const heldOpen =
    cleared &&
    prev.status !== 'resolved' &&
    prev.reopenedByHandAtMs !== undefined &&
    d.clearedAtMs! <= prev.reopenedByHandAtMs;

  if (manual && !movedSince && (cleared || !rose)) return { kind: 'manual-close-stands' };
  if (heldOpen) return { kind: 'manual-reopen-stands' };
  // withdrawn and back is not the ticket moving: a close by hand stands as it would have (audit CT3)
  const closeBack = closeRoundTrip(prev, d);
  if (closeBack?.stands) return { kind: 'close-restored', given: closeBack.given };
  if (cleared) return { kind: 'cleared' };
  if (givenBack) return { kind: 'ack-restored', given: givenBack };
  if (prev.status === 'resolved' || roseOverAck) {
    if (closeBack) return { kind: 'reopen', ...(closeBack.lineReason !== undefined ? { lineReason: closeBack.lineReason } : {}) };
    if (!(manual || prev.status === 'acknowledged')) return { kind: 'reopen' };
    const lineReason =
      rose || roseOverAck
        ? `level rose to ${d.level}`
        : `${movedSince!.what} ${String(movedSince!.detail?.eventId ?? '')}`.trim();
    return { kind: 'reopen', lineReason };
  }
  return { kind: 'unchanged' };
}

/**
 * Folds one re-derived condition into its record (or creates it). The derived lines and their
 * fields are the derivation's, whatever came before, so the same events give the same alert in
 * any order and batching; what changes of what was shown is one `amended` line. People's
 * decisions stand against older facts: a manual close until the ticket moves after it (a
 * re-opening, a later escalation, a level rise), a manual re-open until a later close.
 */
export function mergeDerived(
  prev: AlertRecord | undefined,
  d: DerivedAlert,
  nowMs: number,
  cause: Cause,
  cfg: AlertRulesConfig,
): Step {
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
  const shownLines = prev.history.filter(isDerivedLine);
  const lines = compareLines(shownLines, d.history);
  const withdrawnBack = prev.resolution === 'withdrawn';
  // What is sent to be paged: a line only re-dated or re-figured is no news (the amended line
  // says what changed); a rise past the level shown is; an alert withdrawn and derived again is
  // opened again, whether or not its figures changed. Any other line is news only for a step the
  // alert had not shown (stepKey): overdue again at an earlier deadline, stale again from an
  // opening dated earlier, the same recovery a week later are not (audit CN3).
  const shown = new Set(shownLines.map((h) => stepKey(h, shownLines)));
  const news = (e: HistoryEntry) => {
    if (e.what === 'opened') return withdrawnBack;
    if (e.what === 'raised') return LEVEL_RANK[e.level as Level] > LEVEL_RANK[prev.level as Level];
    return !shown.has(stepKey(e, d.history));
  };
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
    const before = [
      ...changed.map((k) => `${k}=${String(prev[k])}`),
      ...(withdrawnBack ? ['withdrawn'] : []),
      ...lines.takenBack.map(describeLine),
    ];
    const after = [
      ...changed.map((k) => `${k}=${String(d[k])}`),
      ...[...lines.revised, ...lines.added].map(describeLine),
    ];
    say({
      id: `${d.id}/amended/${nowMs}/${changed.join('+') || (withdrawnBack ? 'restored' : 'lines')}`,
      atMs: nowMs,
      what: 'amended',
      reason: cause.reason,
      before: before.join('; '),
      after: after.join('; '),
    });
  }

  const decision = statusAfter(prev, d);
  switch (decision.kind) {
    case 'manual-close-stands':
    case 'manual-reopen-stands':
    case 'unchanged':
      break;
    case 'cleared':
      next.status = 'resolved';
      next.resolution = ruleResolution;
      next.resolvedAtMs = d.clearedAtMs;
      delete next.reopenedByHandAtMs;
      break;
    case 'ack-restored': {
      const given = decision.given;
      next.status = 'acknowledged';
      delete next.resolution;
      delete next.resolvedAtMs;
      next.ack = { by: given.line.by!, atMs: given.line.atMs, reason: given.line.reason ?? 'unspecified' };
      say(ackRestoredLine(d.id, given, prev, d, nowMs, cause.reason));
      break;
    }
    case 'close-restored':
      // resolved as the person left it: by hand, at their time; the ack it kept stays with it
      next.status = 'resolved';
      next.resolution = 'manual';
      next.resolvedAtMs = decision.given.line.atMs;
      say(closeRestoredLine(d.id, decision.given, prev, d, nowMs, cause.reason));
      break;
    case 'reopen':
      if (decision.lineReason !== undefined) {
        say({
          id: `${d.id}/reopened/${nowMs}`,
          atMs: nowMs,
          what: 'reopened',
          reason: decision.lineReason,
          before: `${prev.status}/${prev.level}`,
          after: `open/${d.level}`,
        });
      }
      next.status = 'open';
      delete next.resolution;
      delete next.resolvedAtMs;
      delete next.ack;
      next.onCall = onCallAt(cfg.onCall, 0, 0, nowMs);
      break;
  }
  if (entries.length === 0 && (next.status !== prev.status || next.resolvedAtMs !== prev.resolvedAtMs)) {
    // every change of state is a line in the audit trail, never a silent one
    say({
      id: `${d.id}/amended/${nowMs}/status`,
      atMs: nowMs,
      what: 'amended',
      reason: cause.reason,
      before: `${prev.status}/${prev.resolution ?? ''}`,
      after: `${next.status}/${next.resolution ?? ''}`,
    });
  }
  return { record: next, entries };
}

/** A record whose condition no longer derives from the events: withdrawn, with the reason. */
export function withdraw(prev: AlertRecord, nowMs: number, cause: Cause): Step | undefined {
  if (prev.resolution === 'withdrawn') return undefined;
  const e: HistoryEntry = {
    id: `${prev.id}/withdrawn/${nowMs}`,
    atMs: nowMs,
    what: 'withdrawn',
    reason: cause.reason,
    before: `${prev.status}/${prev.level}`,
    after: `resolved/${prev.level}`,
  };
  // a withdrawn alert has no level now: what it claimed no longer derives from the events
  const { currentLevel: _stale, ...rest } = prev;
  const next: AlertRecord = {
    ...rest, status: 'resolved', resolution: 'withdrawn', resolvedAtMs: nowMs, history: [...prev.history, e],
  };
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
    const changed = !prev || step.entries.length > 0 || JSON.stringify(prev) !== JSON.stringify(step.record);
    if (changed) steps.push(step);
  }
  for (const r of candidates) {
    if (seen.has(r.id) || r.kind === 'burn' || !covered(r)) continue;
    const step = withdraw(r, nowMs, cause);
    if (step) steps.push(step);
  }
  return steps;
}
