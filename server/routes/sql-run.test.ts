import type { ClickHouseClient } from '@clickhouse/client';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClickHouse } from '../clickhouse.ts';
import { HttpError } from '../errors.ts';
import { analystSettings, csvRecordCount, runAnalystQuery, SQL_LIMITS } from './sql-run.ts';

// The analysts' SQL on the real engine (chdb, in this process): what holds when the guard
// (sql-guard.ts) is skipped, and the limits and exactness of every answer.

let dir: string;
let admin: ClickHouseClient;
let analyst: ClickHouseClient;
/** a lane of its own: on the embedded engine an analyst lane's limits, once readonly, stay as they are */
let tight: ClickHouseClient;
let secret: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cewm-sqlrun-'));
  secret = join(dir, 'secret.txt');
  writeFileSync(secret, 'CUSTOMER_HASH_KEY=not-for-analysts\n');
  const dataDir = join(dir, 'clickhouse');
  admin = await openClickHouse({ dataDir });
  analyst = await openClickHouse({ dataDir, lane: 'analyst' });
  tight = await openClickHouse({ dataDir, lane: 'tight' });
  await admin.command({ query: 'CREATE TABLE default.probe (x UInt8) ENGINE = MergeTree ORDER BY x' });
});

afterAll(async () => {
  await Promise.all([admin?.close(), analyst?.close(), tight?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const probeRows = async () => Number((await (await admin.query({ query: 'SELECT count() AS n FROM default.probe', format: 'JSONEachRow' })).json<{ n: string }>())[0]!.n);

/** The engine's answer, or its error; a failed query's leftovers are drained (as AnalystLane does). */
async function attempt<T>(client: ClickHouseClient, run: () => Promise<T>): Promise<T | Error> {
  try {
    return await run();
  } catch (err) {
    await client.query({ query: 'SELECT 1', format: 'JSON' }).then((r) => r.text()).catch(() => undefined);
    return err as Error;
  }
}

describe('analyst sql - with the guard skipped, the engine still refuses', () => {
  const run = (sql: string) => attempt(analyst, () => runAnalystQuery(analyst, sql, 'json'));

  it("refuses the audit's bypass texts by the engine's own reading: a second statement, a system table", async () => {
    for (const text of [
      "SELECT 1 AS a /* /* */ ' */ ; SELECT getSetting($$readonly$$) AS ro; SELECT 2 AS b --'",
      `SELECT 1 AS a /* /* */ ' */ ; SELECT * FROM file($$${secret}$$, $$RawBLOB$$); SELECT 2 AS b --'`,
      "SELECT 1 AS a /* /* */ ' */ ; INSERT INTO default.probe VALUES (1); SELECT 2 AS b --'",
      "SELECT 1 AS a /* /* */ ' */ , (SELECT groupArray(name) FROM system.tables WHERE database = $$complaints$$) AS t --'",
    ]) {
      const answer = await run(text);
      expect(answer, text).toBeInstanceOf(HttpError);
      expect((answer as HttpError).statusCode).toBe(400);
      expect((answer as Error).message).not.toContain('not-for-analysts');
    }
    expect(await probeRows()).toBe(0);
  });

  it('refuses reading a file and writing one, which readonly = 1 alone lets through', async () => {
    const outfile = join(dir, 'out.csv');
    for (const text of [`SELECT file('${secret}') AS f`, `SELECT * FROM file('${secret}', 'RawBLOB')`, `SELECT 1 AS x INTO OUTFILE '${outfile}'`]) {
      const answer = await run(text);
      expect(answer, text).toBeInstanceOf(HttpError);
      expect(JSON.stringify(answer)).not.toContain('not-for-analysts');
    }
    expect(existsSync(outfile)).toBe(false);
  });

  it('runs every statement of a text read-only, with the limits, from its first one', async () => {
    const settings = analystSettings();
    for (const text of [
      'SELECT 1; INSERT INTO default.probe VALUES (1); SELECT 2',
      'CREATE TABLE default.made (x UInt8) ENGINE = Memory',
      'SELECT 1; SET readonly = 0; SELECT 2',
      `SELECT * FROM file('${secret}', 'RawBLOB')`,
      "SELECT * FROM url('http://127.0.0.1:9/x', 'RawBLOB')",
    ]) {
      const answer = await attempt(analyst, async () => (await analyst.query({ query: text, format: 'JSONEachRow', clickhouse_settings: settings })).text());
      expect(answer, text).toBeInstanceOf(Error);
      expect((answer as Error).message, text).toMatch(/readonly/i);
    }
    expect(await probeRows()).toBe(0);
    const now = await (await analyst.query({ query: "SELECT getSetting('readonly') AS r, getSetting('max_result_rows') AS m", format: 'JSONEachRow', clickhouse_settings: settings })).json<{ r: unknown; m: unknown }>();
    expect(now.map(({ r, m }) => [Number(r), Number(m)])).toEqual([[1, SQL_LIMITS.maxResultRows]]);
  });
});

describe('analyst sql - the result limit holds for every format', () => {
  const limits = { ...SQL_LIMITS, maxResultRows: 10 };

  it('counts CSV rows, not line breaks inside strings', () => {
    expect(csvRecordCount('')).toBe(0);
    expect(csvRecordCount('"a","b"\n1,"x"\n')).toBe(2);
    expect(csvRecordCount('"a"\n"line\none"\n"say ""hi""\n"\n')).toBe(3);
    expect(csvRecordCount('"a"\n1')).toBe(2);
  });

  it('refuses a CSV or JSON answer past the limit, one block or several (422)', async () => {
    for (const format of ['csv', 'json'] as const) {
      for (const text of ['SELECT arrayJoin(range(200)) AS n', "SELECT arrayJoin(range(6)) AS n, 'a\nb' AS s UNION ALL SELECT arrayJoin(range(6)), 'c'"]) {
        const answer = await attempt(tight, () => runAnalystQuery(tight, text, format, limits));
        expect(answer, `${format}: ${text}`).toBeInstanceOf(HttpError);
        expect(answer).toMatchObject({ statusCode: 422, code: 'QUERY_LIMIT', message: expect.stringMatching(/more than the 10 rows allowed/) });
      }
    }
    // the engine itself stops one row past the limit: no answer is held whole before it is refused
    const raw = await (await tight.query({ query: 'SELECT arrayJoin(range(200)) AS n', format: 'CSV', clickhouse_settings: analystSettings(limits) })).text();
    expect(csvRecordCount(raw)).toBe(11);
    // at the limit, with line breaks in its strings: whole
    const csv = await runAnalystQuery(tight, "SELECT arrayJoin(range(10)) AS n, 'two\nlines' AS s", 'csv', limits);
    expect(csv.format === 'csv' && csv.text.split('\n').length).toBe(22);
  });
});

describe('analyst sql - JSON answers are exact', () => {
  it('gives 64-bit and larger integers and decimals as strings, also inside arrays, maps and tuples', async () => {
    const answer = await runAnalystQuery(
      analyst,
      "SELECT toUInt64('9007199254740993') AS u64, toInt64('-9007199254740993') AS i64, cityHash64('a') AS h, toInt128('170141183460469231731687303715884105727') AS i128, toUInt256('115792089237316195423570985008687907853269984665640564039457584007913129639935') AS u256, toDecimal64('12345678901234.5678', 4) AS d64, toDecimal128('0.1', 30) AS d128, [toUInt64('18446744073709551615')] AS arr, map('k', toUInt64('9007199254740993')) AS m, tuple(toUInt64('9007199254740993'), 1.5) AS t, toUInt32(7) AS u32, 0.1 AS f",
      'json',
    );
    expect(answer.format === 'json' && answer.data).toEqual([
      {
        u64: '9007199254740993', i64: '-9007199254740993', h: '2603192927274642682', i128: '170141183460469231731687303715884105727',
        u256: '115792089237316195423570985008687907853269984665640564039457584007913129639935', d64: '12345678901234.5678', d128: '0.1',
        arr: ['18446744073709551615'], m: { k: '9007199254740993' }, t: ['9007199254740993', 1.5], u32: 7, f: 0.1,
      },
    ]);
  });
});
