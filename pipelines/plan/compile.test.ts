import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { weekIndexAt } from './calendar.ts';
import { compilePlan, cumulative, loadPlanFile } from './compile.ts';
import { PlanError } from './errors.ts';
import { parsePlan } from './parse.ts';
import type { Plan } from './schema.ts';
import { levelOf } from '../transforms/levels.ts';

const SAMPLE = fileURLToPath(new URL('../../server/sample-plan.yaml', import.meta.url));
const utc = (iso: string): number => Date.parse(iso);
const MP = 'mortgage_prepayment';
const AI = 'auto_installment';

function plan(extra: Partial<Plan> = {}): Plan {
  return {
    year: 2025,
    timezone: 'Asia/Shanghai',
    thresholds: { watch: 0.8 },
    branches: [],
    types: [{ code: 'a', name: 'A', mode: 'relative', annualAllowance: 53, branchAllowances: {} }],
    ...extra,
  };
}

describe('plan - compile', () => {
  const p = loadPlanFile(SAMPLE);

  it('compiles the contract example plan', () => {
    expect([p.year, p.timezone, p.watch, p.weeks.length]).toEqual([2025, 'Asia/Shanghai', 0.8, 53]);
    expect(p.yearStartMs).toBe(utc('2024-12-31T16:00:00Z'));
    expect(p.yearEndMs).toBe(utc('2025-12-31T16:00:00Z'));
    expect([p.weeks[0]!.startMs, p.weeks.at(-1)!.endMs]).toEqual([p.yearStartMs, p.yearEndMs]);
    expect(p.scopes).toEqual(['ALL', 'BJ', 'BJ-HD', 'BJ-CY', 'SH', 'GZ']);
    expect(p.types.map((t) => t.code)).toEqual([MP, 'insurance_dispute', AI]);
    expect(p.typeByCode.get(AI)?.branchAllowances).toEqual({ GZ: 10 });
    expect(p.plan.branches).toHaveLength(5);
  });

  it('scopesOf: the branch, its ancestors, then ALL; unknown branches only ALL; cached', () => {
    expect(p.scopesOf('BJ-HD')).toEqual(['BJ-HD', 'BJ', 'ALL']);
    expect(p.scopesOf('SH')).toEqual(['SH', 'ALL']);
    expect(p.scopesOf('NOWHERE')).toEqual(['ALL']);
    expect(p.scopesOf('ALL')).toEqual(['ALL']);
    expect(p.scopesOf('BJ-HD')).toBe(p.scopesOf('BJ-HD'));
    expect(Object.isFrozen(p.scopesOf('BJ'))).toBe(true);
  });

  it('branch weights split the parent allowance (BJ 3, SH 2, GZ 1; BJ-HD and BJ-CY halve BJ)', () => {
    expect(p.allowance(MP, 'ALL')).toBe(80);
    expect(p.allowance(MP, 'BJ')).toBe((80 * 3) / 6);
    expect(p.allowance(MP, 'SH')).toBe((80 * 2) / 6);
    expect(p.allowance(MP, 'GZ')).toBe(80 / 6);
    expect(p.allowance(MP, 'BJ-HD')).toBe(p.allowance(MP, 'BJ') / 2);
    expect(p.allowance(MP, 'BJ-CY')).toBe(20);
    expect(p.allowance('insurance_dispute', 'SH')).toBe((4 * 2) / 6); // exact, not rounded
  });

  it('a branchAllowances entry overrides the split (GZ: 10 for auto_installment); siblings keep theirs', () => {
    expect(p.allowance(AI, 'GZ')).toBe(10);
    expect(p.allowance(AI, 'BJ')).toBe(20);
    expect(p.allowance(AI, 'SH')).toBe((40 * 2) / 6);
    expect(p.allowance(AI, 'BJ-HD')).toBe(10);
  });

  it("an override of a parent is what its children split, wherever the parent sits in the list", () => {
    const c = compilePlan(
      plan({
        branches: [
          { code: 'HD', name: 'hd', parent: 'BJ', weight: 1 },
          { code: 'CY', name: 'cy', parent: 'BJ', weight: 3 },
          { code: 'BJ', name: 'bj', weight: 1 },
        ],
        types: [{ code: 'a', name: 'A', mode: 'relative', annualAllowance: 53, branchAllowances: { BJ: 8 } }],
      }),
    );
    expect(c.scopes).toEqual(['ALL', 'HD', 'CY', 'BJ']);
    expect([c.allowance('a', 'BJ'), c.allowance('a', 'HD'), c.allowance('a', 'CY')]).toEqual([8, 2, 6]);
  });

  it('unknown types and scopes are programming errors', () => {
    expect(() => p.allowance('nope', 'ALL')).toThrow(RangeError);
    expect(() => p.allowance(MP, 'NOWHERE')).toThrow(/unknown scope "NOWHERE"/);
    expect(() => p.allowanceToDate('nope', 'ALL', p.yearStartMs)).toThrow(RangeError);
    expect(() => p.cumulativeShare('nope')).toThrow(RangeError);
  });

  it('without weights the curve follows days: 2025 week 1 is 1-5 January', () => {
    const share = p.cumulativeShare(MP);
    expect(share).toHaveLength(53);
    expect(share[0]).toBeCloseTo(5 / 365, 15);
    expect(share[1]).toBeCloseTo(12 / 365, 15);
    expect(share.at(-1)).toBe(1);
    expect(p.allowanceToDate(MP, 'ALL', utc('2024-12-31T16:00:00Z'))).toBeCloseTo((80 * 5) / 365, 12);
    expect(p.allowanceToDate(MP, 'ALL', utc('2025-01-05T15:59:59.999Z'))).toBeCloseTo((80 * 5) / 365, 12);
    expect(p.allowanceToDate(MP, 'ALL', utc('2025-01-05T16:00:00Z'))).toBeCloseTo((80 * 12) / 365, 12);
    expect(p.allowanceToDate(MP, 'BJ', utc('2025-07-01T00:00:00Z'))).toBeCloseTo(p.allowance(MP, 'BJ') * share[26]!, 12);
    expect(p.weekIndexAt(utc('2025-07-01T00:00:00Z'))).toBe(26);
  });

  it('before the year 0, in the last week and after the year the full allowance', () => {
    expect(p.allowanceToDate(MP, 'ALL', p.yearStartMs - 1)).toBe(0);
    expect(p.allowanceToDate(MP, 'ALL', Number.NaN)).toBe(0);
    expect(p.allowanceToDate(MP, 'ALL', p.yearEndMs - 1)).toBe(80);
    expect(p.allowanceToDate(MP, 'GZ', p.yearEndMs)).toBe(80 / 6);
    expect(p.allowanceToDate(AI, 'GZ', utc('2030-01-01T00:00:00Z'))).toBe(10);
    expect(p.weekIndexAt(p.yearEndMs)).toBe(53);
    expect(p.weekIndexAt(p.yearStartMs - 1)).toBe(-1);
  });

  it('weekIndexAt agrees with the calendar at every week boundary', () => {
    for (const w of p.weeks) {
      for (const t of [w.startMs - 1, w.startMs, w.endMs - 1, w.endMs]) expect(p.weekIndexAt(t)).toBe(weekIndexAt(p.weeks, t));
    }
  });

  it('with weeklyWeights each week gets weight / sum', () => {
    const weights = Array.from({ length: 53 }, (_, i): number => (i === 0 ? 0 : i % 2 === 0 ? 2 : 1));
    const sum = weights.reduce((a, b) => a + b, 0);
    const c = compilePlan(plan({ types: [{ code: 'a', name: 'A', mode: 'relative', annualAllowance: 53, weeklyWeights: weights, branchAllowances: {} }] }));
    const share = c.cumulativeShare('a');
    expect(share[0]).toBe(0);
    expect(share[1]).toBeCloseTo(1 / sum, 15);
    expect(share[2]).toBeCloseTo(3 / sum, 15);
    expect(c.allowanceToDate('a', 'ALL', c.weeks[2]!.startMs)).toBeCloseTo((53 * 3) / sum, 12);
    expect(c.allowanceToDate('a', 'ALL', c.weeks[52]!.startMs)).toBe(53);
  });

  it('cumulative shares are non-decreasing and end at exactly 1, even for awkward weights', () => {
    for (const amounts of [Array(54).fill(0.1), Array(53).fill(1e-300), [1e16, ...Array(52).fill(1)], [0, 0, 3, 0, 0.7]]) {
      const s = cumulative(amounts);
      expect(s).toHaveLength(amounts.length);
      expect(s.at(-1)).toBe(1);
      for (let i = 1; i < s.length; i++) expect(s[i]!).toBeGreaterThanOrEqual(s[i - 1]!);
      expect(s.every((x) => x >= 0 && x <= 1)).toBe(true);
    }
    expect(cumulative(Array(54).fill(0.1))[26]).toBeCloseTo(27 / 54, 15);
  });

  it('a 54-week year in a DST zone', () => {
    const c = compilePlan(plan({ year: 2040, timezone: 'America/New_York' }));
    expect(c.weeks).toHaveLength(54);
    expect(c.cumulativeShare('a')[0]).toBeCloseTo(1 / 366, 15);
    expect(c.yearStartMs).toBe(utc('2040-01-01T05:00:00Z'));
    expect(c.allowanceToDate('a', 'ALL', utc('2040-12-31T12:00:00Z'))).toBe(53);
  });

  it('validates plans built in code, so a cycle cannot hang it', () => {
    const cyclic = plan({ branches: [{ code: 'A', name: 'a', parent: 'B', weight: 1 }, { code: 'B', name: 'b', parent: 'A', weight: 1 }] });
    expect(() => compilePlan(cyclic)).toThrow(PlanError);
    expect(() => compilePlan(cyclic)).toThrow(/branches\[0\]\.parent: parent cycle: A -> B -> A/);
  });

  it('is immutable: the compiled tables cannot drift from the plan', () => {
    const input = plan();
    const c = compilePlan(input);
    input.types[0]!.annualAllowance = 1;
    expect(c.allowance('a', 'ALL')).toBe(53);
    expect(Object.isFrozen(c.plan.types[0])).toBe(true);
    expect(Object.isFrozen(c.cumulativeShare('a'))).toBe(true);
    expect(Object.isFrozen(c.weeks)).toBe(true);
  });

  it('loadPlanFile: a missing file and a bad file are PlanErrors naming the path', () => {
    expect(() => loadPlanFile('/no/such/plan.yaml')).toThrow(PlanError);
    expect(() => loadPlanFile('/no/such/plan.yaml')).toThrow('/no/such/plan.yaml: plan file not found');
    const dir = mkdtempSync(join(tmpdir(), 'plan-test-'));
    const file = join(dir, 'plan.yaml');
    writeFileSync(file, 'year: 2025\ntypes:\n  - { code: a, name: A, mode: strict, annualAllowance: eighty }\n');
    expect(() => loadPlanFile(file)).toThrow(`${file}:3: types[0].annualAllowance: must be a non-negative number (got "eighty")`);
    expect(() => loadPlanFile(dir)).toThrow(/cannot read the plan file \(EISDIR\)/);
  });

  it('compilePlan(parsePlan(text)) equals loadPlanFile', () => {
    const text = 'year: 2026\ntypes:\n  - { code: a, name: A, mode: strict, annualAllowance: 3 }\n';
    const c = compilePlan(parsePlan(text, 'p.yaml'));
    expect(c.yearStartMs).toBe(utc('2025-12-31T16:00:00Z'));
    expect(c.scopes).toEqual(['ALL']);
    expect(c.allowanceToDate('a', 'ALL', utc('2025-12-31T16:00:00Z'))).toBeCloseTo((3 * 4) / 365, 12);
  });

  // Audit finding: 365 × (53/365) came out 52.99999999999999, and a count of 53 read as a breach.
  it('gives a whole allowance where the plan means one, so a count equal to it is not a breach', () => {
    const daily = compilePlan(plan({ year: 2026, types: [{ code: 'd', name: 'D', mode: 'relative', annualAllowance: 365, branchAllowances: {} }] }));
    let days = 0;
    for (const w of daily.weeks) {
      days += Math.round((w.endMs - w.startMs) / 86_400_000);
      const toDate = daily.allowanceToDate('d', 'ALL', w.startMs);
      expect(toDate, `week ${w.index}`).toBe(days); // each week's share is its days / days in the year
      expect(levelOf(days, toDate, 365, 0.5)).toBe('watch');
      expect(levelOf(days + 1, toDate, 365, 0.5)).toBe(days < 365 ? 'breach' : 'critical');
    }
    const weighted = compilePlan(plan({ year: 2026, types: [{ code: 'w', name: 'W', mode: 'relative', annualAllowance: 159, weeklyWeights: Array(53).fill(1), branchAllowances: {} }] }));
    weighted.weeks.forEach((w) => expect(weighted.allowanceToDate('w', 'ALL', w.startMs), `week ${w.index}`).toBe(3 * w.index));
  });

  it('reaches the watch line exactly where the ratio is the threshold', () => {
    // three equal branches of 30 over 53 equal weeks: each branch's allowance is 10
    const p10 = compilePlan(plan({ year: 2026, branches: [{ code: 'A', name: 'A', weight: 1 }, { code: 'B', name: 'B', weight: 1 }, { code: 'C', name: 'C', weight: 1 }], types: [{ code: 't', name: 'T', mode: 'relative', annualAllowance: 30, weeklyWeights: Array(53).fill(0.1), branchAllowances: {} }] }));
    for (const scope of ['A', 'B', 'C']) {
      expect(p10.allowanceToDate('t', scope, p10.weeks[39]!.startMs)).toBeCloseTo(400 / 53, 12); // not a whole number: untouched
      expect(p10.allowance('t', scope)).toBe(10);
      expect(p10.allowanceToDate('t', scope, p10.weeks[52]!.startMs)).toBe(10);
    }
    expect(levelOf(8, 10, 10, 0.8)).toBe('watch');
    expect(levelOf(7, 8.750000000000002, 10, 0.8)).toBe('watch'); // 7 / 8.75 is the threshold
    expect(levelOf(7, 8.7501, 10, 0.8)).toBe('ok');
  });
});

describe('plan - a branch of weight 0', () => {
  // the contract sets no bound on a weight (audit CA C5): 0 is a branch without a share
  it('gets no share of its parent, its siblings all of it', () => {
    const plan = compilePlan(parsePlan(`year: 2025
branches:
  - { code: BJ, name: 北京分行, weight: 0 }
  - { code: SH, name: 上海分行 }
types:
  - { code: t, name: 类型, mode: relative, annualAllowance: 80 }
`, 'zero.yaml'));
    expect([plan.allowance('t', 'BJ'), plan.allowance('t', 'SH'), plan.allowance('t', 'ALL')]).toEqual([0, 80, 80]);
  });
});
