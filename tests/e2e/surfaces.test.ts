import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { TicketEvent } from '../../pipelines/model.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';

// Contract section 5 as a client sees it: HTTP answers, 4xx with a message for bad parameters,
// the WebSocket snapshot and the live counter messages, and token access.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
let nats: TestNats;
let nc: NatsConnection;
let open: MonitorProcess;
let guarded: MonitorProcess;
const VIEWER = 'viewer-token-0123456789abcdef';

const event = (n: number, extra: Partial<TicketEvent> = {}): TicketEvent => ({
  eventId: `s-${n}`,
  ticketId: `ST-${n}`,
  kind: 'first_contact',
  occurredAt: '2025-05-06T10:00:00+08:00',
  branch: 'BJ-HD',
  complaintType: 'mortgage_prepayment',
  customerId: `SC-${n}`,
  outcome: 'not_agreed',
  ...extra,
});

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  await publishEvents(nc, [event(1), event(2, { outcome: 'agreed' })]);
  open = await startMonitor({ NATS_URL: nats.url, PLAN });
  guarded = await startMonitor({ NATS_URL: nats.url, PLAN, MONITOR_TOKENS: `${VIEWER}:viewer`, CONSUMER_NAME: 'guarded', WALLBOARD_COALESCE_MS: '5000' });
  await waitConsumed(nc);
  await waitConsumed(nc, 'guarded');
}, 120_000);

afterAll(async () => {
  await open?.kill();
  await guarded?.kill();
  await nc?.close();
  await nats?.cleanup();
});

describe('surfaces - HTTP', () => {
  it('answers counters with the contract fields, filtered by type and scope', async () => {
    const { status, body } = await getJson(open, '/api/counters?year=2025&type=mortgage_prepayment&scope=BJ');
    expect(status).toBe(200);
    expect(body.asOf).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+08:00$/);
    expect(body.rows).toEqual([
      {
        complaintType: 'mortgage_prepayment',
        scope: 'BJ',
        unresolvedCustomers: 1,
        firstContactCustomers: 2,
        oneTimeResolutionRate: 0.5,
        allowanceToDate: 40,
        annualAllowance: 40,
        ratio: 1 / 40,
        level: 'ok',
      },
    ]);
  });

  it('reads an asOf whose + was left unencoded in the URL (it arrives as a space) as the offset it was', async () => {
    const typed = await getJson(open, '/api/counters?year=2025&type=mortgage_prepayment&scope=BJ&asOf=2025-03-01T10:00:00+08:00');
    const encoded = await getJson(open, '/api/counters?year=2025&type=mortgage_prepayment&scope=BJ&asOf=2025-03-01T10:00:00%2B08:00');
    expect(typed.status).toBe(200);
    expect(typed.body).toEqual(encoded.body);
    expect(typed.body.asOf).toBe('2025-03-01T10:00:00.000+08:00');
  });

  it.each([
    ['/api/counters?year=2025&asOf=2025-03-01T10:00:00', 400, /asOf/],
    ['/api/counters?year=2025&asOf=2025-03-01T10:00:00 08', 400, /%2B08:00/],
    ['/api/counters?year=2025&asOf=yesterday', 400, /asOf/],
    ['/api/counters?year=25', 400, /year/],
    ['/api/counters?year=2025&type=nope', 400, /unknown complaint type/],
    ['/api/counters?year=2025&scope=XX', 400, /unknown scope/],
    ['/api/counters?year=2025&colour=red', 400, /unknown query parameter "colour"/],
    ['/api/counters?year=2024', 404, /no plan for year 2024/],
    ['/api/dead-letters?limit=0', 400, /limit/],
    ['/api/dead-letters?limit=ten', 400, /limit/],
    ['/api/series', 400, /type is required/],
    ['/api/nothing-here', 404, /no route/],
  ])('%s → %i with a message', async (path, code, message) => {
    const { status, body } = await getJson(open, path);
    expect(status).toBe(code);
    expect(body.message).toMatch(message);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('serves the plan, the series and the wall-board page', async () => {
    const plan = await getJson(open, '/api/plan');
    expect(plan.body.weeks).toHaveLength(53);
    expect(plan.body.weeks[0]).toEqual({ index: 1, start: '2025-01-01T00:00:00.000+08:00', end: '2025-01-06T00:00:00.000+08:00' });
    const series = await getJson(open, '/api/series?type=mortgage_prepayment&scope=ALL');
    expect(series.body.x).toHaveLength(53);
    expect(series.body.allowance.at(-1)).toBeCloseTo(80, 9);
    expect(series.body.actual.at(-1)).toBe(1);
    const page = await fetch(`${open.baseUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    // answers and pages are kept by no cache (audit CI C8); static files say their own caching
    const script = await fetch(`${open.baseUrl}/src/data-quality.js`);
    const api = await fetch(`${open.baseUrl}/api/alerts?format=csv`);
    const review = await fetch(`${open.baseUrl}/console/review`);
    expect([page, api, await fetch(`${open.baseUrl}/metrics`), review].map((r) => r.headers.get('cache-control'))).toEqual(['no-store', 'no-store', 'no-store', 'no-store']);
    expect([script.status, script.headers.get('cache-control')]).toEqual([200, 'public, max-age=0']);
  });

  it('needs a token when tokens are configured, and says the open monitor is open', async () => {
    expect((await getJson(open, '/api/health')).body.open).toBe(true);
    expect((await getJson(guarded, '/api/counters?year=2025')).status).toBe(401);
    expect((await getJson(guarded, '/api/counters?year=2025&token=wrong-token-0123456789')).status).toBe(401);
    const ok = await getJson(guarded, '/api/counters?year=2025', { headers: { authorization: `Bearer ${VIEWER}` } });
    expect(ok.status).toBe(200);
    expect((await getJson(guarded, `/api/health?token=${VIEWER}`)).body.open).toBe(false);
  });

  it('open local mode serves every read to loopback, an analyst\'s SQL too, and refuses every action', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${open.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const sql = await post('/api/sql', { query: 'SELECT count() AS n FROM complaints.ticket_events' });
    expect(sql.status, await sql.clone().text()).toBe(200);
    expect(Number(((await sql.json()) as { rows: Array<{ n: string }> }).rows[0]!.n)).toBeGreaterThanOrEqual(2);
    expect((await getJson(open, '/api/plan/changes')).status).toBe(200);
    const correction = await post('/api/corrections', { ticketId: 'ST-1', outcome: 'agreed', by: '张三', reason: 'test' });
    expect(correction.status).toBe(403);
    expect(((await correction.json()) as { error: string }).error).toBe('OPEN_MODE');
    expect((await post('/api/alerts/x/ack', { by: '张三' })).status).toBe(403);
  });
});

function collect(url: string): { messages: any[]; closed: Promise<number>; ws: WebSocket } {
  const ws = new WebSocket(url);
  const messages: any[] = [];
  ws.on('message', (m) => messages.push(JSON.parse(m.toString())));
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  return { messages, closed, ws };
}

async function until<T>(f: () => T | undefined, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('surfaces - WebSocket', () => {
  it('sends a snapshot first, then a counter message for every scope a new event changes', async () => {
    const c = collect(`ws://127.0.0.1:${open.port}/ws`);
    const snapshot = await until(() => c.messages[0], 'snapshot');
    expect(snapshot.type).toBe('snapshot');
    expect(snapshot.counters).toHaveLength(3 * 6);
    expect(Array.isArray(snapshot.alerts)).toBe(true);
    await publishEvents(nc, [event(3, { customerId: 'SC-3' })]);
    const counters = await until(() => {
      const got = c.messages.filter((m) => m.type === 'counter' && m.complaintType === 'mortgage_prepayment');
      return got.length >= 3 ? got : undefined;
    }, 'counter messages');
    expect(counters.map((m) => m.scope).sort()).toEqual(['ALL', 'BJ', 'BJ-HD']);
    expect(counters.find((m) => m.scope === 'BJ-HD')!.unresolvedCustomers).toBe(2);
    // increasing; not always by one: a client naming no view is not sent the hub's other frames
    // (a heartbeat may fall between), and its seq skips them (docs/WALLBOARD.md)
    const seqs = c.messages.map((m) => m.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
    c.ws.close();
  });

  // Audit AR R4: the handshake itself is refused for a client naming no view, as HTTP is
  it('refuses an unauthenticated handshake with 401, and closes a page\'s socket with 4401 and the reason', async () => {
    for (const query of ['', '?token=wrong', '?view=other']) {
      const refused = new WebSocket(`ws://127.0.0.1:${guarded.port}/ws${query}`);
      const status = await new Promise<number>((resolve, reject) => {
        refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        refused.once('open', () => reject(new Error(`upgraded ${query}`)));
      });
      expect(status).toBe(401);
    }
    const c = collect(`ws://127.0.0.1:${guarded.port}/ws?view=wall`);
    expect(await c.closed).toBe(4401);
    const ok = collect(`ws://127.0.0.1:${guarded.port}/ws?token=${VIEWER}`);
    expect((await until(() => ok.messages[0], 'snapshot')).type).toBe('snapshot');
    ok.ws.close();
  });

  // Audit AC D3: a client naming no view took heartbeats, series and headlines the contract does not list
  it('gives a client that names no view the contract\'s messages only: snapshot, counter, alert', async () => {
    const plain = collect(`ws://127.0.0.1:${open.port}/ws`);
    const wall = collect(`ws://127.0.0.1:${open.port}/ws?view=wall`);
    await until(() => plain.messages[0] && wall.messages[0], 'snapshots');
    await publishEvents(nc, [event(20, { customerId: 'SC-20' })]);
    await until(() => plain.messages.some((m) => m.type === 'counter') && wall.messages.some((m) => m.type === 'heartbeat') && wall.messages.some((m) => m.type === 'headline'), 'a counter on both, a heartbeat and a headline on the wall', 20_000);
    expect(plain.messages[0].type).toBe('snapshot');
    expect([...new Set(plain.messages.slice(1).map((m) => m.type))].filter((t) => t !== 'counter' && t !== 'alert')).toEqual([]);
    for (const c of [plain, wall]) c.ws.close();
  });

  // Audit AC D4, AR R1: a client naming no view got counter changes coalesced like a wall's
  it('frames every change at once for a live client and one naming no view, while a wall screen gets the burst coalesced', async () => {
    const url = (extra: string) => `ws://127.0.0.1:${guarded.port}/ws?token=${VIEWER}${extra}`;
    const wall = collect(url('&view=wall'));
    const live = collect(url('&live=1'));
    const plain = collect(url(''));
    await until(() => wall.messages[0] && live.messages[0] && plain.messages[0], 'snapshots');
    const shown = (c: { messages: any[] }) =>
      Math.max(0, ...c.messages.filter((m) => m.type === 'counter' && m.complaintType === 'mortgage_prepayment' && m.scope === 'ALL').map((m) => m.unresolvedCustomers as number));
    const before = (live.messages[0].counters as any[]).find((r) => r.complaintType === 'mortgage_prepayment' && r.scope === 'ALL').unresolvedCustomers as number;
    // The first change opens the wall's 5 s window (leading edge: it goes out at once) ...
    await publishEvents(nc, [event(10, { customerId: 'SC-10' })]);
    await until(() => shown(live) === before + 1 && shown(wall) === before + 1, 'the first change on both');
    // ... so the next one reaches the live client while the wall screen still waits.
    await publishEvents(nc, [event(11, { customerId: 'SC-11' })]);
    await until(() => shown(live) === before + 2 && shown(plain) === before + 2, 'the second change on the live client and the plain one');
    expect(shown(wall)).toBe(before + 1);
    expect(plain.messages.filter((m) => m.type === 'counter' && m.complaintType === 'mortgage_prepayment' && m.scope === 'ALL').map((m) => m.unresolvedCustomers)).toEqual([before + 1, before + 2]);
    plain.ws.close();
    await until(() => shown(wall) === before + 2, 'the second change on the wall screen, at the end of its window', 15_000);
    for (const c of [wall, live]) {
      const seqs = c.messages.map((m) => m.seq);
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1] + 1);
      c.ws.close();
    }
  });
});
