import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '../pipelines/plan/index.ts';
import { writeCounterChanges } from '../pipelines/sinks/counter-history.ts';
import { levelOf, ratioOf } from '../pipelines/transforms/index.ts';
import { PLAN_2025 } from '../tests/helpers/stack.ts';
import { planAllowanceRows, planHash, recordPlanInForce } from './plan-in-force.ts';
import { migratedStoreForFile } from '../tests/helpers/temp-store.ts';

// The plan in force in ClickHouse (sql/028) and the views that read it (sql/029 counters_current):
// written with the compiled plan's own numbers, read back on the real engine.

const plan = loadPlanFile(PLAN_2025);
const store = migratedStoreForFile('cewm-plan-in-force-');

const rows = async <T>(query: string): Promise<T[]> => (await store.ch.query({ query, format: 'JSONEachRow' })).json<T>();

describe('plan in force - allowance curve', () => {
  it('has one row per type, scope and week, with the compiled plan\'s allowance to date and scope chain', () => {
    const curve = planAllowanceRows(plan, 'h');
    expect(curve).toHaveLength(plan.types.length * plan.scopes.length * plan.weeks.length);
    for (const r of curve) {
      const w = plan.weeks[r.week - 1]!;
      expect(r.allowance_to_date).toBe(plan.allowanceToDate(r.complaint_type, r.scope, w.endMs - 1));
      expect(r.annual_allowance).toBe(plan.allowance(r.complaint_type, r.scope));
    }
    const last = curve.filter((r) => r.week === plan.weeks.length);
    for (const r of last) expect(r.allowance_to_date).toBe(r.annual_allowance);
    expect(curve.find((r) => r.scope === 'BJ-HD')!.scope_chain).toEqual(['BJ-HD', 'BJ', 'ALL']);
    expect(curve.find((r) => r.scope === 'ALL')).toMatchObject({ parent: '', scope_chain: ['ALL'] });
    expect(curve.find((r) => r.scope === 'BJ')).toMatchObject({ parent: 'ALL' });
  });

  it('is recorded at every start and change, its curve once per plan', async () => {
    await recordPlanInForce(store.ch, plan, Date.parse('2025-03-01T00:00:00Z'), 'start');
    await recordPlanInForce(store.ch, plan, Date.parse('2025-03-02T00:00:00Z'), 'start');
    const loads = await rows<{ source: string; plan_hash: string }>('SELECT source, plan_hash FROM complaints.plan_in_force ORDER BY since');
    expect(loads).toEqual([{ source: 'start', plan_hash: planHash(plan) }, { source: 'start', plan_hash: planHash(plan) }]);
    const [count] = await rows<{ n: string }>('SELECT count() AS n FROM complaints.plan_allowances');
    expect(Number(count?.n)).toBe(plan.types.length * plan.scopes.length * plan.weeks.length);
    const curve = await rows<{ complaint_type: string; scope: string; week: number; allowance_to_date: number; watch: number }>(
      "SELECT complaint_type, scope, week, allowance_to_date, watch FROM complaints.allowance_curve WHERE plan_year = 2025 AND complaint_type = 'auto_installment' AND scope = 'GZ' ORDER BY week",
    );
    expect(curve.map((r) => r.allowance_to_date)).toEqual(plan.weeks.map((w) => plan.allowanceToDate('auto_installment', 'GZ', w.startMs)));
    expect(curve[0]!.watch).toBe(plan.watch);
  });
});

describe('plan in force - counters_current', () => {
  it('takes allowance, ratio and level from the plan in force now, not from the week the count last changed', async () => {
    // what the monitor wrote in week 20, the cell's last change: 30 customers of an allowance to
    // date of ~11.6 (breach); the year is over now, so the allowance is the annual 80 (ok)
    const week20 = plan.weeks[19]!.endMs - 1;
    const toDate = plan.allowanceToDate('mortgage_prepayment', 'ALL', week20);
    await writeCounterChanges(store.ch, [{
      complaintType: 'mortgage_prepayment', scope: 'ALL', unresolvedCustomers: 30, firstContactCustomers: 70, oneTimeResolutionRate: 1 - 30 / 70,
      allowanceToDate: toDate, annualAllowance: 80, ratio: ratioOf(30, toDate), level: levelOf(30, toDate, 80, plan.watch),
    }], 2025, week20, 'monitor');
    const got = await rows<{ complaint_type: string; scope: string; unresolved_customers: number; allowance_to_date: number; ratio: number | null; level: string }>(
      'SELECT complaint_type, scope, unresolved_customers, allowance_to_date, ratio, level FROM complaints.counters_current WHERE plan_year = 2025',
    );
    // every cell of the plan, the untouched ones at 0
    expect(got).toHaveLength(plan.types.length * plan.scopes.length);
    const cell = got.find((r) => r.complaint_type === 'mortgage_prepayment' && r.scope === 'ALL')!;
    expect(cell).toEqual({ complaint_type: 'mortgage_prepayment', scope: 'ALL', unresolved_customers: 30, allowance_to_date: 80, ratio: 30 / 80, level: levelOf(30, 80, 80, plan.watch) });
    expect(cell.level).toBe('ok');
    const quiet = got.find((r) => r.complaint_type === 'insurance_dispute' && r.scope === 'GZ')!;
    expect(quiet).toMatchObject({ unresolved_customers: 0, allowance_to_date: plan.allowance('insurance_dispute', 'GZ'), level: 'ok' });
  });
});
