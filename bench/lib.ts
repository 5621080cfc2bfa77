import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { freePort, startLocalNats, type LocalNats } from '../server/natsd.ts';
import { loadConfig, type MonitorConfig } from '../server/config.ts';
import type { Logger } from '../server/monitor.ts';

// Shared pieces of the benchmarks. Each benchmark runs as its own child process (the embedded
// ClickHouse engine holds one data directory per process) and prints one JSON line `RESULT {...}`.

export const ROOT = join(import.meta.dirname, '..');

export const envInt = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const n = raw ? Number(raw) : NaN;
  return Number.isFinite(n) && n > 0 ? n : fallback;
};
export const FULL = process.env.BENCH_FULL === '1';

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export const rssMb = () => Math.round(process.memoryUsage().rss / 1048576);

export const silentLog: Logger = { info() {}, warn() {}, error() {} };

export interface BenchNats {
  url: string;
  server: LocalNats;
  cleanup(): Promise<void>;
}

export async function benchNats(): Promise<BenchNats> {
  const storeDir = mkdtempSync(join(tmpdir(), 'cewm-bench-nats-'));
  const server = await startLocalNats({ storeDir, port: await freePort() });
  return {
    url: server.url,
    server,
    cleanup: async () => {
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'cewm-bench-data-'));
}

/** The monitor's configuration as `npm start` would read it, pointed at the bench's broker and data. */
export function benchConfig(dataDir: string, natsUrl: string, extra: Record<string, string> = {}): MonitorConfig {
  return loadConfig({ DATA_DIR: dataDir, NATS_URL: natsUrl, CUSTOMER_HASH_KEY: 'bench-key', PORT: '0', ...extra });
}

export function emit(result: object): void {
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

/** Runs `bench/<file>` in its own node process; resolves with its RESULT line. */
export function runChild(file: string, env: Record<string, string> = {}, args: string[] = []): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', join(ROOT, 'bench', file), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      for (const line of c.toString().split('\n')) if (line && !line.startsWith('RESULT ')) process.stdout.write(`  ${line}\n`);
    });
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)) as Record<string, unknown>);
      else reject(new Error(`bench/${file} exited with ${code}`));
    });
  });
}

export function machine() {
  const version = (pkg: string) => {
    try {
      return (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  let nats = 'unknown';
  try {
    nats = execFileSync('nats-server', ['--version']).toString().trim().replace(/^nats-server:\s*/, '');
  } catch {
    // reported as unknown
  }
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    ramGb: Math.round(totalmem() / 1073741824),
    node: process.version,
    natsServer: nats,
    chdb: version('chdb'),
    natsJs: version('@nats-io/jetstream'),
  };
}
