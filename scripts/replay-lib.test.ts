import type { ClickHouseClient } from '@clickhouse/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventKind } from '../pipelines/model.ts';
import { loadPlanFile } from '../pipelines/plan/index.ts';
import { ClickHouseSink, type StoredEvent } from '../pipelines/sinks/clickhouse.ts';
import { migrate, openClickHouse } from '../server/clickhouse.ts';
import { failureText, indexFromStore } from './replay-lib.ts';

// What the replay reports it read (audit: a 2025 replay of a store holding only 2026 events said
// "events": 45 — all 2026 corrections, read because a correction of any date can re-type a
// ticket of the year). The year's events and the other years' corrections are counted apart.

const plan = loadPlanFile(join(import.meta.dirname, '..', 'tests', 'fixtures', 'plan-2025.yaml'));
const dir = mkdtempSync(join(tmpdir(), 'cewm-replay-lib-'));
let ch: ClickHouseClient;

function stored(id: string, kind: EventKind, iso: string, complaintType: string, ticketId = id): StoredEvent {
  return {
    event: {
      eventId: id, ticketId, kind, occurredAt: iso, occurredAtMs: Date.parse(iso), branch: 'BJ', complaintType, reportedType: complaintType,
      customerHash: `h-${ticketId}`, customerMasked: {}, ...(kind === 'first_contact' ? { outcome: 'not_agreed' as const } : {}),
    },
    streamSeq: 1,
    receivedAtMs: Date.parse(iso),
  };
}

beforeAll(async () => {
  ch = await openClickHouse({ dataDir: join(dir, 'clickhouse') });
  await migrate(ch);
});
afterAll(async () => {
  await ch?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('replay - what it read', () => {
  it('a store with only next year: no events of the year, its corrections counted as such', async () => {
    const sink = new ClickHouseSink(ch);
    await sink.writeBatch([
      stored('n1', 'first_contact', '2026-02-01T10:00:00+08:00', 'mortgage_prepayment'),
      stored('n2', 'corrected', '2026-02-02T10:00:00+08:00', 'insurance_dispute', 'n1'),
      stored('n3', 'corrected', '2026-03-02T10:00:00+08:00', 'insurance_dispute', 'n9'),
    ], []);
    const read = await indexFromStore(ch, plan);
    expect([read.eventsInYear, read.correctionsFromOtherYears]).toEqual([0, 2]);
  });

  it("counts the year's events apart, and still applies another year's correction to the year's ticket", async () => {
    const sink = new ClickHouseSink(ch);
    await sink.writeBatch([
      stored('y1', 'first_contact', '2025-06-01T10:00:00+08:00', 'mortgage_prepayment'),
      stored('y2', 'opened', '2025-01-01T00:00:00+08:00', 'mortgage_prepayment'),
      stored('y3', 'corrected', '2026-01-05T10:00:00+08:00', 'insurance_dispute', 'y1'),
    ], []);
    const read = await indexFromStore(ch, plan);
    expect([read.eventsInYear, read.correctionsFromOtherYears]).toEqual([2, 3]);
    const rows = read.index.rows(plan.yearEndMs - 1, { scope: 'ALL' });
    const unresolved = (type: string) => rows.find((r) => r.complaintType === type)!.unresolvedCustomers;
    expect([unresolved('mortgage_prepayment'), unresolved('insurance_dispute')]).toEqual([0, 1]);
  });

  it('counts distinct events, not the rows of copies the engine has not merged yet (an audit: 24,661 for ~15.9k events)', async () => {
    const sink = new ClickHouseSink(ch);
    const before = await indexFromStore(ch, plan);
    const twice = [stored('d1', 'first_contact', '2025-07-01T10:00:00+08:00', 'mortgage_prepayment'), stored('d2', 'opened', '2025-07-02T10:00:00+08:00', 'mortgage_prepayment')];
    await sink.writeBatch(twice, []);
    await sink.writeBatch(twice, []); // a second part: two rows per event until a merge
    const read = await indexFromStore(ch, plan);
    expect(read.eventsInYear - before.eventsInYear).toBe(2);
  });
});

describe('replay - what a failure says', () => {
  // audit CC F9: a ClickHouse server's 431 with an empty body ended the replay with "error: " alone
  it('the message, or what is known of an error without one', () => {
    expect(failureText(new Error('NATS not reachable'))).toBe('NATS not reachable');
    const empty = Object.assign(new Error(''), { name: 'ClickHouseError', code: '431' });
    expect(failureText(empty)).toMatch(/^ClickHouseError, code 431 without a message \(from a ClickHouse server: an HTTP error with an empty body/);
  });
});
