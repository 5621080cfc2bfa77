import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, rmdirSync, statfsSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { STREAM } from '../../pipelines/sources/jetstream.ts';
import { shuffled, ticketStream } from '../helpers/events.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { expectExactCounters, until } from './support.ts';

// The data directory fills up: the monitor's data directory is a small tmpfs, and a filler file
// takes its last byte while events arrive. Writes must fail with a clear error in /api/health,
// nothing may be acked or counted, and once space is back everything is stored exactly once —
// also after a restart that rebuilds from disk (no corruption). Needs root to mount a tmpfs (the
// suite runs as root here); elsewhere the test says why it is skipped. (A read-only directory
// cannot be simulated with chmod as root, who writes anyway; a full disk is the same code path.)

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const plan = loadPlanFile(PLAN);
const events = shuffled(ticketStream({ seed: 23, tickets: 900, year: 2025, customers: 200, prefix: 'df' }), 5);
const half = Math.floor(events.length / 2);

let mountDir: string | undefined;
let mountError = '';
let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess | undefined;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cewm-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96m', 'tmpfs', dir], { stdio: 'pipe' });
    mountDir = dir;
  } catch (err) {
    mountError = String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim();
    rmdirSync(dir);
  }
  nats = await startTestNats();
  nc = await nats.connect();
}, 30_000);

afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
  if (mountDir) {
    execFileSync('umount', ['-l', mountDir]);
    rmSync(mountDir, { recursive: true, force: true });
  }
});

/** Writes zeros until the file system refuses: the disk is full. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(1 << 20);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  // the last partial megabyte, so not even a small part file fits
  const fd2 = openSync(`${path}.tail`, 'w');
  try {
    for (;;) writeSync(fd2, Buffer.alloc(4096));
  } catch {
    // full
  } finally {
    closeSync(fd2);
  }
}

/** Takes whatever space was freed since `fill`, 4 KB at a time. */
function topUp(path: string): void {
  const fd = openSync(path, 'w');
  try {
    for (;;) writeSync(fd, Buffer.alloc(4096));
  } catch {
    // full again
  } finally {
    closeSync(fd);
  }
}

describe('faults - data directory full', () => {
  it('fails writes with a clear error, acks nothing, loses nothing, and resumes when space is back', async (ctx) => {
    if (!mountDir) ctx.skip(`cannot mount a small tmpfs here (${mountError}); needs root`);
    const env = { NATS_URL: nats.url, PLAN, DATA_DIR: join(mountDir!, 'data'), BATCH_MS: '20' };
    monitor = await startMonitor(env);
    await publishEvents(nc, events.slice(0, half));
    await waitConsumed(nc);
    await expectExactCounters(monitor, plan, events.slice(0, half));

    const filler = join(mountDir!, 'filler');
    fill(filler);
    // The engine may still finish a merge begun before the disk filled and then drop the merged
    // parts (within a second): that frees space. Let it, then take that space too, so the disk
    // stays full while the second half comes.
    await new Promise((r) => setTimeout(r, 3_000));
    topUp(`${filler}.more`);
    await publishEvents(nc, events.slice(half));
    const health = await until('a write failure in /api/health', async () => {
      const { body } = await getJson(monitor!, '/api/health');
      return body.writeFailures > 0 ? body : undefined;
    });
    expect(health.clickhouse.lastWriteError).toMatch(/space|ENOSPC|write|disk/i);
    expect(monitor.child.exitCode).toBeNull();
    // nothing of the second half is acknowledged or counted while the disk is full
    const info = await (await jetstreamManager(nc)).consumers.info(STREAM, 'monitor');
    expect(info.num_pending + info.num_ack_pending).toBeGreaterThan(0);
    await expectExactCounters(monitor, plan, events.slice(0, half));

    unlinkSync(filler);
    unlinkSync(`${filler}.tail`);
    unlinkSync(`${filler}.more`);
    await waitConsumed(nc, 'monitor', 120_000);
    await until('health ok again', async () => (await getJson(monitor!, '/api/health')).body.clickhouse.lastWriteError === null);
    await expectExactCounters(monitor, plan, events);

    // what is on disk is whole: a restart rebuilds the same counters
    await monitor.kill();
    monitor = await startMonitor(env);
    expect((await getJson(monitor, '/api/health')).body.events.rebuilt).toBeGreaterThan(0);
    await expectExactCounters(monitor, plan, events);
  }, 300_000);

  // Verify AV2: with room for the journal's appends but not for ClickHouse's 1 MiB reservation,
  // the events were counted while no move into ticket_events succeeded, and health said ok
  it('says so when the live journal cannot be moved into the store, and clears once it can', async (ctx) => {
    if (!mountDir || !monitor) ctx.skip(`needs the mounted tmpfs and the monitor of the test above (${mountError})`);
    const filler = join(mountDir!, 'filler-journal');
    const { bavail, bsize } = statfsSync(mountDir!);
    const fd = openSync(filler, 'w');
    try {
      for (let left = bavail * bsize - 700 * 1024; left > 0; left -= 1 << 20) writeSync(fd, Buffer.alloc(Math.min(left, 1 << 20)));
    } finally {
      closeSync(fd);
    }
    const more = ticketStream({ seed: 24, tickets: 10, year: 2025, customers: 10, prefix: 'dj' });
    await publishEvents(nc, more);
    const health = await until('the journal\'s move refused, in /api/health', async () => {
      const { body } = await getJson(monitor!, '/api/health');
      return body.reasons?.some((r: string) => r.startsWith("ClickHouse refuses the live journal's moves into ticket_events")) ? body : undefined;
    }, 60_000);
    expect(health.status).toBe('degraded');
    expect(await (await fetch(`${monitor!.baseUrl}/metrics`)).text()).toMatch(/^JournalMoveFailing 1$/m);
    unlinkSync(filler);
    await until('the journal moved', async () => (await getJson(monitor!, '/api/health')).body.clickhouse.journalRows === 0, 60_000);
    expect((await getJson(monitor!, '/api/health')).body.status).toBe('ok');
    await expectExactCounters(monitor!, plan, [...events, ...more]);
  }, 180_000);
});
