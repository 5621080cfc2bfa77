import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { join } from 'node:path';
import { ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';

// POST /api/sql against what a privacy and hardening audit did to it: a heredoc that led the
// guard to read code as a string (a supervisor wrote tables and read the monitor's environment),
// a query that took 6 GB of the monitor's memory, and, in open local mode, a page on another site
// running SQL through a browser on the monitor's machine; and a nested comment (ClickHouse nests
// /* */, the guard did not) that hid whole statements from the guard, run without readonly.

const SUP = 'supervisor-token-0123456789';
const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
let nats: TestNats;
let monitor: MonitorProcess;
let open: MonitorProcess;

async function sql(m: MonitorProcess, query: string, headers: Record<string, string> = { authorization: `Bearer ${SUP}`, 'content-type': 'application/json' }, format = 'json') {
  const res = await fetch(`${m.baseUrl}/api/sql?format=${format}`, { method: 'POST', headers, body: headers['content-type'] === 'application/json' ? JSON.stringify({ query }) : query });
  const text = await res.text();
  return { status: res.status, text, body: (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : {}) as { error?: string; message?: string; rows?: Array<Record<string, unknown>> } };
}

beforeAll(async () => {
  nats = await startTestNats();
  [monitor, open] = await Promise.all([
    startMonitor({ NATS_URL: nats.url, PLAN, MONITOR_TOKENS: `${SUP}:supervisor`, CONSUMER_NAME: 'abuse-a' }),
    startMonitor({ NATS_URL: nats.url, PLAN, CONSUMER_NAME: 'abuse-b' }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([monitor?.kill(), open?.kill()]);
  await nats?.cleanup();
});

describe('analyst sql - abuse', () => {
  it('refuses heredoc strings, so no statement hides behind one', async () => {
    for (const q of [
      "SELECT $$'$$ AS a, name FROM system.tables LIMIT 3 -- '",
      "SELECT $$'$$ AS a; CREATE TABLE complaints.abuse_probe (x UInt8) ENGINE = Memory; SELECT 1 AS b -- '",
      "SELECT $t$'$t$ AS a; INSERT INTO complaints.abuse_probe SELECT * FROM file('/proc/self/environ','RawBLOB') -- '",
    ]) {
      const r = await sql(monitor, q);
      expect(r.status, q).toBe(400);
      expect(r.body.message).toMatch(/heredoc/);
    }
    const probe = await sql(monitor, 'SELECT count() AS n FROM complaints.abuse_probe');
    expect(probe.status).toBe(400);
    expect(probe.body.message).toMatch(/abuse_probe/); // it does not exist
  });

  it("refuses the nested-comment bypass texts of the audit (400): no hidden statement runs, reads the environment or writes", async () => {
    // test-artifacts/scratch/auditU/bypass.sh, as sent there (text/plain, CSV)
    const hidden = (statement: string) => `SELECT 1 AS a /* /* */ ' */ ; ${statement}; SELECT 2 AS b --'`;
    const texts = [
      hidden('SELECT getSetting($$readonly$$) AS ro'),
      hidden('SELECT arrayJoin(splitByChar(char(0), * )) AS kv FROM file($$/proc/self/environ$$, $$RawBLOB$$) WHERE kv LIKE $$%TOKENS%$$ OR kv LIKE $$%HASH_KEY%$$'),
      hidden('INSERT INTO complaints.weekly_reports (plan_year, week, generated_at, body) VALUES (2026, 1, now64(3), $${"forged":true}$$)'),
      "SELECT 1 AS a /* /* */ ' */ , (SELECT groupArray(name) FROM system.tables WHERE database = $$complaints$$) AS t --'",
      // the same without heredocs, and through the other readings the guard had wrong
      hidden("SELECT * FROM file('/proc/self/environ', 'RawBLOB')"),
      "SELECT 1 AS a // '\n, (SELECT * FROM file('/proc/self/environ', 'RawBLOB')) AS t --'",
      "SELECT 1 AS a “--” , (SELECT * FROM file('/proc/self/environ', 'RawBLOB')) AS t",
    ];
    for (const text of texts) {
      const r = await sql(monitor, text, { authorization: `Bearer ${SUP}`, 'content-type': 'text/plain' }, 'csv');
      expect({ text, status: r.status }).toEqual({ text, status: 400 });
      expect(r.text).not.toMatch(/MONITOR_TOKENS|HASH_KEY|supervisor-token/);
    }
    const forged = await sql(monitor, "SELECT count() AS n FROM complaints.weekly_reports WHERE body LIKE '%forged%'");
    expect(forged.status).toBe(200);
    expect(Number(forged.body.rows?.[0]?.n)).toBe(0);
  });

  it('stops a query at its memory limit instead of letting it take the monitor', async () => {
    const r = await sql(monitor, "SELECT length(groupArray(repeat('a', 2000))) AS n FROM (SELECT arrayJoin(range(1000000)) AS i)");
    expect(r.status).toBe(422);
    expect(r.body.error).toBe('QUERY_LIMIT');
    expect(r.body.message).toMatch(/memory limit/i);
    // the engine leaves a failed query's partial answer in its connection: the next one is whole
    const next = await sql(monitor, 'SELECT 1 AS one');
    expect(next.status, JSON.stringify(next.body)).toBe(200);
    expect(next.body.rows).toEqual([{ one: 1 }]);
  });

  it('holds a result to its row limit in every format, even when one block passes it (the engine checks per block)', async () => {
    for (const format of ['json', 'csv', 'excel']) {
      const r = await sql(monitor, "SELECT arrayJoin(range(200000)) AS n, 'some text' AS s", undefined, format);
      expect({ format, status: r.status }).toEqual({ format, status: 422 });
      expect(r.body).toMatchObject({ error: 'QUERY_LIMIT', message: expect.stringMatching(/more than the 100000 rows allowed/) });
    }
    const whole = await sql(monitor, "SELECT arrayJoin(range(100000)) AS n, 'two\nlines' AS s", undefined, 'csv');
    expect(whole.status).toBe(200);
    expect(whole.text.split('\n').length).toBe(1 + 2 * 100000 + 1);
  });

  it('answers 64-bit and larger integers and decimals exactly, as strings', async () => {
    const r = await sql(monitor, "SELECT toUInt64('9007199254740993') AS x, cityHash64('a') AS h, toInt128('170141183460469231731687303715884105727') AS big, toDecimal64('12345678901234.5678', 4) AS d, 7 AS small");
    expect(r.status).toBe(200);
    expect(r.body.rows).toEqual([{ x: '9007199254740993', h: '2603192927274642682', big: '170141183460469231731687303715884105727', d: '12345678901234.5678', small: 7 }]);
  });

  it('runs at most two analyst queries at once; a third is told to retry', async () => {
    const slow = () => sql(monitor, 'SELECT sleep(2) AS s');
    const answers = await Promise.all([slow(), slow(), slow()]);
    expect(answers.map((a) => a.status).sort(), JSON.stringify(answers)).toEqual([200, 200, 429]);
    expect(answers.find((a) => a.status === 429)!.body.message).toMatch(/SQL_MAX_CONCURRENT/);
  });

  it('in open local mode, refuses SQL sent by a page on another site, and host names that are not loopback', async () => {
    const ok = await sql(open, 'SELECT 1 AS one', { 'content-type': 'text/plain' });
    expect(ok.status).toBe(200);
    const csrf = await sql(open, 'SELECT 1 AS one', { 'content-type': 'text/plain', origin: 'https://evil.example' });
    expect(csrf.status).toBe(403);
    expect(csrf.body.error).toBe('CORS_FORBIDDEN');
    // DNS rebinding: a hostile name resolving to 127.0.0.1 makes its page same-origin (fetch
    // will not send another Host, so a plain request)
    const rebound = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${open.baseUrl}/api/sql`, { method: 'POST', headers: { host: 'evil.example:8080', origin: 'http://evil.example:8080', 'content-type': 'text/plain' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end('SELECT 1 AS one');
    });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).error).toBe('HOST_FORBIDDEN');
    // the pages and the API still answer the loopback names
    for (const host of ['localhost', '127.0.0.1']) {
      const page = await fetch(open.baseUrl.replace('127.0.0.1', host) + '/api/health');
      expect(page.status, host).toBe(200);
    }
  });
});
