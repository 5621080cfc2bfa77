import type { ClickHouseClient } from '@clickhouse/client';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openClickHouse } from './clickhouse.ts';
import { checkHashKey, HashKeyMismatchError, keyFingerprint } from './hash-key-check.ts';

const KEY_A = Buffer.from('first-key-8c1f0e', 'utf8');
const KEY_B = Buffer.from('second-key-77aa01', 'utf8');
let ch: ClickHouseClient;

beforeAll(async () => {
  ch = await openClickHouse({ dataDir: join(mkdtempSync(join(tmpdir(), 'cewm-hashkey-')), 'clickhouse') });
  await migrate(ch);
});

afterAll(async () => {
  await ch?.close();
});

describe('customer-hash key check', () => {
  it('fingerprints a key in 16 hex digits that do not reveal it', () => {
    expect(keyFingerprint(KEY_A)).toMatch(/^[0-9a-f]{16}$/);
    expect(keyFingerprint(KEY_A)).toBe(keyFingerprint(Buffer.from('first-key-8c1f0e')));
    expect(keyFingerprint(KEY_A)).not.toBe(keyFingerprint(KEY_B));
    expect(keyFingerprint(KEY_A)).not.toContain(KEY_A.toString('hex').slice(0, 8));
  });

  it('records the first key, accepts it again, and refuses another one, naming both fingerprints only', async () => {
    expect(await checkHashKey(ch, KEY_A, Date.UTC(2026, 0, 1))).toBe('recorded');
    expect(await checkHashKey(ch, KEY_A, Date.UTC(2026, 0, 2))).toBe('match');
    const err = await checkHashKey(ch, KEY_B, Date.UTC(2026, 0, 3)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HashKeyMismatchError);
    const message = (err as Error).message;
    expect(message).toContain(keyFingerprint(KEY_A));
    expect(message).toContain(keyFingerprint(KEY_B));
    expect(message).not.toContain('first-key');
    expect(message).not.toContain('second-key');
    // the refused key left no record: the first key still matches
    expect(await checkHashKey(ch, KEY_A, Date.UTC(2026, 0, 4))).toBe('match');
  });
});
