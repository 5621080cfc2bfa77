import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openClickHouse } from './clickhouse.ts';

// Audit CO3 (a SIGSEGV at a stop during the start's derivation, CI): the embedded engine tears a
// connection down only once the queries still running on it end, after close() has returned, and
// the monitor then exits. A close now returns only once the engine has no query running.

describe('embedded ClickHouse - close', () => {
  it('returns only once the queries still running on the engine have ended', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cewm-ch-close-'));
    const ch = await openClickHouse({ dataDir: dir });
    try {
      let queryEnded = 0;
      // a query of about a second or more on this machine
      const running = ch.query({ query: 'SELECT count() FROM (SELECT arrayJoin(range(12000)) AS a) AS l CROSS JOIN (SELECT arrayJoin(range(12000)) AS b) AS r WHERE cityHash64(a, b) % 7 = 1', format: 'JSONEachRow' })
        .then((rs) => rs.json(), () => undefined)
        .finally(() => (queryEnded = performance.now()));
      await new Promise((r) => setTimeout(r, 200)); // under way in the engine
      await ch.close();
      const closedAt = performance.now();
      await running;
      expect(queryEnded).toBeGreaterThan(0);
      // the close came back after the engine was done with the query (its promise settles a turn later)
      expect(closedAt).toBeGreaterThanOrEqual(queryEnded - 50);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
