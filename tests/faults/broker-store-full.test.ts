import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { WebSocket } from 'ws';
import type { NatsConnection } from '@nats-io/nats-core';
import { freePort, startLocalNats, type LocalNats } from '../../server/natsd.ts';
import { ticketStream } from '../helpers/events.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { until } from './support.ts';

// The broker's store fills up (audit W F2, reproduced as its full.sh did: a nats-server whose
// JetStream may hold 2 MB): the intake's publishes are refused with "insufficient resources".
// /api/health must say "degraded" and why, /metrics must show the store and the refusal, the
// wall's heartbeat must carry it — where all said "ok" before.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const TOKEN = 'viewer-token-0123456789';
let dir: string;
let nats: LocalNats;
let nc: NatsConnection;
let monitor: MonitorProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cewm-small-store-'));
  writeFileSync(join(dir, 'small.conf'), 'jetstream { max_file_store: 2MB }\n');
  nats = await startLocalNats({ storeDir: join(dir, 'nats'), port: await freePort(), extraArgs: ['-c', join(dir, 'small.conf')] });
  nc = await connect({ servers: nats.url });
}, 30_000);

afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const auth = { headers: { authorization: `Bearer ${TOKEN}` } };

describe('faults - broker store full', () => {
  it('says degraded, with the reason, in /api/health, /metrics and the wall heartbeat once the broker refuses writes', async () => {
    monitor = await startMonitor({ NATS_URL: nats.url, PLAN, MONITOR_TOKENS: `${TOKEN}:viewer`, WALLBOARD_HEARTBEAT_MS: '500' });
    const before = (await getJson(monitor, '/api/health', auth)).body;
    expect(before.status).toBe('ok');
    expect(before.broker).toMatchObject({ status: 'ok', reasons: [], lastRefusedWrite: null, stream: { maxAgeDays: 90 } });

    // publish as the ticket systems do until the broker refuses
    const js = jetstream(nc);
    let refused = '';
    for (const e of ticketStream({ seed: 5, tickets: 20_000, year: 2025, prefix: 'full' })) {
      try {
        await js.publish(`complaints.tickets.${e.branch}`, JSON.stringify(e), { msgID: e.eventId });
      } catch (err) {
        refused = (err as Error).message;
        break;
      }
    }
    expect(refused).toMatch(/insufficient resources/);

    // the figures are read from the broker at most every 5 s
    const health = await until('health degraded, with the full stream\'s figures', async () => {
      const { status, body } = await getJson(monitor!, '/api/health', auth);
      return body.status === 'degraded' && body.broker.stream.bytes > 0 ? { status, body } : undefined;
    }, 60_000);
    expect(health.status).toBe(200); // still counting what the stream holds: not a readiness failure
    expect(health.body.reasons.join(' ')).toMatch(/broker refuses to store messages \("insufficient resources"\)/);
    expect(health.body.broker.lastRefusedWrite.error).toMatch(/insufficient resources/);
    expect(health.body.broker.stream.bytes).toBeGreaterThan(1_000_000);
    expect(health.body.broker.stream.messages).toBeGreaterThan(1_000);

    const metrics = await (await fetch(`${monitor.baseUrl}/metrics`, auth)).text();
    expect(metrics).toMatch(/^BrokerWritesRefused 1$/m);
    expect(metrics).toMatch(/^BrokerStoreDegraded 1$/m);
    expect(Number(/^StreamBytes (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(1_000_000);
    expect(metrics).toMatch(/^StreamMaxAgeSeconds 7776000$/m);

    // the wall's heartbeat carries it (its top bar can show it)
    const ws = new WebSocket(`${monitor.baseUrl.replace('http', 'ws')}/ws?view=wall&token=${TOKEN}`); // the wall's feed: heartbeats
    const heartbeat = await new Promise<any>((resolve, reject) => {
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data));
        if (frame.type === 'heartbeat' && frame.pipeline?.brokerStore) resolve(frame);
      });
      ws.on('error', reject);
    });
    ws.close();
    expect(heartbeat.pipeline.brokerStore.status).toBe('degraded');
    expect(heartbeat.pipeline.brokerStore.reasons[0]).toMatch(/insufficient resources/);
  }, 180_000);
});
