import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';

// A plan changed with PUT /api/plan lasts until the next restart, which loads the PLAN file again.
// An audit found that restart silently reverted the change (the raised allowance, and the alerts
// it had closed, came back). Now the start says so: one JSON warning line and /api/health
// `planFileWarning`, until the file is updated or touched, or the plan is changed again.

const ADMIN = 'admin-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'cewm-plan-file-'));
const PLAN = join(dir, 'plan-2025.yaml');
copyFileSync(join(ROOT, 'tests/fixtures/plan-2025.yaml'), PLAN);
const fileText = readFileSync(PLAN, 'utf8');
const raised = fileText.replace('annualAllowance: 80', 'annualAllowance: 400');
const env = { PLAN, DATA_DIR: join(dir, 'data'), MONITOR_TOKENS: `${ADMIN}:admin` };
const auth = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
let nats: TestNats;
let monitor: MonitorProcess | undefined;

const health = async () => (await getJson(monitor!, '/api/health', { headers: auth })).body;
const putPlan = async (text: string) => getJson(monitor!, '/api/plan', { method: 'PUT', headers: auth, body: JSON.stringify({ by: 'Ops Lee', reason: 'raise', plan: text }) });
const restart = async () => {
  await monitor?.kill();
  monitor = await startMonitor({ NATS_URL: nats.url, ...env });
};
const warnings = () =>
  monitor!.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>).filter((l) => typeof l.msg === 'string' && l.msg.includes('changed at runtime'));

beforeAll(async () => {
  nats = await startTestNats();
}, 60_000);

afterAll(async () => {
  await monitor?.kill();
  await nats?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('e2e - a runtime plan change and the PLAN file at the next start', () => {
  it('a restart that loads the older file says the change is no longer in force, in the log and /api/health', async () => {
    await restart();
    expect((await health()).planFileWarning).toBeUndefined();
    const put = await putPlan(raised);
    expect([put.status, put.body.changed]).toEqual([200, true]);
    expect((await health()).planFileWarning).toBeUndefined(); // the change is in force

    await restart();
    const h = await health();
    expect(h.planFileWarning).toMatch(new RegExp(`^the 2025 plan was changed at runtime \\(PUT /api/plan\\) on ${put.body.changedAt.replace(/[.+]/g, '\\$&')} by Ops Lee, but this start loaded the PLAN file ${PLAN.replace(/[.+]/g, '\\$&')} instead`));
    const logged = warnings();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 40, planYear: 2025, runtimeChangeAt: put.body.changedAt, planFile: PLAN, msg: h.planFileWarning });
    // and to the consoles, whose supervisors see the alerts it reopened (audit AS F7)
    const ws = new WebSocket(`${monitor!.baseUrl.replace('http', 'ws')}/ws?view=console&token=${ADMIN}`);
    const snapshot = await new Promise<any>((resolve) => ws.on('message', (m) => resolve(JSON.parse(String(m)))));
    ws.close();
    expect(snapshot.pipeline.planFileWarning).toBe(h.planFileWarning);
  }, 120_000);

  it('the next plan change clears it', async () => {
    const put = await putPlan(raised);
    expect([put.status, put.body.changed]).toEqual([200, true]);
    expect((await health()).planFileWarning).toBeUndefined();
  }, 60_000);

  it('a file written (or touched) after the change is the operator\'s choice: no warning', async () => {
    await restart();
    expect((await health()).planFileWarning).toMatch(/changed at runtime/); // the file is still older
    const now = new Date();
    utimesSync(PLAN, now, now);
    await restart();
    expect((await health()).planFileWarning).toBeUndefined();
    expect(warnings()).toHaveLength(0);
  }, 120_000);
});
