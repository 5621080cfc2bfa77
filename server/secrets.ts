import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The key of the customer-id hash. Changing it changes every customer's hash, so it is generated
 * once and kept in the data directory (mode 0600) unless the environment provides one.
 */
export function customerHashKey(dataDir: string, fromEnv?: string): Uint8Array {
  const file = join(dataDir, 'customer-hash.key');
  if (!fromEnv && !existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  return existingCustomerHashKey(dataDir, fromEnv)!;
}

/**
 * The key as customerHashKey finds it, or undefined when there is none yet: never generates one.
 * For the tools (replay): a key they made up would be refused by the stored fingerprint anyway,
 * and the file left behind would then be taken by the next monitor started on that DATA_DIR.
 */
export function existingCustomerHashKey(dataDir: string, fromEnv?: string): Uint8Array | undefined {
  if (fromEnv) return Buffer.from(fromEnv, 'utf8');
  const file = join(dataDir, 'customer-hash.key');
  return existsSync(file) ? Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8') : undefined;
}

/**
 * A warning for a CUSTOMER_HASH_KEY short enough to guess: with the key, a stored hash can be
 * tested against guessed phone or ID numbers. The generated key is 64 hex characters.
 */
export function weakHashKey(fromEnv: string | undefined): string | undefined {
  if (fromEnv === undefined || fromEnv.length >= 32) return undefined;
  return `CUSTOMER_HASH_KEY has ${fromEnv.length} characters: use at least 32 random ones (e.g. openssl rand -hex 32); a short key can be guessed, and with it customers' hashes tested against guessed numbers`;
}
