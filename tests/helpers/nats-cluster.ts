import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { freePort, startLocalNats, stopChild, type LocalNats } from '../../server/natsd.ts';
import type { TicketEvent } from '../../pipelines/model.ts';

// A real three-node nats-server JetStream cluster, the production shape of docker-compose.yml, on
// free loopback ports: each node its own store, client, route and monitoring port. A node can be
// SIGKILLed and started again on the same ports and store; the cluster says which node leads the
// JetStream meta group, a stream or a consumer, and which node a named client is connected to.

export interface ClusterNode {
  name: string;
  url: string;
  clientPort: number;
  routePort: number;
  httpPort: number;
  storeDir: string;
  running(): boolean;
}

export interface NatsCluster {
  nodes: readonly ClusterNode[];
  /** every client URL, comma-separated: the monitor's NATS_URL */
  urls: string;
  node(name: string): ClusterNode;
  /** a client that knows all three nodes and reconnects for ever */
  connect(): Promise<NatsConnection>;
  kill(name: string): Promise<void>;
  /**
   * Starts a killed node again on its ports and store; resolves once it agrees with the others on
   * the meta leader. Not once /healthz is ok: nats-server 2.9.10 can leave a restarted node's
   * replica of a consumer not current for minutes when the consumer is idle, and /healthz waits
   * for every replica (waitReplicasCurrent waits for what a step needs).
   */
  start(name: string): Promise<void>;
  /** the node leading the JetStream meta group, once the live nodes agree on one */
  waitMetaLeader(timeoutMs?: number): Promise<string>;
  streamLeader(nc: NatsConnection, stream: string): Promise<string>;
  consumerLeader(nc: NatsConnection, stream: string, consumer: string): Promise<string>;
  /** resolves once the stream (or its consumer) has a leader and at least `followers` current followers */
  waitReplicasCurrent(nc: NatsConnection, followers: number, stream: string, consumer?: string): Promise<void>;
  /** the node a client with this connection name is connected to (the nodes' /connz), if any */
  connectedTo(clientName: string): Promise<string | undefined>;
  cleanup(): Promise<void>;
}

const CLUSTER_NAME = 'complaints-test';

async function getJsonFrom(url: string): Promise<any> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return res.json();
}

async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`cluster: timed out waiting for ${what}${last ? ` (${last})` : ''}`);
}

export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const root = mkdtempSync(join(tmpdir(), 'cewm-cluster-'));
  const nodes: Array<ClusterNode & { server?: LocalNats }> = [];
  for (let i = 1; i <= size; i++) {
    const [clientPort, routePort, httpPort] = [await freePort(), await freePort(), await freePort()];
    const name = `n${i}`;
    const node: ClusterNode & { server?: LocalNats } = {
      name,
      url: `nats://127.0.0.1:${clientPort}`,
      clientPort,
      routePort,
      httpPort,
      storeDir: join(root, name),
      running: () => Boolean(node.server && node.server.process.exitCode === null && node.server.process.signalCode === null),
    };
    nodes.push(node);
  }
  const configOf = (n: ClusterNode) => {
    const routes = nodes.filter((o) => o !== n).map((o) => JSON.stringify(`nats://127.0.0.1:${o.routePort}`));
    return [
      `server_name: ${n.name}`,
      `http: "127.0.0.1:${n.httpPort}"`,
      `jetstream { store_dir: ${JSON.stringify(n.storeDir)} }`,
      `cluster { name: ${CLUSTER_NAME}, listen: "127.0.0.1:${n.routePort}", routes: [${routes.join(', ')}] }`,
      '',
    ].join('\n');
  };
  const byName = (name: string) => {
    const n = nodes.find((x) => x.name === name);
    if (!n) throw new Error(`cluster: no node ${name}`);
    return n;
  };
  const launch = async (n: (typeof nodes)[number]) => {
    const configFile = join(root, `${n.name}.conf`);
    writeFileSync(configFile, configOf(n));
    n.server = await startLocalNats({ storeDir: n.storeDir, port: n.clientPort, extraArgs: ['-c', configFile], storeDirInConfig: true });
    // the node's log from ready on, kept across its restarts, to read after a failed run (KEEP_TEST_TMP=1)
    const log = (c: Buffer) => appendFileSync(join(root, `${n.name}.log`), c);
    n.server.process.stdout?.on('data', log);
    n.server.process.stderr?.on('data', log);
  };
  // /healthz answers 200 once the node's JetStream is current with the meta group and its streams
  const healthy = (n: ClusterNode) =>
    poll(
      `${n.name} healthy`,
      async () => {
        const res = await fetch(`http://127.0.0.1:${n.httpPort}/healthz`, { signal: AbortSignal.timeout(2_000) });
        if (!res.ok) throw new Error(`${n.name} /healthz ${res.status} ${await res.text()}`);
        return true;
      },
      60_000,
    );

  const cluster: NatsCluster = {
    nodes,
    urls: nodes.map((n) => n.url).join(','),
    node: byName,
    connect: () => connect({ servers: nodes.map((n) => n.url), maxReconnectAttempts: -1, reconnectTimeWait: 250, name: 'test-client' }),
    kill: async (name) => {
      const n = byName(name);
      if (n.server) await stopChild(n.server.process, 'SIGKILL');
      n.server = undefined;
    },
    start: async (name) => {
      const n = byName(name);
      await launch(n);
      await cluster.waitMetaLeader();
    },
    waitMetaLeader: (timeoutMs = 60_000) =>
      poll(
        'a JetStream meta leader all live nodes agree on',
        async () => {
          const live = nodes.filter((n) => n.running());
          const leaders = await Promise.all(live.map(async (n) => (await getJsonFrom(`http://127.0.0.1:${n.httpPort}/jsz`)).meta_cluster?.leader as string | undefined));
          const leader = leaders[0];
          // the survivors of a killed leader name it until they have elected another
          const alive = live.some((n) => n.name === leader);
          return leader && alive && leaders.every((l) => l === leader) ? leader : undefined;
        },
        timeoutMs,
      ),
    streamLeader: async (nc, stream) => {
      const jsm = await jetstreamManager(nc, { timeout: 5_000 });
      return poll(`a leader of stream ${stream}`, async () => (await jsm.streams.info(stream)).cluster?.leader || undefined, 30_000);
    },
    consumerLeader: async (nc, stream, consumer) => {
      const jsm = await jetstreamManager(nc, { timeout: 5_000 });
      return poll(`a leader of consumer ${stream}/${consumer}`, async () => (await jsm.consumers.info(stream, consumer)).cluster?.leader || undefined, 30_000);
    },
    waitReplicasCurrent: async (nc, followers, stream, consumer) => {
      const jsm = await jetstreamManager(nc, { timeout: 5_000 });
      const what = consumer ? `consumer ${stream}/${consumer}` : `stream ${stream}`;
      await poll(
        `${what} led, with ${followers} current followers`,
        async () => {
          const { cluster: c } = consumer ? await jsm.consumers.info(stream, consumer) : await jsm.streams.info(stream);
          const current = (c?.replicas ?? []).filter((r) => r.current && !r.offline);
          if (c?.leader && current.length >= followers) return true;
          throw new Error(JSON.stringify(c));
        },
        60_000,
      );
    },
    connectedTo: async (clientName) => {
      for (const n of nodes.filter((x) => x.running())) {
        const connz = await getJsonFrom(`http://127.0.0.1:${n.httpPort}/connz?limit=1000`).catch(() => undefined);
        if (connz?.connections?.some((c: { name?: string }) => c.name === clientName)) return n.name;
      }
      return undefined;
    },
    cleanup: async () => {
      await Promise.all(nodes.map((n) => n.server?.stop()));
      if (!process.env.KEEP_TEST_TMP) rmSync(root, { recursive: true, force: true });
    },
  };
  // all three at once: a clustered JetStream node waits for its peers before it elects a leader
  await Promise.all(nodes.map(launch));
  await cluster.waitMetaLeader();
  await Promise.all(nodes.map(healthy));
  return cluster;
}

/**
 * Publishes as a ticket system does (complaints.tickets.<branch>, Nats-Msg-Id: <eventId>), each
 * event tried again until the cluster acknowledges it: a retry of one the broker had stored is
 * dropped by the stream's duplicate window, so the stream holds every event once however a node's
 * loss cut the first attempt short. Never creates the stream: the monitor does.
 */
export async function publishRetrying(nc: NatsConnection, events: readonly TicketEvent[], opts: { inFlight?: number; timeoutMs?: number } = {}): Promise<{ stored: number; retries: number }> {
  const js = jetstream(nc, { timeout: 2_000 });
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let stored = 0;
  let retries = 0;
  const one = async (e: TicketEvent) => {
    const subject = `complaints.tickets.${/^[A-Za-z0-9_-]+$/.test(e.branch) ? e.branch : 'unknown'}`;
    for (;;) {
      try {
        const ack = await js.publish(subject, JSON.stringify(e), { msgID: e.eventId });
        if (!ack.duplicate) stored++;
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`event ${e.eventId} not acknowledged by the cluster: ${(err as Error).message}`);
        retries++;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  const size = opts.inFlight ?? 200;
  for (let i = 0; i < events.length; i += size) await Promise.all(events.slice(i, i + size).map(one));
  return { stored, retries };
}
