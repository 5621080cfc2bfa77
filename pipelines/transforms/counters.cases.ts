// Behaviour cases for CounterIndex, as data. The runner (counters.test.ts) applies each case's
// events in several orders, in one batch and one by one, with duplicates, and checks `expect`
// after each: results must not depend on arrival order.
import type { EventSpec } from './test-plan.ts';

export interface CountExpectation {
  type?: string; // default mortgage_prepayment
  scope: string;
  asOf?: string; // default end of the plan year
  unresolved: number;
  firstContact: number;
}

export interface CounterCase {
  name: string;
  events: EventSpec[];
  expect: CountExpectation[];
}

const M = 'mortgage_prepayment';
const INS = 'insurance_dispute';
const AUTO = 'auto_installment';

export const COUNTER_CASES: CounterCase[] = [
  {
    name: 'same customer on several tickets counts once',
    events: [
      { id: 'e1', ticket: 'T1', customer: 'c1' },
      { id: 'e2', ticket: 'T2', customer: 'c1' },
      { id: 'e3', ticket: 'T3', customer: 'c1', outcome: 'agreed' },
    ],
    expect: [{ scope: 'ALL', unresolved: 1, firstContact: 1 }],
  },
  {
    name: 'agreed customers count as first contacts only',
    events: [
      { id: 'e1', customer: 'c1' },
      { id: 'e2', customer: 'c2', outcome: 'agreed' },
      { id: 'e3', customer: 'c3', outcome: 'agreed' },
    ],
    expect: [{ scope: 'ALL', unresolved: 1, firstContact: 3 }],
  },
  {
    name: 'duplicates of an eventId count once',
    events: [{ id: 'e1', customer: 'c1' }, { id: 'e1', customer: 'c1' }, { id: 'e2', customer: 'c2', outcome: 'agreed' }, { id: 'e1', customer: 'c1' }],
    expect: [{ scope: 'ALL', unresolved: 1, firstContact: 2 }],
  },
  {
    name: 'only first_contact events count; resolved and others do not change the counts',
    events: [
      { id: 'o1', ticket: 'T1', kind: 'opened', customer: 'c1' },
      { id: 'f1', ticket: 'T1', customer: 'c1', at: '2025-03-02T10:00:00+08:00' },
      { id: 'r1', ticket: 'T1', kind: 'resolved', customer: 'c1', outcome: 'agreed', at: '2025-03-09T10:00:00+08:00' },
      { id: 'x1', ticket: 'T2', kind: 'escalated', customer: 'c2' },
      { id: 'x2', ticket: 'T3', kind: 'reopened', customer: 'c3' },
    ],
    expect: [{ scope: 'ALL', unresolved: 1, firstContact: 1 }],
  },
  {
    name: 'events of last year and of next year are not counted; the bounds are in the plan zone',
    events: [
      { id: 'a', customer: 'c1', at: '2024-12-31T23:59:59.999+08:00' },
      { id: 'b', customer: 'c2', at: '2024-12-31T16:00:00Z' },
      { id: 'c', customer: 'c3', at: '2025-12-31T23:59:59.999+08:00' },
      { id: 'd', customer: 'c4', at: '2026-01-01T00:00:00+08:00' },
      { id: 'e', customer: 'c5', at: '2026-03-01T00:00:00+08:00' },
    ],
    expect: [
      { scope: 'ALL', unresolved: 2, firstContact: 2 },
      { scope: 'ALL', asOf: '2030-01-01T00:00:00Z', unresolved: 2, firstContact: 2 },
    ],
  },
  {
    name: 'a branch missing from the plan counts only to ALL',
    events: [{ id: 'e1', branch: 'XX-99' }],
    expect: [
      { scope: 'ALL', unresolved: 1, firstContact: 1 },
      { scope: 'BJ', unresolved: 0, firstContact: 0 },
      { scope: 'SH', unresolved: 0, firstContact: 0 },
    ],
  },
  {
    name: 'a sub-branch counts to itself, its parent and ALL',
    events: [
      { id: 'e1', customer: 'c1', branch: 'BJ-HD' },
      { id: 'e2', customer: 'c2', branch: 'BJ-CY', outcome: 'agreed' },
      { id: 'e3', customer: 'c3', branch: 'SH' },
    ],
    expect: [
      { scope: 'BJ-HD', unresolved: 1, firstContact: 1 },
      { scope: 'BJ-CY', unresolved: 0, firstContact: 1 },
      { scope: 'BJ', unresolved: 1, firstContact: 2 },
      { scope: 'SH', unresolved: 1, firstContact: 1 },
      { scope: 'GZ', unresolved: 0, firstContact: 0 },
      { scope: 'ALL', unresolved: 2, firstContact: 3 },
    ],
  },
  {
    name: 'types are counted apart',
    events: [{ id: 'e1', customer: 'c1', type: M }, { id: 'e2', customer: 'c1', type: INS }, { id: 'e3', customer: 'c2', type: 'not_in_plan' }],
    expect: [
      { type: M, scope: 'ALL', unresolved: 1, firstContact: 1 },
      { type: INS, scope: 'ALL', unresolved: 1, firstContact: 1 },
      { type: AUTO, scope: 'ALL', unresolved: 0, firstContact: 0 },
    ],
  },
  {
    name: 'asOf in the middle of the year counts contacts at or before it',
    events: [
      { id: 'e1', customer: 'c1', at: '2025-03-01T10:00:00+08:00' },
      { id: 'e2', customer: 'c2', at: '2025-06-01T10:00:00+08:00' },
      { id: 'e3', customer: 'c3', at: '2025-09-01T10:00:00+08:00', outcome: 'agreed' },
    ],
    expect: [
      { scope: 'ALL', asOf: '2024-12-31T00:00:00+08:00', unresolved: 0, firstContact: 0 },
      { scope: 'ALL', asOf: '2025-04-01T00:00:00+08:00', unresolved: 1, firstContact: 1 },
      { scope: 'ALL', asOf: '2025-06-01T09:59:59.999+08:00', unresolved: 1, firstContact: 1 },
      { scope: 'ALL', asOf: '2025-06-01T10:00:00+08:00', unresolved: 2, firstContact: 2 },
      { scope: 'ALL', asOf: '2025-10-01T00:00:00+08:00', unresolved: 2, firstContact: 3 },
    ],
  },
  {
    name: 'a customer counts from its earliest contact, unresolved from its earliest not-agreed one',
    events: [
      { id: 'e1', ticket: 'T1', customer: 'c1', at: '2025-06-01T10:00:00+08:00' },
      { id: 'e2', ticket: 'T2', customer: 'c1', at: '2025-03-01T10:00:00+08:00', outcome: 'agreed' },
    ],
    expect: [
      { scope: 'ALL', asOf: '2025-04-01T00:00:00+08:00', unresolved: 0, firstContact: 1 },
      { scope: 'ALL', asOf: '2025-07-01T00:00:00+08:00', unresolved: 1, firstContact: 1 },
    ],
  },
  {
    name: 'a correction re-types the ticket',
    events: [
      { id: 'f1', ticket: 'T1', customer: 'c1', type: M },
      { id: 'k1', ticket: 'T1', kind: 'corrected', type: INS, at: '2025-03-05T10:00:00+08:00' },
    ],
    expect: [
      { type: M, scope: 'ALL', unresolved: 0, firstContact: 0 },
      { type: M, scope: 'BJ-HD', unresolved: 0, firstContact: 0 },
      { type: INS, scope: 'ALL', unresolved: 1, firstContact: 1 },
      { type: INS, scope: 'BJ', unresolved: 1, firstContact: 1 },
    ],
  },
  {
    name: 'a correction moves the ticket to another branch',
    events: [
      { id: 'f1', ticket: 'T1', customer: 'c1', branch: 'BJ-HD' },
      { id: 'k1', ticket: 'T1', kind: 'corrected', branch: 'SH', at: '2025-03-05T10:00:00+08:00' },
    ],
    expect: [
      { scope: 'BJ-HD', unresolved: 0, firstContact: 0 },
      { scope: 'BJ', unresolved: 0, firstContact: 0 },
      { scope: 'SH', unresolved: 1, firstContact: 1 },
      { scope: 'ALL', unresolved: 1, firstContact: 1 },
    ],
  },
  {
    name: 'a correction flips the first-contact outcome, both ways',
    events: [
      { id: 'f1', ticket: 'T1', customer: 'c1' },
      { id: 'k1', ticket: 'T1', kind: 'corrected', outcome: 'agreed' },
      { id: 'f2', ticket: 'T2', customer: 'c2', outcome: 'agreed' },
      { id: 'k2', ticket: 'T2', kind: 'corrected', outcome: 'not_agreed' },
    ],
    expect: [{ scope: 'ALL', unresolved: 1, firstContact: 2 }, { scope: 'BJ-HD', unresolved: 1, firstContact: 2 }],
  },
  {
    name: 'of two corrections the latest occurredAt wins, whatever the arrival order',
    events: [
      { id: 'k2', ticket: 'T1', kind: 'corrected', type: INS, branch: 'GZ', at: '2025-03-09T10:00:00+08:00' },
      { id: 'k1', ticket: 'T1', kind: 'corrected', type: AUTO, branch: 'SH', outcome: 'agreed', at: '2025-03-05T10:00:00+08:00' },
      { id: 'f1', ticket: 'T1', customer: 'c1', type: M },
    ],
    // type and branch from k2; outcome from k1, the latest correction that carries one
    expect: [
      { type: INS, scope: 'GZ', unresolved: 0, firstContact: 1 },
      { type: AUTO, scope: 'ALL', unresolved: 0, firstContact: 0 },
      { type: M, scope: 'ALL', unresolved: 0, firstContact: 0 },
    ],
  },
  {
    name: 'corrections at the same instant are ordered by eventId',
    events: [
      { id: 'k-b', ticket: 'T1', kind: 'corrected', type: INS, at: '2025-03-05T10:00:00+08:00' },
      { id: 'k-a', ticket: 'T1', kind: 'corrected', type: AUTO, at: '2025-03-05T02:00:00Z' },
      { id: 'f1', ticket: 'T1', customer: 'c1' },
    ],
    expect: [{ type: INS, scope: 'ALL', unresolved: 1, firstContact: 1 }, { type: AUTO, scope: 'ALL', unresolved: 0, firstContact: 0 }],
  },
  {
    name: 'a correction arriving before its first_contact applies to it',
    events: [
      { id: 'k1', ticket: 'T1', kind: 'corrected', branch: 'GZ', outcome: 'agreed', at: '2025-03-05T10:00:00+08:00' },
      { id: 'f1', ticket: 'T1', customer: 'c1', branch: 'BJ-HD' },
    ],
    expect: [{ scope: 'GZ', unresolved: 0, firstContact: 1 }, { scope: 'BJ', unresolved: 0, firstContact: 0 }],
  },
  {
    name: 'a correction keeps the first contact time, and moves every first contact of the ticket',
    events: [
      { id: 'f1', ticket: 'T1', customer: 'c1', at: '2025-03-01T10:00:00+08:00' },
      { id: 'f2', ticket: 'T1', customer: 'c2', at: '2025-03-02T10:00:00+08:00' },
      { id: 'k1', ticket: 'T1', kind: 'corrected', type: AUTO, branch: 'SH', at: '2025-08-01T10:00:00+08:00' },
    ],
    expect: [
      { type: AUTO, scope: 'SH', asOf: '2025-03-01T12:00:00+08:00', unresolved: 1, firstContact: 1 },
      { type: AUTO, scope: 'SH', unresolved: 2, firstContact: 2 },
      { type: M, scope: 'ALL', unresolved: 0, firstContact: 0 },
    ],
  },
  {
    name: 'a customer moved away still counts where another of its tickets stays',
    events: [
      { id: 'f1', ticket: 'T1', customer: 'c1', branch: 'BJ-HD' },
      { id: 'f2', ticket: 'T2', customer: 'c1', branch: 'BJ-HD', at: '2025-05-01T10:00:00+08:00' },
      { id: 'k1', ticket: 'T1', kind: 'corrected', branch: 'SH' },
    ],
    expect: [
      { scope: 'BJ-HD', asOf: '2025-04-01T00:00:00+08:00', unresolved: 0, firstContact: 0 },
      { scope: 'BJ-HD', unresolved: 1, firstContact: 1 },
      { scope: 'SH', unresolved: 1, firstContact: 1 },
      { scope: 'ALL', asOf: '2025-04-01T00:00:00+08:00', unresolved: 1, firstContact: 1 },
    ],
  },
  {
    name: 'a correction to a type outside the plan stops the counting; an unclassified ticket re-typed starts it',
    events: [
      { id: 'f1', ticket: 'T1', customer: 'c1', type: M },
      { id: 'k1', ticket: 'T1', kind: 'corrected', type: 'other_type' },
      { id: 'f2', ticket: 'T2', customer: 'c2', type: 'unclassified' },
      { id: 'k2', ticket: 'T2', kind: 'corrected', type: M },
    ],
    expect: [{ scope: 'ALL', unresolved: 1, firstContact: 1 }],
  },
];
