import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { join } from 'node:path';
import { STREAM } from '../../pipelines/sources/jetstream.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishRaw, waitConsumed } from '../helpers/publish.ts';
import { until } from './support.ts';

// The ticket stream deleted under a running monitor (an operator's `nats stream rm`, or a single
// broker that lost its disk): the monitor makes it again, and the new stream numbers its messages
// from 1. A dead letter at a sequence an earlier one had used must not replace it, and the monitor
// must say the stream was made anew (what it held and the monitor had not taken is gone).

let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN: join(ROOT, 'tests/fixtures/plan-2025.yaml'), BATCH_MS: '20' });
}, 90_000);

afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
});

const deadLetters = async () => (await getJson<{ total: number; items: Array<{ streamSeq: number; payload: string }> }>(monitor, '/api/dead-letters')).body;

describe('faults - the ticket stream made anew under a running monitor', () => {
  it('keeps the dead letters of both streams at the same sequence, and says the stream was made anew', async () => {
    await publishRaw(nc, 'complaints.tickets.BJ', '{"before": "the stream was deleted"');
    await waitConsumed(nc);
    await until('the first dead letter stored', async () => (await deadLetters()).total === 1);

    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(STREAM);
    await until('the monitor to make the stream and its consumer again', async () => Boolean(await jsm.consumers.info(STREAM, 'monitor').catch(() => false)), 60_000);
    await publishRaw(nc, 'complaints.tickets.BJ', '{"after": "the stream was made anew"');
    await waitConsumed(nc);

    await until('both dead letters listed', async () => (await deadLetters()).total === 2, 30_000);
    const { items } = await deadLetters();
    expect(items.map((d) => [d.streamSeq, d.payload]).sort()).toEqual([
      [1, '{"after": "the stream was made anew"'],
      [1, '{"before": "the stream was deleted"'],
    ]);
    const health = (await getJson(monitor, '/api/health')).body;
    expect(health.status).toBe('degraded');
    expect(health.reasons.join('\n')).toMatch(/the stream COMPLAINTS was made anew .*ask the publishers to send again/);
    expect(monitor.output()).toMatch(/the stream COMPLAINTS was made anew under the running monitor/);
  }, 120_000);
});
