import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterEach, describe, expect, it } from 'vitest';
import { brokerKeyFingerprintFile, brokerStoreKey, checkBrokerStoreKey } from './broker-at-rest.ts';
import { natsServerConfig } from './natsd-config.ts';
import { freePort, startLocalNats, type LocalNats } from './natsd.ts';
import { filesText } from '../tests/helpers/files-text.ts';

// The embedded broker's JetStream store holds every event as published, customer ids in clear
// (audit CP1): it is encrypted at rest with a key from the customer-hash key, a store kept in
// clear by an earlier version is encrypted as it is read back, and a start with another key is
// refused before nats-server could lose the stream.

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'cewm-at-rest-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const CUSTOMER = 'cust-SECRET-4711';
const hashKey = Buffer.from('a'.repeat(64), 'utf8');

async function withBroker<T>(storeDir: string, port: number, storeKey: string | undefined, use: (nats: LocalNats) => Promise<T>): Promise<T> {
  const nats = await startLocalNats({ storeDir, port, embedded: { storeKey } });
  try {
    return await use(nats);
  } finally {
    await nats.stop();
  }
}

async function publishTicket(url: string, makeStream: boolean, n: number) {
  const nc = await connect({ servers: url });
  if (makeStream) await (await jetstreamManager(nc)).streams.add({ name: 'TICKETS', subjects: ['tickets.>'] });
  await jetstream(nc).publish('tickets.a', JSON.stringify({ eventId: `e${n}`, customerId: CUSTOMER }));
  await nc.close();
}

async function storedTickets(url: string): Promise<string[]> {
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  const { messages } = (await jsm.streams.info('TICKETS')).state;
  const out: string[] = [];
  for (let seq = 1; seq <= messages; seq++) out.push((await jsm.streams.getMessage('TICKETS', { seq }))!.string());
  await nc.close();
  return out;
}

describe('broker-at-rest - the key and its fingerprint', () => {
  it('derives one 64-hex key per customer-hash key', () => {
    expect(brokerStoreKey(hashKey)).toMatch(/^[0-9a-f]{64}$/);
    expect(brokerStoreKey(hashKey)).toBe(brokerStoreKey(Buffer.from('a'.repeat(64))));
    expect(brokerStoreKey(Buffer.from('b'.repeat(64)))).not.toBe(brokerStoreKey(hashKey));
  });

  it('records the fingerprint (owner-only) at the first start, matches it after, refuses another key naming what to do', () => {
    const storeDir = join(tempDir(), 'nats');
    expect(checkBrokerStoreKey(storeDir, brokerStoreKey(hashKey))).toBe('recorded');
    const file = brokerKeyFingerprintFile(storeDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const kept = readFileSync(file, 'utf8');
    expect(checkBrokerStoreKey(storeDir, brokerStoreKey(hashKey))).toBe('match');
    expect(() => checkBrokerStoreKey(storeDir, brokerStoreKey(Buffer.from('other')))).toThrow(
      /^CUSTOMER_HASH_KEY: the local broker's store .* is encrypted with the key derived from another customer-hash key .*Restore the customer-hash key .*move that directory aside/,
    );
    expect(readFileSync(file, 'utf8')).toBe(kept);
  });

  it("is written into the broker's configuration with the cipher", () => {
    const text = natsServerConfig({ port: 4222, storeDir: '/d/nats', pidFile: '/d/nats/p', storeKey: 'k'.repeat(64) });
    expect(text).toContain(`jetstream { store_dir: "/d/nats", key: "${'k'.repeat(64)}", cipher: "aes" }`);
  });
});

describe('broker-at-rest - a real nats-server', () => {
  it('keeps no customer id in clear on disk, and reads its messages back after a restart', async () => {
    const storeDir = tempDir();
    const port = await freePort();
    const key = brokerStoreKey(hashKey);
    await withBroker(storeDir, port, key, (nats) => publishTicket(nats.url, true, 1));
    expect(filesText(storeDir)).not.toContain(CUSTOMER);
    await withBroker(storeDir, port, key, async (nats) => {
      expect(await storedTickets(nats.url)).toEqual([JSON.stringify({ eventId: 'e1', customerId: CUSTOMER })]);
    });
  }, 60_000);

  it('encrypts a store an earlier version kept in clear, keeping every message', async () => {
    const storeDir = tempDir();
    const port = await freePort();
    await withBroker(storeDir, port, undefined, (nats) => publishTicket(nats.url, true, 1));
    expect(filesText(storeDir)).toContain(CUSTOMER); // the earlier version's store, in clear
    const key = brokerStoreKey(hashKey);
    await withBroker(storeDir, port, key, async (nats) => {
      await publishTicket(nats.url, false, 2);
      expect(await storedTickets(nats.url)).toHaveLength(2);
    });
    expect(filesText(storeDir)).not.toContain(CUSTOMER);
  }, 60_000);
});
