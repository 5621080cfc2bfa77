import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STREAM } from '../../pipelines/sources/jetstream.ts';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { shuffled, ticketStream } from '../helpers/events.ts';
import { processAlive as alive } from '../../server/natsd.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { expectExactCounters, until } from './support.ts';

// `npm start` as the README gives it: no NATS_URL, so the monitor runs its own nats-server with
// its store under DATA_DIR. That broker dies (SIGKILL, as the OOM killer would): the monitor
// starts it again on the same port and store, and counts on, exactly. When the monitor stops, so
// does its broker.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const plan = loadPlanFile(PLAN);
const events = shuffled(ticketStream({ seed: 31, tickets: 600, year: 2025, customers: 120, prefix: 'lb' }), 2);
const half = Math.floor(events.length / 2);

let monitor: MonitorProcess;
let nc: NatsConnection;

beforeAll(async () => {
  monitor = await startMonitor({ NATS_URL: '', PLAN });
  const url = (await getJson(monitor, '/api/health')).body.nats.url as string;
  nc = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
}, 90_000);

afterAll(async () => {
  await nc?.close();
  await monitor?.kill();
});

describe('faults - the monitor\'s own broker (embedded mode)', () => {
  it('is started under DATA_DIR, started again when it dies, and stopped with the monitor; counters exact', async () => {
    const pidFile = join(monitor.dataDir, 'nats', 'nats-server.pid');
    const firstPid = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(firstPid)).toBe(true);
    await publishEvents(nc, events.slice(0, half));
    await waitConsumed(nc);

    process.kill(firstPid, 'SIGKILL');
    await until('the broker started again and the monitor back on it', async () => {
      const { body } = await getJson(monitor, '/api/health');
      return body.nats.localRestarts === 1 && body.nats.status === 'connected';
    }, 60_000);
    const secondPid = Number(readFileSync(pidFile, 'utf8'));
    expect(secondPid).not.toBe(firstPid);
    await until('JetStream back with the stream', async () => Boolean(await (await jetstreamManager(nc, { timeout: 2_000 })).streams.info(STREAM)), 60_000);
    await publishEvents(nc, events.slice(half));
    await waitConsumed(nc, 'monitor', 120_000);
    await expectExactCounters(monitor, plan, events);
    expect(monitor.output()).toMatch(/local nats-server exited; starting it again/);
    expect(await (await fetch(`${monitor.baseUrl}/metrics`)).text()).toContain('LocalBrokerRestarts_total 1');

    await nc.close();
    await monitor.kill();
    await until('the broker stopped with the monitor', async () => !alive(secondPid), 15_000);
  }, 240_000);
});
