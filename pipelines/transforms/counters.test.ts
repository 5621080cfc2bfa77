import { describe, expect, it } from 'vitest';
import { CounterIndex } from './counters.ts';
import { COUNTER_CASES, type CounterCase } from './counters.cases.ts';
import { masked, testPlan, YEAR_END, type EventSpec } from './test-plan.ts';
import { lastInstantBefore } from '../plan/calendar.ts';

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** The arrival orders every case is run in: results must be the same for all of them. */
function arrivals(events: readonly EventSpec[]): Array<{ how: string; batches: EventSpec[][] }> {
  return [
    { how: 'as listed, one batch', batches: [[...events]] },
    { how: 'reversed, one by one', batches: [...events].reverse().map((e) => [e]) },
    ...[1, 2, 3].map((seed) => ({ how: `shuffled #${seed}, duplicated`, batches: [shuffled([...events, ...events], seed)] })),
    { how: 'shuffled, replayed later', batches: [shuffled(events, 7), shuffled(events, 8)] },
  ];
}

function run(c: CounterCase): void {
  const ids = new Set(c.events.map((e) => e.id));
  for (const { how, batches } of arrivals(c.events)) {
    const index = new CounterIndex(testPlan());
    for (const batch of batches) index.apply(batch.map(masked));
    for (const x of c.expect) {
      const asOf = x.asOf === undefined ? YEAR_END - 1 : Date.parse(x.asOf);
      const got = index.count(x.type ?? 'mortgage_prepayment', x.scope, asOf);
      expect(got, `${how}: ${x.type ?? 'mortgage_prepayment'}/${x.scope} at ${x.asOf ?? 'year end'}`).toEqual({
        unresolved: x.unresolved,
        firstContact: x.firstContact,
      });
    }
    expect(index.size.recentIds, how).toBe(ids.size);
    for (const id of ids) expect(index.has(id)).toBe(true);
  }
}

describe('transforms - counters behaviour cases', () => {
  it.each(COUNTER_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => run(c));
});

describe('transforms - counters apply reports changed keys', () => {
  it('returns the distinct (type, scope) pairs touched, in plan order, and nothing for known events', () => {
    const index = new CounterIndex(testPlan());
    const batch = [masked({ id: 'e1', branch: 'BJ-HD' }), masked({ id: 'e2', branch: 'BJ-CY', customer: 'c2' })];
    expect(index.apply(batch)).toEqual([
      { complaintType: 'mortgage_prepayment', scope: 'ALL' },
      { complaintType: 'mortgage_prepayment', scope: 'BJ' },
      { complaintType: 'mortgage_prepayment', scope: 'BJ-HD' },
      { complaintType: 'mortgage_prepayment', scope: 'BJ-CY' },
    ]);
    expect(index.apply(batch)).toEqual([]);
    expect(index.apply([masked({ id: 'o1', kind: 'opened' })])).toEqual([]);
  });

  it('reports both the old and the new place of a corrected ticket', () => {
    const index = new CounterIndex(testPlan());
    index.apply([masked({ id: 'f1', ticket: 'T1', branch: 'SH' })]);
    const changed = index.apply([masked({ id: 'k1', ticket: 'T1', kind: 'corrected', type: 'auto_installment', branch: 'GZ' })]);
    expect(changed).toEqual([
      { complaintType: 'mortgage_prepayment', scope: 'ALL' },
      { complaintType: 'mortgage_prepayment', scope: 'SH' },
      { complaintType: 'auto_installment', scope: 'ALL' },
      { complaintType: 'auto_installment', scope: 'GZ' },
    ]);
  });

  it('keeps size figures for health', () => {
    const index = new CounterIndex(testPlan());
    index.apply([masked({ id: 'f1', ticket: 'T1' }), masked({ id: 'f2', ticket: 'T2' }), masked({ id: 'o3', ticket: 'T3', kind: 'opened' })]);
    // tickets and first contacts held for counting; the opened-only ticket holds nothing
    expect(index.size).toEqual({ tickets: 2, firstContacts: 2, customers: 1, recentIds: 3 });
  });
});

describe('transforms - counters rows', () => {
  const mid = Date.parse('2025-07-02T12:00:00+08:00');
  const plan = testPlan();

  it('lists every plan type x every scope, types outer, in plan order', () => {
    const rows = new CounterIndex(plan).rows(mid);
    expect(rows.map((r) => `${r.complaintType}/${r.scope}`)).toEqual(
      plan.types.flatMap((t) => plan.scopes.map((s) => `${t.code}/${s}`)),
    );
    expect(rows[0]).toEqual({
      complaintType: 'mortgage_prepayment', scope: 'ALL', unresolvedCustomers: 0, firstContactCustomers: 0,
      oneTimeResolutionRate: null, allowanceToDate: plan.allowanceToDate('mortgage_prepayment', 'ALL', mid),
      annualAllowance: 80, ratio: 0, level: 'ok',
    });
  });

  it('fills counts, rate, ratio and level, and filters by type and scope', () => {
    const index = new CounterIndex(plan);
    const events = ['c1', 'c2', 'c3', 'c4', 'c5'].map((c, i) => masked({ id: `e${i}`, customer: c, type: 'insurance_dispute', branch: 'SH' }));
    index.apply([...events, masked({ id: 'a1', customer: 'c9', type: 'insurance_dispute', branch: 'SH', outcome: 'agreed' })]);
    const rows = index.rows(mid, { type: 'insurance_dispute', scope: 'SH' });
    expect(rows).toHaveLength(1);
    const row = rows[0];
    const atd = plan.allowanceToDate('insurance_dispute', 'SH', mid);
    expect(row).toEqual({
      complaintType: 'insurance_dispute', scope: 'SH', unresolvedCustomers: 5, firstContactCustomers: 6,
      oneTimeResolutionRate: 1 - 5 / 6, allowanceToDate: atd, annualAllowance: 4 / 3, ratio: 5 / atd, level: 'critical',
    });
    expect(index.rows(mid, { type: 'insurance_dispute' })).toHaveLength(plan.scopes.length);
    expect(index.rows(mid, { scope: 'GZ' })).toHaveLength(plan.types.length);
    expect(index.rows(mid, { type: 'nope' })).toEqual([]);
  });

  it('after the year, reads the allowance curve at its last instant', () => {
    const index = new CounterIndex(plan);
    index.apply([masked({ id: 'e1' })]);
    const [row] = index.rows(YEAR_END + 86_400_000, { type: 'mortgage_prepayment', scope: 'ALL' });
    expect(row?.allowanceToDate).toBe(plan.allowanceToDate('mortgage_prepayment', 'ALL', lastInstantBefore(YEAR_END)));
    expect(row?.unresolvedCustomers).toBe(1);
  });

  it('unknown type or scope counts zero', () => {
    const index = new CounterIndex(plan);
    index.apply([masked({ id: 'e1' })]);
    expect(index.count('nope', 'ALL', YEAR_END)).toEqual({ unresolved: 0, firstContact: 0 });
    expect(index.count('mortgage_prepayment', 'XX', YEAR_END)).toEqual({ unresolved: 0, firstContact: 0 });
  });
});

describe('transforms - counters reapply (batches that raced a plan change\'s rebuild)', () => {
  it('counts events whose ids the rebuild remembered without their facts; twice-applied facts change nothing', () => {
    const index = new CounterIndex(testPlan());
    const counted = masked({ id: 'f1', ticket: 'T1', customer: 'c1' });
    const late = [masked({ id: 'f2', ticket: 'T2', customer: 'c2' }), masked({ id: 'k2', ticket: 'T2', kind: 'corrected', type: 'auto_installment', branch: 'GZ' })];
    index.apply([counted]); // read by the rebuild's fact pages
    index.remember(['f1', 'f2', 'k2']); // all three in its recent-ids page
    expect(index.apply(late)).toEqual([]); // what the swap did: lost
    index.reapply([counted, ...late]);
    expect(index.count('mortgage_prepayment', 'ALL', YEAR_END - 1)).toEqual({ unresolved: 1, firstContact: 1 });
    expect(index.count('auto_installment', 'GZ', YEAR_END - 1)).toEqual({ unresolved: 1, firstContact: 1 });
    index.reapply([counted, ...late]);
    expect(index.count('auto_installment', 'ALL', YEAR_END - 1)).toEqual({ unresolved: 1, firstContact: 1 });
  });
});
