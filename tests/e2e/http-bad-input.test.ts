import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import WebSocket from 'ws';
import { ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';

// Every HTTP surface with malformed parameters, oversize bodies and unknown fields: the answer
// is a 4xx with a JSON message, never a 500 and never a stack trace. Plus the hardening the
// answers carry: security headers, request ids, CORS closed, cross-site WebSockets refused.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const ADMIN = 'admin-token-0123456789abcdef';
let nats: TestNats;
let monitor: MonitorProcess;

beforeAll(async () => {
  nats = await startTestNats();
  // every request logged (an access log), so that the test below sees each URL as the log writes it
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN, MONITOR_TOKENS: `${ADMIN}:admin`, LOG_REQUESTS: 'all' });
}, 90_000);

afterAll(async () => {
  await monitor?.kill();
  await nats?.cleanup();
});

interface Case {
  method?: string;
  path: string;
  body?: string;
  type?: string;
  headers?: Record<string, string>;
}

const big = JSON.stringify({ by: 'x'.repeat(300 * 1024) });
const json = (v: unknown) => JSON.stringify(v);
const CASES: Case[] = [
  { path: '/api/counters?year=abc' },
  { path: '/api/counters?year=1999' },
  { path: '/api/counters?asOf=yesterday' },
  { path: '/api/counters?asOf=2025-01-01T00:00:00' },
  { path: '/api/counters?asOf=2025-13-45T99:00:00Z' },
  { path: `/api/counters?asOf=${'9'.repeat(5000)}` },
  { path: '/api/counters?asOf=%00%ff' },
  { path: '/api/counters?type=nope' },
  { path: '/api/counters?scope=nope' },
  { path: '/api/counters?unknown=1' },
  { path: '/api/counters?year=2025&year=2026' },
  { path: '/api/counters?type[]=x' },
  { path: '/api/series' },
  { path: '/api/series?type=nope' },
  { path: '/api/series?type=mortgage_prepayment&scope=nope' },
  { path: '/api/dead-letters?limit=-1' },
  { path: '/api/dead-letters?limit=abc' },
  { path: '/api/dead-letters?limit=100000' },
  { path: '/api/dead-letters?offset=-5' },
  { path: '/api/dead-letters?limit=1.5' },
  { path: '/api/plan?x=1' },
  { path: '/api/plan/changes?limit=abc' },
  { path: '/api/alerts?status=bogus' },
  { path: '/api/alerts?format=xlsx' },
  { path: '/api/alerts/does-not-exist' },
  { path: '/api/alerts/%E0%A4%A' },
  { method: 'POST', path: '/api/alerts/does-not-exist/ack', body: json({ by: 'supervisor' }) },
  { method: 'POST', path: '/api/alerts/x/ack', body: '{"by": ' },
  { method: 'POST', path: '/api/alerts/x/ack', body: big },
  { method: 'POST', path: '/api/alerts/x/ack', body: json({ by: 'a', extra: 1 }) },
  { method: 'POST', path: '/api/alerts/x/ack', body: 'by=a', type: 'text/plain' },
  { method: 'POST', path: '/api/alerts/x/ack', body: json([1, 2]) },
  { method: 'POST', path: '/api/alerts/x/bogus-action', body: json({ by: 'a' }) },
  { method: 'POST', path: '/api/corrections', body: json({}) },
  { method: 'POST', path: '/api/corrections', body: '{{{' },
  { method: 'POST', path: '/api/corrections', body: json({ ticketId: 1, unknownField: true }) },
  { method: 'PUT', path: '/api/plan', body: 'year: [', type: 'application/yaml' },
  { method: 'PUT', path: '/api/plan', body: json({ year: 2025, bogus: 1 }) },
  { method: 'PUT', path: '/api/plan', body: big },
  { path: '/api/reports/weekly?week=abc' },
  { path: '/api/reports/weekly?year=x&week=99' },
  { path: '/api/reports/weekly/stored?week=-1' },
  { method: 'POST', path: '/api/sql', body: json({}) },
  { method: 'POST', path: '/api/sql', body: json({ query: 'DROP TABLE complaints.ticket_events' }) },
  { method: 'POST', path: '/api/sql', body: '"' },
  { path: '/api/screens?x=1' },
  { path: '/api/health?x=1' }, // unknown parameters everywhere, the health and metrics too (audit)
  { path: '/metrics?x=1' },
  { method: 'POST', path: '/api/sql?x=1', body: json({ query: 'SELECT 1' }) },
  { path: '/api/classification/review?limit=abc' },
  { path: '/api/no-such-endpoint' },
  { method: 'DELETE', path: '/api/counters' },
  { path: '/api/health', headers: { authorization: 'Bearer wrong-token-0123456789' } },
  { path: `/api/counters?type=${'x'.repeat(10_000)}` },
  // a typo that would list nothing, and a correction dated ahead that would outrank every later one (audit BB)
  { path: '/api/alerts?type=mortgage_prepaymant' },
  { path: '/api/alerts?scope=BJ-XX&format=csv' },
  { method: 'POST', path: '/api/corrections', body: json({ by: 'a', ticketId: 'T-1', branch: 'BJ', complaintType: 'mortgage_prepayment', occurredAt: '9999-01-01T00:00:00+08:00' }) },
  { method: 'POST', path: '/api/corrections', body: json({ by: 'a', ticketId: 'T-1', branch: 'ALL', complaintType: 'mortgage_prepayment' }) },
  { method: 'POST', path: '/api/corrections', body: json({ by: 'a', ticketId: 'T-1\u0000x', branch: 'BJ', complaintType: 'mortgage_prepayment' }) },
  { method: 'POST', path: '/api/corrections', body: json({ by: 'a\nb', ticketId: 'T-1', branch: 'BJ', complaintType: 'mortgage_prepayment' }) },
  { method: 'POST', path: '/api/corrections', body: json({ by: 'a\u0085b', ticketId: 'T-1', branch: 'BJ', complaintType: 'mortgage_prepayment' }) },
  { method: 'POST', path: '/api/corrections', body: json({ by: '\u202e王', ticketId: 'T-1', branch: 'BJ', complaintType: 'mortgage_prepayment' }) },
];

async function call(c: Case) {
  const res = await fetch(`${monitor.baseUrl}${c.path}`, {
    method: c.method ?? 'GET',
    headers: { authorization: `Bearer ${ADMIN}`, ...(c.body !== undefined ? { 'content-type': c.type ?? 'application/json' } : {}), ...c.headers },
    body: c.body,
  });
  return { res, text: await res.text() };
}

describe('e2e - HTTP bad input', () => {
  it.each(CASES.map((c, i) => [`${i + 1}. ${c.method ?? 'GET'} ${c.path.slice(0, 80)}`, c] as const))('%s → 4xx with a message', async (_name, c) => {
    const { res, text } = await call(c);
    expect(res.status, text.slice(0, 300)).toBeGreaterThanOrEqual(400);
    expect(res.status, text.slice(0, 300)).toBeLessThan(500);
    const body = JSON.parse(text) as { message?: unknown };
    expect(typeof body.message).toBe('string');
    expect(text).not.toMatch(/\n\s+at |\bat [\w.<>]+ \(|node_modules|\.ts:\d+/);
  });

  it('a plan change without a plan is told so, not that the plan file is empty (audit BB)', async () => {
    for (const plan of [undefined, null]) {
      const { res, text } = await call({ method: 'PUT', path: '/api/plan', body: json({ by: 'x', plan }) });
      expect([res.status, JSON.parse(text).message]).toEqual([400, expect.stringMatching(/^"plan" is required/)]);
    }
  });

  it('an oversize body is told the limit (audit AW)', async () => {
    const { res, text } = await call({ method: 'PUT', path: '/api/plan', body: big });
    expect([res.status, JSON.parse(text).message]).toEqual([413, expect.stringMatching(/\(at most 256 KB\)$/)]);
  });

  it('never answered 500 and the monitor is still up', async () => {
    expect(monitor.child.exitCode).toBeNull();
    expect((await fetch(`${monitor.baseUrl}/api/health`, { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(200);
  });

  it('answers carry security headers and a request id; a given x-request-id is echoed', async () => {
    const res = await fetch(`${monitor.baseUrl}/api/plan`, { headers: { authorization: `Bearer ${ADMIN}`, 'x-request-id': 'trace-123' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('content-security-policy')!.split(';').map((d) => d.trim())).toContain("script-src 'self'"); // no eval, no inline script
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('x-request-id')).toBe('trace-123');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('CORS is closed by default: a foreign preflight is refused, and so is a cross-site WebSocket', async () => {
    const pre = await fetch(`${monitor.baseUrl}/api/counters`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(pre.status).toBe(403);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const upgrade = (origin: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${monitor.port}/ws?token=${ADMIN}`, { origin });
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => {
          ws.close();
          resolve(101);
        });
        ws.once('error', () => resolve(-1));
      });
    expect(await upgrade('https://evil.example')).toBe(403);
    expect(await upgrade(monitor.baseUrl)).toBe(101); // the wall-board's own page
  });

  it('a browser opening a page with no or a wrong token gets a page that says so; API callers keep JSON', async () => {
    const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    for (const [path, reason] of [['/', 'a token is required'], ['/?token=not-a-real-token', 'unknown token'], ['/console/?token=nope', 'unknown token'], ['/console/review', 'a token is required']] as const) {
      const res = await fetch(`${monitor.baseUrl}${path}`, { headers: html });
      expect(res.status, path).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const body = await res.text();
      expect(body).toContain('访问被拒绝 · Access refused');
      expect(body).toContain(reason);
      expect(body).not.toContain('not-a-real-token'); // the token is never echoed
    }
    const api = await fetch(`${monitor.baseUrl}/api/health`, { headers: html });
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ error: 'UNAUTHENTICATED' });
    expect((await fetch(`${monitor.baseUrl}/`)).headers.get('content-type')).toMatch(/json/); // no text/html asked
  });

  it('never writes a token into the log: not the URL\'s, not the header\'s, not a wrong one', async () => {
    const wrong = 'wrong-token-5f3a9c1e7b';
    await fetch(`${monitor.baseUrl}/api/health?token=${ADMIN}`);
    await fetch(`${monitor.baseUrl}/?year=2025&token=${ADMIN}&lang=en`, { headers: { accept: 'text/html' } });
    await fetch(`${monitor.baseUrl}/api/health?%74oken=${ADMIN}`);
    await fetch(`${monitor.baseUrl}/api/health?token=${wrong}`);
    await fetch(`${monitor.baseUrl}/api/health`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const ws = new WebSocket(`${monitor.baseUrl.replace('http', 'ws')}/ws?token=${ADMIN}`);
    await new Promise((r) => ws.once('message', r));
    ws.close();
    await new Promise((r) => setTimeout(r, 300)); // the log's last lines
    const log = monitor.output();
    expect(log).toContain('/?year=2025&token=[redacted]&lang=en');
    expect(log).toContain('/ws?token=[redacted]');
    expect(log).not.toContain(ADMIN);
    expect(log).not.toContain(wrong);
  });

  // Audit CI C5: what a caller put in a URL or an x-request-id was logged as sent (and the id echoed).
  it('never writes a phone, ID or e-mail from a URL or a request id into the log, nor echoes such an id', async () => {
    const auth = { authorization: `Bearer ${ADMIN}` };
    const scoped = await fetch(`${monitor.baseUrl}/api/counters?year=2025&scope=13912345670`, { headers: auth });
    expect(scoped.status).toBe(400);
    const unsafe = await fetch(`${monitor.baseUrl}/api/alerts/case.TK-139%201234%205672?who=zhang.wei88%40example.com`, { headers: { ...auth, 'x-request-id': '11010519491231010X' } });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^req-[0-9a-z]+$/);
    const traced = await fetch(`${monitor.baseUrl}/api/health`, { headers: { ...auth, 'x-request-id': 'trace-456' } });
    expect(traced.headers.get('x-request-id')).toBe('trace-456');
    await new Promise((r) => setTimeout(r, 300)); // the log's last lines
    const log = monitor.output();
    expect(log).toContain('/api/counters?year=2025&scope=139****5670');
    expect(log).toContain('/api/alerts/case.TK-139****5672?who=z***%40example.com');
    for (const clear of ['13912345670', '139%201234%205672', '1234%205672', 'zhang.wei88', '11010519491231010X']) expect(log).not.toContain(clear);
  });

  it('exposes Prometheus metrics', async () => {
    const res = await fetch(`${monitor.baseUrl}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const name of ['EventsReceived_total', 'EventsDropped_total{reason="duplicate"}', 'BatchSize_bucket', 'ConsumerPending', 'nodejs_heap_used_bytes', 'nodejs_array_buffers_bytes', 'DeadLettersLastHour 0', 'ReceivedLastHour 0']) expect(text).toContain(name);
    expect((await fetch(`${monitor.baseUrl}/metrics`)).status).toBe(401);
  });
});
