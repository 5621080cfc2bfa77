import { describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { migratedStoreForFile } from '../tests/helpers/temp-store.ts';
import type { LeaseHolder } from './lease-rules.ts';
import { StorePresence } from './presence.ts';

// The store's presence read by the real engine (sql/034's table, ages by its own clock). Right
// after a ClickHouse outage the counting monitor's rows are old only because its writes failed; a
// start through another NATS deployment then waits two renewals and reads again. The read's SQL
// kept only rows younger than the lifetime, so the start never saw them and counted beside it
// (verify BG G1).

const store = migratedStoreForFile('cewm-presence-store-');
const me: LeaseHolder = { host: 'h-me', dataDir: '/d', pid: 1, startedAt: 's', instance: 'i-me' };
const nc = {} as NatsConnection;
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

async function writeAged(instance: string, ageMs: number): Promise<void> {
  await store.ch.command({
    query: `INSERT INTO complaints.monitor_presence (instance, host, data_dir, pid, started_at, nats_deployment, written_at)
            VALUES ({instance:String}, 'h-other', '/e', 2, 's', 'nats-1', now64(3) - toIntervalMillisecond({age:UInt32}))`,
    query_params: { instance, age: ageMs },
  });
}

describe('StorePresence over the engine', () => {
  it('doubts a presence a little past the lifetime: waits two renewals, and is refused once it is written again', async () => {
    await writeAged('i-after-outage', 30_000);
    const lines: string[] = [];
    const log = { ...quiet, info: (_: unknown, msg?: string) => void lines.push(String(msg ?? _)) };
    const presence = new StorePresence(store.ch, log, { renewMs: 200, ttlMs: 15_000, aliveHere: () => false, deployment: async () => 'nats-2' });
    const starting = presence.atStart(nc, me);
    // the holder's writes succeed again while the start waits
    await new Promise((r) => setTimeout(r, 100));
    await writeAged('i-after-outage', 0);
    expect((await starting)?.instance).toBe('i-after-outage');
    expect(lines.some((l) => l.includes('waiting two renewals'))).toBe(true);
  });

});
