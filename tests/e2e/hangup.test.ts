import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, natsStoreDir, portIsFree, processAlive } from '../../server/natsd.ts';
import { ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { until } from '../faults/support.ts';

// Audit AD N5: closing the terminal of an `npm start` sends SIGHUP (so does a harness ending its
// job). The monitor handled only SIGINT and SIGTERM, so it died there and then, and its own
// nats-server (embedded mode) stayed behind under pid 1, holding its port and store. A hangup is
// a clean stop like SIGTERM.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
let monitor: MonitorProcess | undefined;
/** processes a failing test may leave behind: a monitor stuck in its stop, an orphaned broker */
const leftovers = new Set<number>();

afterAll(async () => {
  await monitor?.kill('SIGKILL');
  for (const pid of leftovers) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
});

const hasScript = spawnSync('script', ['--version']).status === 0;

describe('a hangup (the terminal of `npm start` closed)', () => {
  it('stops the monitor cleanly, and its own broker with it: process gone, port free', async () => {
    const natsPort = await freePort();
    monitor = await startMonitor({ NATS_URL: '', NATS_PORT: String(natsPort), PLAN });
    const brokerPid = Number(readFileSync(join(natsStoreDir(monitor.dataDir), 'nats-server.pid'), 'utf8'));
    leftovers.add(brokerPid);
    expect(processAlive(brokerPid)).toBe(true);

    const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => monitor!.child.once('exit', (code, signal) => resolve({ code, signal })));
    monitor.child.kill('SIGHUP');
    expect(await exit, monitor.output().slice(-1_500)).toEqual({ code: 0, signal: null });
    expect(monitor.output()).toMatch(/"signal":"SIGHUP".*"msg":"stopping"/);
    await until('the monitor\'s broker gone', () => !processAlive(brokerPid), 15_000);
    expect(await portIsFree(natsPort)).toBe(true);
  }, 120_000);

  // The real thing: the monitor on a terminal (script(1) gives it one) that goes away. Its log
  // writes then fail with EIO: with a SIGHUP handler alone, the process stayed for ever in pino's
  // flush at exit (and, when that error came first, in it before its broker was stopped).
  it.skipIf(!hasScript)('ends the monitor and its broker when its terminal goes away', async () => {
    const [natsPort, port] = [await freePort(), await freePort()];
    const dataDir = mkdtempSync(join(tmpdir(), 'cewm-data-'));
    const env = { ...process.env, NATS_URL: '', NATS_PORT: String(natsPort), PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, PLAN, CUSTOMER_HASH_KEY: 'test-key' };
    const terminal = spawn('script', ['-qfec', `${process.execPath} --import tsx server/index.ts`, '/dev/null'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    terminal.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    terminal.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const monitorPid = await until('the monitor on its terminal serving', async () => {
      const pid = /"pid":(\d+)/.exec(out)?.[1];
      if (pid) leftovers.add(Number(pid));
      const res = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined);
      return res?.status === 200 && Number(pid);
    }, 60_000);
    const brokerPid = Number(readFileSync(join(natsStoreDir(dataDir), 'nats-server.pid'), 'utf8'));
    leftovers.add(brokerPid);

    terminal.kill('SIGKILL'); // the terminal window closed: the pty hangs up
    await until(`the monitor (${monitorPid}) and its broker (${brokerPid}) gone`, () => !processAlive(monitorPid) && !processAlive(brokerPid), 30_000);
    expect(await portIsFree(natsPort)).toBe(true);
    expect(await portIsFree(port)).toBe(true);
  }, 120_000);
});
