import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { afterProbe, greets, probeEveryMs, type HangWatch } from './natsd-hang.ts';
import { natsServerConfig, natsServerConfigFile, writeNatsServerConfig, type BrokerAuthorization } from './natsd-config.ts';

// The local broker for embedded mode and tests: a real nats-server with JetStream, its store in
// the data directory, bound to loopback only.

export interface LocalNats {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Where nats-server is looked for after PATH: Debian's package installs it in /usr/sbin, which a
 *  user's PATH (or one after `sudo bash scripts/setup.sh`) often lacks; a release tarball, /usr/local/bin. */
export const NATS_SERVER_DIRS = ['/usr/local/bin', '/usr/sbin', '/usr/local/sbin'];

const isExecutableFile = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/**
 * The nats-server binary: NATS_SERVER_BIN as given, else the first in PATH and then in
 * NATS_SERVER_DIRS; undefined when there is none (setup.sh accepts the same places).
 */
export function findNatsServer(env: NodeJS.ProcessEnv = process.env, isExecutable = isExecutableFile): string | undefined {
  if (env.NATS_SERVER_BIN) return env.NATS_SERVER_BIN;
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...NATS_SERVER_DIRS];
  return dirs.map((dir) => join(dir, 'nats-server')).find((path) => isExecutable(path));
}

const notFound = () =>
  `nats-server not found in PATH nor in ${NATS_SERVER_DIRS.join(', ')}: install it (apt-get install -y nats-server, or npm run setup), set NATS_SERVER_BIN to its path, or set NATS_URL to a running broker`;

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const srv = createServer();
    srv.once('error', () => done(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => done(true)));
  });
}

/** Whether a process with this pid exists (signal 0 tests without touching it). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // a killed process its parent has not reaped yet (a zombie) still answers kill(0); it does
  // nothing any more (audit Q: a monitor's restart was refused for its own zombie)
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc (not Linux): kill(0) is all there is
  }
}

/**
 * A monitor killed with SIGKILL cannot stop its broker; the orphan still holds the store. Found
 * through the pid file nats-server writes, it is stopped before a new one starts on that store.
 */
async function stopOrphan(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1 || !processAlive(pid)) return;
  const cmdline = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
  if (!cmdline.includes('nats-server')) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (processAlive(pid)) process.kill(pid, 'SIGKILL');
}

/** how long a start waits for nats-server to say it is ready (a store of millions of messages is read back first) */
export const READY_WAIT_MS = 120_000;

/** Starts nats-server and resolves once it accepts clients. */
export async function startLocalNats(opts: {
  storeDir: string;
  port?: number;
  /** tests: e.g. `--user u --pass p`, or `-c file` */
  extraArgs?: readonly string[];
  /** tests: the `-c` file names the store (a reload refuses a store given by flag and not by file) */
  storeDirInConfig?: boolean;
  /** how long it may take to be ready: reading a large JetStream store back takes a while */
  readyWaitMs?: number;
  /**
   * the monitor's own broker: everything goes in a configuration file in the store directory
   * (natsd-config.ts), with the credentials it requires, if any: never on the command line
   */
  embedded?: { authorization?: BrokerAuthorization; storeKey?: string };
}): Promise<LocalNats> {
  mkdirSync(opts.storeDir, { recursive: true });
  const pidFile = `${opts.storeDir}/nats-server.pid`;
  await stopOrphan(pidFile);
  const bin = findNatsServer();
  if (!bin) throw new Error(notFound());
  const port = opts.port ?? ((await portIsFree(4222)) ? 4222 : await freePort());
  let args = ['-js', '-a', '127.0.0.1', '-p', String(port), ...(opts.storeDirInConfig ? [] : ['-sd', opts.storeDir]), '-P', pidFile, ...(opts.extraArgs ?? [])];
  if (opts.embedded) {
    const configFile = natsServerConfigFile(opts.storeDir);
    writeNatsServerConfig(configFile, natsServerConfig({ port, storeDir: opts.storeDir, pidFile, ...opts.embedded }));
    args = ['-c', configFile];
  }
  const child = spawn(bin, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const ready = new Promise<void>((resolveReady, reject) => {
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server is ready')) resolveReady();
      if (log.length > 64_000) log = log.slice(-16_000);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (err) =>
      reject(new Error(`cannot start ${bin} (${err.message}); ${notFound()}`)),
    );
    child.once('exit', (code) => reject(new Error(`nats-server exited with code ${code} before it was ready:\n${log.slice(-2000)}`)));
    const waitMs = opts.readyWaitMs ?? READY_WAIT_MS;
    setTimeout(() => reject(new Error(`nats-server not ready after ${Math.round(waitMs / 1000)} s:\n${log.slice(-2000)}`)), waitMs).unref();
  });
  // one given up on is stopped: left running it took the port, unwatched, and outlived the
  // monitor, its pid file naming another attempt
  await ready.catch(async (err: Error) => {
    await stopChild(child, 'SIGKILL');
    throw err;
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    process: child,
    stop: () => stopChild(child),
  };
}

/** where the kept broker's exits and restarts are told (the monitor's pino logger) */
export interface BrokerLog {
  info(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

export interface KeptNats extends LocalNats {
  /** how many times the broker was started again after it exited unasked */
  restarts(): number;
  /** a stop begins: no more hang probes (a stopping monitor's drain waits on a hung broker; it is not killed and started again meanwhile) */
  stopWatching(): void;
}

/**
 * The monitor's own broker in embedded mode: started as startLocalNats does, and started again on
 * the same port and store whenever it exits unasked (killed, crashed, out of memory), so that the
 * monitor's client, which reconnects forever, finds it back with the stream it held. Without this
 * a dead local broker left the monitor reconnecting to nothing until someone restarted it.
 */
export async function keepLocalNats(opts: {
  storeDir: string;
  /** NATS_PORT; unset: 4222, or a free port */
  port?: number;
  log: BrokerLog;
  /** LOCAL_NATS_HANG_MS: a broker that greets no new connection this long is killed and started again (0: never) */
  hangMs?: number;
  /** what the broker requires of clients, at its first start and at every restart (undefined: nothing) */
  authorization?: BrokerAuthorization;
  /** the key its JetStream store is encrypted with at rest (broker-at-rest.ts), at every start */
  storeKey?: string;
}): Promise<KeptNats> {
  const { log } = opts;
  const embedded = { authorization: opts.authorization, storeKey: opts.storeKey };
  let current = await startLocalNats({ storeDir: opts.storeDir, port: opts.port, embedded });
  const port = current.port;
  let stopping = false;
  let restarts = 0;
  let timer: NodeJS.Timeout | undefined;
  const delayOf = (attempt: number) => Math.min(30_000, 1_000 * 2 ** attempt);
  const retry = (attempt: number) => {
    timer = setTimeout(() => {
      if (stopping) return;
      startLocalNats({ storeDir: opts.storeDir, port, embedded }).then(
        async (next) => {
          if (stopping) return void (await next.stop());
          current = next;
          restarts++;
          watch(next.process);
          log.info({ restarts }, 'local nats-server started again');
        },
        (err: Error) => {
          log.error({ err: err.message, retryInMs: delayOf(attempt + 1) }, 'local nats-server could not be started again; retrying');
          retry(attempt + 1);
        },
      );
    }, delayOf(attempt));
    timer.unref();
  };
  /** false once the monitor's stop began (stopWatching): the broker ending then is no failure */
  let watching = true;
  const watch = (child: ChildProcess) =>
    child.once('exit', (code, signal) => {
      if (stopping) return;
      const decide = () => {
        if (stopping) return;
        if (!watching) return void log.info({ signal }, 'local nats-server ended as this monitor stops');
        log.error({ why: signal ? `signal ${signal}` : `code ${code}` }, 'local nats-server exited; starting it again');
        retry(0);
      };
      // Ctrl-C (or a closed terminal) of an `npm start` signals the whole process group: the
      // monitor's own stop begins as the broker ends (verify CW), so it is looked at a moment later
      if (signal === 'SIGINT' || signal === 'SIGHUP') setTimeout(decide, 1_000).unref();
      else decide();
    });
  watch(current.process);
  const hangMs = opts.hangMs ?? 0;
  let hang: HangWatch = { failures: 0 };
  let probing = false;
  const probe = async () => {
    const child = current.process;
    if (stopping || probing || child.exitCode !== null || child.signalCode !== null) return;
    probing = true;
    const greeted = await greets(port, Math.min(5_000, probeEveryMs(hangMs)));
    probing = false;
    if (stopping || child !== current.process) return (hang = { failures: 0 }), undefined;
    const seen = afterProbe(hang, greeted, Date.now(), hangMs);
    hang = seen.hung ? { failures: 0 } : seen.watch;
    if (!seen.hung) return;
    log.error({ silentMs: Date.now() - seen.watch.failingSinceMs!, pid: child.pid }, 'local nats-server hung (greets no new connection); killed to start it again');
    child.kill('SIGKILL');
  };
  const prober = hangMs > 0 ? setInterval(() => void probe(), probeEveryMs(hangMs)) : undefined;
  prober?.unref();
  return {
    url: current.url,
    port,
    get process() {
      return current.process;
    },
    stop: async () => {
      stopping = true;
      clearTimeout(timer);
      clearInterval(prober);
      await current.stop();
    },
    restarts: () => restarts,
    stopWatching: () => {
      watching = false;
      clearInterval(prober);
    },
  };
}

/** Sends `signal`, and SIGKILL if the child has not exited `graceMs` later. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill(signal);
  });
}

export const natsStoreDir = (dataDir: string) => join(dataDir, 'nats');
