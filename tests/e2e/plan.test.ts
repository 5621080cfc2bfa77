import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import WebSocket from 'ws';
import { compilePlan, loadPlanFile, type CompiledPlan, type Plan } from '../../pipelines/plan/index.ts';
import { shuffled, ticketStream } from '../helpers/events.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { referenceCounts } from '../helpers/reference.ts';

// The plan builder's output drives the monitor end to end, and a plan change on the running
// monitor takes effect without a restart and is recorded.

const ADMIN = 'admin-token-0123456789';
const VIEWER = 'viewer-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'cewm-plan-'));
const events = ticketStream({ seed: 11, tickets: 700, year: 2025, customers: 200 });
let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;
let built: CompiledPlan;
const auth = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

function runPlan(args: string[]): { code: number; out: string } {
  try {
    return { code: 0, out: execFileSync(process.execPath, ['--import', 'tsx', 'scripts/plan/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' }) };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, out: `${e.stdout}${e.stderr}` };
  }
}

beforeAll(async () => {
  const history = ticketStream({ seed: 5, tickets: 900, year: 2024, customers: 300, prefix: 'h' });
  writeFileSync(join(dir, 'history.ndjson'), history.map((e) => JSON.stringify(e)).join('\n'));
  writeFileSync(join(dir, 'forecast.yaml'), 'periods:\n  - { name: 降息窗口, from: 2025-05-01, to: 2025-06-30, factor: 1.5, types: [mortgage_prepayment] }\n');
  writeFileSync(join(dir, 'branches.csv'), 'code,name,parent,size\nBJ,北京分行,,500\nBJ-HD,海淀支行,BJ,200\nBJ-CY,朝阳支行,BJ,300\nSH,上海分行,,400\nGZ,广州分行,,100\n');
  const r = runPlan(['build', '--base', 'tests/fixtures/plan-2025.yaml', '--year', '2025', '--history', join(dir, 'history.ndjson'),
    '--forecast', join(dir, 'forecast.yaml'), '--branches', join(dir, 'branches.csv'), '--out', join(dir, 'plan.yaml')]);
  expect(r.code, r.out).toBe(0);
  built = loadPlanFile(join(dir, 'plan.yaml'));
  nats = await startTestNats();
  nc = await nats.connect();
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN: join(dir, 'plan.yaml'), MONITOR_TOKENS: `${ADMIN}:admin,${VIEWER}:viewer` });
  await publishEvents(nc, shuffled(events, 3));
  await waitConsumed(nc);
}, 180_000);

afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
});

async function expectCounters(plan: CompiledPlan, asOf: string) {
  const { status, body } = await getJson(monitor, `/api/counters?year=2025&asOf=${encodeURIComponent(asOf)}`, { headers: auth(VIEWER) });
  expect(status).toBe(200);
  const ref = referenceCounts(plan, events, Date.parse(asOf));
  expect(body.rows).toHaveLength(plan.types.length * plan.scopes.length);
  for (const row of body.rows) {
    const want = ref.get(`${row.complaintType}|${row.scope}`)!;
    expect([row.complaintType, row.scope, row.unresolvedCustomers]).toEqual([row.complaintType, row.scope, want.unresolved]);
    expect(row.allowanceToDate).toBeCloseTo(plan.allowanceToDate(row.complaintType, row.scope, Date.parse(asOf)), 9);
  }
}

describe('e2e - plan builder and plan changes', () => {
  it('prints the weekly table and refuses bad input with file and line', () => {
    const ok = runPlan(['check', join(dir, 'plan.yaml')]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/plan 2025 \(Asia\/Shanghai\), 53 weeks/);
    expect(ok.out).toMatch(/ok: .* is a valid plan for 2025/);
    writeFileSync(join(dir, 'bad.csv'), 'code,name,parent,size\nBJ,北京分行,,-3\n');
    const bad = runPlan(['build', '--base', 'tests/fixtures/plan-2025.yaml', '--history', join(dir, 'history.ndjson'), '--branches', join(dir, 'bad.csv')]);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('bad.csv:2: size: expected a number greater than 0');
    expect(runPlan(['build', '--base', 'tests/fixtures/plan-2025.yaml']).out).toMatch(/exactly one of --history/);
    // a history of another year than the one before --year: refused, naming the years (audit)
    const wrongYear = runPlan(['build', '--base', 'tests/fixtures/plan-2025.yaml', '--year', '2027', '--history', join(dir, 'history.ndjson')]);
    expect(wrongYear.code).toBe(2);
    expect(wrongYear.out).toMatch(/none of 2026 \(the year before 2027\); it holds [0-9, ]*2024: give --year 2025/);
    // a directory that is not a store: named, and left as it was (audit: it made an empty store there)
    const nowhere = join(dir, 'no-store');
    const noStore = runPlan(['build', '--base', 'tests/fixtures/plan-2025.yaml', '--clickhouse', nowhere]);
    expect(noStore.code).toBe(2);
    expect(noStore.out).toMatch(/holds no monitor store \(no metadata\/\)/);
    expect(existsSync(nowhere)).toBe(false);
    // an unreachable server: one error line, not the client's log with a stack (audit)
    const unreachable = runPlan(['build', '--base', 'tests/fixtures/plan-2025.yaml', '--clickhouse-url', 'http://127.0.0.1:1']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.out.trim()).toMatch(/^error: .*ECONNREFUSED[^\n]*$/);
  });

  it('the built plan drives the monitor: counts and allowance curve match', async () => {
    expect(built.allowance('mortgage_prepayment', 'SH')).toBeCloseTo(80 * 400 / 1000, 9);
    for (const asOf of ['2025-12-31T23:59:59+08:00', '2025-05-20T12:00:00+08:00']) await expectCounters(built, asOf);
  });

  it('changes the plan without a restart, records who, when, old and new', async () => {
    const raw = parseYaml(readFileSync(join(dir, 'plan.yaml'), 'utf8')) as Plan;
    const next: Plan = { ...raw, types: raw.types.map((t) => (t.code === 'mortgage_prepayment' ? { ...t, annualAllowance: 20, weeklyWeights: undefined } : t)) };
    const body = JSON.stringify({ by: '王经理', reason: '年中修订', plan: next });
    expect((await getJson(monitor, '/api/plan', { method: 'PUT', headers: auth(VIEWER), body })).status).toBe(403);
    expect((await getJson(monitor, '/api/plan', { method: 'PUT', headers: { 'content-type': 'application/json' }, body })).status).toBe(401);
    const bad = await getJson(monitor, '/api/plan', { method: 'PUT', headers: auth(ADMIN), body: JSON.stringify({ by: 'x', plan: { ...next, types: [{ ...next.types[0], annualAllowance: -1 }] } }) });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/request plan:\d+: types\[0\]\.annualAllowance/);
    const screen = new WebSocket(`${monitor.baseUrl.replace('http', 'ws')}/ws?token=${VIEWER}`);
    const frames: Array<Record<string, any>> = [];
    screen.on('message', (m) => frames.push(JSON.parse(m.toString())));
    await new Promise((r) => screen.once('message', r));
    const res = await getJson(monitor, '/api/plan', { method: 'PUT', headers: auth(ADMIN), body });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // open screens take the new plan whole, without a reload
    const deadline = Date.now() + 10_000;
    while (!frames.some((f) => f.type === 'snapshot' && f.reason === 'plan') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    screen.close();
    const fresh = frames.find((f) => f.type === 'snapshot' && f.reason === 'plan')!;
    expect(fresh, 'a snapshot after the plan change').toBeDefined();
    expect(fresh.plan.types.find((t: { code: string }) => t.code === 'mortgage_prepayment').annualAllowance).toBe(20);
    expect(res.body.changed).toBe(true);
    expect(res.body.rebuiltEvents).toBeGreaterThan(0);
    await expectCounters(compilePlan(JSON.parse(JSON.stringify(next)) as Plan), '2025-12-31T23:59:59+08:00');
    const h = await getJson(monitor, '/api/plan/changes', { headers: auth(ADMIN) });
    expect(h.status).toBe(200);
    expect(h.body.changes).toHaveLength(1);
    const c = h.body.changes[0];
    expect([c.by, c.role, c.reason, c.year]).toEqual(['王经理', 'admin', '年中修订', 2025]);
    expect(c.old.types[0].annualAllowance).toBe(80);
    expect(c.new.types[0].annualAllowance).toBe(20);
    expect(c.oldHash).not.toBe(c.newHash);
    // the analysts' record of the plan in force: the start's plan, then the change, with its curve
    const inForce = await getJson(monitor, '/api/sql', {
      method: 'POST', headers: auth(ADMIN),
      body: JSON.stringify({ query: "SELECT source, plan_hash FROM complaints.plan_in_force ORDER BY since" }),
    });
    expect(inForce.body.rows).toEqual([{ source: 'start', plan_hash: c.oldHash }, { source: 'change', plan_hash: c.newHash }]);
    const curve = await getJson(monitor, '/api/sql', {
      method: 'POST', headers: auth(ADMIN),
      body: JSON.stringify({ query: "SELECT max(allowance_to_date) AS a FROM complaints.allowance_curve WHERE complaint_type = 'mortgage_prepayment' AND scope = 'ALL'" }),
    });
    expect(curve.body.rows).toEqual([{ a: 20 }]);
    // the same plan again changes nothing and records nothing
    const same = await getJson(monitor, '/api/plan', { method: 'PUT', headers: auth(ADMIN), body });
    expect(same.body.changed).toBe(false);
    // the monitor still consumes under the new plan
    const late = ticketStream({ seed: 12, tickets: 60, year: 2025, customers: 50, prefix: 'late' });
    events.push(...late);
    await publishEvents(nc, late);
    await waitConsumed(nc);
    await expectCounters(compilePlan(JSON.parse(JSON.stringify(next)) as Plan), '2025-12-31T23:59:59+08:00');
  });

  it('after New Year on last year\'s plan: says the plan has ended, stores the new year\'s events uncounted, counts them once its plan is loaded', async () => {
    // the 2025 plan, run in 2026 or later: always past its year
    const health = (await getJson(monitor, '/api/health', { headers: auth(VIEWER) })).body;
    expect(health.planStatus).toBe('ended');
    expect(health.planWarning).toMatch(/^plan year 2025 ended on 2025-12-31: events dated after it are stored but not counted/);
    const before = health.events.outsidePlanYear; // the earlier streams' tickets opened in 2024
    const newYear = ticketStream({ seed: 13, tickets: 120, year: 2026, customers: 80, prefix: 'y26' });
    await publishEvents(nc, newYear);
    await waitConsumed(nc);
    const after = (await getJson(monitor, '/api/health', { headers: auth(VIEWER) })).body;
    // a few tickets of the stream were opened in 2025: those events fall inside the plan year
    const outside = newYear.filter((e) => !(Date.parse(e.occurredAt) >= built.yearStartMs && Date.parse(e.occurredAt) < built.yearEndMs)).length;
    expect(outside).toBeGreaterThan(newYear.length * 0.9);
    expect(after.events.outsidePlanYear).toBe(before + outside);
    // the test streams also carry a branch the plan does not list: counted bank-wide only, and said
    expect(after.events.unknownBranches.codes).toEqual(['SZ']);
    expect(after.events.unknownBranches.events).toBeGreaterThan(0);
    const metrics = await (await fetch(`${monitor.baseUrl}/metrics`, { headers: auth(VIEWER) })).text();
    expect(metrics).toContain(`EventsOutsidePlanYear_total ${before + outside}`);
    expect(metrics).toContain('PlanYearEnded 1');
    expect(metrics).toContain(`EventsUnknownBranch_total ${after.events.unknownBranches.events}`);
    const counted2025 = (await getJson(monitor, '/api/counters?year=2025&asOf=2025-12-31T23:59:59%2B08:00', { headers: auth(VIEWER) })).body.rows;

    // a plan for another year is refused on the running monitor: the new year is a restart
    const raw = parseYaml(readFileSync(join(dir, 'plan.yaml'), 'utf8')) as Plan;
    const plan2026: Plan = { ...raw, year: 2026, types: raw.types.map((t) => ({ ...t, weeklyWeights: undefined })) };
    const refused = await getJson(monitor, '/api/plan', { method: 'PUT', headers: auth(ADMIN), body: JSON.stringify({ by: '王经理', reason: '新年度计划', plan: plan2026 }) });
    expect([refused.status, refused.body.message]).toEqual([400, 'the plan is for 2026 but the monitor runs 2025; a new year needs a restart with PLAN set']);
    writeFileSync(join(dir, 'plan-2026.json'), JSON.stringify(plan2026));
    await monitor.kill();
    monitor = await startMonitor({ NATS_URL: nats.url, PLAN: join(dir, 'plan-2026.json'), DATA_DIR: monitor.dataDir, MONITOR_TOKENS: `${ADMIN}:admin,${VIEWER}:viewer` });
    const compiled = compilePlan(JSON.parse(JSON.stringify(plan2026)) as Plan);
    const asOf = '2026-12-31T23:59:59+08:00';
    const { body } = await getJson(monitor, `/api/counters?year=2026&asOf=${encodeURIComponent(asOf)}`, { headers: auth(VIEWER) });
    const ref = referenceCounts(compiled, newYear, Date.parse(asOf));
    let notAgreed = 0;
    for (const row of body.rows) {
      const want = ref.get(`${row.complaintType}|${row.scope}`)!;
      expect([row.complaintType, row.scope, row.unresolvedCustomers]).toEqual([row.complaintType, row.scope, want.unresolved]);
      notAgreed += row.unresolvedCustomers;
    }
    expect(notAgreed).toBeGreaterThan(0);
    expect(counted2025.length).toBeGreaterThan(0);
    const now = (await getJson(monitor, '/api/health', { headers: auth(VIEWER) })).body;
    expect([now.planYear, now.events.outsidePlanYear]).toEqual([2026, 0]);
  });
});
