import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, stopChild } from '../../server/natsd.ts';
import { ROOT } from './monitor-process.ts';

// The ClickHouse HTTP endpoint of tests/helpers/clickhouse-http-server.ts as a process a test can
// kill and start again on the same port and data directory, like a server that goes away.

export interface TestClickHouseHttp {
  url: string;
  user: string;
  password: string;
  dataDir: string;
  /** SIGKILL: the server dies mid-request */
  kill(): Promise<void>;
  start(): Promise<void>;
  cleanup(): Promise<void>;
}

export async function startClickHouseHttp(opts: { user?: string; password?: string } = {}): Promise<TestClickHouseHttp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cewm-chhttp-'));
  const port = await freePort();
  const user = opts.user ?? 'monitor';
  const password = opts.password ?? 'test-password';
  let child: ChildProcess | undefined;
  const start = async () => {
    const c = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/clickhouse-http-server.ts', String(port), dataDir], {
      cwd: ROOT,
      env: { ...process.env, CH_USER: user, CH_PASSWORD: password },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = c;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        out += d.toString();
        if (out.includes('listening')) resolve();
      };
      c.stdout!.on('data', onData);
      c.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      c.once('exit', (code) => reject(new Error(`clickhouse-http exited with ${code}: ${out.slice(-2000)}`)));
    });
  };
  await start();
  const t: TestClickHouseHttp = {
    url: `http://127.0.0.1:${port}`,
    user,
    password,
    dataDir,
    kill: async () => {
      if (child) await stopChild(child, 'SIGKILL');
      child = undefined;
    },
    start,
    cleanup: async () => {
      if (child) await stopChild(child, 'SIGTERM');
      child = undefined;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}
