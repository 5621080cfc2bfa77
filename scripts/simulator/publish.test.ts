import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { badEvents } from './bad.ts';
import { requireCfpbCsv, loadCfpb } from './csv.ts';
import { generateLifecycles } from './generate.ts';
import { ensureComplaintsStream, paced, publishEvents, publishRaw, STREAM_NAME } from './publish.ts';
import { timeCompressed } from './replay.ts';

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';
let server: ChildProcess;
let storeDir: string;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => done(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

beforeAll(async () => {
  storeDir = mkdtempSync(join(tmpdir(), 'sim-nats-'));
  const port = await freePort();
  server = spawn(NATS_SERVER, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((ready, fail) => {
    let log = '';
    const onData = (b: Buffer) => {
      log += b.toString();
      if (log.includes('Server is ready')) ready();
    };
    server.stdout?.on('data', onData);
    server.stderr?.on('data', onData);
    server.once('exit', (code) => fail(new Error(`nats-server exited (${code}): ${log}`)));
  });
  nc = await connect({ servers: `nats://127.0.0.1:${port}` });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
});

afterAll(async () => {
  await nc?.close();
  if (server && server.exitCode === null) {
    await new Promise<void>((done) => {
      server.once('exit', () => done());
      server.kill('SIGTERM');
    });
  }
  rmSync(storeDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await jsm.streams.delete(STREAM_NAME).catch(() => undefined);
  expect(await ensureComplaintsStream(nc, { duplicateWindowMs: 60_000 })).toBe(true);
  expect(await ensureComplaintsStream(nc)).toBe(false);
});

const complaints = loadCfpb(requireCfpbCsv()).slice(0, 400);
const events = generateLifecycles(complaints, { seed: 5, year: 2026 });

async function storedMessages(): Promise<Array<{ subject: string; msgId?: string; eventId: string }>> {
  const info = await jsm.streams.info(STREAM_NAME);
  const out = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(STREAM_NAME, { seq });
    if (!m) continue;
    out.push({ subject: m.subject, msgId: m.header?.get('Nats-Msg-Id') || undefined, eventId: (m.json() as { eventId: string }).eventId });
  }
  return out;
}

describe('publish - JetStream with a real nats-server', () => {
  it('stores each event once per Nats-Msg-Id; headerless duplicates get through as at-least-once copies', async () => {
    const stats = await publishEvents(js, events, { duplicates: 0.3, seed: 9 });
    expect(stats.published).toBe(events.length);
    expect(stats.duplicatesWithHeader).toBeGreaterThan(0);
    expect(stats.duplicatesWithoutHeader).toBeGreaterThan(0);
    expect(stats.brokerDuplicates).toBe(stats.duplicatesWithHeader);
    const stored = await storedMessages();
    expect(stored).toHaveLength(events.length + stats.duplicatesWithoutHeader);
    expect(new Set(stored.map((m) => m.eventId)).size).toBe(events.length);
    expect(stored.filter((m) => m.msgId !== undefined)).toHaveLength(events.length);
    const byId = new Map(events.map((e) => [e.eventId, e]));
    for (const m of stored) {
      expect(m.subject).toBe(`complaints.tickets.${byId.get(m.eventId)?.branch}`);
      if (m.msgId) expect(m.msgId).toBe(m.eventId);
    }
  });

  it('publishing the same events again adds nothing inside the dedup window', async () => {
    const first = await publishEvents(js, events.slice(0, 200), { maxPending: 10 });
    const again = await publishEvents(js, events.slice(0, 200));
    expect(first.brokerDuplicates).toBe(0);
    expect(again.brokerDuplicates).toBe(200);
    expect((await jsm.streams.info(STREAM_NAME)).state.messages).toBe(200);
  });

  it('paces by rate and stops on abort', async () => {
    const t0 = performance.now();
    await publishEvents(js, events.slice(0, 21), { rate: 100 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const stats = await publishEvents(js, events, { rate: 50, signal: controller.signal });
    expect(stats.published).toBeGreaterThan(2);
    expect(stats.published).toBeLessThan(30);
  });

  it('replays a compressed schedule through paced()', async () => {
    const slice = events.slice(0, 50);
    const from = new Date(Date.parse(slice[0]?.occurredAt ?? ''));
    const span = Date.parse(slice[49]?.occurredAt ?? '') - from.getTime();
    const t0 = performance.now();
    const stats = await publishEvents(js, paced(timeCompressed(slice, { from, speedup: span / 300 })));
    expect(stats.published).toBe(50);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
  });

  it('publishes raw bad payloads through JetStream and through a plain connection', async () => {
    const bad = badEvents(1);
    for (const b of bad) await publishRaw(js, `complaints.tickets.${b.subjectBranch}`, b.payload);
    await publishRaw(nc, 'complaints.tickets.BJ', 'not json', { msgID: 'raw-1' });
    await publishRaw(nc, 'complaints.tickets.BJ', 'not json', { msgID: 'raw-1' });
    const info = await jsm.streams.info(STREAM_NAME);
    expect(info.state.messages).toBe(bad.length + 1);
  });

  it('rejects when no stream captures the subject', async () => {
    await jsm.streams.delete(STREAM_NAME);
    await expect(publishEvents(js, events.slice(0, 3))).rejects.toThrow();
  });
});
