import type { ClickHouseClient } from '@clickhouse/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { migrate, openClickHouse } from '../../server/clickhouse.ts';

export interface TempStore {
  /** the migrated embedded engine, open from the file's beforeAll to its afterAll */
  ch: ClickHouseClient;
  /** the file's temporary directory; the engine's data is under clickhouse/ */
  dir: string;
}

/**
 * A migrated embedded ClickHouse of its own for one test file, removed at the file's end. One
 * process holds one chdb data directory at a time, so a file opens one, once, and closes it.
 */
export function migratedStoreForFile(prefix: string): TempStore {
  const store = { dir: mkdtempSync(join(tmpdir(), prefix)) } as TempStore;
  beforeAll(async () => {
    store.ch = await openClickHouse({ dataDir: join(store.dir, 'clickhouse') });
    await migrate(store.ch);
  });
  afterAll(async () => {
    await store.ch?.close();
    rmSync(store.dir, { recursive: true, force: true });
  });
  return store;
}
