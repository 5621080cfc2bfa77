import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { CounterRow, TicketEvent } from '../../pipelines/model.ts';
import { STREAM } from '../../pipelines/sources/jetstream.ts';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import { openClickHouse } from '../../server/clickhouse.ts';
import { rng, shuffled, ticketStream } from '../helpers/events.ts';
import { getJson, ROOT, startMonitor, type MonitorProcess } from '../helpers/monitor-process.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { publishEvents, waitConsumed } from '../helpers/publish.ts';

// Replay equals live: a randomised event set (duplicates with and without the broker's header,
// any order) goes through a live monitor; then `npm run replay` rebuilds the counter history
// from the stored events, and from the JetStream stream into an empty store. Every (type, scope)
// at every week end must equal what the live monitor answered.
// The stream also holds 12378 transfers the intake never classified, with their text on the
// first event only: the monitor counts the text-less first contact under its ticket's type (the
// most confident classification of its events, in any order), and a replay must too (an audit:
// a replay undercounted them).

const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const plan = loadPlanFile(PLAN);
const SEED = Number(process.env.REPLAY_SEED ?? 90210);
const r = rng(SEED);
const base = ticketStream({ seed: SEED, tickets: 600 + Math.floor(r() * 400), year: 2025, customers: 100 + Math.floor(r() * 200) });
const UNTIL = '2025-12-31T23:59:59.999+08:00';
/**
 * 12378 transfers: `opened` with the complaint's text, then a first contact, not agreed, with
 * none. Every third one's first contact comes before its text and is sent again, without the
 * broker's header, after the text: counted under the ticket's type all the same.
 */
function transfers(count: number) {
  const early: TicketEvent[] = [];
  const texts: TicketEvent[] = [];
  const late: TicketEvent[] = [];
  for (let i = 0; i < count; i++) {
    const at = Date.UTC(2025, 1, 3) + i * 5 * 86_400_000;
    const base = { ticketId: `u-T${i}`, branch: ['BJ', 'SH', 'GZ'][i % 3]!, complaintType: 'unclassified', customerId: `U${i}`, channel: 'regulator_12378' };
    const opened: TicketEvent = { ...base, eventId: `u-E${i}-o`, kind: 'opened', occurredAt: new Date(at).toISOString(), text: i % 2 ? '12378转办：客户反映购车分期提前还款被收取手续费' : '12378转办：客户反映住房贷款提前还款被收取违约金' };
    const contact: TicketEvent = { ...base, eventId: `u-E${i}-fc`, kind: 'first_contact', occurredAt: new Date(at + 86_400_000).toISOString(), outcome: 'not_agreed' };
    texts.push(opened);
    if (i % 3 === 0) early.push(contact);
    late.push(contact);
  }
  return { early, texts, late };
}
const transferred = transfers(24);
/** the stream sequence of the first message after the transfers' texts */
let afterTexts = 0;
/** event_id → complaint_type of the transfers, as the live monitor stored them */
let liveTransferTypes: Record<string, string> = {};

async function transferTypes(dataDir: string): Promise<Record<string, string>> {
  const ch = await openClickHouse({ dataDir: join(dataDir, 'clickhouse') });
  try {
    const rs = await ch.query({ query: `SELECT event_id, complaint_type FROM complaints.ticket_events FINAL WHERE ticket_id LIKE 'u-T%' ORDER BY event_id`, format: 'JSONEachRow' });
    return Object.fromEntries((await rs.json<{ event_id: string; complaint_type: string }>()).map((x) => [x.event_id, x.complaint_type]));
  } finally {
    await ch.close();
  }
}

let nats: TestNats;
let nc: NatsConnection;
let monitor: MonitorProcess;
const live = new Map<number, CounterRow[]>();

function replay(args: string[], plan: string[] = ['--plan', PLAN]): string {
  return execFileSync(process.execPath, ['--import', 'tsx', 'scripts/replay.ts', ...plan, '--until', UNTIL, ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, PLAN: '', CUSTOMER_HASH_KEY: 'test-key' },
  });
}

async function replayed(dataDir: string): Promise<Map<number, CounterRow[]>> {
  const ch = await openClickHouse({ dataDir: join(dataDir, 'clickhouse') });
  try {
    const rs = await ch.query({
      query: `SELECT toString(toUnixTimestamp64Milli(changed_at)) AS at, complaint_type, scope, unresolved_customers, first_contact_customers, allowance_to_date, level
              FROM complaints.counter_changes WHERE plan_year = 2025 AND worker = 'replay' ORDER BY changed_at, complaint_type, scope`,
      format: 'JSONEachRow',
    });
    const out = new Map<number, CounterRow[]>();
    for (const x of await rs.json<Record<string, string>>()) {
      const at = Number(x.at);
      out.set(at, [...(out.get(at) ?? []), {
        complaintType: x.complaint_type!, scope: x.scope!, unresolvedCustomers: Number(x.unresolved_customers), firstContactCustomers: Number(x.first_contact_customers),
        allowanceToDate: Number(x.allowance_to_date), level: x.level as CounterRow['level'],
      } as CounterRow]);
    }
    return out;
  } finally {
    await ch.close();
  }
}

const pick = (rows: CounterRow[]) => rows.map((x) => [x.complaintType, x.scope, x.unresolvedCustomers, x.firstContactCustomers, Math.round(x.allowanceToDate * 1e6), x.level].join('|')).sort();

function expectEqualsLive(got: Map<number, CounterRow[]>) {
  expect([...got.keys()]).toEqual([...live.keys()]);
  for (const [at, rows] of live) expect({ at, rows: pick(got.get(at)!) }).toEqual({ at, rows: pick(rows) });
}

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  monitor = await startMonitor({ NATS_URL: nats.url, PLAN });
  const once = shuffled(base, SEED + 1);
  const dupes = shuffled(base, SEED + 2).filter(() => r() < 0.25);
  await publishEvents(nc, once.slice(0, once.length >> 1));
  await publishEvents(nc, dupes, { withHeader: () => r() < 0.5 });
  await publishEvents(nc, once.slice(once.length >> 1));
  await publishEvents(nc, transferred.early);
  await publishEvents(nc, transferred.texts);
  afterTexts = Number((await (await jetstreamManager(nc)).streams.info(STREAM)).state.last_seq) + 1;
  await publishEvents(nc, transferred.late, { withHeader: (e) => !transferred.early.includes(e) });
  await waitConsumed(nc);
  for (const w of plan.weeks) {
    const at = Math.min(w.endMs - 1, Date.parse(UNTIL));
    const { status, body } = await getJson(monitor, `/api/counters?year=2025&asOf=${encodeURIComponent(new Date(at).toISOString())}`);
    expect(status).toBe(200);
    live.set(at, body.rows);
  }
  await monitor.kill();
  liveTransferTypes = await transferTypes(monitor.dataDir);
}, 240_000);

afterAll(async () => {
  await monitor?.kill();
  await nc?.close();
  await nats?.cleanup();
});

describe('replay - bad arguments', () => {
  // An audit: an unknown option printed a stack trace, a mistyped --data-dir made an empty store
  // and wrote its counters from nothing, and --from-seq without --nats was silently ignored.
  it.each([
    [['--bogus'], /^error: Unknown option '--bogus' \(usage: npm run replay/],
    [['--data-dir', join(tmpdir(), 'cewm-no-such-store')], /^error: no monitor store in .*cewm-no-such-store/],
    [['--from-seq', '5'], /^error: --from-seq and --from-time read the stream: give --nats too/],
  ])('%j is refused with a message, nothing written', (args, message) => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/replay.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(join(tmpdir(), 'cewm-no-such-store'))).toBe(false);
  });
});

describe('e2e - replay equals live', () => {
  it(`rebuilds the counter history from the stored events, the same twice (seed ${SEED})`, async () => {
    const out = JSON.parse(replay(['--data-dir', monitor.dataDir]).trim().split('\n').pop()!);
    expect(out.eventsInYear).toBeGreaterThan(base.length * 0.9);
    expect(out.correctionsFromOtherYears).toBeGreaterThanOrEqual(0); // said apart from the year's events (audit)
    expect(out).not.toHaveProperty('events');
    const first = await replayed(monitor.dataDir);
    expectEqualsLive(first);
    replay(['--data-dir', monitor.dataDir]);
    expect(await replayed(monitor.dataDir)).toEqual(first);
  }, 240_000);

  // Audit AS F0: without --plan a replay counted under the sample plan, and rewrote a bank's
  // counter history and weekly reviews under another bank's branches.
  it('without --plan counts under the plan last in force in the store, and says so', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/replay.ts', '--data-dir', monitor.dataDir, '--until', UNTIL], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, PLAN: '', CUSTOMER_HASH_KEY: 'test-key' },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/no --plan: replaying under the plan last in force in this store \(year 2025, since /);
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!).year).toBe(2025);
    return replayed(monitor.dataDir).then(expectEqualsLive);
  }, 240_000);

  it('warns when the plan given is not the one in force; refuses a new store without one', () => {
    const other = join(mkdtempSync(join(tmpdir(), 'cewm-replay-plan-')), 'plan.yaml');
    writeFileSync(other, readFileSync(PLAN, 'utf8').replace('annualAllowance: 80', 'annualAllowance: 81'));
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/replay.ts', '--plan', other, '--data-dir', monitor.dataDir, '--until', UNTIL], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, PLAN: '', CUSTOMER_HASH_KEY: 'test-key' },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/"level":"warn","msg":"the plan given is not the one last in force in this store for 2025/);
    replay(['--data-dir', monitor.dataDir]); // back to the plan in force, for the tests below
    const empty = mkdtempSync(join(tmpdir(), 'cewm-replay-new-'));
    const refused = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/replay.ts', '--data-dir', empty, '--nats', nats.url, '--from-seq', '1'], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, PLAN: '', CUSTOMER_HASH_KEY: 'test-key' },
    });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/a new store has no plan in force: give the plan to count under with --plan FILE/);
    expect(existsSync(join(empty, 'clickhouse'))).toBe(false);
  }, 240_000);

  it('rebuilds the store and the counters from the JetStream stream into an empty data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cewm-replay-'));
    const out = JSON.parse(replay(['--data-dir', dir, '--nats', nats.url, '--from-seq', '1']).trim().split('\n').pop()!);
    expect(out.stream.messages).toBeGreaterThanOrEqual(base.length);
    expect(await transferTypes(dir)).toEqual(liveTransferTypes);
    expectEqualsLive(await replayed(dir));
    expect(out.stream.duplicates).toBeGreaterThanOrEqual(transferred.early.length); // the first copy kept, as live
    // again over the same store: nothing new is stored, and the figures say so (audit AS F7)
    const again = JSON.parse(replay(['--data-dir', dir, '--nats', nats.url, '--from-seq', '1']).trim().split('\n').pop()!);
    expect([out.stream.alreadyStored, again.stream.stored, again.stream.alreadyStored]).toEqual([0, 0, out.stream.stored]);
  }, 240_000);

  it('a replay from a later sequence into the restored store stores the transfers as live did, and counts them as live did', async () => {
    // each event stored with its own classification: every text-less first contact unclassified
    expect(Object.entries(liveTransferTypes).filter(([id, t]) => id.endsWith('-fc') && t === 'unclassified')).toHaveLength(transferred.late.length);
    replay(['--data-dir', monitor.dataDir, '--nats', nats.url, '--from-seq', String(afterTexts)]);
    expect(await transferTypes(monitor.dataDir)).toEqual(liveTransferTypes);
    expectEqualsLive(await replayed(monitor.dataDir));
  }, 240_000);
});
