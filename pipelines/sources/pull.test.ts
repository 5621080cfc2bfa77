import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { Msg, NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNats, type TestNats } from '../../tests/helpers/nats.ts';
import { freeze } from '../../tests/helpers/freeze.ts';
import { ensureStream, STREAM } from './jetstream-setup.ts';
import { PullLoop, type PullStatus } from './pull.ts';

// The pull loop against a real nats-server: it asks ahead, takes back what an expired pull did
// not deliver, notices a silent broker, and ends when its consumer is deleted.

let nats: TestNats;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  jsm = await jetstreamManager(nc);
  await ensureStream(jsm);
});
afterAll(async () => {
  await nc.close();
  await nats.cleanup();
});

async function consumer(name: string): Promise<void> {
  await jsm.consumers.add(STREAM, { durable_name: name, ack_policy: AckPolicy.All, deliver_policy: DeliverPolicy.New, max_ack_pending: 10_000 });
}

async function publish(from: number, to: number): Promise<void> {
  const js = jetstream(nc);
  for (let i = from; i < to; i++) await js.publish('complaints.tickets.B1', JSON.stringify({ i }));
}

async function until(ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

const numberOf = (m: Msg) => (JSON.parse(new TextDecoder().decode(m.data)) as { i: number }).i;

describe('pull loop', () => {
  it('delivers every message in order over many pulls of a small batch', async () => {
    await consumer('pull-many');
    const got: number[] = [];
    const loop = new PullLoop(nc, { stream: STREAM, consumer: 'pull-many', maxMessages: 7 }, (m) => got.push(numberOf(m)));
    await publish(0, 250);
    await until(() => got.length >= 250);
    loop.stop();
    await loop.closed();
    expect(got).toEqual(Array.from({ length: 250 }, (_, i) => i));
  });

  it('asks again only when no more than thresholdMessages are outstanding', async () => {
    await consumer('pull-threshold');
    const pulls = nc.subscribe(`$JS.API.CONSUMER.MSG.NEXT.${STREAM}.pull-threshold`);
    let asked = 0;
    let messagesAsked = 0;
    void (async () => {
      for await (const p of pulls) {
        asked++;
        messagesAsked += (JSON.parse(new TextDecoder().decode(p.data)) as { batch: number }).batch;
      }
    })();
    await nc.flush();
    const got: number[] = [];
    const loop = new PullLoop(nc, { stream: STREAM, consumer: 'pull-threshold', maxMessages: 20, thresholdMessages: 10 }, (m) => got.push(numberOf(m)));
    await publish(0, 200);
    await until(() => got.length >= 200);
    await until(() => asked >= 21, 2_000); // the last pull, sent on the 200th message
    loop.stop();
    pulls.unsubscribe();
    expect(got).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // the first pull of 20, then one of 10 per 10 delivered (the default, 15, would pull every 5)
    expect(asked).toBe(1 + 200 / 10);
    expect(messagesAsked).toBe(20 + 200);
  });

  it('asks again at once when a pull expires with nothing delivered', async () => {
    await consumer('pull-expire');
    // Counted, not timed: on a loaded machine a delivery can lag by any amount, but the pull that
    // replaces the expired one is either sent on its 408 (before any heartbeat is missed) or only
    // after two missed heartbeats (1.8 s), reported as such.
    const pulls = nc.subscribe(`$JS.API.CONSUMER.MSG.NEXT.${STREAM}.pull-expire`);
    const statuses: PullStatus[] = [];
    const missed = () => statuses.filter((s) => s.type === 'heartbeats_missed').length;
    let asked = 0;
    let missedAtSecondPull: number | undefined;
    void (async () => {
      for await (const _ of pulls) if (++asked === 2) missedAtSecondPull = missed();
    })();
    await nc.flush();
    const got: number[] = [];
    const loop = new PullLoop(nc, { stream: STREAM, consumer: 'pull-expire', maxMessages: 10, expiresMs: 2_000, heartbeatMs: 900 }, (m) => got.push(numberOf(m)), (s) => statuses.push(s));
    await until(() => asked >= 2, 20_000); // the first pull runs out after 2 s with nothing delivered
    expect(missedAtSecondPull).toBe(0);
    await publish(1_000, 1_015);
    await until(() => got.length >= 15, 20_000);
    loop.stop();
    pulls.unsubscribe();
    expect(got).toEqual(Array.from({ length: 15 }, (_, i) => 1_000 + i));
  });

  it('reports missed heartbeats while the broker is frozen, and goes on when it wakes', async () => {
    await consumer('pull-frozen');
    const got: number[] = [];
    const statuses: PullStatus[] = [];
    const loop = new PullLoop(nc, { stream: STREAM, consumer: 'pull-frozen', maxMessages: 10, expiresMs: 2_000, heartbeatMs: 500 }, (m) => got.push(numberOf(m)), (s) => statuses.push(s));
    await new Promise((r) => setTimeout(r, 800));
    expect(statuses).toEqual([]); // the broker's heartbeats keep an idle pull alive
    const pid = Number(readFileSync(`${nats.storeDir}/nats-server.pid`, 'utf8'));
    await freeze(pid);
    try {
      await until(() => statuses.some((s) => s.type === 'heartbeats_missed' && s.count >= 2), 5_000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(statuses.filter((s) => s.type === 'heartbeats_missed').map((s) => (s as { count: number }).count)[0]).toBe(2);
    await publish(2_000, 2_005);
    await until(() => got.length >= 5, 5_000);
    loop.stop();
    expect(got).toEqual([2_000, 2_001, 2_002, 2_003, 2_004]);
  });

  it('ends, saying why, when its consumer is deleted', async () => {
    await consumer('pull-deleted');
    const statuses: PullStatus[] = [];
    const loop = new PullLoop(nc, { stream: STREAM, consumer: 'pull-deleted', maxMessages: 10 }, () => {}, (s) => statuses.push(s));
    await new Promise((r) => setTimeout(r, 200));
    await jsm.consumers.delete(STREAM, 'pull-deleted');
    await Promise.race([loop.closed(), new Promise((r) => setTimeout(r, 5_000))]);
    expect(statuses.map((s) => s.type)).toEqual(['consumer_deleted']);
  });

  it('hears nothing from a consumer that does not exist, and says so as nats.js does: missed heartbeats', async () => {
    const statuses: PullStatus[] = [];
    const loop = new PullLoop(nc, { stream: STREAM, consumer: 'no-such-consumer', maxMessages: 10, heartbeatMs: 500 }, () => {}, (s) => statuses.push(s));
    await until(() => statuses.length > 0, 5_000);
    loop.stop();
    expect(statuses[0]).toEqual({ type: 'heartbeats_missed', count: 2 });
  });

  // In a cluster a pull held by a consumer leader that died is gone without a word, and the
  // connection (to another server) never drops: the loop waited for two missed heartbeats.
  it('asks again at the first missed heartbeat, before any is reported', async () => {
    const statuses: PullStatus[] = [];
    let asked = 0;
    let reportedWhenAskedAgain: PullStatus[] | undefined;
    const pulls = nc.subscribe(`$JS.API.CONSUMER.MSG.NEXT.${STREAM}.pull-vanished`, {
      callback: () => {
        if (++asked === 2) reportedWhenAskedAgain = [...statuses];
      },
    });
    await nc.flush();
    const loop = new PullLoop(nc, { stream: STREAM, consumer: 'pull-vanished', maxMessages: 10, heartbeatMs: 500 }, () => {}, (s) => statuses.push(s));
    await until(() => asked >= 2, 5_000);
    loop.stop();
    pulls.unsubscribe();
    expect(reportedWhenAskedAgain).toEqual([]);
  });

  it('ends, saying why, when the broker refuses the pull itself', async () => {
    await consumer('pull-refused');
    const statuses: PullStatus[] = [];
    // a heartbeat of more than half the pull's life is a bad request to nats-server
    const loop = new PullLoop(nc, { stream: STREAM, consumer: 'pull-refused', maxMessages: 10, expiresMs: 1_000, heartbeatMs: 900 }, () => {}, (s) => statuses.push(s));
    await Promise.race([loop.closed(), new Promise((r) => setTimeout(r, 5_000))]);
    expect(statuses).toEqual([{ type: 'refused', code: 400, description: expect.stringContaining('heartbeat') }]);
  });

  it('ends with consumer_not_found when the broker comes back without its consumer', async () => {
    const own = await startTestNats();
    const conn = await own.connect();
    try {
      const m = await jetstreamManager(conn);
      await ensureStream(m);
      await m.consumers.add(STREAM, { durable_name: 'pull-lost', ack_policy: AckPolicy.All });
      const statuses: PullStatus[] = [];
      const loop = new PullLoop(conn, { stream: STREAM, consumer: 'pull-lost', maxMessages: 10 }, () => {}, (s) => statuses.push(s));
      await new Promise((r) => setTimeout(r, 200));
      await own.kill();
      rmSync(join(own.storeDir, 'jetstream'), { recursive: true, force: true }); // the broker's state is gone
      await own.start();
      await Promise.race([loop.closed(), new Promise((r) => setTimeout(r, 10_000))]);
      expect(statuses.map((s) => s.type)).toEqual(['consumer_not_found']);
    } finally {
      await conn.close();
      await own.cleanup();
    }
  });

  it('ends, saying why, when its message handler throws', async () => {
    await consumer('pull-throws');
    const statuses: PullStatus[] = [];
    const loop = new PullLoop(nc, { stream: STREAM, consumer: 'pull-throws', maxMessages: 10 }, () => {
      throw new Error('downstream broke');
    }, (s) => statuses.push(s));
    await publish(3_000, 3_001);
    await Promise.race([loop.closed(), new Promise((r) => setTimeout(r, 5_000))]);
    expect(statuses).toEqual([{ type: 'failed', description: 'downstream broke' }]);
  });

  it('ends when its connection closes', async () => {
    await consumer('pull-closed');
    const own = await nats.connect();
    const loop = new PullLoop(own, { stream: STREAM, consumer: 'pull-closed', maxMessages: 10 }, () => {});
    await own.close();
    const ended = await Promise.race([loop.closed().then(() => true), new Promise((r) => setTimeout(() => r(false), 5_000))]);
    expect(ended).toBe(true);
  });
});
