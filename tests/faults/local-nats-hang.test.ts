import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { shuffled, ticketStream } from '../helpers/events.ts';
import { freePort, processAlive as alive } from '../../server/natsd.ts';
import { freeze } from '../helpers/freeze.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { expectExactCounters, until } from './support.ts';

// Embedded mode: the monitor's own broker hangs without dying (SIGSTOP here; a deadlock or a
// stuck store alike). Its port still accepts, the monitor's connection stays up and answers
// nothing, and before LOCAL_NATS_HANG_MS the monitor stayed "broker not answering" for good. Now
// it kills the broker that greets no new connection for that long, starts it again on the same
// port and store, and counts on, exactly.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const plan = loadPlanFile(PLAN);
const events = shuffled(ticketStream({ seed: 47, tickets: 400, year: 2025, customers: 90, prefix: 'hg' }), 2);
const half = Math.floor(events.length / 2);

let monitor: MonitorProcess;
let nc: NatsConnection;

beforeAll(async () => {
  monitor = await startMonitor({ NATS_URL: '', NATS_PORT: String(await freePort()), PLAN, LOCAL_NATS_HANG_MS: '3000' });
  const url = (await getJson(monitor, '/api/health')).body.nats.url as string;
  nc = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
}, 90_000);

afterAll(async () => {
  await nc?.close();
  await monitor?.kill();
});

describe('faults - the monitor\'s own broker hangs (embedded mode)', () => {
  it('is killed after LOCAL_NATS_HANG_MS without a greeting and started again; counters exact', async () => {
    const pidFile = join(monitor.dataDir, 'nats', 'nats-server.pid');
    const hungPid = Number(readFileSync(pidFile, 'utf8'));
    await publishEvents(nc, events.slice(0, half));
    await waitConsumed(nc);

    await freeze(hungPid);
    await until('the hung broker killed and started again, the monitor back on it', async () => {
      const { body } = await getJson(monitor, '/api/health');
      return body.nats.localRestarts === 1 && body.nats.status === 'connected' && body.lease?.confirmed === true;
    }, 90_000);
    expect(alive(hungPid)).toBe(false);
    expect(Number(readFileSync(pidFile, 'utf8'))).not.toBe(hungPid);
    expect(monitor.output()).toMatch(/local nats-server hung \(greets no new connection\); killed to start it again/);

    // this test's own client reconnects by itself, maybe after the monitor (a loaded CI run timed
    // out its first JetStream request): the publishing waits for it
    await until('the test client back on the broker', async () => ((await jetstreamManager(nc).then(() => true, () => false)) ? true : undefined), 60_000);
    await publishEvents(nc, events.slice(half));
    await waitConsumed(nc, 'monitor', 120_000);
    await expectExactCounters(monitor, plan, events);
  }, 240_000);

  // Verify AH 3 / AJ N3: a stop waits up to 5 s for its drain on the hung broker; the watch went
  // on meanwhile and killed and started it again, in the middle of the stop.
  it('a stop while the broker hangs leaves it to the stop: not killed and started again meanwhile', async () => {
    const pidFile = join(monitor.dataDir, 'nats', 'nats-server.pid');
    const hungPid = Number(readFileSync(pidFile, 'utf8'));
    await freeze(hungPid);
    const exit = new Promise((resolve) => monitor.child.once('exit', resolve));
    monitor.child.kill('SIGTERM');
    await exit;
    expect(monitor.output().match(/local nats-server hung/g)).toHaveLength(1); // the first test's only
    expect(monitor.output()).not.toMatch(/local nats-server started again[\s\S]*local nats-server started again/);
    await until('the hung broker stopped with the monitor', async () => !alive(hungPid), 15_000);
  }, 60_000);
});
