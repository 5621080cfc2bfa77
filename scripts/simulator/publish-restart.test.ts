import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketEvent } from '../../pipelines/model.ts';
import { startTestNats, type TestNats } from '../../tests/helpers/nats.ts';
import { ensureComplaintsStream, isTransient, publishEvents, STREAM_NAME } from './publish.ts';

// The demo's ticket stream survives a broker restart as a ticket system would: publishes the
// broker did not answer are sent again with their Nats-Msg-Id, so each event is stored once.

let nats: TestNats;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  await ensureComplaintsStream(nc);
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await nats?.cleanup();
});

const event = (i: number): TicketEvent => ({
  eventId: `pr-${i}`, ticketId: `PR-${i}`, kind: 'opened', occurredAt: '2025-05-06T10:00:00+08:00',
  branch: 'SH', complaintType: 'mortgage_prepayment', customerId: `c-${i}`,
});

describe('simulator publish - broker restart', () => {
  it('tells a broker that did not answer from one that refused', () => {
    expect([isTransient(new Error('TIMEOUT')), isTransient(new Error('503')), isTransient(new Error('no responders available'))]).toEqual([true, true, true]);
    expect(isTransient(new Error('no stream matches subject'))).toBe(false);
  });

  it('keeps publishing across a broker kill and restart, each event stored once', async () => {
    const events = Array.from({ length: 400 }, (_, i) => event(i));
    const done = publishEvents(jetstream(nc, { timeout: 1_000 }), events, { rate: 200, maxPending: 50 });
    await new Promise((r) => setTimeout(r, 600));
    await nats.kill();
    await new Promise((r) => setTimeout(r, 1_500));
    await nats.start();
    const stats = await done;
    expect(stats.published).toBe(events.length);
    const info = await (await jetstreamManager(nc)).streams.info(STREAM_NAME);
    expect(info.state.messages).toBe(events.length);
  }, 90_000);
});
