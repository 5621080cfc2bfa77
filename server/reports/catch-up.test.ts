import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNats, type TestNats } from '../../tests/helpers/nats.ts';
import { ensureStream, STREAM } from '../../pipelines/sources/jetstream.ts';
import { awaitCaughtUp, behindBy, streamPosition } from './catch-up.ts';

// Whether the monitor has read everything the stream held: decided from the broker's own
// figures, here against a real nats-server with a consumer that a test acknowledges by hand.

describe('weekly review - caught up with the stream', () => {
  it('counts the messages up to the target that are not acknowledged', () => {
    expect(behindBy({ lastSeq: 10, ackFloor: 10, pending: 0, ackPending: 0, lastAtMs: 0 }, 10)).toBe(0);
    expect(behindBy({ lastSeq: 10, ackFloor: 4, pending: 3, ackPending: 3, lastAtMs: 0 }, 10)).toBe(6);
    // messages published after the target do not hold the review back
    expect(behindBy({ lastSeq: 50, ackFloor: 10, pending: 30, ackPending: 10, lastAtMs: 0 }, 10)).toBe(0);
    // nothing pending at all: caught up even if the floor sits below deleted messages
    expect(behindBy({ lastSeq: 10, ackFloor: 7, pending: 0, ackPending: 0, lastAtMs: 0 }, 10)).toBe(0);
  });

  describe('against a real nats-server', () => {
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

    it('says how far behind a consumer is, and 0 once it has acknowledged everything', async () => {
      const jsm = await jetstreamManager(nc);
      await ensureStream(jsm);
      await jsm.consumers.add(STREAM, { durable_name: 'reader', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
      const js = jetstream(nc);
      expect((await streamPosition(nc, 'reader'))?.lastAtMs).toBe(0); // an empty stream has no last message
      const before = Date.now();
      for (let i = 1; i <= 5; i++) await js.publish('complaints.tickets.BJ', JSON.stringify({ i }));
      const pos = await streamPosition(nc, 'reader');
      expect(pos).toMatchObject({ lastSeq: 5, ackFloor: 0, pending: 5, ackPending: 0 });
      // the broker's clock is this machine's: its stamp of the last message is not before the publishing began
      expect(pos!.lastAtMs).toBeGreaterThanOrEqual(before - 1);
      expect(await awaitCaughtUp(nc, 'reader', 300, 50)).toBe(5);

      const consumer = await js.consumers.get(STREAM, 'reader');
      const batch = await consumer.fetch({ max_messages: 5, expires: 2_000 });
      const delivered: JsMsg[] = [];
      for await (const m of batch) if (delivered.push(m) === 5) break;
      for (const m of delivered.slice(0, 3)) m.ack();
      await nc.flush();
      expect(await awaitCaughtUp(nc, 'reader', 300, 50)).toBe(2);

      // the rest is acknowledged while the wait is on
      const waiting = awaitCaughtUp(nc, 'reader', 10_000, 50);
      setTimeout(() => delivered.slice(3).forEach((m) => m.ack()), 100);
      expect(await waiting).toBe(0);
    });

    it('cannot say (null) while the broker is away', async () => {
      await nats.kill();
      try {
        expect(await streamPosition(nc, 'reader', 500)).toBeNull();
        expect(await awaitCaughtUp(nc, 'reader', 500)).toBeNull();
      } finally {
        await nats.start();
      }
    });
  });
});
