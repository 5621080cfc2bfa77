import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouseHttp, type TestClickHouseHttp } from './clickhouse-http.ts';

// The stand-in for a ClickHouse server (clickhouse-http-server.ts) over HTTP, as the monitor's
// server mode and its tests use it. An audit: after a failed query, the next request's answer,
// whoever sent it, began with the failed query's JSON header, so a server-mode test could read a
// corrupted answer (the monitor answered 500 to a dead-letter list after an analyst's bad query).

let ch: TestClickHouseHttp;

async function post(query: string, settings = ''): Promise<{ status: number; text: string }> {
  const res = await fetch(`${ch.url}/${settings}`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${ch.user}:${ch.password}`).toString('base64')}` },
    body: query,
  });
  return { status: res.status, text: await res.text() };
}

const only42 = (text: string) => (JSON.parse(text) as { data: unknown[] }).data;

beforeAll(async () => {
  ch = await startClickHouseHttp();
});

afterAll(async () => {
  await ch?.cleanup();
});

describe('clickhouse-http stand-in - after a failed query', () => {
  it.each([
    ['fails at once', 'SELECT throwIf(1) FORMAT JSON'],
    ['fails after some rows', 'SELECT throwIf(number = 5) FROM numbers(10) FORMAT JSON'],
  ])('the next answer is clean: a query that %s', async (_what, failing) => {
    const failed = await post(failing);
    expect(failed.status).toBe(500);
    expect(failed.text).toMatch(/^Code: 395\. DB::Exception: .*\(FUNCTION_THROW_IF_VALUE_IS_NON_ZERO\)/);
    const next = await post('SELECT 42 FORMAT JSON');
    expect(next.status).toBe(200);
    expect(next.text).not.toContain('throwIf');
    expect(only42(next.text)).toEqual([{ '42': 42 }]);
  });

  it('requests sent together are answered one at a time, each with its own answer', async () => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => post(i % 3 === 0 ? 'SELECT throwIf(number = 3) FROM numbers(10) FORMAT JSON' : `SELECT ${i} AS n FORMAT JSON`)),
    );
    answers.forEach((a, i) => {
      if (i % 3 === 0) expect(a.status).toBe(500);
      else expect({ status: a.status, data: (JSON.parse(a.text) as { data: unknown[] }).data }).toEqual({ status: 200, data: [{ n: i }] });
    });
  });

  it('applies settings in the URL to their request only, as a server does: a read-only request leaves the next write alone', async () => {
    expect((await post('CREATE TABLE default.after_readonly (x UInt8) ENGINE = Memory')).status).toBe(200);
    const readonly = await post("SELECT getSetting('readonly') AS r FORMAT JSON", '?readonly=1&max_result_rows=10');
    expect({ status: readonly.status, data: only42(readonly.text) }).toEqual({ status: 200, data: [{ r: 1 }] });
    expect((await post('INSERT INTO default.after_readonly VALUES (1)', '?readonly=1')).text).toMatch(/readonly mode/);
    expect((await post('INSERT INTO default.after_readonly VALUES (1)')).status).toBe(200);
    expect(only42((await post("SELECT getSetting('readonly') AS r, count() AS n FROM default.after_readonly FORMAT JSON")).text)).toEqual([{ r: 0, n: 1 }]);
  });
});
