import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TicketEvent } from '../../pipelines/model.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { until } from '../faults/support.ts';

// Audit CT2: a monitor in its first year (no plan stored in force for the year before) judges the
// year before's cases by the loaded plan. A PUT /api/plan that made a type strict opened the
// cases of this year's tickets of that type, not those of the year before, which a restart on
// the same plan then opened unannounced by any change (81 missing in the audit's run).

const ADMIN = 'admin-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'cewm-plan-change-year-before-'));
const fixture = readFileSync(join(ROOT, 'tests/fixtures/plan-2025.yaml'), 'utf8');
const autoStrict = fixture.replace(/(code: auto_installment\n\s+name: 购车分期\n\s+mode:) relative/, '$1 strict');
const [PLAN_A, PLAN_B] = [join(dir, 'a.yaml'), join(dir, 'b.yaml')];
writeFileSync(PLAN_A, fixture);
writeFileSync(PLAN_B, autoStrict);

const fc = (id: string, occurredAt: string): TicketEvent => ({
  eventId: `${id}-fc`, ticketId: id, kind: 'first_contact', outcome: 'not_agreed', occurredAt,
  branch: 'SH', complaintType: 'auto_installment', customerId: `cust-${id}`, channel: 'branch',
});

let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;
const opened: string[] = []; // the gateway notices' openings, by alert id
const headers = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
const openCases = async () => ((await getJson(monitor, '/api/alerts?status=open', { headers })).body.alerts as Array<{ id: string; kind: string }>)
  .filter((a) => a.kind === 'case').map((a) => a.id).sort();

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  const sub = nc.subscribe('complaints.alerts.>');
  void (async () => {
    for await (const m of sub) {
      const body = m.json<{ id: string; change: Array<{ what: string }> }>();
      if (body.change.some((c) => c.what === 'opened')) opened.push(body.id);
    }
  })();
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN: PLAN_A, MONITOR_TOKENS: `${ADMIN}:admin` });
  await publishEvents(nc, [fc('Y24', '2024-12-20T10:00:00+08:00'), fc('Y25', '2025-03-05T10:00:00+08:00')]);
  await waitConsumed(nc);
}, 120_000);

afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('e2e plan change - a type made strict in a monitor\'s first year', () => {
  it('opens the cases of the year before\'s tickets of that type too, as a start on the new plan does', async () => {
    expect(await openCases()).toEqual([]);
    const put = await getJson(monitor, '/api/plan', { method: 'PUT', headers, body: JSON.stringify({ by: '王经理', reason: '购车分期改为逐笔盯盘', plan: autoStrict }) });
    expect(put.status).toBe(200);
    await until('both cases open', async () => (await openCases()).length === 2 || undefined, 30_000).catch(() => undefined);
    expect(await openCases()).toEqual(['case.Y24', 'case.Y25']);
    await until('their openings sent', () => (opened.includes('case.Y24') && opened.includes('case.Y25')) || undefined);
  });

  it('a restart on the same plan finds the same cases, and announces none anew', async () => {
    await monitor.kill();
    monitor = await startMonitor({ NATS_URL: nats.url, PLAN: PLAN_B, DATA_DIR: monitor.dataDir, MONITOR_TOKENS: `${ADMIN}:admin` });
    await until('the engine started', () => monitor.output().includes('alert engine started'));
    expect(await openCases()).toEqual(['case.Y24', 'case.Y25']);
    await new Promise((r) => setTimeout(r, 1_500)); // a notice of the start would be out by now
    expect(opened.filter((id) => id.startsWith('case.')).sort()).toEqual(['case.Y24', 'case.Y25']);
  });
});
