import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The simulator's command line (npm run demo starts it; people run it on their own against a
// test broker): bad input gets the reason and the usage, exit 2, never a stack trace (an audit
// found traces for a missing file, a bad zone, an unreachable broker, an unknown option).

const ROOT = join(import.meta.dirname, '..', '..');
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/simulator/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });

describe('simulator - command line', () => {
  it.each([
    [['--bogus'], /^error: arguments: Unknown option '--bogus'/],
    [['--plan', '/no/such/plan.yaml'], /^error: --plan \/no\/such\/plan.yaml: ENOENT/],
    [['--timezone', 'Mars/Base'], /^error: --timezone: Invalid time zone/],
    [['--csv', '/no/such.csv'], /^error: --csv \/no\/such.csv: ENOENT/],
    [['--rate', 'fast'], /^error: --rate must be a number >= 0/],
    [['--nats', 'nats://127.0.0.1:1'], /^error: cannot reach NATS at nats:\/\/127.0.0.1:1/],
  ])('%j: the reason and the usage, exit 2', (args, message) => {
    const r = run(args);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/usage: tsx scripts\/simulator\/cli.ts/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
  it('a CFPB_CSV naming a missing file: refused with the variable and the path, exit 2 (no fallback to another sample)', () => {
    const r = run(['--nats', 'nats://127.0.0.1:1'], { CFPB_CSV: '/no/such/complaints.csv' });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^error: CFPB_CSV names \/no\/such\/complaints\.csv, which does not exist/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
