import { describe, expect, it } from 'vitest';
import { weakHashKey } from './secrets.ts';

describe('secrets - the customer-hash key', () => {
  it('warns of a key short enough to guess (a privacy audit started the monitor with "audit")', () => {
    expect(weakHashKey('audit')).toMatch(/CUSTOMER_HASH_KEY has 5 characters: use at least 32/);
    expect(weakHashKey('a'.repeat(64))).toBeUndefined();
    expect(weakHashKey(undefined)).toBeUndefined(); // generated: 64 hex characters
  });
});
