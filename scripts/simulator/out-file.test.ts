import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEvent } from '../../pipelines/transforms/decode.ts';
import { findCfpbCsv, loadCfpb } from './csv.ts';
import { generateLifecycles } from './generate.ts';
import { yearBounds } from './time.ts';

// --out: a whole year's events as NDJSON, the "last year" the plan builder's --history takes
// (docs/PLANS.md); no broker is needed or touched (audit AS F3: the simulator had no file output,
// and publishing a past year went on with live load stamped now).

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'cewm-sim-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// NATS_URL names a broker nobody listens on: --out must not need one
const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/simulator/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NATS_URL: 'nats://127.0.0.1:1' } });

describe('simulator - --out FILE', () => {
  it("writes the year's generated events, one contract event per line in time order, and exits without NATS", () => {
    const file = join(dir, 'events-2024.ndjson');
    const r = run(['--year', '2024', '--timezone', 'Asia/Shanghai', '--seed', '3', '--sample', '0.3', '--out', file]);
    expect(r.status, r.stderr).toBe(0);
    const expected = generateLifecycles(loadCfpb(findCfpbCsv()!), { seed: 3, year: 2024, timezone: 'Asia/Shanghai', sample: 0.3 });
    expect(r.stdout).toMatch(new RegExp(`wrote ${expected.length} events of 2024 \\(Asia/Shanghai\\), seed 3, from \\d+ CFPB complaints to ${file}`));
    expect(r.stdout, 'counts only in the log').not.toMatch(/CUST\d/);
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines.pop()).toBe(''); // every line ends in \n
    expect(lines).toEqual(expected.map((e) => JSON.stringify(e)));
    const { startMs, endMs } = yearBounds(2024, 'Asia/Shanghai');
    const encoder = new TextEncoder();
    for (const line of lines) {
      const decoded = decodeEvent(encoder.encode(line));
      expect(decoded.ok, line.slice(0, 200)).toBe(true);
      const t = Date.parse(JSON.parse(line).occurredAt);
      expect(t >= startMs && t < endMs).toBe(true);
    }
  });

  it.each([
    [['--backfill'], /^error: --out writes a file and publishes nothing: drop --backfill\n/],
    [['--real-time', '--bad'], /^error: --out writes a file and publishes nothing: drop --real-time, --bad\n/],
    [['--nats', 'nats://127.0.0.1:1', '--rate=5', '--duplicates', '0.1'], /^error: --out writes a file and publishes nothing: drop --nats, --rate, --duplicates\n/], // verify AT V4
  ])('refuses publishing options beside --out %j: exit 2, nothing written', (extra, message) => {
    const file = join(dir, 'refused.ndjson');
    const r = run(['--year', '2024', '--out', file, ...extra]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(file)).toBe(false);
  });

  it('a file that cannot be written: the reason and the usage, exit 2, no stack trace', () => {
    const r = run(['--year', '2024', '--out', join(dir, 'no-such-dir', 'events.ndjson')]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^error: --out .*no-such-dir\/events\.ndjson: ENOENT/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
