import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './errors.ts';

// The monitor's own broker (embedded mode) keeps every event as the intake published it, the
// customer's id and details in clear (audit CP1: `grep` found them in DATA_DIR/nats). It now
// encrypts its JetStream store at rest (nats-server's `jetstream { key, cipher }`), with a key
// derived from the customer-hash key: no second secret to keep, and the one there is already
// checked against the stored events before the broker starts (hash-key-check.ts). nats-server
// encrypts a store written in clear at its first start with the key ("Encrypting stream").
//
// A store encrypted with another key is not readable: nats-server then starts without its
// streams, and the monitor would make the stream anew over them. A fingerprint of the key kept
// beside the store refuses that start instead, saying what to do.

/** AES-GCM: measured as fast as ChaCha20-Poly1305 here, and accelerated on a bank's servers */
export const BROKER_STORE_CIPHER = 'aes';

const KEY_TEXT = 'complaint-monitor: embedded broker store key v1';
const FINGERPRINT_TEXT = 'complaint-monitor: embedded broker store key fingerprint v1';

/** The embedded broker's store key, from the customer-hash key (hex, 64 characters). */
export function brokerStoreKey(customerHashKey: Uint8Array): string {
  return createHmac('sha256', customerHashKey).update(KEY_TEXT).digest('hex');
}

const fingerprintOf = (storeKey: string) => createHmac('sha256', storeKey).update(FINGERPRINT_TEXT).digest('hex').slice(0, 16);

export const brokerKeyFingerprintFile = (storeDir: string) => join(storeDir, 'store-key.fingerprint');

/**
 * Throws when the store was encrypted with another key; writes nothing. Run before the ClickHouse
 * check records the customer-hash key (verify CQ2: a wrong key recorded there first, on a lost
 * `clickhouse/`, locked the right one out as well).
 */
export function verifyBrokerStoreKey(storeDir: string, storeKey: string): 'match' | 'absent' {
  const file = brokerKeyFingerprintFile(storeDir);
  if (!existsSync(file)) return 'absent';
  const fingerprint = fingerprintOf(storeKey);
  const stored = readFileSync(file, 'utf8').trim();
  if (stored === fingerprint) return 'match';
  throw new ConfigError(
    'CUSTOMER_HASH_KEY',
    `the local broker's store (${storeDir}) is encrypted with the key derived from another customer-hash key ` +
      `(fingerprint ${fingerprint}, the store's ${stored}): started so, nats-server would not read its stream back and the monitor would make it anew over it. ` +
      'Restore the customer-hash key from the backup of DATA_DIR or the secret store (docs/OPERATIONS.md, "Backup and the hash key"); ' +
      'or, to give up the messages the broker still held, move that directory aside',
  );
}

/**
 * Before the embedded broker starts: refuses a key other than the one its store was encrypted
 * with; records the key's fingerprint otherwise (first start, or a store kept in clear so far).
 */
export function checkBrokerStoreKey(storeDir: string, storeKey: string): 'match' | 'recorded' {
  if (verifyBrokerStoreKey(storeDir, storeKey) === 'match') return 'match';
  const file = brokerKeyFingerprintFile(storeDir);
  mkdirSync(storeDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  writeFileSync(tmp, `${fingerprintOf(storeKey)}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(tmp, file);
  return 'recorded';
}
