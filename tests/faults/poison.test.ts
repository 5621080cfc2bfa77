import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Subscription } from 'rxjs';
import type { MaskedEvent } from '../../pipelines/model.ts';
import type { DeadLetter } from '../../pipelines/sinks/clickhouse.ts';
import { ensureStream, jetStreamEnvelopes } from '../../pipelines/sources/jetstream.ts';
import { monitorTopology, type BatchFailure, type BatchOutcome } from '../../pipelines/topology.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { waitConsumed } from '../helpers/publish.ts';
import { until } from './support.ts';

// Poison messages on a real broker, through the real source and topology: one message makes a
// stage throw at every delivery, one event's row makes every write that holds it fail. Each is
// dead-lettered with its reason after a bounded number of deliveries; every other event is
// stored exactly once and the consumer drains. The sink is a stand-in that refuses that row,
// because no real ClickHouse refuses one valid row on demand.

const MAX_DELIVERIES = 3;
let nats: TestNats;
let nc: NatsConnection;
let sub: Subscription | undefined;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
}, 30_000);

afterAll(async () => {
  sub?.unsubscribe();
  await nc?.close();
  await nats?.cleanup();
});

const event = (eventId: string): MaskedEvent => ({
  eventId, ticketId: `t-${eventId}`, kind: 'opened', occurredAt: '2025-03-01T00:00:00Z', occurredAtMs: 0, branch: 'BJ',
  complaintType: 'x', reportedType: 'x', customerHash: 'h', customerMasked: {},
});

describe('faults - poison messages', () => {
  it('dead-letters a throwing message and a row the store refuses after bounded deliveries; the stream goes on', async () => {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm);
    const js = jetstream(nc);
    const good = Array.from({ length: 300 }, (_, i) => `g${i}`);
    const ids = [...good.slice(0, 150), 'poison-row', 'poison-stage', ...good.slice(150)];
    for (const id of ids) await js.publish('complaints.tickets.BJ', JSON.stringify({ eventId: id }));

    const stored = new Map<string, number>();
    const deadLetters: DeadLetter[] = [];
    const outcomes: Array<BatchOutcome | BatchFailure> = [];
    const source$ = jetStreamEnvelopes(nc, { name: 'poison', maxAckPending: 1_000, ackWaitMs: 30_000 });
    sub = monitorTopology(source$, {
      prepare: (data) => {
        const { eventId } = JSON.parse(new TextDecoder().decode(data)) as { eventId: string };
        if (eventId === 'poison-stage') throw new Error('classifier crashed');
        return { ok: true, event: event(eventId) };
      },
      isKnown: (id) => stored.has(id),
      write: async (events, dls) => {
        if (events.some((e) => e.event.eventId === 'poison-row')) throw new Error('Cannot parse input: unexpected value in row');
        for (const e of events) stored.set(e.event.eventId, (stored.get(e.event.eventId) ?? 0) + 1);
        deadLetters.push(...dls);
      },
      apply: () => [],
      now: Date.now,
      batchMs: 20,
      batchMax: 1_000,
      retryDelayMs: 100,
      maxDeliveries: MAX_DELIVERIES,
    }).subscribe((o) => outcomes.push(o));

    await until('both poison messages dead-lettered', async () => deadLetters.length >= 2, 60_000);
    await waitConsumed(nc, 'poison', 60_000);
    expect([...stored.keys()].sort()).toEqual([...good].sort());
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
    const byCode = new Map(deadLetters.map((d) => [d.rejection.code, d]));
    expect(deadLetters).toHaveLength(2);
    expect(byCode.get('stage_error')?.rejection.reason).toMatch(/classifier crashed.*after 3 deliveries/);
    expect(byCode.get('write_failed')?.rejection.reason).toMatch(/after 3 deliveries: Cannot parse input/);
    expect(byCode.get('write_failed')?.rejection.payload).toContain('poison-row');
    expect(outcomes.some((o) => 'failed' in o)).toBe(true);
  }, 120_000);
});
