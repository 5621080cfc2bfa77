import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, stopChild } from '../../server/natsd.ts';

// The monitor as operators run it: its own process (`node --import tsx server/index.ts`), so a
// test can SIGKILL it mid-batch and start it again on the same data directory.

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface MonitorProcess {
  baseUrl: string;
  /** a configured token (the first of MONITOR_TOKENS), for health polls */
  token?: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface MonitorEnv {
  NATS_URL: string;
  PLAN?: string;
  DATA_DIR?: string;
  MONITOR_TOKENS?: string;
  [key: string]: string | undefined;
}

export async function startMonitor(env: MonitorEnv, opts: { waitHealthy?: boolean } = {}): Promise<MonitorProcess> {
  // a free port can be taken by another test file's process before the monitor binds it: another then
  for (let attempt = 1; ; attempt++) {
    const m = await startMonitorOnce(env, opts, await freePort());
    if (!m.portTaken || attempt === 5) return m;
  }
}

export async function startMonitorOnce(env: MonitorEnv, opts: { waitHealthy?: boolean }, port: number): Promise<MonitorProcess & { portTaken?: true }> {
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'cewm-data-'));
  let out = '';
  // MONITOR_NODE_ARGS: extra node flags for the monitor process, e.g. `--cpu-prof` in a benchmark
  const nodeArgs = (process.env.MONITOR_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/index.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', CUSTOMER_HASH_KEY: env.CUSTOMER_HASH_KEY ?? 'test-key' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-200_000)));
  child.stderr!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-200_000)));
  const m: MonitorProcess = {
    baseUrl: `http://127.0.0.1:${port}`,
    token: env.MONITOR_TOKENS ? env.MONITOR_TOKENS.split(',')[0]!.split(':')[0] : undefined,
    port,
    dataDir,
    child,
    output: () => out,
    kill: (signal = 'SIGTERM') => stopMonitor(child, signal),
  };
  if (opts.waitHealthy !== false) {
    try {
      await waitHealthy(m);
    } catch (err) {
      if (m.child.exitCode !== null && /EADDRINUSE/.test(out)) return { ...m, portTaken: true };
      // a monitor that never became healthy must not outlive the test that started it
      await m.kill('SIGKILL');
      throw err;
    }
  }
  return m;
}

// A graceful stop writes to the store and closes it: on a loaded machine it can take seconds. A
// test that restarts on the same DATA_DIR means the clean path, so the SIGKILL comes late, and is
// said when it comes: such a restart then tests crash recovery instead.
const GRACEFUL_STOP_MS = 20_000;

async function stopMonitor(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  await stopChild(child, signal, signal === 'SIGTERM' ? GRACEFUL_STOP_MS : 5_000);
  if (signal !== 'SIGKILL' && child.signalCode === 'SIGKILL') console.warn(`monitor ${child.pid} did not stop within ${GRACEFUL_STOP_MS} ms of ${signal}; killed`);
}

export async function waitHealthy(m: MonitorProcess, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (m.child.exitCode !== null) throw new Error(`monitor exited with ${m.child.exitCode}:\n${m.output().slice(-3000)}`);
    try {
      // bounded: a port another process holds may take the connection and never answer
      const res = await fetch(`${m.baseUrl}/api/health`, { signal: AbortSignal.timeout(5_000), ...(m.token ? { headers: { authorization: `Bearer ${m.token}` } } : {}) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`monitor not healthy after ${timeoutMs} ms:\n${m.output().slice(-3000)}`);
}

export async function getJson<T = any>(m: MonitorProcess, path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await fetch(`${m.baseUrl}${path}`, init);
  return { status: res.status, body: (await res.json()) as T };
}
