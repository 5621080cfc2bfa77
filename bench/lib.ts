import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
  /** nats-server's process id, for its CPU share */
  pid: number | undefined;
  server: LocalNats;
  cleanup(): Promise<void>;
}

export async function benchNats(): Promise<BenchNats> {
  const storeDir = mkdtempSync(join(tmpdir(), 'cewm-bench-nats-'));
  const server = await startLocalNats({ storeDir, port: await freePort() });
  return {
    url: server.url,
    pid: natsPid(storeDir),
    server,
    cleanup: async () => {
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

const dataDirs: string[] = [];
/** A monitor's data directory for one pass, removed when the bench process ends (a run left ~80 MB in /tmp). */
export function tempDataDir(): string {
  if (dataDirs.length === 0) process.once('exit', () => { for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true }); });
  const dir = mkdtempSync(join(tmpdir(), 'cewm-bench-data-'));
  dataDirs.push(dir);
  return dir;
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

const TICKS_PER_S = 100; // Linux USER_HZ

function ticks(statPath: string): number {
  try {
    // fields after the command name, which may hold spaces: utime and stime are the 12th and 13th
    const rest = readFileSync(statPath, 'utf8').split(') ')[1]!.split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return 0;
  }
}

/** nanoseconds the main thread has spent runnable but not running */
function mainThreadRunQueueNs(): number {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[1]);
  } catch {
    return NaN;
  }
}

function threadTicks(): { main: number; others: number; byName: Map<string, number> } {
  let main = 0;
  let others = 0;
  const byName = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const t = ticks(`/proc/self/task/${tid}/stat`);
    if (Number(tid) === process.pid) main += t;
    else {
      others += t;
      let name = 'unknown';
      try {
        name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim().replace(/[0-9]+$/, '');
      } catch {
        // thread ended
      }
      byName.set(name, (byName.get(name) ?? 0) + t);
    }
  }
  return { main, others, byName };
}

/** CPU ticks the whole machine spent busy (user, nice, system, irq, softirq) */
function machineBusyTicks(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return f[0]! + f[1]! + f[2]! + f[5]! + f[6]!;
  } catch {
    return NaN;
  }
}

export interface CpuShare {
  /** the whole machine, every process */
  machine: number;
  /** cores in use on average over the span, per part */
  mainThread: number;
  otherThreads: number;
  natsServer: number;
  /** share of the span the main thread was ready to run but waited for a core (schedstat) */
  mainThreadWaitingForCpu: number;
  /** the busiest other threads by name (digits dropped), cores */
  threads: Record<string, number>;
}

/** Cores used by this process's main thread, its other threads (the engine, libuv, GC) and nats-server. */
export function cpuMeter(natsPid: number | undefined): { stop(): CpuShare } {
  const started = performance.now();
  const self0 = threadTicks();
  const nats = processCpuMeter(natsPid);
  const machine0 = machineBusyTicks();
  const wait0 = mainThreadRunQueueNs();
  return {
    stop() {
      const s = (performance.now() - started) / 1000;
      const self1 = threadTicks();
      const waited = (mainThreadRunQueueNs() - wait0) / 1e9;
      const cores = (t: number) => Number((t / TICKS_PER_S / s).toFixed(2));
      return {
        machine: cores(machineBusyTicks() - machine0),
        mainThread: cores(self1.main - self0.main),
        otherThreads: cores(self1.others - self0.others),
        natsServer: nats.stop(),
        mainThreadWaitingForCpu: Number((waited / s).toFixed(2)),
        threads: Object.fromEntries(
          [...self1.byName]
            .map(([name, t]): [string, number] => [name, cores(t - (self0.byName.get(name) ?? 0))])
            .filter(([, c]) => c >= 0.01)
            .sort((a, b) => b[1] - a[1]),
        ),
      };
    },
  };
}

/** Cores another process used over a span (its every thread): a monitor under live traffic. */
export function processCpuMeter(pid: number | undefined): { stop(): number } {
  const started = performance.now();
  const t0 = pid ? ticks(`/proc/${pid}/stat`) : 0;
  return {
    stop: () => (pid ? Number(((ticks(`/proc/${pid}/stat`) - t0) / TICKS_PER_S / ((performance.now() - started) / 1000)).toFixed(2)) : NaN),
  };
}

function natsPid(storeDir: string): number | undefined {
  try {
    return Number(readFileSync(join(storeDir, 'nats-server.pid'), 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}
