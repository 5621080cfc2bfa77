// Who an alert on the on-call ladder names is the plan's, not the plan's of the day it climbed.
// A record keeps its ladder position (level, round, since) and a copy of that level's `notify`,
// taken at each step; when the plan's ladder changes (PUT /api/plan, or a start on a plan other
// than the one the stored snapshots were made under) the copy is brought to the plan in force,
// so the screens, /api/alerts and every later gateway notice name the people now on call. The
// history is left alone: its `escalated` lines say who was notified when the step was taken.

import type { AlertRulesConfig } from './config.ts';
import type { AlertRecord, Step } from './lifecycle.ts';

type Ladder = AlertRulesConfig['onCall'];
type OnCall = AlertRecord['onCall'];

/**
 * The position on the plan's ladder: the same level, or the ladder's last level when the plan
 * has fewer levels now (so the ladder goes on from there, as `escalationDue` reads the plan's
 * level at the record's index), and that level's people.
 */
export function onCallOnLadder(onCall: OnCall, ladder: Ladder): OnCall {
  if (ladder.levels.length === 0) return onCall.notify.length === 0 ? onCall : { ...onCall, notify: [] };
  const level = Math.min(onCall.level, ladder.levels.length - 1);
  const notify = ladder.levels[level]!.notify;
  if (level === onCall.level && sameNames(notify, onCall.notify)) return onCall;
  return { ...onCall, level, notify: [...notify] };
}

/** The record naming the plan's people; the same object when it already does (or is resolved:
 *  a resolved alert is on no ladder, and a re-opening starts one from the plan in force). */
export function withPlanRoster(r: AlertRecord, ladder: Ladder): AlertRecord {
  if (r.status === 'resolved') return r;
  const onCall = onCallOnLadder(r.onCall, ladder);
  return onCall === r.onCall ? r : { ...r, onCall };
}

/**
 * The records whose people on call the plan's ladder changed, as steps without a history line:
 * not an event of the alert, but what the screens show moved (the engine pushes it live).
 */
export function rosterSteps(records: Iterable<AlertRecord>, ladder: Ladder): Step[] {
  const steps: Step[] = [];
  for (const r of records) {
    const record = withPlanRoster(r, ladder);
    if (record !== r) steps.push({ record, entries: [] });
  }
  return steps;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}
