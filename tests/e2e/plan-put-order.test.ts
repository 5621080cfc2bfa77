import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { TicketEvent } from '../../pipelines/model.ts';
import { startClickHouseGate, type ClickHouseGate } from '../helpers/clickhouse-gate.ts';
import { startClickHouseHttp, type TestClickHouseHttp } from '../helpers/clickhouse-http.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { until } from '../faults/support.ts';

// PUT /api/plan against a store that is slow or refuses the change's record (audit AA P2): the
// alert engine and the screens hear of the new plan in the turn it takes effect, not after the
// record is written; a second admin's PUT during a change is refused, so an older plan is never
// announced after a newer one; a refused record leaves the change in force, announced, shown as
// not recorded, and retried until it lands. The monitor runs in server mode behind a gate that
// holds or refuses the inserts into complaints.plan_changes.

const ADMIN = 'admin-token-0123456789';
const VIEWER = 'viewer-token-0123456789';
const fixture = readFileSync(join(ROOT, 'tests/fixtures/plan-2025.yaml'), 'utf8');
/** the fixture with mortgage_prepayment's annual allowance set to `allowance` (80 in the fixture) */
const planWith = (allowance: number, extra = '') => fixture.replace('annualAllowance: 80', `annualAllowance: ${allowance}`).concat(extra);
const MORTGAGE = 'mortgage_prepayment';

let nats: TestNats;
let nc: NatsConnection;
let ch: TestClickHouseHttp;
let gate: ClickHouseGate;
let monitor: MonitorProcess;
let screen: WebSocket;
const frames: Array<Record<string, any>> = [];
const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
const putPlan = (text: string) => getJson(monitor, '/api/plan', { method: 'PUT', headers: admin, body: JSON.stringify({ by: '王经理', reason: 'test', plan: text }) });
const health = async () => (await getJson(monitor, '/api/health', { headers: admin })).body;
const changes = async () => (await getJson(monitor, '/api/plan/changes', { headers: admin })).body.changes as Array<{ newHash: string }>;

let seq = 0;
const mortgageContact = (): TicketEvent => {
  const id = `PO-${++seq}`;
  return {
    eventId: `${id}-fc`, ticketId: id, kind: 'first_contact', outcome: 'not_agreed', occurredAt: `2025-04-${String(1 + (seq % 27)).padStart(2, '0')}T10:00:00+08:00`,
    branch: 'SH', complaintType: MORTGAGE, customerId: `po-c${seq}`, channel: 'branch',
  };
};
const mortgageAllFrame = (from: number, allowance: number) =>
  frames.findIndex((f, i) => i >= from && f.type === 'counter' && f.complaintType === MORTGAGE && f.scope === 'ALL' && f.annualAllowance === allowance);

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  ch = await startClickHouseHttp();
  gate = await startClickHouseGate(ch.url);
  monitor = await startMonitor({
    NATS_URL: nats.url, PLAN: join(ROOT, 'tests/fixtures/plan-2025.yaml'), MONITOR_TOKENS: `${ADMIN}:admin,${VIEWER}:viewer`,
    CLICKHOUSE_URL: gate.url, CLICKHOUSE_USER: ch.user, CLICKHOUSE_PASSWORD: ch.password,
  });
  await publishEvents(nc, [mortgageContact(), mortgageContact()]);
  await waitConsumed(nc);
  screen = new WebSocket(`${monitor.baseUrl.replace('http', 'ws')}/ws?view=console&token=${VIEWER}`); // the console's feed: plan messages too
  screen.on('message', (m) => frames.push(JSON.parse(m.toString())));
  await until('first snapshot', () => frames.some((f) => f.type === 'snapshot'), 20_000);
}, 120_000);

afterAll(async () => {
  screen?.close();
  gate?.release();
  await monitor?.kill();
  await gate?.close();
  await nc?.close();
  await nats?.cleanup();
  await ch?.cleanup();
});

describe('e2e - PUT /api/plan: announced with the swap, one change at a time, its record retried', () => {
  it('the engine and the screens take the new plan while its record is still being written, before any of its counters', async () => {
    const from = frames.length;
    gate.set({ match: /complaints\.plan_changes/, action: 'hold', times: 1 });
    const put = putPlan(planWith(33, 'alerts:\n  ackReasons: [b_reason]\n'));
    onTestFinished(() => gate.release());
    await until('the record held', () => gate.holding === 1, 30_000);
    // a batch counted under the new plan while the record waits
    await publishEvents(nc, [mortgageContact()]);
    await until('a counter of the new plan', () => mortgageAllFrame(from, 33) >= 0, 20_000);
    const announced = frames.findIndex((f, i) => i >= from && f.type === 'plan');
    expect(announced, 'the plan message came before the new plan\'s counters').toBeGreaterThanOrEqual(0);
    expect(announced).toBeLessThan(mortgageAllFrame(from, 33));
    expect(frames.findIndex((f, i) => i >= from && f.type === 'snapshot' && f.reason === 'plan')).toBeLessThan(mortgageAllFrame(from, 33));
    expect(mortgageAllFrame(from, 80), 'no old-plan counter after the change').toBe(-1);
    const { ackReasons } = (await getJson(monitor, '/api/alerts?status=all', { headers: admin })).body;
    expect(ackReasons, 'the alert engine runs on the new plan\'s settings').toEqual(['b_reason']);
    expect(gate.holding, 'all of it while the record was still held').toBe(1);
    gate.release();
    const res = await put;
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect([res.body.changed, res.body.recorded]).toEqual([true, true]);
    expect(frames[announced]!.hash).toBe(res.body.newHash);
    expect((await changes())[0]!.newHash).toBe(res.body.newHash);
  }, 90_000);

  it('a second admin\'s PUT during a change is refused with 409; the plan announced last is the one in force', async () => {
    gate.set({ match: /complaints\.plan_changes/, action: 'hold', times: 1 });
    const first = putPlan(planWith(44));
    onTestFinished(() => gate.release());
    await until('the first change\'s record held', () => gate.holding === 1, 30_000);
    const second = await putPlan(planWith(55));
    expect(second.status, JSON.stringify(second.body)).toBe(409);
    expect(second.body.error).toBe('PLAN_CHANGE_IN_PROGRESS');
    expect(second.body.message).toMatch(/another plan change \(by 王经理, since .*\) is in progress/);
    gate.release();
    const res = await first;
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const plan = (await getJson(monitor, '/api/plan', { headers: admin })).body;
    expect(plan.types.find((t: { code: string }) => t.code === MORTGAGE).annualAllowance).toBe(44);
    const announced = frames.filter((f) => f.type === 'plan');
    expect(announced.at(-1)!.hash).toBe(res.body.newHash);
    // once the first is done, the second admin's plan goes through
    const again = await putPlan(planWith(55));
    expect([again.status, again.body.changed]).toEqual([200, true]);
  }, 90_000);

  it('a refused record: the change is in force and announced, shown as not recorded, and written by a retry; a later change after it', async () => {
    const from = frames.length;
    gate.set({ match: /complaints\.plan_changes/, action: 'fail' });
    const res = await putPlan(planWith(66));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect([res.body.changed, res.body.recorded]).toEqual([true, false]);
    expect(res.body.warning).toMatch(/in force, but its record in ClickHouse is not written yet \(Memory limit \(total\) exceeded: test gate refused this insert/);
    const announced = await until('the plan message', () => frames.slice(from).find((f) => f.type === 'plan'), 10_000);
    expect(announced.hash).toBe(res.body.newHash);
    expect((await health()).planFileWarning).toMatch(/is in force but not yet recorded in ClickHouse/);
    await until('the failure logged', () => monitor.output().includes('plan change in force but not recorded in ClickHouse; retrying'), 10_000);
    // a second change while the first's record is retried: in force too, recorded after the first
    const later = await putPlan(planWith(77));
    expect([later.status, later.body.changed, later.body.recorded]).toEqual([200, true, false]);
    expect(later.body.warning).toMatch(/waiting for the record of the change at/);
    expect((await health()).planFileWarning, 'the change did not clear the pending warning').toMatch(/is in force but not yet recorded in ClickHouse/);
    await until('a retry refused too', () => gate.taken.filter((q) => q.includes('plan_changes')).length >= 3, 20_000);
    gate.set(undefined); // the store takes inserts again
    await until('both changes recorded', async () => ((await changes()).length >= 2 && (await changes())[0]!.newHash === later.body.newHash ? true : undefined), 30_000);
    const recorded = (await changes()).map((c) => c.newHash);
    expect(recorded.slice(0, 2), 'in the order they took effect').toEqual([later.body.newHash, res.body.newHash]);
    expect(recorded.filter((h) => h === res.body.newHash)).toHaveLength(1);
    await until('the warning gone', async () => ((await health()).planFileWarning === undefined ? true : undefined), 10_000);
    const inForce = await getJson(monitor, '/api/sql', {
      method: 'POST', headers: admin,
      body: JSON.stringify({ query: "SELECT plan_hash FROM complaints.plan_in_force WHERE source = 'change' ORDER BY since DESC LIMIT 2" }),
    });
    expect(inForce.body.rows).toEqual([{ plan_hash: later.body.newHash }, { plan_hash: res.body.newHash }]);
  }, 90_000);
});
