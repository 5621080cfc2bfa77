import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNats, type TestNats } from '../../tests/helpers/nats.ts';
import { ensureStream, jetStreamEnvelopes, STREAM, type Envelope } from './jetstream.ts';

// The envelope answers the broker itself (ack, nak with delay, term) against a real nats-server.

let nats: TestNats;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
});
afterAll(async () => {
  await nc.close();
  await nats.cleanup();
});

describe('jetstream source - envelopes', () => {
  it('carries data, subject, sequence, deliveries, time; ack, nak (delayed) and term reach the broker', async () => {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm);
    const js = jetstream(nc);
    const before = Date.now();
    for (let i = 1; i <= 5; i++) await js.publish(`complaints.tickets.B${i}`, JSON.stringify({ i }));

    const seen: Envelope[] = [];
    const settings = { name: 'env-test', maxAckPending: 100, ackWaitMs: 60_000 };
    const sub = jetStreamEnvelopes(nc, settings).subscribe((env) => {
      seen.push(env);
      const { i } = JSON.parse(new TextDecoder().decode(env.data)) as { i: number };
      if (i === 2 && env.deliveries === 1) env.nak(300);
      else if (i === 3) env.term(''); // a reason (+TERM text) needs nats-server 2.10; 2.9 leaves it pending
      else env.ack();
      env.ack(); // a second answer is ignored
    });
    const deadline = Date.now() + 10_000;
    while (seen.length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500)); // nothing else may come
    sub.unsubscribe();

    expect(seen.map((e) => [e.subject, e.streamSeq, e.deliveries])).toEqual([
      ['complaints.tickets.B1', 1, 1],
      ['complaints.tickets.B2', 2, 1],
      ['complaints.tickets.B3', 3, 1],
      ['complaints.tickets.B4', 4, 1],
      ['complaints.tickets.B5', 5, 1],
      ['complaints.tickets.B2', 2, 2],
    ]);
    for (const e of seen) expect(e.publishedAtMs).toBeGreaterThanOrEqual(before - 1_000);
    await nc.flush();
    const info = await jsm.consumers.info(STREAM, 'env-test');
    expect(info.num_ack_pending).toBe(0);
    expect(info.ack_floor.stream_seq).toBe(5);
  });
});
