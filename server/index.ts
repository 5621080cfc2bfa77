import type { EventEmitter } from 'node:events';
import { isatty } from 'node:tty';
import pino from 'pino';
import { build } from './app.ts';
import { loadConfig } from './config.ts';
import { createLog } from './log.ts';
import { Monitor } from './monitor.ts';
import { LEASE_EXIT_CODE } from './lease.ts';
import { loadPlan } from './plan-source.ts';
import { StartingResponder } from './starting.ts';
import { weakHashKey } from './secrets.ts';
import { tokenBranchesNotInPlan } from './access.ts';

// `npm start`: the monitor on embedded defaults (local nats-server, chdb in DATA_DIR) unless
// NATS_URL / CLICKHOUSE_URL say otherwise. Bad configuration or a bad plan stops it here, with
// the variable or the plan's line and field named.

if (process.argv.slice(2).some((x) => x === '--help' || x === '-h')) {
  console.log(`usage: npm start
  the monitor, configured by environment variables only (README.md, "Environment"): DATA_DIR, PORT, HOST,
  NATS_URL, CLICKHOUSE_URL, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD, PLAN, CUSTOMER_HASH_KEY, MONITOR_TOKENS, …
  unset NATS_URL and CLICKHOUSE_URL: embedded mode (its own nats-server and ClickHouse engine in DATA_DIR)`);
  process.exit(0);
}

const log = createLog();

async function main(): Promise<void> {
  const config = loadConfig();
  const plan = loadPlan(config.planPath, Date.now());
  log.info({ year: plan.year, types: plan.types.length, scopes: plan.scopes.length, plan: config.planPath ?? 'sample' }, 'plan loaded');
  if (config.tokens.size === 0) {
    log.warn('open local mode: no MONITOR_TOKENS configured; read surfaces answer loopback clients only and actions are refused');
  }
  for (const t of tokenBranchesNotInPlan(config, plan.scopes)) log.warn({ token: t.token, branches: t.branches }, 'a branch-limited token names branches the plan does not have: it acts on none of them (check MONITOR_TOKENS)');
  const weak = weakHashKey(config.customerHashKey);
  if (weak) log.warn(weak);
  // the port answers 503 "starting" (with the phase) until the app takes it over; a port of 0
  // (any free one) cannot be handed over, so there the port opens with the app
  const starting = config.port === 0 ? undefined : await StartingResponder.listen(config.port, config.host, 'reading the stored events back into the counters', plan.timezone);
  // the signals are heard from here on: a stop during the start (the store read back, then the
  // year's alerts derived: tens of seconds over a large year) waits for the monitor to exist, then
  // releases the lease and stops the own broker as any stop does (verify CS1: the process was
  // killed outright, the lease held until its expiry, the broker left orphaned)
  const stopping = installStop();
  let monitor: Monitor;
  let app: Awaited<ReturnType<typeof build>>;
  try {
    monitor = await Monitor.start(config, plan, log);
    stopping.attach(monitor);
    if (stopping.now) return; // a signal during the read-back: stopped now, nothing built
    starting?.setPhase('deriving the alerts and opening the HTTP surfaces');
    app = await build({ monitor, logger: log });
    stopping.attach(monitor, app);
    // a holder derives the year's alerts before it is ready (over 3 M events, ~100k alerts: tens
    // of seconds, in slices, audit CO1); the port says 503 meanwhile. A standby derives nothing.
    if (monitor.lease.state === 'held') await Promise.race([monitor.alertsDerived, monitor.lease.ended, stopping.begun]);
  } catch (err) {
    if (stopping.now) return; // a stop under way closed what the start was using: its exit stands
    throw err;
  } finally {
    await starting?.close();
  }
  if (stopping.now) return;
  await app.listen({ port: config.port, host: config.host });
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${(app.server.address() as { port: number }).port}/`;
  // with tokens a bare address answers 访问被拒绝: say how a person gets in (never a token itself)
  const access = config.tokens.size > 0 ? { access: 'add ?token=<a viewer, supervisor or admin token from MONITOR_TOKENS> to each address' } : {};
  const { state } = monitor.lease;
  if (state === 'refused' || state === 'lost') {
    // a standby serves no wall-board: its refusal line above named the holder (audit CN5)
    log.info({ url, lease: state }, 'standby: not counting; /api/health and /metrics answer, other surfaces 503 NOT_COUNTING until it exits');
  } else {
    log.info({ url, console: `${url}console/`, ...access }, 'wall-board ready');
  }
}

type App = Awaited<ReturnType<typeof build>>;

/**
 * SIGINT, SIGTERM, SIGHUP and the lease's end stop the monitor cleanly. A signal before the
 * monitor exists is kept and acted on once it does; `begun` resolves when a stop begins.
 */
function installStop(): { attach(monitor: Monitor, app?: App): void; begun: Promise<void>; readonly now: boolean } {
  let stopping = false;
  let monitor: Monitor | undefined;
  let app: App | undefined;
  let deferred: string | undefined;
  let began!: () => void;
  const begun = new Promise<void>((r) => (began = r));
  const stop = async (signal: string, exitCode = 0) => {
    if (!monitor) return void (deferred ??= signal);
    if (stopping) return;
    stopping = true;
    began();
    log.info({ signal }, 'stopping');
    // the alerts' last notices go out while this monitor still holds the lease (verify AE 6: they
    // waited for the next start); bounded, a hung broker must not hold the stop
    monitor.stopConsuming(); // nothing new to announce once the last notices are out
    const drained = Promise.allSettled(monitor.beforeRelease.map((f) => f()));
    await Promise.race([drained, new Promise((r) => setTimeout(r, 5_000).unref())]);
    await monitor.lease.release(); // stops counting: a successor may start at once, whatever HTTP clients do
    // a client that never lets go must not keep the store from being closed cleanly
    const httpClosed = await Promise.race([(app?.close() ?? Promise.resolve()).then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 10_000).unref())]);
    if (!httpClosed) log.warn('HTTP connections still open after 10 s; stopping without them');
    await monitor.stop();
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // The terminal of an `npm start` closed: a stop as clean, its own broker with it.
  // Unhandled, SIGHUP ended the process there and then and left the nats-server running.
  process.on('SIGHUP', () => {
    silenceLogOnDeadTerminal(log);
    void stop('SIGHUP');
  });
  // Another monitor counts on this consumer or store: refused at start (health says by whom for
  // a short while), or the lease taken while running. A distinct code, for a restart policy to retry.
  return {
    attach(m, a) {
      app = a;
      if (monitor) return;
      monitor = m;
      void m.lease.ended.then(({ state, graceMs }) => setTimeout(() => void stop(`counting lease ${state}`, LEASE_EXIT_CODE), graceMs));
      if (deferred) void stop(deferred);
    },
    begun,
    get now() {
      return stopping;
    },
  };
}

/**
 * A hung-up terminal fails every write (EIO): the log's first failed write, unheard, threw out of
 * the stop with the broker still up, and pino's flush at exit retries a failed write for ever, so
 * the process never ended either. The log is silenced as pino itself does on a closed pipe: at
 * once when it writes to a terminal (the one that hung up), else at its first failed write.
 */
function silenceLogOnDeadTerminal(logger: typeof log): void {
  const stream = (logger as unknown as Record<symbol, EventEmitter>)[pino.symbols.streamSym]!;
  const silence = () => void Object.assign(stream, { write: () => true, flushSync: () => undefined, end: () => undefined });
  stream.on('error', silence);
  if (isatty(1)) silence(); // createLog writes to stdout
}

main().catch((err: Error & { code?: string }) => {
  // the port is the one thing an operator most often has twice: say which variable moves it
  const message = err.code === 'EADDRINUSE' ? `${err.message}: another process (another monitor?) listens there; set PORT (and HOST) to another address` : err.message;
  log.fatal({ err: { name: err.name, message } }, 'monitor could not start');
  process.exit(1);
});
