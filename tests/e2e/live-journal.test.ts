import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { join } from 'node:path';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import type { TicketEvent } from '../../pipelines/model.ts';
import { ticketStream } from '../helpers/events.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';
import { expectExactCounters } from '../faults/support.ts';

// The embedded engine's live journal seen from outside: counted events wait in it (health and
// metrics say how many), an analyst's query sees them at once, and a monitor killed while they
// wait finds them at its next start: counters exact, every event in ticket_events once.

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const plan = loadPlanFile(PLAN);
const SUP = 'journal-supervisor-0123456789';
const auth = { headers: { authorization: `Bearer ${SUP}` } };
// Tickets that never touch the strict type: a ticket arriving in a strict type makes the alert
// engine read its stored events, which moves the journal (as every read does).
const strictTickets = (list: TicketEvent[]) => new Set(list.filter((e) => e.complaintType === 'insurance_dispute' || e.complaintType === 'unclassified').map((e) => e.ticketId));
const all = ticketStream({ seed: 77, tickets: 400, year: 2025, customers: 80, prefix: 'lj' });
const strict = strictTickets(all);
const events = all.filter((e) => !strict.has(e.ticketId));
const firstPart = events.slice(0, 200);

let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess | undefined;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
});
afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
});

const journalRows = async (m: MonitorProcess) => (await getJson(m, '/api/health', auth)).body.clickhouse.journalRows as number;
async function storedEvents(m: MonitorProcess): Promise<{ distinct: number; rows: number }> {
  const res = await fetch(`${m.baseUrl}/api/sql`, {
    method: 'POST',
    headers: { ...auth.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'SELECT uniqExact(event_id) AS distinct, count() AS rows FROM complaints.ticket_events' }),
  });
  expect(res.status).toBe(200);
  const [r] = ((await res.json()) as { rows: Array<{ distinct: string; rows: string }> }).rows;
  return { distinct: Number(r!.distinct), rows: Number(r!.rows) };
}
const distinctIds = (list: typeof events) => new Set(list.map((e) => e.eventId)).size;

describe('e2e - live journal', () => {
  it('counts what waits in the journal, shows it to analysts at once, and keeps it through a SIGKILL', async () => {
    // Nothing may move the journal but this test's reads: not the timer, and not the monitor's own
    // weekly-review check (with a 2025 plan every week is finished, so it would read the store).
    const env = { NATS_URL: nats.url, PLAN, MONITOR_TOKENS: `${SUP}:supervisor`, JOURNAL_MOVE_MS: '600000', WEEKLY_REVIEW_CHECK_MS: '0' };
    monitor = await startMonitor(env);
    await publishEvents(nc, firstPart);
    await waitConsumed(nc);
    const waiting = await journalRows(monitor);
    expect(waiting).toBeGreaterThan(0);
    const metrics = await (await fetch(`${monitor.baseUrl}/metrics`, auth)).text();
    expect(metrics).toContain(`JournalRows ${waiting}`);
    expect(metrics).toMatch(/^JournalMoves_total 0$/m);
    await expectExactCounters(monitor, plan, firstPart, auth);

    // an analyst's read moves the journal first
    expect(await storedEvents(monitor)).toEqual({ distinct: distinctIds(firstPart), rows: distinctIds(firstPart) });
    expect(await journalRows(monitor)).toBe(0);
    expect(await (await fetch(`${monitor.baseUrl}/metrics`, auth)).text()).toMatch(/^JournalMoves_total 1$/m);

    // the rest is counted and waits in the journal when the monitor is killed
    await publishEvents(nc, events.slice(200));
    await waitConsumed(nc);
    await expectExactCounters(monitor, plan, events, auth);
    expect(await journalRows(monitor)).toBeGreaterThan(0);
    const dataDir = monitor.dataDir;
    await monitor.kill('SIGKILL');
    monitor = await startMonitor({ ...env, DATA_DIR: dataDir });
    expect(await journalRows(monitor)).toBe(0);
    await expectExactCounters(monitor, plan, events, auth);
    expect(await storedEvents(monitor)).toMatchObject({ distinct: distinctIds(events) });
  }, 120_000);
});
