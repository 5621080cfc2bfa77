import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager, type StreamInfo } from '@nats-io/jetstream';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STREAM } from '../../pipelines/sources/jetstream.ts';
import { LEASE_STREAM } from '../../server/lease-stream.ts';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { shuffled, ticketStream } from '../helpers/events.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { publishRetrying, startNatsCluster, type NatsCluster } from '../helpers/nats-cluster.ts';
import { waitConsumed } from '../helpers/publish.ts';
import { expectExactCounters, until } from './support.ts';

// The production shape (docker-compose.yml): three nats-server nodes in one JetStream cluster and
// the monitor given all three URLs. Nodes die (SIGKILL) under the stream's leader, the consumer's
// leader and the monitor's own connection while ticket events keep coming (with duplicates by
// Nats-Msg-Id and corrections); the counters must stay exact and the monitor must go on by itself,
// its counting lease held throughout.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const plan = loadPlanFile(PLAN);
const CONSUMER = 'monitor';
const MONITOR_CLIENT = 'complaint-monitor'; // the monitor's NATS connection name (server/monitor.ts)
const events = shuffled(ticketStream({ seed: 33, tickets: 900, year: 2025, customers: 200, prefix: 'cl' }), 5);
const quarter = Math.ceil(events.length / 4);
const parts = [0, 1, 2, 3].map((i) => events.slice(i * quarter, (i + 1) * quarter));
// the ticket system sends some events twice (a retry after a lost acknowledgement): same Nats-Msg-Id
const withResent = (xs: typeof events) => [...xs, ...xs.filter((_, i) => i % 13 === 0)];

let cluster: NatsCluster;
let nc: NatsConnection;
let monitor: MonitorProcess;
const published: typeof events = [];

let created: { stream: StreamInfo; lease: StreamInfo };

beforeAll(async () => {
  cluster = await startNatsCluster();
  nc = await cluster.connect();
  const jsm = await jetstreamManager(nc);
  // the monitor on the empty cluster creates the streams, as in production
  monitor = await startMonitor({ NATS_URL: cluster.urls, PLAN, BATCH_MAX: '200', BATCH_MS: '20', ACK_WAIT_MS: '3000' });
  await until('the monitor consuming', async () => (await getJson(monitor, '/api/health')).body.consuming === true, 60_000);
  created = { stream: await jsm.streams.info(STREAM), lease: await jsm.streams.info(LEASE_STREAM) };
  await cluster.waitReplicasCurrent(nc, 2, STREAM);
  await cluster.waitReplicasCurrent(nc, 2, STREAM, CONSUMER);
}, 90_000);

afterAll(async () => {
  if (process.env.KEEP_TEST_TMP) writeFileSync(join(monitor.dataDir, 'monitor.log'), monitor.output());
  await monitor?.kill();
  await nc?.close();
  await cluster?.cleanup();
});

const health = async () => (await getJson(monitor, '/api/health')).body;

async function publish(xs: typeof events): Promise<void> {
  await publishRetrying(nc, withResent(xs));
  published.push(...xs);
}

/** consumed to the end, health ok and consuming, the lease held and confirmed, counters exact */
async function expectCaughtUp(): Promise<void> {
  // the test's own client may be reconnecting from a killed node
  await until('JetStream answering the test client', async () => Boolean(await (await jetstreamManager(nc, { timeout: 2_000 })).streams.info(STREAM)), 30_000);
  await waitConsumed(nc, CONSUMER, 60_000);
  const h = await until(
    'health ok, consuming, the lease confirmed',
    async () => {
      const { status, body } = await getJson(monitor, '/api/health');
      return status === 200 && body.status === 'ok' && body.consuming === true && body.lease.confirmed === true && body;
    },
    60_000,
  );
  expect(h.lease.status).toBe('held');
  expect(h.nats.status).toBe('connected');
  expect(monitor.child.exitCode, monitor.output().slice(-2_000)).toBeNull();
  expect(monitor.output()).not.toContain('counting lease lost');
  await expectExactCounters(monitor, plan, published);
}

describe('faults - three-node NATS JetStream cluster', () => {
  it('creates the lease stream with three replicas on a three-node cluster', () => {
    expect(created.lease.config.num_replicas).toBe(3);
    expect(created.lease.cluster?.replicas ?? []).toHaveLength(2);
  });

  // The stream was made with one replica: the loss of its one node stopped all intake (every
  // publish refused) until it came back, and the loss of its disk would have lost the stream.
  it('creates the stream COMPLAINTS with three replicas on a three-node cluster, its consumer with them', async () => {
    expect(created.stream.config.num_replicas).toBe(3);
    expect(created.stream.cluster?.replicas ?? []).toHaveLength(2);
    const consumer = await (await jetstreamManager(nc)).consumers.info(STREAM, CONSUMER);
    expect(consumer.cluster?.replicas ?? []).toHaveLength(2);
  });

  it('counts exactly through the loss of the stream leader and then of the consumer leader, lease held', async () => {
    await publish(parts[0]!);
    await until('some events stored', async () => (await health()).events.stored > 0);

    const streamLeader = await cluster.streamLeader(nc, STREAM);
    const sending = publish(parts[1]!);
    await cluster.kill(streamLeader);
    await cluster.waitMetaLeader();
    await until('another node leading the stream', async () => (await cluster.streamLeader(nc, STREAM)) !== streamLeader);
    await sending;
    await cluster.start(streamLeader);
    // the restarted node back in the stream; the consumer with a quorum (its leader and one current
    // follower) whether or not the restarted node's replica of it has caught up
    await cluster.waitReplicasCurrent(nc, 2, STREAM);
    await cluster.waitReplicasCurrent(nc, 1, STREAM, CONSUMER);

    const consumerLeader = await cluster.consumerLeader(nc, STREAM, CONSUMER);
    const sendingMore = publish(parts[2]!);
    await cluster.kill(consumerLeader);
    await cluster.waitMetaLeader();
    await until('another node leading the consumer', async () => (await cluster.consumerLeader(nc, STREAM, CONSUMER)) !== consumerLeader);
    await sendingMore;
    await cluster.start(consumerLeader);
    await cluster.waitReplicasCurrent(nc, 2, STREAM);
    await expectCaughtUp();
  }, 120_000);

  it('reconnects to another node when the one it is connected to dies, and resumes by itself', async () => {
    await cluster.waitReplicasCurrent(nc, 2, STREAM);
    await cluster.waitReplicasCurrent(nc, 1, STREAM, CONSUMER);
    const connectedTo = await until('the monitor connected to a node', () => cluster.connectedTo(MONITOR_CLIENT));
    await cluster.kill(connectedTo);
    const now = await until('the monitor connected to another node', async () => {
      const node = await cluster.connectedTo(MONITOR_CLIENT);
      return node !== undefined && node !== connectedTo && node;
    });
    expect(now).not.toBe(connectedTo);
    await publish(parts[3]!);
    await expectCaughtUp();
    await cluster.start(connectedTo);
  }, 90_000);
});
