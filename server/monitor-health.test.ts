import { describe, expect, it } from 'vitest';
import type { BatchOutcome } from '../pipelines/topology.ts';
import { consumingNow, initialHealth, noteBatch } from './monitor-health.ts';
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
    const h = { consuming: true };
    expect(consumingNow(h, { unconfirmed: undefined })).toBe(true);
    expect(consumingNow(h, { unconfirmed: 'counting lease unconfirmed: broker not answering' })).toBe(false);
    expect(consumingNow({ consuming: false }, { unconfirmed: undefined })).toBe(false);
  });
});
