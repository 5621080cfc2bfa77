import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { until } from './support.ts';

// Audit AD N3: the wall's heartbeat waited for the pipeline probe (consumer info from the
// broker), which on a hung broker takes seconds. With a short WALLBOARD_HEARTBEAT_MS the page,
// which calls the link dead after three silent periods, showed 连接中断, then 实时, then
// 数据管道停滞 during one hang. The heartbeat must come on time, with the figures last read and
// how old they are.

const HEARTBEAT_MS = 500;
/** at least this many heartbeats over a hang of 4 × as many periods */
const BEATS = 5;

interface Beat {
  frame: { type: 'heartbeat'; asOf: string; pipeline: { pending: number | null; probedAt?: string | null; probeAgeMs?: number | null } };
}

let nats: TestNats;
let monitor: MonitorProcess;
let ws: WebSocket | undefined;

beforeAll(async () => {
  nats = await startTestNats();
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN: join(ROOT, 'tests/fixtures/plan-2025.yaml'), WALLBOARD_HEARTBEAT_MS: String(HEARTBEAT_MS) });
}, 90_000);

afterAll(async () => {
  ws?.close();
  nats?.resume();
  await monitor?.kill();
  await nats?.cleanup();
});

describe('faults - the wall heartbeat while the broker hangs', () => {
  it('keeps its period, carrying the last figures read and their age, and reads fresh ones after', async () => {
    const beats: Beat[] = [];
    ws = new WebSocket(`${monitor.baseUrl.replace('http', 'ws')}/ws?view=wall`); // the wall's feed: heartbeats
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data));
      if (frame.type === 'heartbeat') beats.push({ frame });
    });
    await until('a heartbeat with the consumer read (nothing pending)', () => beats.some((b) => b.frame.pipeline.pending === 0));

    await nats.pause();
    const first = beats.length;
    await new Promise((r) => setTimeout(r, 4 * BEATS * HEARTBEAT_MS));
    const during = beats.slice(first);
    const resumedAt = Date.now();
    nats.resume();

    // a count, not a time bound: the old tick waited seconds per heartbeat on the hung broker
    expect(during.length, `${during.length} heartbeats over ${4 * BEATS} periods of a hang`).toBeGreaterThanOrEqual(BEATS);
    // the last heartbeat of the hang says its figures are old: read before the hang, none since
    const last = during.at(-1)!.frame.pipeline;
    expect(last.probeAgeMs).toBeGreaterThanOrEqual(2 * BEATS * HEARTBEAT_MS);
    expect(Date.parse(last.probedAt!)).toBeLessThan(Date.parse(during.at(-1)!.frame.asOf));
    expect(last.pending).toBeNull(); // the probe gave up: not known, rather than "0 pending" from before

    await until('a heartbeat with figures read after the hang', () =>
      beats.slice(first + during.length).some((b) => b.frame.pipeline.pending === 0 && Date.parse(b.frame.pipeline.probedAt!) >= resumedAt),
    );
  }, 120_000);
});
