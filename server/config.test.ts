import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('config - the environment', () => {
  // An audit: a malformed SQL_MAX_* was silently replaced by its default, where every other
  // variable stops the start with its name.
  it('refuses a malformed analysts\' SQL limit by name, like every other variable', () => {
    const DATA_DIR = mkdtempSync(join(tmpdir(), 'cewm-config-'));
    expect(() => loadConfig({ DATA_DIR, SQL_MAX_RESULT_ROWS: 'lots' })).toThrow(/SQL_MAX_RESULT_ROWS.*must be an integer/);
    expect(() => loadConfig({ DATA_DIR, SQL_MAX_CONCURRENT: '0' })).toThrow(/SQL_MAX_CONCURRENT/);
    expect(() => loadConfig({ DATA_DIR, SQL_MAX_MEMORY_BYTES: '1000' })).toThrow(/SQL_MAX_MEMORY_BYTES/);
    expect(loadConfig({ DATA_DIR, SQL_MAX_RESULT_ROWS: '5000' }).dataDir).toBe(DATA_DIR);
  });
});
