import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STREAM } from '../../pipelines/sources/jetstream.ts';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { shuffled, ticketStream } from '../helpers/events.ts';
import { freePort, processAlive as alive } from '../../server/natsd.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { filesText } from '../helpers/files-text.ts';
import { expectExactCounters, until } from '../faults/support.ts';

// The README's `npm start` and `npm run demo`, on embedded defaults: no NATS_URL, so the monitor
// runs its own nats-server with its store under DATA_DIR. That broker dies (SIGKILL, as the OOM
// killer would): the monitor starts it again on the same port and store, and counts on, exactly;
// when the monitor stops, so does its broker. The demo fills a wall-board within a minute and
// gives a console that can act. (One file: both want port 4222 when it is free.)

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const plan = loadPlanFile(PLAN);
// customer ids long enough to be told apart from bytes that happen to spell them on disk
const events = shuffled(ticketStream({ seed: 31, tickets: 600, year: 2025, customers: 120, prefix: 'lb' }), 2)
  .map((e) => ({ ...e, customerId: `embedded-customer-${e.customerId}` }));
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
    // the broker's store is encrypted at rest (server/broker-at-rest.ts, audit CP1), and nothing
    // else under DATA_DIR or in the log holds a customer id either
    const onDisk = filesText(monitor.dataDir);
    expect(onDisk.length).toBeGreaterThan(100_000);
    for (const id of new Set(events.map((e) => e.customerId))) {
      expect(onDisk.includes(id), `${id} in clear under DATA_DIR`).toBe(false);
      expect(monitor.output().includes(id), `${id} in the log`).toBe(false);
    }
  }, 240_000);
});

describe('npm run demo', () => {
  it('fills the wall-board from the CFPB sample within a minute, prints addresses with tokens, and the console can act', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cewm-demo-'));
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port) };
    delete env.MONITOR_TOKENS;
    delete env.NATS_URL;
    const demo = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    demo.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    demo.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    try {
      const [, wall, viewer] = await until('the addresses', async () => out.match(/wall-board: (\S+\?token=(\w+))/) ?? undefined, 90_000);
      const [, consoleUrl, supervisor] = out.match(/console: +(\S+\?token=(\w+))/)!;
      const read = (path: string, token = viewer!) => fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${token}` } });
      await until('the year so far stored', async () => ((await (await read('/api/health')).json()) as { events: { stored: number } }).events.stored > 5_000, 90_000);
      expect((await fetch(wall!)).headers.get('content-type')).toMatch(/text\/html/);
      expect((await fetch(consoleUrl!)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(401); // not open: tokens were made
      const open = ((await (await read('/api/alerts?status=open', supervisor)).json()) as { alerts: Array<{ id: string; status: string }> }).alerts.filter((a) => a.status === 'open');
      expect(open.length).toBeGreaterThan(0);
      const ack = await fetch(`http://127.0.0.1:${port}/api/alerts/${encodeURIComponent(open[0]!.id)}/ack`, {
        method: 'POST', headers: { authorization: `Bearer ${supervisor}`, 'content-type': 'application/json' }, body: JSON.stringify({ by: '演示主管' }),
      });
      expect(ack.status, await ack.clone().text()).toBe(200);
    } finally {
      const brokerPid = Number(readFileSync(join(dataDir, 'nats', 'nats-server.pid'), 'utf8'));
      demo.kill('SIGINT');
      await new Promise((r) => (demo.exitCode !== null ? r(null) : demo.once('exit', r)));
      await until('the demo\'s broker stopped with it', async () => !alive(brokerPid), 15_000);
    }
  }, 240_000);
});
