import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The key of the customer-id hash. Changing it changes every customer's hash, so it is generated
 * once and kept in the data directory (mode 0600) unless the environment provides one.
 */
export function customerHashKey(dataDir: string, fromEnv?: string): Uint8Array {
  if (fromEnv) return Buffer.from(fromEnv, 'utf8');
  const file = join(dataDir, 'customer-hash.key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8');
}

/**
 * A warning for a CUSTOMER_HASH_KEY short enough to guess: with the key, a stored hash can be
 * tested against guessed phone or ID numbers. The generated key is 64 hex characters.
 */
export function weakHashKey(fromEnv: string | undefined): string | undefined {
  if (fromEnv === undefined || fromEnv.length >= 32) return undefined;
  return `CUSTOMER_HASH_KEY has ${fromEnv.length} characters: use at least 32 random ones (e.g. openssl rand -hex 32); a short key can be guessed, and with it customers' hashes tested against guessed numbers`;
}
