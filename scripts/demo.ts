// `npm run demo`: the monitor on embedded defaults plus the ticket simulator replaying a year of
// real (CFPB, re-labelled) complaints into it: the year so far in about 20 seconds, then live
// tickets stamped "now". Open the printed address; Ctrl-C stops both.
//
// The demo keeps its own data directory (DATA_DIR, default ./data/demo) so it never mixes with
// what `npm start` stores. Unless MONITOR_TOKENS is given, it makes a viewer and a supervisor token
// for this run and prints the addresses with them: the console can then act (acknowledge,
// correct, confirm a classification), which open local mode refuses.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, portIsFree } from '../server/natsd.ts';
import { currentYear } from '../server/plan-source.ts';
import { requireCfpbCsv } from './simulator/csv.ts';

if (process.argv.slice(2).some((x) => x === '--help' || x === '-h')) {
  console.log(`usage: npm run demo
  the monitor (embedded, data in DATA_DIR, default ./data/demo) and the ticket simulator replaying CFPB complaints into it
  environment: DATA_DIR, PORT (default 8080 or a free port), DEMO_RATE (tickets a second, default 5),
  MONITOR_TOKENS (default: a viewer and a supervisor token made for this run), CFPB_CSV, NATS_URL`);
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
const rate = process.env.DEMO_RATE || '5';
const token = () => randomBytes(16).toString('hex');
const made = process.env.MONITOR_TOKENS ? undefined : { viewer: token(), supervisor: token() };
const tokens = made ? `${made.viewer}:viewer,${made.supervisor}:supervisor` : process.env.MONITOR_TOKENS!;
/** a token for the demo's own health polls: any configured one reads */
const anyToken = tokens.split(',')[0]!.split(':')[0]!;

function run(name: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (line: string) => (line.trim() ? `${name.padEnd(9)} ${line}\n` : '');
  child.stdout!.on('data', (c: Buffer) => process.stdout.write(c.toString().split('\n').map(prefix).join('')));
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

const monitor = run('monitor', ['server/index.ts'], { DATA_DIR: dataDir, PORT: String(port), MONITOR_TOKENS: tokens });
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
  const year = String(currentYear(Date.now()));
  children.push(
    run('simulator', ['scripts/simulator/cli.ts', '--nats', natsUrl, '--year', year, '--timezone', 'Asia/Shanghai', '--backfill', '--replay-seconds', '20', '--rate', rate, '--duplicates', '0.02', '--bad'], {}),
  );
  const lines = made
    ? [`wall-board: ${base}/?token=${made.viewer}`, `console:    ${base}/console/?token=${made.supervisor}   (supervisor: acknowledge, correct, review)`]
    : [`wall-board: ${base}/   (with a token of MONITOR_TOKENS: ?token=…)`];
  console.log(`\n  ${lines.join('\n  ')}\n  data in ${dataDir}; tokens for this run only; Ctrl-C to stop\n`);
} catch (err) {
  console.error(`demo: ${(err as Error).message}`);
  stopAll();
  process.exitCode = 1;
}
