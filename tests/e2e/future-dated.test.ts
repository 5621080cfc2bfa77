import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { getJson, ROOT } from '../helpers/monitor-process.ts';
import { liveStack } from '../helpers/stack.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { until } from '../faults/support.ts';

// Audit G1: an intake system whose clock runs ahead. Its event is counted only once its time
// comes (contract §3: occurredAt in [start of year, t]); the counter change was never pushed on
// /ws then, so the screens stayed one behind until another event touched the same counter.

const YEAR = Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()));
const dir = mkdtempSync(join(tmpdir(), 'cewm-future-'));
const PLAN = join(dir, 'plan.yaml');
writeFileSync(PLAN, readFileSync(join(ROOT, 'tests/fixtures/plan-2025.yaml'), 'utf8').replace('year: 2025', `year: ${YEAR}`));

const live = liveStack({ PLAN, WALLBOARD_COALESCE_MS: '50' });
let socket: WebSocket;
let frames: any[] = [];

async function listen(): Promise<void> {
  frames = [];
  socket = new WebSocket(`ws://127.0.0.1:${live.monitor.port}/ws?live=1`);
  socket.on('message', (d) => frames.push(JSON.parse(String(d))));
  await new Promise((r) => socket.once('open', r));
}

beforeAll(listen, 30_000);

afterAll(() => {
  socket?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('e2e - an event dated ahead of the monitor\'s clock', () => {
  it('is pushed on /ws when its time comes, and then agrees with /api/counters', async () => {
    const dueMs = Date.now() + 8_000;
    await publishEvents(live.nc, [{
      eventId: 'ahead-1', ticketId: 'AHEAD-1', kind: 'first_contact', outcome: 'not_agreed', occurredAt: new Date(dueMs).toISOString(),
      branch: 'SH', complaintType: 'mortgage_prepayment', customerId: 'C-ahead', channel: 'branch',
    }]);
    await waitConsumed(live.nc);
    const counted = (f: any) => f.type === 'counter' && f.complaintType === 'mortgage_prepayment' && f.scope === 'SH' && f.unresolvedCustomers === 1;
    // not yet: its time has not come (unless a loaded machine took the whole lead to get here, when
    // the frame is rightly there: then only its time is checked below)
    if (Date.now() < dueMs) expect(frames.filter(counted)).toEqual([]);
    const frame = await until('the counter pushed at the event\'s time', () => frames.find(counted), 15_000);
    expect(Date.parse(frame.asOf)).toBeGreaterThanOrEqual(dueMs);
    const { body } = await getJson(live.monitor, `/api/counters?year=${YEAR}&type=mortgage_prepayment&scope=SH`);
    expect(body.rows[0].unresolvedCustomers).toBe(1);
  }, 60_000);

  // Audit S F2: the schedule is in memory; a restart between the event's arrival and its time
  // forgot it, and the screens kept the old figure.
  it('is pushed when its time comes after a restart of the monitor as well', async () => {
    const dueMs = Date.now() + 25_000;
    await publishEvents(live.nc, [{
      eventId: 'ahead-2', ticketId: 'AHEAD-2', kind: 'first_contact', outcome: 'not_agreed', occurredAt: new Date(dueMs).toISOString(),
      branch: 'SH', complaintType: 'mortgage_prepayment', customerId: 'C-ahead-2', channel: 'branch',
    }]);
    await waitConsumed(live.nc);
    socket.close();
    await live.restart();
    await listen();
    const counted = (f: any) => f.complaintType === 'mortgage_prepayment' && f.scope === 'SH' && f.unresolvedCustomers === 2;
    const snapshot = await until('the snapshot', () => frames.find((f) => f.type === 'snapshot'), 15_000);
    expect(Date.now() < dueMs && (snapshot.counters ?? []).some(counted)).toBe(false); // not yet counted: the restart came before its time
    const frame = await until('the counter pushed at the event\'s time', () => frames.find((f) => f.type === 'counter' && counted(f)), 45_000);
    expect(Date.parse(frame.asOf)).toBeGreaterThanOrEqual(dueMs);
  }, 90_000);

  // A first contact reported `unclassified` without text is stored `unclassified`; it counts under
  // its ticket's classification (an `opened` with the text), which the schedule read back must name.
  it('of a ticket the intake left unclassified is pushed under its ticket\'s type after a restart', async () => {
    const dueMs = Date.now() + 25_000;
    const base = { ticketId: 'AHEAD-U', branch: 'GZ', complaintType: 'unclassified', customerId: 'C-ahead-u', channel: 'regulator_12378' } as const;
    await publishEvents(live.nc, [
      { ...base, eventId: 'ahead-u-o', kind: 'opened', occurredAt: new Date().toISOString(), text: '客户要求提前还贷，房贷按揭' },
      { ...base, eventId: 'ahead-u-fc', kind: 'first_contact', outcome: 'not_agreed', occurredAt: new Date(dueMs).toISOString() },
    ]);
    await waitConsumed(live.nc);
    socket.close();
    await live.restart();
    await listen();
    const counted = (f: any) => f.type === 'counter' && f.complaintType === 'mortgage_prepayment' && f.scope === 'GZ' && f.unresolvedCustomers === 1;
    const frame = await until('the counter pushed at the event\'s time', () => frames.find(counted), 45_000);
    expect(Date.parse(frame.asOf)).toBeGreaterThanOrEqual(dueMs);
  }, 90_000);
});
