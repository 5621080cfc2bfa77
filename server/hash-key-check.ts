import type { ClickHouseClient } from '@clickhouse/client';
import { createHmac } from 'node:crypto';
import { chTime } from '../pipelines/sinks/clickhouse-time.ts';
import { brokerStoreKey, verifyBrokerStoreKey } from './broker-at-rest.ts';
import { natsStoreDir } from './natsd.ts';

// The customer hash is only a distinct-customer key while every stored hash came from one key.
// The first start records the key's fingerprint next to the events; every later start (and the
// replay, which hashes stream events too) compares before it counts anything.

const FINGERPRINT_TEXT = 'complaint-monitor: customer-hash key fingerprint v1';

/** 16 hex digits that identify the key without revealing it. */
export function keyFingerprint(key: Uint8Array): string {
  return createHmac('sha256', key).update(FINGERPRINT_TEXT).digest('hex').slice(0, 16);
}

export class HashKeyMismatchError extends Error {
  constructor(readonly stored: string, readonly given: string) {
    super(
      `the customer-hash key (CUSTOMER_HASH_KEY, or DATA_DIR/customer-hash.key) is not the one the stored events were hashed with ` +
        `(fingerprint ${given}, stored ${stored}); counting with it would count every returning customer twice. ` +
        'Restore the key from the backup of DATA_DIR or the secret store (docs/OPERATIONS.md, "Backup and the hash key")',
    );
    this.name = 'HashKeyMismatchError';
  }
}

/**
 * Throws HashKeyMismatchError when the store has a fingerprint of another key; records this key's
 * when it has none. Returns what it found: 'match', or 'recorded' (a new store, or one written by
 * a version before the check, whose key cannot be verified any more).
 */
export async function checkHashKey(clickhouse: ClickHouseClient, key: Uint8Array, nowMs: number): Promise<'match' | 'recorded'> {
  const given = keyFingerprint(key);
  const rs = await clickhouse.query({ query: 'SELECT fingerprint FROM complaints.customer_hash_key ORDER BY recorded_at LIMIT 1', format: 'JSONEachRow' });
  const stored = (await rs.json<{ fingerprint: string }>())[0]?.fingerprint;
  if (stored === undefined) {
    await clickhouse.insert({ table: 'complaints.customer_hash_key', values: [{ fingerprint: given, recorded_at: chTime(nowMs) }], format: 'JSONEachRow' });
    return 'recorded';
  }
  if (stored !== given) throw new HashKeyMismatchError(stored, given);
  return 'match';
}

/**
 * Both stores' keys, checked before either records one: the embedded broker's store (a key
 * derived from this one, broker-at-rest.ts) only verified here, recorded when the broker starts;
 * then ClickHouse's, recorded when it has none.
 */
export async function checkStoreKeys(
  clickhouse: ClickHouseClient,
  key: Uint8Array,
  nowMs: number,
  config: { natsUrl?: string; dataDir: string },
  log: { info(msg: string): void },
): Promise<void> {
  if (!config.natsUrl) verifyBrokerStoreKey(natsStoreDir(config.dataDir), brokerStoreKey(key));
  if ((await checkHashKey(clickhouse, key, nowMs)) === 'recorded') log.info('customer-hash key fingerprint recorded in ClickHouse; later starts check it');
}
