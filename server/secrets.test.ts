import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { customerHashKey, existingCustomerHashKey, weakHashKey } from './secrets.ts';

describe('secrets - the customer-hash key', () => {
  it('warns of a key short enough to guess (a privacy audit started the monitor with "audit")', () => {
    expect(weakHashKey('audit')).toMatch(/CUSTOMER_HASH_KEY has 5 characters: use at least 32/);
    expect(weakHashKey('a'.repeat(64))).toBeUndefined();
    expect(weakHashKey(undefined)).toBeUndefined(); // generated: 64 hex characters
  });

  it('the monitor generates the key file once; the tools only read it or the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cewm-secrets-'));
    expect(existingCustomerHashKey(dir, undefined)).toBeUndefined();
    expect(existsSync(join(dir, 'customer-hash.key'))).toBe(false);
    expect(Buffer.from(existingCustomerHashKey(dir, 'from-env')!).toString()).toBe('from-env');
    const made = customerHashKey(dir, undefined);
    expect(Buffer.from(made).toString()).toBe(readFileSync(join(dir, 'customer-hash.key'), 'utf8'));
    expect(existingCustomerHashKey(dir, undefined)).toEqual(made);
    expect(customerHashKey(dir, undefined)).toEqual(made);
  });
});
