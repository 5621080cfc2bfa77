import type { ClickHouseClient } from '@clickhouse/client';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerKeyFingerprintFile, brokerStoreKey, checkBrokerStoreKey } from './broker-at-rest.ts';
import { migrate, openClickHouse } from './clickhouse.ts';
import { checkStoreKeys, keyFingerprint } from './hash-key-check.ts';
import { natsStoreDir } from './natsd.ts';

// Verify CQ2: with `clickhouse/` lost and `nats/` kept, a start with a wrong customer-hash key
// recorded that key in the empty ClickHouse before the broker's store refused it, and from then
// on the right key was refused as well. Both stores are checked before either records a key.

const RIGHT = Buffer.from('right-key-0c1f0e', 'utf8');
const WRONG = Buffer.from('wrong-key-77aa01', 'utf8');
const quiet = { info() {} };
let dataDir: string;
let ch: ClickHouseClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cewm-store-keys-'));
  ch = await openClickHouse({ dataDir: join(dataDir, 'clickhouse') });
  await migrate(ch);
  // the broker's store kept from before, encrypted with the right key's
  checkBrokerStoreKey(natsStoreDir(dataDir), brokerStoreKey(RIGHT));
});

afterAll(async () => {
  await ch?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const recorded = async () => (await (await ch.query({ query: 'SELECT fingerprint FROM complaints.customer_hash_key', format: 'JSONEachRow' })).json<{ fingerprint: string }>()).map((r) => r.fingerprint);

describe('store keys - both checked before either is recorded', () => {
  it('a wrong key refused by the broker\'s store leaves the empty ClickHouse unrecorded; the right key starts', async () => {
    await expect(checkStoreKeys(ch, WRONG, Date.UTC(2026, 0, 1), { dataDir }, quiet)).rejects.toThrow(/^CUSTOMER_HASH_KEY: the local broker's store/);
    expect(await recorded()).toEqual([]);
    await checkStoreKeys(ch, RIGHT, Date.UTC(2026, 0, 2), { dataDir }, quiet);
    expect(await recorded()).toEqual([keyFingerprint(RIGHT)]);
  });

  it('with a broker of its own (NATS_URL) the local store is not asked: ClickHouse refuses the wrong key', async () => {
    await expect(checkStoreKeys(ch, WRONG, Date.UTC(2026, 0, 3), { dataDir, natsUrl: 'nats://elsewhere:4222' }, quiet)).rejects.toThrow(/stored events were hashed with/);
    expect(existsSync(brokerKeyFingerprintFile(natsStoreDir(dataDir)))).toBe(true);
  });
});
