import { describe, expect, it } from 'vitest';
import {
  afterInconsistentRead,
  afterRenewalFailure,
  decideRenew,
  decideTake,
  inconsistentEmptyRead,
  mayAskStepDown,
  unconfirmedReason,
  type LeaseHolder,
  type StoredLease,
} from './lease-rules.ts';

// A lease stream that contradicts itself, and a broker's JetStream without a leader, with plain
// values (audit BE F1, F2). nats-server 2.9.10 after a quorum loss answered "no message" for the
// lease subject while its own state counted 7 messages on it, and accepted from both monitors
// every round a compare-and-set expecting none: two monitors counted at once. A quorum loss's
// 503 "JetStream system temporarily unavailable" ended the only monitor after 15 s as if another
// could have taken the lease.

const me: LeaseHolder = { host: 'mon-a', dataDir: '/data', pid: 1, startedAt: '2025-03-01T08:00:00.000Z', instance: 'run-a' };
const other: LeaseHolder = { ...me, host: 'mon-b', instance: 'run-b' };
const mine: StoredLease = { seq: 12, record: { holder: me, renewedAt: '', ttlMs: 15_000 } };
const alive = () => true;
const nowMs = 1_000_000;
const ttlMs = 15_000;

describe('lease stream - an empty read is trusted only when the stream counts nothing on the subject', () => {
  it.each([
    [0, undefined],
    [7, 'the lease stream is inconsistent: it answers no lease record, yet it counts 7 message(s) on the subject'],
    [1, 'the lease stream is inconsistent: it answers no lease record, yet it counts 1 message(s) on the subject'],
    [undefined, 'the lease stream is inconsistent: it answers no lease record, yet its message count for the subject cannot be had'],
  ] as const)('%s message(s) counted on the subject', (onSubject, out) => {
    expect(inconsistentEmptyRead(onSubject)).toBe(out);
  });
});

describe('counting lease - taking and renewing on an inconsistent lease stream', () => {
  const inconsistent = expect.stringMatching(/^the lease stream is inconsistent/);
  it.each([
    ['a starting monitor takes a free lease the stream agrees is empty', null, 0, { take: true, expectSeq: 0, why: 'free' }],
    ['a starting monitor does not take a lease the stream answers none of but counts 7 on (the audit\'s split)', null, 7, { take: false, holder: undefined, inconsistent }],
    ['a starting monitor does not take it when the stream will not say how many it holds', null, undefined, { take: false, holder: undefined, inconsistent }],
    ['a record read is decided on as before, whatever the count', { seq: 5, record: { holder: other, renewedAt: '', ttlMs } }, undefined, { take: false, holder: other }],
  ] as const)('%s', (_what, stored, onSubject, out) => {
    expect(decideTake(stored, me, alive, onSubject)).toEqual(out);
  });

  it.each([
    ['a holder takes a lapsed lease again when the stream agrees the subject is empty', null, 0, { renew: true, expectSeq: 0 }],
    ['a holder whose record is gone while the stream counts 7 on the subject does not take it again', null, 7, { renew: false, inconsistent }],
    ['nor when the stream will not say how many it holds', null, undefined, { renew: false, inconsistent }],
    ['its own record is renewed as before', mine, undefined, { renew: true, expectSeq: 12 }],
  ] as const)('%s', (_what, stored, onSubject, out) => {
    expect(decideRenew(stored, me, 12, onSubject)).toEqual(out);
  });
});

describe('counting lease - a holder on an inconsistent lease stream', () => {
  const why = 'the lease stream is inconsistent: it answers no lease record, yet it counts 7 message(s) on the subject';
  it.each([
    ['first found: kept unconfirmed, since now; refusals and silence end (the broker answered)', { refusedSinceMs: nowMs - 3_000, unansweredSinceMs: nowMs - 9_000, noLeader: true }, { trouble: { inconsistent: { sinceMs: nowMs, why } } }],
    ['found again within a lifetime: kept, still since it was first found', { inconsistent: { sinceMs: nowMs - 14_999, why } }, { trouble: { inconsistent: { sinceMs: nowMs - 14_999, why } } }],
    ['still so a whole lifetime after: lost, saying how long', { inconsistent: { sinceMs: nowMs - 15_000, why } }, { trouble: { inconsistent: { sinceMs: nowMs - 15_000, why } }, lostAfterMs: 15_000 }],
  ] as const)('%s', (_what, trouble, out) => {
    expect(afterInconsistentRead(trouble, { why, nowMs, ttlMs })).toEqual(out);
  });

  it.each([
    ['never asked', undefined, true],
    ['asked less than a lifetime ago', nowMs - 14_999, false],
    ['asked a lifetime ago', nowMs - 15_000, true],
  ] as const)('asks the lease stream\'s leader to step down at most once per lifetime: %s', (_what, lastAskedAtMs, out) => {
    expect(mayAskStepDown(lastAskedAtMs, nowMs, ttlMs)).toBe(out);
  });

  it('a failed renewal meanwhile keeps when the inconsistency was first found', () => {
    const after = afterRenewalFailure({ inconsistent: { sinceMs: nowMs - 5_000, why } }, { connected: true, answered: false, nowMs, ttlMs });
    expect(after.trouble.inconsistent).toEqual({ sinceMs: nowMs - 5_000, why });
  });
});

describe('counting lease - the broker\'s JetStream without a leader (a quorum lost)', () => {
  const noLeader = { connected: true, answered: true, noLeader: true, nowMs, ttlMs };
  const warning = 'counting lease renewal not possible: the broker\'s JetStream has no leader (quorum lost); asked again (nobody can take the lease meanwhile)';
  it.each([
    ['a first 503 is no answer: kept, no run of refusals', {}, { trouble: { refusedSinceMs: undefined, unansweredSinceMs: nowMs, noLeader: true }, warning }],
    ['a minute of it keeps the lease', { unansweredSinceMs: nowMs - 60_000, noLeader: true }, { trouble: { refusedSinceMs: undefined, unansweredSinceMs: nowMs - 60_000, noLeader: true }, warning }],
  ] as const)('%s', (_what, trouble, out) => {
    expect(afterRenewalFailure(trouble, noLeader)).toEqual(out);
  });

  it('a plain timeout after it no longer says "no leader"', () => {
    const after = afterRenewalFailure({ unansweredSinceMs: nowMs - 5_000, noLeader: true }, { connected: true, answered: false, nowMs, ttlMs });
    expect(after.trouble.noLeader).toBeUndefined();
  });
});

describe('counting lease - why it is unconfirmed, for these two', () => {
  const why = 'the lease stream is inconsistent: it answers no lease record, yet it counts 7 message(s) on the subject';
  it.each([
    [true, false, true, { noLeader: true }, 'counting lease unconfirmed: the broker\'s JetStream has no leader (quorum lost: fewer than a majority of its servers up); nobody can take the lease meanwhile, it resumes by itself'],
    [true, false, false, { inconsistent: { sinceMs: nowMs, why } }, `counting lease unconfirmed: ${why}; not taken again, the lease stream's leader asked to step down`],
    [false, false, true, { noLeader: true }, 'counting lease unconfirmed: broker away'],
  ] as const)('connected %s, refusal %s, unanswered %s, %o', (connected, refusal, unanswered, found, out) => {
    expect(unconfirmedReason(connected, refusal, unanswered, found)).toBe(out);
  });
});
