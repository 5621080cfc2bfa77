import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ticketStream } from '../helpers/events.ts';
import { startClickHouseHttp, type TestClickHouseHttp } from '../helpers/clickhouse-http.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents } from '../helpers/publish.ts';
import { until } from './support.ts';

// docs/OPERATIONS.md: "Logs are JSON lines". An audit found that in server mode @clickhouse/client
// printed its own multi-line `[ERROR][@clickhouse/client]` blocks with stacks, not JSON: at a start
// with a wrong password, and thousands during a ClickHouse outage. The errors must reach the log
// only as the monitor's JSON lines (the start failure, the pipeline's write failures).

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
let nats: TestNats;
let nc: NatsConnection;
let ch: TestClickHouseHttp;
let monitor: MonitorProcess | undefined;

/** each non-empty line parsed; a line that is not JSON fails the test, quoted */
function jsonLines(output: string): Array<Record<string, any>> {
  return output.split('\n').filter((l) => l.trim() !== '').map((line) => {
    try {
      return JSON.parse(line) as Record<string, any>;
    } catch {
      throw new Error(`a log line is not JSON: ${line.slice(0, 300)}`);
    }
  });
}

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  ch = await startClickHouseHttp();
}, 60_000);

afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
  await ch?.cleanup();
});

describe('faults - ClickHouse errors in the log (server mode)', () => {
  it('a wrong password at start: the start fails with one JSON line, no client block', async () => {
    const m = await startMonitor({ NATS_URL: nats.url, PLAN, CLICKHOUSE_URL: ch.url, CLICKHOUSE_USER: ch.user, CLICKHOUSE_PASSWORD: 'not-the-password' }, { waitHealthy: false });
    await until('the monitor to stop', () => m.child.exitCode !== null, 45_000);
    expect(m.child.exitCode).toBe(1);
    expect(m.output()).not.toContain('@clickhouse/client');
    const fatal = jsonLines(m.output()).filter((l) => l.msg === 'monitor could not start');
    expect(fatal).toHaveLength(1);
    expect(fatal[0]!.err.message).toMatch(/Authentication failed/);
    expect(m.output()).not.toContain('not-the-password');
  }, 60_000);

  it('ClickHouse down while running: the write failures are JSON lines, no client block', async () => {
    monitor = await startMonitor({ NATS_URL: nats.url, PLAN, CLICKHOUSE_URL: ch.url, CLICKHOUSE_USER: ch.user, CLICKHOUSE_PASSWORD: ch.password, ACK_WAIT_MS: '3000' });
    await ch.kill();
    await publishEvents(nc, ticketStream({ seed: 7, tickets: 30, year: 2025, prefix: 'lg' }));
    await until('the write failure in /api/health', async () => (await getJson(monitor!, '/api/health')).body.clickhouse.lastWriteError, 30_000);
    const failure = (l: Record<string, any>) => l.msg === 'ClickHouse write failed; batch will be redelivered';
    await until('the write failure in the log', () => monitor!.output().includes('ClickHouse write failed'), 10_000);
    const logged = jsonLines(monitor.output());
    expect(logged.filter(failure)[0]!.err).toMatch(/ECONNREFUSED/);
    expect(monitor.output()).not.toContain('@clickhouse/client');
  }, 90_000);

  it('replay: a wrong ClickHouse password is one error line, no client block', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/replay.ts', '--plan', PLAN, '--clickhouse-url', ch.url], {
      cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CLICKHOUSE_USER: ch.user, CLICKHOUSE_PASSWORD: 'not-the-password' },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).not.toContain('@clickhouse/client');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});
