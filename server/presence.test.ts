import { describe, expect, it } from 'vitest';
import type { ClickHouseClient } from '@clickhouse/client';
import type { NatsConnection } from '@nats-io/nats-core';
import type { LeaseHolder } from './lease-rules.ts';
import { StorePresence } from './presence.ts';

// The store's presence when ClickHouse is away: an outage alone never stops counting (event
// writes already pause), and a presence that cannot be read at start is no presence.

const me: LeaseHolder = { host: 'h-me', dataDir: '/d', pid: 1, startedAt: 's', instance: 'i-me' };
const other = { instance: 'i-other', host: 'h-other', data_dir: '/e', pid: 2, started_at: 's', nats_deployment: 'nats-1', released: 0, age_ms: '100', first_ms: '1' };

function fakeStore() {
  const store = { down: false, attempts: 0, inserts: [] as Array<Record<string, unknown>>, reads: 0, rows: [] as object[] };
  const refuse = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:8123'));
  const client = {
    insert: (p: { values: Array<Record<string, unknown>> }) => (store.attempts++, store.down ? refuse() : (store.inserts.push(...p.values), Promise.resolve())),
    query: () => (store.down ? refuse() : (store.reads++, Promise.resolve({ json: async () => store.rows }))),
  } as unknown as ClickHouseClient;
  return { store, client };
}

function fakeLog() {
  const lines: string[] = [];
  const at = (level: string) => (_: object | string, msg?: string) => void lines.push(`${level} ${msg ?? _}`);
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } };
}

const until = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
};
const opts = { renewMs: 10, ttlMs: 15_000, aliveHere: () => false, deployment: async () => 'nats-2' };
const nc = {} as NatsConnection;

describe('StorePresence with ClickHouse away', () => {
  it('a presence that cannot be read at start is no presence: the start goes on, and says so', async () => {
    const { store, client } = fakeStore();
    const { lines, log } = fakeLog();
    store.down = true;
    expect(await new StorePresence(client, log, opts).atStart(nc, me)).toBeUndefined();
    expect(lines.filter((l) => l.startsWith('warn'))).toEqual([
      'warn presence of other monitors in ClickHouse not readable at start; starting as if there were none',
      'warn presence not written to ClickHouse; counting goes on, written again at the next renewal',
    ]);
  });

  it('refused writes are logged once and written again; nobody is yielded to meanwhile; the release row comes last', async () => {
    const { store, client } = fakeStore();
    const { lines, log } = fakeLog();
    const presence = new StorePresence(client, log, opts);
    expect(await presence.atStart(nc, me)).toBeUndefined();
    const yielded: LeaseHolder[] = [];
    presence.follow((h) => yielded.push(h));
    await until('a renewal', () => store.inserts.length >= 2);
    store.down = true;
    const failuresFrom = lines.length;
    const attempts = store.attempts;
    await until('several failed renewals', () => store.attempts >= attempts + 5);
    expect(lines.slice(failuresFrom)).toEqual(['warn presence not written to ClickHouse; counting goes on, written again at the next renewal']);
    store.down = false;
    await until('the presence written again', () => lines.includes('info presence written to and read from ClickHouse again'));
    expect(yielded).toEqual([]);
    await presence.release();
    expect(store.inserts.at(-1)).toMatchObject({ instance: 'i-me', released: 1, nats_deployment: 'nats-2' });
    const after = store.attempts;
    await new Promise((r) => setTimeout(r, 50)); // five renewal periods: none writes a presence after its release
    expect(store.attempts).toBe(after);
  });

  it('refuses a start beside a fresh presence through another NATS, and yields once one that started earlier is read', async () => {
    const { store, client } = fakeStore();
    const { log } = fakeLog();
    store.rows = [other];
    expect(await new StorePresence(client, log, opts).atStart(nc, me)).toMatchObject({ instance: 'i-other', host: 'h-other' });
    expect(store.inserts).toEqual([]); // a refused start leaves no presence

    store.rows = [];
    const presence = new StorePresence(client, log, opts);
    expect(await presence.atStart(nc, me)).toBeUndefined();
    const yielded: LeaseHolder[] = [];
    presence.follow((h) => yielded.push(h));
    store.rows = [{ ...other, instance: 'i-me', host: 'h-me', nats_deployment: 'nats-2', first_ms: '5' }, other];
    await until('the yield', () => yielded.length > 0);
    expect(yielded[0]).toMatchObject({ instance: 'i-other' });
    await presence.release();
  });
});
