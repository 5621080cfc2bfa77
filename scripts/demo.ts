// `npm run demo`: the monitor on embedded defaults plus the ticket simulator replaying a year of
// real (CFPB, re-labelled) complaints into it: the year so far in about 20 seconds, then the rest
// of the year's tickets at their own times, a real day's pace for the day of the year — so the
// wall shows the year's watches, breaches and strict cases at once and stays a plausible day for
// as long as it runs (it poured a year of tickets into every hour before; an audit saw the wall
// turn red within it). Open the printed address; Ctrl-C stops both.
//
// The demo keeps its own data directory (DATA_DIR, default ./data/demo) so it never mixes with
// what `npm start` stores. A second run on it continues the first: the same seed gives the same
// events, so the year so far is sent again and kept once, and live tickets carry on from now; it
// says so, and what the monitor kept. Unless MONITOR_TOKENS is given, it makes a viewer and a
// supervisor token for this run and prints the addresses with them: the console can then act
// (acknowledge, correct, confirm a classification), which open local mode refuses.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, portIsFree } from '../server/natsd.ts';
import { currentYear } from '../server/plan-source.ts';
import { demoDataNotice } from './demo-notice.ts';
import { demoSimulatorArgs } from './demo-simulator.ts';
import { requireCfpbCsv } from './simulator/csv.ts';

if (process.argv.slice(2).some((x) => x === '--help' || x === '-h')) {
  console.log(`usage: npm run demo
  the monitor (embedded, data in DATA_DIR, default ./data/demo) and the ticket simulator replaying CFPB complaints into it
  the year so far is sent in about 20 s, then the rest of the year's tickets at their own times (a real day's pace);
  a second run on the same DATA_DIR continues the first
  environment: DATA_DIR, PORT (default 8080 or a free port),
  MONITOR_TOKENS (default: a viewer and a supervisor token made for this run), CFPB_CSV,
  NATS_URL (default: the monitor's own broker, on NATS_PORT when set), PLAN (default: the sample plan moved to this year),
  DATA_NOTICE (default: a line on the wall and the console saying the figures are re-labelled CFPB complaints)`);
  process.exit(0);
}

// The simulator would refuse a CFPB_CSV naming no file only after the monitor is up; check first
// so the demo stops with the reason instead of running a wall-board that never gets tickets.
try {
  requireCfpbCsv();
} catch (err) {
  console.error(`demo: ${(err as Error).message}`);
  process.exit(2);
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = resolve(process.env.DATA_DIR || join(ROOT, 'data', 'demo'));
const port = process.env.PORT ? Number(process.env.PORT) : (await portIsFree(8080)) ? 8080 : await freePort();
/** an earlier run's store: this run continues it */
const continuing = existsSync(join(dataDir, 'clickhouse'));
const token = () => randomBytes(16).toString('hex');
const made = process.env.MONITOR_TOKENS ? undefined : { viewer: token(), supervisor: token() };
const tokens = made ? `${made.viewer}:viewer,${made.supervisor}:supervisor` : process.env.MONITOR_TOKENS!;
/** a token for the demo's own health polls: any configured one reads */
const anyToken = tokens.split(',')[0]!.split(':')[0]!;

function run(name: string, args: string[], env: NodeJS.ProcessEnv, onLine?: (line: string) => void): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (line: string) => (line.trim() ? `${name.padEnd(9)} ${line}\n` : '');
  child.stdout!.on('data', (c: Buffer) => {
    const text = c.toString();
    process.stdout.write(text.split('\n').map(prefix).join(''));
    if (onLine) for (const line of text.split('\n')) onLine(line);
  });
  child.stderr!.on('data', (c: Buffer) => process.stderr.write(c.toString().split('\n').map(prefix).join('')));
  return child;
}

async function healthyNatsUrl(base: string, monitor: ChildProcess): Promise<string> {
  for (let i = 0; i < 300; i++) {
    if (monitor.exitCode !== null) throw new Error('the monitor stopped; see its log above');
    try {
      const res = await fetch(`${base}/api/health`, { headers: { authorization: `Bearer ${anyToken}` } });
      if (res.status === 200) return ((await res.json()) as { nats: { url: string } }).nats.url;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the monitor did not become healthy within 60 s');
}

// the pages say the figures are American complaints re-labelled, not this bank's
const monitor = run('monitor', ['server/index.ts'], { DATA_DIR: dataDir, PORT: String(port), MONITOR_TOKENS: tokens, DATA_NOTICE: demoDataNotice(process.env) });
const base = `http://127.0.0.1:${port}`;
const children: ChildProcess[] = [monitor];
const stopAll = () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGINT');
};
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);
monitor.on('exit', (code) => {
  stopAll();
  process.exitCode = code ?? 0;
});

try {
  const natsUrl = process.env.NATS_URL || (await healthyNatsUrl(base, monitor));
  const year = currentYear(Date.now());
  children.push(
    run('simulator', demoSimulatorArgs(natsUrl, year, { invalidPayloads: !continuing }), {}, (line) => {
      if (line.includes('backfill done')) void reportBackfill(base).catch(() => undefined);
    }),
  );
  const lines = made
    ? [`wall-board: ${base}/?token=${made.viewer}`, `console:    ${base}/console/?token=${made.supervisor}   (supervisor: acknowledge, correct, review)`]
    : [`wall-board: ${base}/   (with a token of MONITOR_TOKENS: ?token=…)`];
  const how = continuing
    ? `continuing the earlier demo in ${dataDir}: the year so far is sent again (the monitor keeps each event once) and live tickets carry on from now`
    : `data in ${dataDir}`;
  console.log(`\n  ${lines.join('\n  ')}\n  ${how}; tokens for this run only; Ctrl-C to stop\n`);
} catch (err) {
  console.error(`demo: ${(err as Error).message}`);
  stopAll();
  process.exitCode = 1;
}

/** Once the monitor has read the backfill: what it kept, so a continued run says it added only the gap. */
async function reportBackfill(url: string): Promise<void> {
  type Health = { consumer?: { pending?: number; ackPending?: number }; events: { received: number; stored: number; duplicates: number } };
  for (let i = 0; i < 150; i++) {
    const h = (await (await fetch(`${url}/api/health`, { headers: { authorization: `Bearer ${anyToken}` } })).json()) as Health;
    if ((h.consumer?.pending ?? 0) + (h.consumer?.ackPending ?? 0) === 0) {
      const { received, stored, duplicates } = h.events;
      console.log(continuing
        ? `demo: continued: ${stored} new events stored (those since the earlier run); the rest of the year so far the store already held; live tickets now arrive at their own times`
        : `demo: the year so far is in: ${stored} events stored (${duplicates} copies and ${received - stored - duplicates} invalid payloads, sent on purpose, set aside); live tickets now arrive at their own times`);
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
