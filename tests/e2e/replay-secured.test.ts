import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ticketStream } from '../helpers/events.ts';
import { ROOT } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents } from '../helpers/publish.ts';

// `npm run replay -- --nats …` against a broker that asks for credentials, as a secured
// deployment's does (docs/OPERATIONS.md, "Securing a deployment"). An audit found the replay
// refused with "Authorization Violation" whatever NATS_* said: it connected without them, so the
// one way to recover lost events failed on exactly the deployments that need it.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const UNTIL = '2025-12-31T23:59:59.999+08:00';
const AUTH = { user: 'replayer', password: 'Nats-Secret-4711' };
const events = ticketStream({ seed: 4711, tickets: 40, year: 2025 });
let nats: TestNats;
/** without credentials: the key test must not depend on the credentials fix */
let openNats: TestNats;
let published = 0;
const dirs: string[] = [];

function replay(dataDir: string, env: NodeJS.ProcessEnv, broker = nats) {
  const { CUSTOMER_HASH_KEY: _k, NATS_USER: _u, NATS_PASSWORD: _p, NATS_TOKEN: _t, ...clean } = process.env;
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/replay.ts', '--plan', PLAN, '--until', UNTIL, '--data-dir', dataDir, '--nats', broker.url, '--from-seq', '1'],
    { cwd: ROOT, encoding: 'utf8', env: { ...clean, ...env }, timeout: 120_000 },
  );
}

const emptyDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'cewm-replay-secured-'));
  dirs.push(dir);
  return dir;
};

beforeAll(async () => {
  nats = await startTestNats({ auth: AUTH });
  const nc = await nats.connect();
  published = await publishEvents(nc, events);
  await nc.close();
  openNats = await startTestNats();
  const open = await openNats.connect();
  await publishEvents(open, events);
  await open.close();
}, 60_000);

afterAll(async () => {
  await nats?.cleanup();
  await openNats?.cleanup();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('replay - a broker that needs credentials', () => {
  it('connects with NATS_USER and NATS_PASSWORD as the monitor does, and logs the method, not the password', () => {
    const run = replay(emptyDir(), { CUSTOMER_HASH_KEY: 'test-key', NATS_USER: AUTH.user, NATS_PASSWORD: AUTH.password });
    expect(run.stderr).not.toMatch(/Authorization Violation/);
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!);
    expect(summary.stream.messages).toBe(published);
    const logged = run.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toContainEqual({ msg: 'connected to NATS', auth: 'user-password', tls: false });
    expect(run.stdout + run.stderr).not.toContain(AUTH.password);
  }, 120_000);

  it('without them, is refused naming the method it used', () => {
    const run = replay(emptyDir(), { CUSTOMER_HASH_KEY: 'test-key' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(/^error: .*Authorization Violation.* \(NATS auth: none, TLS: off\)$/);
  }, 120_000);
});

describe('replay - the customer-hash key', () => {
  // An audit: without CUSTOMER_HASH_KEY the replay was rightly refused by the stored fingerprint,
  // but first wrote a new DATA_DIR/customer-hash.key, which the next monitor on it would take.
  it('with no key in the environment or DATA_DIR, is refused and writes none', () => {
    const dir = emptyDir();
    const run = replay(dir, {}, openNats);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toMatch(/^error: no customer-hash key: set CUSTOMER_HASH_KEY or restore .*customer-hash\.key/);
    expect(existsSync(join(dir, 'customer-hash.key'))).toBe(false);
    expect(existsSync(join(dir, 'clickhouse'))).toBe(false); // refused before the store is opened
  }, 120_000);
});
