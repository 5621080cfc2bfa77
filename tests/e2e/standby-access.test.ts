import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import WebSocket from 'ws';
import { LEASE_EXIT_CODE } from '../../server/lease.ts';
import { ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { until } from '../faults/support.ts';

// A standby (another monitor holds the counting lease) checks access as the counting monitor
// does: before, it answered every surface but health and metrics without a token, naming the
// holder's host, DATA_DIR, pid and start time to anyone (audit CN2). Its log says what it is, not
// "wall-board ready" and a weekly review it could not produce (audit CN5).

const VIEWER = 'sbviewer00000000000000000';
const SUPERVISOR = 'sbsupervisor0000000000000';
const ADMIN = 'sbadmin000000000000000000';
const env = { PLAN: join(ROOT, 'tests/fixtures/plan-2025.yaml'), MONITOR_TOKENS: `${VIEWER}:viewer,${SUPERVISOR}:supervisor,${ADMIN}:admin` };

let nats: TestNats;
let holder: MonitorProcess;
let standby: MonitorProcess;
beforeAll(async () => {
  nats = await startTestNats();
  holder = await startMonitor({ NATS_URL: nats.url, ...env });
}, 120_000);
afterAll(async () => {
  for (const m of [standby, holder]) await m?.kill('SIGKILL');
  await nats?.cleanup();
});

const call = async (path: string, init: RequestInit & { token?: string } = {}) => {
  const { token, ...rest } = init;
  const res = await fetch(`${standby.baseUrl}${path}`, { ...rest, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(rest.headers as Record<string, string> | undefined) } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', retryAfter: res.headers.get('retry-after'), text: await res.text() };
};
const exited = (m: MonitorProcess) => new Promise<number | null>((r) => (m.child.exitCode !== null ? r(m.child.exitCode) : m.child.once('exit', (code) => r(code))));

describe('a standby monitor with tokens configured', () => {
  it('answers a caller without a token as a counting monitor does, names the holder to supervisors and admins only, and logs that it is a standby', async () => {
    standby = await startMonitor({ NATS_URL: nats.url, ...env }, { waitHealthy: false });
    await until('the second monitor to be refused the lease', async () => {
      const res = await call('/api/health', { token: VIEWER }).catch(() => undefined);
      return res?.status === 503 && JSON.parse(res.text).status === 'lease-refused';
    });
    const named = (text: string) => text.includes(holder.dataDir) || text.includes(String(holder.child.pid));
    // everything below within the standby's 10 s before it exits
    const anonymous = await Promise.all(
      [['GET', '/api/counters?year=2025'], ['GET', '/api/alerts'], ['GET', '/api/dead-letters'], ['GET', '/api/plan/changes'], ['POST', '/api/alerts/x/ack'], ['PUT', '/api/plan'], ['GET', '/api/health'], ['GET', '/metrics']].map(async ([method, path]) => [`${method} ${path}`, await call(path!, { method: method! })] as const),
    );
    for (const [what, res] of anonymous) {
      expect([what, res.status, JSON.parse(res.text).error]).toEqual([what, 401, 'UNAUTHENTICATED']);
      expect(named(res.text), what).toBe(false);
    }
    // the pages: the same "access refused" page a counting monitor shows, nothing about the lease
    for (const path of ['/', '/console/', '/console/review']) {
      const res = await call(path, { headers: { accept: 'text/html' } });
      expect([path, res.status, res.type]).toEqual([path, 401, 'text/html; charset=utf-8']);
      expect(res.text).toContain('访问被拒绝');
      expect(named(res.text), path).toBe(false);
    }
    // the same roles as the counting monitor: a viewer may not act, nor read the plan's change log
    expect((await call('/api/alerts/x/ack', { method: 'POST', token: VIEWER })).status).toBe(403);
    expect((await call('/api/plan/changes', { token: VIEWER })).status).toBe(403);
    expect((await call('/api/plan', { method: 'PUT', token: SUPERVISOR })).status).toBe(403);

    // a viewer (a wall screen, a scraper) is told this is a standby, not where the holder runs
    const viewer = await call('/api/counters?year=2025', { token: VIEWER });
    expect([viewer.status, JSON.parse(viewer.text).error, viewer.retryAfter]).toEqual([503, 'NOT_COUNTING', '5']);
    expect(JSON.parse(viewer.text).message).toMatch(/this monitor is a standby/);
    expect(named(viewer.text)).toBe(false);
    // supervisors and admins are told who counts
    for (const token of [SUPERVISOR, ADMIN]) {
      const res = await call('/api/alerts', { token });
      expect([res.status, JSON.parse(res.text).error]).toEqual([503, 'NOT_COUNTING']);
      expect(JSON.parse(res.text).message).toContain(`DATA_DIR ${holder.dataDir}, pid ${holder.child.pid}`);
    }
    expect((await call('/api/alerts/x/ack', { method: 'POST', token: SUPERVISOR })).status).toBe(503);
    // health and metrics answer a token as before
    expect((await call('/metrics', { token: VIEWER })).text).toMatch(/^CountingLeaseHeld 0$/m);

    // a wall screen's link: closed with 1013 (try again later), not as a refused token
    const close = await new Promise<{ code: number; reason: string }>((resolve) => {
      const ws = new WebSocket(`${standby.baseUrl.replace('http', 'ws')}/ws?view=wall&token=${VIEWER}`);
      ws.on('error', () => undefined);
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    expect(close.code).toBe(1013);
    expect(close.reason).toMatch(/standby/);

    expect(await exited(standby)).toBe(LEASE_EXIT_CODE);
    const log = standby.output();
    expect(log).toMatch(/"lease":"refused","msg":"standby: not counting/);
    expect(log).not.toMatch(/"msg":"wall-board ready"/);
    expect(log).not.toMatch(/weekly review/);
  }, 120_000);
});
