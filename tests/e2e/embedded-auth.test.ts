import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { freePort, startLocalNats, type LocalNats } from '../../server/natsd.ts';
import { natsServerConfigFile } from '../../server/natsd-config.ts';
import { shuffled, ticketStream } from '../helpers/events.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { expectExactCounters, until } from '../faults/support.ts';

// Embedded mode (no NATS_URL) with NATS_USER/NATS_PASSWORD set. An audit (C4) found the monitor's
// own nats-server started with no authentication while the log said `auth: user-password`: any
// local process read every customer's clear data from the stream and published forged tickets.
// Now that broker requires the monitor's credentials, also after it dies and is started again,
// and the password is on no process's command line and in no log.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const plan = loadPlanFile(PLAN);
const events = shuffled(ticketStream({ seed: 47, tickets: 200, year: 2025, customers: 60, prefix: 'ea' }), 2);
const half = Math.floor(events.length / 2);
const USER = 'monitor';
const PASSWORD = `Emb-Secret-${randomBytes(6).toString('hex')}`;

let monitor: MonitorProcess;
let url: string;
let nc: NatsConnection;
let handRun: LocalNats | undefined;
/** messages the stream took (copies of an eventId within JetStream's window are dropped) */
let published = 0;

const brokerPid = () => Number(readFileSync(join(monitor.dataDir, 'nats', 'nats-server.pid'), 'utf8'));

/** every process's command line this user can read that holds `secret` */
function commandLinesWith(secret: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(secret)) found.push(`${pid}: ${cmdline.replaceAll('\0', ' ')}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const anonymousRefused = () => expect(connect({ servers: url, reconnect: false })).rejects.toThrow(/Authorization Violation/);

beforeAll(async () => {
  monitor = await startMonitor({ NATS_URL: '', NATS_PORT: String(await freePort()), PLAN, NATS_USER: USER, NATS_PASSWORD: PASSWORD });
  url = (await getJson(monitor, '/api/health')).body.nats.url as string;
  nc = await connect({ servers: url, user: USER, pass: PASSWORD, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
}, 90_000);

afterAll(async () => {
  await nc?.close();
  await monitor?.kill();
  await handRun?.stop();
});

describe('e2e - the monitor\'s own broker with NATS_USER/NATS_PASSWORD (embedded mode)', () => {
  it('refuses anonymous clients while the monitor counts with its credentials, also after the broker is killed; the password in no command line and no log', async () => {
    await anonymousRefused();
    await expect(connect({ servers: url, user: USER, pass: 'wrong', reconnect: false })).rejects.toThrow(/Authorization Violation/);
    const configFile = natsServerConfigFile(join(monitor.dataDir, 'nats'));
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    const firstPid = brokerPid();
    expect(readFileSync(`/proc/${firstPid}/cmdline`, 'utf8').split('\0')).toEqual([expect.stringMatching(/nats-server$/), '-c', configFile, '']);
    expect(commandLinesWith(PASSWORD)).toEqual([]);

    published += await publishEvents(nc, events.slice(0, half));
    await waitConsumed(nc);

    process.kill(firstPid, 'SIGKILL');
    await until('the broker started again and the monitor back on it', async () => {
      const { body } = await getJson(monitor, '/api/health');
      return body.nats.localRestarts === 1 && body.nats.status === 'connected';
    }, 60_000);
    expect(brokerPid()).not.toBe(firstPid);
    await anonymousRefused();
    expect(commandLinesWith(PASSWORD)).toEqual([]);
    published += await publishEvents(nc, events.slice(half));
    await waitConsumed(nc, 'monitor', 120_000);
    await expectExactCounters(monitor, plan, events);

    const out = monitor.output();
    expect(out).toMatch(/"auth":"user-password".*requires the monitor's NATS_USER\/NATS_PASSWORD/);
    expect(out).not.toContain(PASSWORD);
  }, 240_000);

  it('the replay of docs/OPERATIONS.md: the store\'s broker run by hand from the file the monitor wrote, the replay with the same credentials', async () => {
    await nc.close();
    await monitor.kill();
    const storeDir = join(monitor.dataDir, 'nats');
    handRun = await startLocalNats({ storeDir, port: await freePort(), extraArgs: ['-c', natsServerConfigFile(storeDir)], storeDirInConfig: true });
    url = handRun.url;
    await anonymousRefused();
    const { NATS_USER: _u, NATS_PASSWORD: _p, NATS_TOKEN: _t, ...clean } = process.env;
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/replay.ts', '--plan', PLAN, '--until', '2025-12-31T23:59:59.999+08:00', '--data-dir', monitor.dataDir, '--nats', url, '--from-seq', '1'],
      { cwd: ROOT, encoding: 'utf8', env: { ...clean, CUSTOMER_HASH_KEY: 'test-key', NATS_USER: USER, NATS_PASSWORD: PASSWORD }, timeout: 120_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!).stream.messages).toBe(published);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
  }, 180_000);
});
