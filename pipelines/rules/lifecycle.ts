// An alert's record: what the rules derive plus the people's side (open → acknowledged →
// resolved, and re-open), the on-call ladder's place and the history. What changes a record is
// in two pure modules: a person's action or the ladder (actions.ts) and a re-derivation folded
// into the records (merge.ts); both return the record and the lines to append, which the engine
// stores as append-only rows and pushes live.

import type { AlertStatus, DerivedAlert, HistoryEntry, Resolution } from './types.ts';

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

export interface Step {
  record: AlertRecord;
  entries: HistoryEntry[];
}

export { applyAction, escalationDue, ActionRefused, type Action } from './actions.ts';
export { mergeDerived, reconcile, withdraw, type Cause } from './merge.ts';
