import { describe, expect, it } from 'vitest';
import type { AlertRecord } from './lifecycle.ts';
import { statusAfter, type StatusAfter } from './merge.ts';
import type { DerivedAlert, HistoryEntry } from './types.ts';

// statusAfter is the rule "which status wins" when a re-derivation meets a record that people may
// have acted on: plain records and derivations in, the decision out (mergeDerived applies it).

const T = Date.parse('2026-03-04T09:00:00+08:00');
const MIN = 60_000;
const ID = 'case.2026.steady.BJ.t1';

const opened = (level: DerivedAlert['level'], atMs = T): HistoryEntry =>
  ({ id: `${ID}/opened/${atMs}`, atMs, what: 'opened', level });
const moved = (what: 'ticket-reopened' | 'case-escalated', atMs: number, eventId: string): HistoryEntry =>
  ({ id: `${ID}/${what}/${atMs}`, atMs, what, level: 'breach', detail: { eventId } });
const ackLine = (level: DerivedAlert['level'], atMs: number): HistoryEntry => ({
  id: 'p1',
  atMs,
  what: 'acknowledged',
  by: '王主管',
  reason: 'investigating',
  before: `open/${level}`,
  after: `acknowledged/${level}`,
});

function derived(over: Partial<DerivedAlert> = {}): DerivedAlert {
  const history = [opened('breach')];
  return { id: ID, kind: 'case', complaintType: 'steady', scope: 'BJ', level: 'breach', openedAtMs: T, history, ...over };
}

function record(over: Partial<AlertRecord> = {}): AlertRecord {
  return {
    ...derived(),
    status: 'open',
    raisedAtMs: T,
    onCall: { level: 0, round: 0, sinceMs: T, notify: [] },
    ...over,
  };
}

const manualClose = (over: Partial<AlertRecord> = {}) =>
  record({ status: 'resolved', resolution: 'manual', resolvedAtMs: T + 10 * MIN, ...over });

const ack = ackLine('breach', T + 5 * MIN);
const acknowledged = (kind: DerivedAlert['kind']) => record({
  kind,
  status: 'acknowledged',
  ack: { by: '王主管', atMs: ack.atMs, reason: 'investigating' },
  history: [opened('breach'), ack],
});
// a rise to critical cleared the acknowledgement and opened the alert again
const riseCleared = record({
  kind: 'level',
  level: 'critical',
  history: [
    opened('breach'),
    ack,
    {
      id: `${ID}/reopened/${T + 9 * MIN}`,
      atMs: T + 9 * MIN,
      what: 'reopened',
      reason: 'level rose to critical',
      before: 'acknowledged/breach',
      after: 'open/critical',
    },
  ],
});

const cases: { name: string; prev: AlertRecord; d: DerivedAlert; want: StatusAfter }[] = [
  {
    name: 'a person\'s close stands against facts that did not move the ticket',
    prev: manualClose(),
    d: derived({ history: [opened('breach'), moved('ticket-reopened', T + 2 * MIN, 'e1')] }),
    want: { kind: 'manual-close-stands' },
  },
  {
    name: 'a person\'s close stands when the rules also see the condition over',
    prev: manualClose(),
    d: derived({ level: 'critical', clearedAtMs: T + 20 * MIN }),
    want: { kind: 'manual-close-stands' },
  },
  {
    name: 'the ticket re-opened after a person\'s close: open again, the reopened line names the event',
    prev: manualClose(),
    d: derived({ history: [opened('breach'), moved('ticket-reopened', T + 20 * MIN, 'e7')] }),
    want: { kind: 'reopen', lineReason: 'ticket-reopened e7' },
  },
  {
    name: 'the case escalated after a person\'s close: open again',
    prev: manualClose(),
    d: derived({ history: [opened('breach'), moved('case-escalated', T + 20 * MIN, 'e8')] }),
    want: { kind: 'reopen', lineReason: 'case-escalated e8' },
  },
  {
    name: 'the level rose past a person\'s close: open again',
    prev: manualClose(),
    d: derived({ level: 'critical' }),
    want: { kind: 'reopen', lineReason: 'level rose to critical' },
  },
  {
    name: 'a person\'s re-open stands against a close dated before it',
    prev: record({ reopenedByHandAtMs: T + 30 * MIN }),
    d: derived({ clearedAtMs: T + 30 * MIN }),
    want: { kind: 'manual-reopen-stands' },
  },
  {
    name: 'a close dated after a person\'s re-open closes it',
    prev: record({ reopenedByHandAtMs: T + 30 * MIN }),
    d: derived({ clearedAtMs: T + 31 * MIN }),
    want: { kind: 'cleared' },
  },
  {
    name: 'the condition is over: the rules close an open alert',
    prev: record(),
    d: derived({ clearedAtMs: T + 20 * MIN }),
    want: { kind: 'cleared' },
  },
  {
    name: 'the condition is over: the rules close an acknowledged alert',
    prev: acknowledged('case'),
    d: derived({ clearedAtMs: T + 20 * MIN }),
    want: { kind: 'cleared' },
  },
  {
    name: 'the rise that cleared an acknowledgement is taken back: it stands again',
    prev: riseCleared,
    d: derived({ kind: 'level' }),
    want: { kind: 'ack-restored', given: { line: ack, level: 'breach' } },
  },
  {
    name: 'a withdrawn alert derives again: open, with no reopened line (the amended line says it)',
    prev: record({ status: 'resolved', resolution: 'withdrawn', resolvedAtMs: T + 10 * MIN }),
    d: derived(),
    want: { kind: 'reopen' },
  },
  {
    name: 'a rule\'s close is undone: open, with no reopened line',
    prev: record({ status: 'resolved', resolution: 'closed', resolvedAtMs: T + 10 * MIN, clearedAtMs: T + 10 * MIN }),
    d: derived(),
    want: { kind: 'reopen' },
  },
  {
    name: 'a level alert rises past the level it was acknowledged at: open again',
    prev: acknowledged('level'),
    d: derived({ kind: 'level', level: 'critical' }),
    want: { kind: 'reopen', lineReason: 'level rose to critical' },
  },
  {
    name: 'a case\'s urgency rises past the acknowledged one: open again',
    prev: acknowledged('case'),
    d: derived({ level: 'critical' }),
    want: { kind: 'reopen', lineReason: 'level rose to critical' },
  },
  {
    name: 'an acknowledged alert at the acknowledged level stays acknowledged',
    prev: acknowledged('level'),
    d: derived({ kind: 'level' }),
    want: { kind: 'unchanged' },
  },
  {
    name: 'an open alert whose condition holds stays open',
    prev: record(),
    d: derived({ level: 'critical' }),
    want: { kind: 'unchanged' },
  },
];

describe('merge - which status wins', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(statusAfter(c.prev, c.d)).toEqual(c.want);
    });
  }
});
