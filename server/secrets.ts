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
