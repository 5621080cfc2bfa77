import { describe, expect, it } from 'vitest';
import type { BatchOutcome } from '../pipelines/topology.ts';
import { consumingNow, healthStatus, initialHealth, intakeAwayReasons, noteBatch, noteSourceStatus, storeUnanswered } from './monitor-health.ts';
import type { Logger } from './monitor-types.ts';

const log = { error() {}, warn() {}, info() {} } as unknown as Logger;
const batch = (committedAtMs: number, stored: number): BatchOutcome => ({
  received: 10, stored, duplicates: 10 - stored, deadLettered: 0, deadLetterSeqs: [], changed: [], events: [], writeMs: 1, committedAtMs, lagMs: 0,
});

describe('monitor health - batches', () => {
  // Verification of audit V: a re-sent year of repeats made the wall say tickets had just come.
  it('keeps when a batch last stored a new event apart from when one was last committed', () => {
    const h = initialHealth('nats://x', 'embedded' as never);
    noteBatch(h, batch(1_000, 3), log);
    noteBatch(h, batch(2_000, 0), log); // repeats only
    expect([h.lastBatchAtMs, h.lastNewEventAtMs]).toEqual([2_000, 1_000]);
  });

  // Audit AU F1: the store refusing writes said nothing; verify AV1: a poison row then said the store refused them
  it('says the event writes fail while the store refuses them, not while it refuses one row', () => {
    const h = initialHealth('nats://x', 'server' as never);
    const failure = (error: Error) => ({ failed: true as const, error, size: 1 });
    noteBatch(h, failure(new Error('Cannot parse input: unexpected value in row')), log);
    expect([h.writeFailingSinceMs, h.lastWriteError]).toEqual([undefined, 'Cannot parse input: unexpected value in row']);
    noteBatch(h, failure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' })), log);
    expect(h.writeFailingSinceMs).toEqual(expect.any(Number));
    noteBatch(h, batch(2_500, 0), log); // repeats and dead letters only: ticket_events took nothing (verify AV0, AX1)
    expect([h.writeFailingSinceMs, h.lastWriteError]).toEqual([expect.any(Number), 'connect ECONNREFUSED 127.0.0.1:8123']);
    noteBatch(h, batch(3_000, 1), log);
    expect([h.writeFailingSinceMs, h.lastWriteError]).toEqual([undefined, undefined]);
  });
});

describe('monitor health - consuming', () => {
  // Audit AB F1: a hung broker leaves the consumer looking alive while it delivers nothing
  it('says not consuming while the counting lease is left unconfirmed', () => {
    const h = { consuming: true, nats: 'connected' as const };
    expect(consumingNow(h, { unconfirmed: undefined })).toBe(true);
    expect(consumingNow(h, { unconfirmed: 'counting lease unconfirmed: broker not answering' })).toBe(false);
    expect(consumingNow({ ...h, consuming: false }, { unconfirmed: undefined })).toBe(false);
  });

  // Audit BE F4: ~12 s of `consuming: true` after the broker was killed, until heartbeats and the lease said otherwise
  it('says not consuming while the broker connection is lost, though the consumer has not missed it yet', () => {
    for (const nats of ['disconnected', 'reconnecting', 'connecting'] as const) expect(consumingNow({ consuming: true, nats }, { unconfirmed: undefined })).toBe(false);
  });
});

describe('monitor health - the store found away by the presence (server mode)', () => {
  // a CI run under load: health said the store away after tickets were stored again, until the
  // presence's next renewal (up to 5 s)
  it('is away until an event write is stored after its latest failed check', () => {
    const away = { sinceMs: 1_000, lastFailedMs: 6_000, error: 'ECONNREFUSED' };
    expect(storeUnanswered({ lastNewEventAtMs: undefined }, away)).toBe(away);
    expect(storeUnanswered({ lastNewEventAtMs: 5_000 }, away)).toBe(away); // stored before the latest failure
    expect(storeUnanswered({ lastNewEventAtMs: 7_000 }, away)).toBeUndefined();
    expect(storeUnanswered({ lastNewEventAtMs: 7_000 }, undefined)).toBeUndefined();
  });
});

describe('monitor health - an intake that ran and stopped', () => {
  const zoned = (ms: number) => `t${ms}`;

  it('is starting before the consumer first ran, however its consumer restarts', () => {
    const h = initialHealth('nats://x', 'embedded' as never);
    noteSourceStatus(h, { type: 'restarting', reason: 'no stream yet' }, 1_000);
    expect(intakeAwayReasons(h, zoned)).toEqual([]);
    expect(healthStatus('held', false, h, [])).toBe('starting');
    expect(healthStatus('held', false, h, ['the broker has no leader'])).toBe('starting');
  });

  // A running monitor whose consumer restarted after a quorum loss said `starting` (503) for ~24 s,
  // its reasons hidden: an outage it resumes from by itself, which a health check must not take
  // for a start.
  it('is degraded with the reason and the time it stopped, until the consumer runs again', () => {
    const h = initialHealth('nats://x', 'embedded' as never);
    noteSourceStatus(h, { type: 'consuming', consumer: 'monitor' }, 1_000);
    expect(healthStatus('held', false, h, intakeAwayReasons(h, zoned))).toBe('ok');
    noteSourceStatus(h, { type: 'heartbeats_missed', count: 1 }, 2_000);
    expect(h.consumerAway).toBeUndefined(); // a missed heartbeat alone: asked again, still consuming
    noteSourceStatus(h, { type: 'restarting', reason: 'JetStream system temporarily unavailable' }, 3_000);
    noteSourceStatus(h, { type: 'restarting', reason: 'consumer not found' }, 4_000);
    const reasons = intakeAwayReasons(h, zoned);
    expect(reasons).toEqual([expect.stringMatching(/^the JetStream consumer takes nothing since t3000 and restarts by itself \(consumer not found\)/)]);
    expect(healthStatus('held', false, h, reasons)).toBe('degraded');
    noteSourceStatus(h, { type: 'consuming', consumer: 'monitor' }, 5_000);
    expect(intakeAwayReasons(h, zoned)).toEqual([]);
    expect(healthStatus('held', false, h, [])).toBe('ok');
  });

  it('says the broker connection is lost while it is, once the intake has run', () => {
    const h = initialHealth('nats://x', 'embedded' as never);
    noteSourceStatus(h, { type: 'consuming', consumer: 'monitor' }, 1_000);
    Object.assign(h, { nats: 'reconnecting', natsAwaySinceMs: 2_000 });
    expect(intakeAwayReasons(h, zoned)).toEqual([expect.stringMatching(/^NATS connection lost since t2000 \(reconnecting\)/)]);
    expect(healthStatus('held', false, h, intakeAwayReasons(h, zoned))).toBe('degraded');
  });

  it('puts the lease\'s end before everything, and an unconfirmed lease makes it degraded', () => {
    const h = initialHealth('nats://x', 'embedded' as never);
    expect(healthStatus('lost', true, h, ['x'])).toBe('lease-lost');
    expect(healthStatus('refused', false, h, [])).toBe('lease-refused');
    expect(healthStatus('held', true, h, ['counting lease unconfirmed'])).toBe('degraded');
  });
});
