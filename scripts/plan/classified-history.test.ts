import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from '@clickhouse/client';
import type { TicketEvent } from '../../pipelines/model.ts';
import { compilePlan, loadPlanFile } from '../../pipelines/plan/index.ts';
import { notAgreedByDay } from '../../pipelines/plan/builder/index.ts';
import { countingFacts } from '../../pipelines/sources/clickhouse-replay.ts';
import { ClickHouseSink } from '../../pipelines/sinks/clickhouse.ts';
import { CounterIndex } from '../../pipelines/transforms/counters.ts';
import { maskEvent } from '../../pipelines/transforms/mask.ts';
import { migrate } from '../../server/clickhouse.ts';
import { startClickHouseHttp, type TestClickHouseHttp } from '../../tests/helpers/clickhouse-http.ts';
import { classifiedHistoryNdjson } from './classified-history.ts';

// Audit AS F2: the builder counted tickets the intake left `unclassified` (12378 transfers) under
// `unclassified` and dropped them, where the monitor counts them under their most confident
// classification: 42 mortgage not-agreed customers against the monitor's 48. Here a year of the
// simulator's events (its hotline transfers carry text on `opened`, none on `first_contact`)
// goes through the monitor's own masking, store writer and counters, and the builder must count
// last year's not-agreed customers per type exactly as those counters do, from the store and
// from the NDJSON file alike.

const ROOT = join(import.meta.dirname, '..', '..');
const BASE = 'tests/fixtures/plan-2025.yaml';
const dir = mkdtempSync(join(tmpdir(), 'cewm-plan-classified-'));
let ch: TestClickHouseHttp | undefined;
afterAll(async () => {
  await ch?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const run = (script: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};
/** "not-agreed customers per type: a=1 (history), b=2 (history)" → { a: 1, b: 2 } */
const perType = (out: string) =>
  Object.fromEntries([.../not-agreed customers per type: (.*)/.exec(out)![1]!.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));

describe('plan builder - unclassified tickets count as the monitor counts them (audit AS F2)', () => {
  it('from the store and from NDJSON: per type, the monitor counters\' not-agreed customers of last year', async () => {
    const file = join(dir, 'events-2024.ndjson');
    run('scripts/simulator/cli.ts', ['--year', '2024', '--seed', '1', '--out', file]);
    const events = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TicketEvent);

    // the monitor of 2024: its plan (the base's types), its masking, its store, its counters
    const base = loadPlanFile(join(ROOT, BASE)).plan;
    const plan = compilePlan({ ...base, year: 2024 });
    const masked = events.map((e) => maskEvent(e, { hashKey: new Uint8Array(32).fill(7), plan }));
    expect(masked.some((e) => e.kind === 'first_contact' && e.reportedType === 'unclassified' && e.outcome === 'not_agreed' && !e.text), 'text-less transfers').toBe(true);
    const live = new CounterIndex(plan);
    live.apply(masked);
    ch = await startClickHouseHttp();
    const client = createClient({ url: ch.url, username: ch.user, password: ch.password });
    await migrate(client);
    await new ClickHouseSink(client).writeBatch(masked.map((event, i) => ({ event, streamSeq: i + 1, receivedAtMs: 0 })), []);
    const rebuilt = new CounterIndex(plan);
    await countingFacts(client, rebuilt, { fromMs: plan.yearStartMs, toMs: plan.yearEndMs });
    await client.close();
    const monitor = (index: CounterIndex) => Object.fromEntries(plan.types.map((t) => [t.code, index.count(t.code, 'ALL', plan.yearEndMs - 1).unresolved]));
    expect(monitor(rebuilt)).toEqual(monitor(live));
    const expected = monitor(live);
    // the transfers matter: counted by the type the intake reported, the totals differ
    const byReported = notAgreedByDay(events.map((e) => ({ ...e, atMs: Date.parse(e.occurredAt), type: e.complaintType, customer: e.customerId })), 2024, 'Asia/Shanghai');
    expect(byReported.get('mortgage_prepayment')!.reduce((a, b) => a + b)).toBeLessThan(expected.mortgage_prepayment!);

    const env = { CLICKHOUSE_USER: ch.user, CLICKHOUSE_PASSWORD: ch.password };
    const fromStore = run('scripts/plan/cli.ts', ['build', '--base', BASE, '--clickhouse-url', ch.url, '--out', join(dir, 'from-store.yaml')], env);
    const fromFile = run('scripts/plan/cli.ts', ['build', '--base', BASE, '--history', file, '--out', join(dir, 'from-file.yaml')]);
    expect(perType(fromStore)).toEqual(expected);
    expect(perType(fromFile)).toEqual(expected);
    for (const out of [fromStore, fromFile]) {
      expect(out).not.toMatch(/does not monitor, ignored: .*unclassified/);
      expect(out).toMatch(/^warning: unclassified tickets whose text and tags gave no plan type, counted under none \(as the monitor counts them\): \d+ not-agreed customers$/m);
    }
  }, 180_000);

  it('a ticket takes its most confident classification, ties to the greater eventId; a correction still re-types it', () => {
    const types = loadPlanFile(join(ROOT, BASE)).plan.types;
    const ev = (eventId: string, ticketId: string, kind: string, extra: object = {}) =>
      JSON.stringify({ eventId, ticketId, kind, occurredAt: '2024-03-05T10:00:00+08:00', branch: 'BJ', complaintType: 'unclassified', customerId: `c-${ticketId}`, ...extra });
    const lines = [
      // t1: the opening's text is weakly about insurance, a later note firmly about a mortgage
      ev('a1', 't1', 'opened', { text: '保单' }),
      ev('a2', 't1', 'first_contact', { outcome: 'not_agreed' }),
      ev('a3', 't1', 'resolved', { outcome: 'agreed', text: '住房贷款提前还款 房贷' }),
      // t2: two equally confident classifications; the greater eventId (b9, auto) wins
      ev('b1', 't2', 'opened', { text: '房贷' }),
      ev('b9', 't2', 'escalated', { escalation: 'case_meeting', text: '车贷' }),
      ev('b5', 't2', 'first_contact', { outcome: 'not_agreed' }),
      // t3: classified as a mortgage, but a person re-typed it as insurance
      ev('c1', 't3', 'opened', { text: '房贷' }),
      ev('c2', 't3', 'first_contact', { outcome: 'not_agreed' }),
      JSON.stringify({ eventId: 'c3', ticketId: 't3', kind: 'corrected', occurredAt: '2024-03-06T10:00:00+08:00', branch: 'BJ', complaintType: 'insurance_dispute', customerId: 'c-t3' }),
      // t4: nothing to go by
      ev('d1', 't4', 'opened', { text: 'hello' }),
      ev('d2', 't4', 'first_contact', { outcome: 'not_agreed' }),
      // t5: a person re-typed it `unclassified` with a text: the correction's own classification (verify AT V0)
      ev('e1', 't5', 'first_contact', { outcome: 'not_agreed', complaintType: 'insurance_dispute' }),
      ev('e2', 't5', 'corrected', { text: '房贷', occurredAt: '2024-03-06T10:00:00+08:00' }),
    ];
    const file = join(dir, 'rules.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const typed = classifiedHistoryNdjson(readFileSync(file, 'utf8'), file, types);
    const fc = Object.fromEntries(typed.filter((e) => e.kind === 'first_contact').map((e) => [e.ticketId, e.type]));
    expect(fc).toEqual({ t1: 'mortgage_prepayment', t2: 'auto_installment', t3: 'mortgage_prepayment', t4: 'unclassified', t5: 'insurance_dispute' });
    expect(typed.find((e) => e.eventId === 'e2')?.type).toBe('mortgage_prepayment');
    const history = notAgreedByDay(typed, 2024, 'Asia/Shanghai');
    expect([...history.keys()].sort()).toEqual(['auto_installment', 'insurance_dispute', 'mortgage_prepayment', 'unclassified']);
  });
});
