import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PlanError } from './errors.ts';
import { parsePlan } from './parse.ts';

const SAMPLE = fileURLToPath(new URL('../../server/sample-plan.yaml', import.meta.url));

function errorOf(text: string, file = 'plan.yaml'): PlanError {
  try {
    parsePlan(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(PlanError);
    return err as PlanError;
  }
  throw new Error('expected a PlanError');
}

const MINIMAL = 'year: 2025\ntypes:\n  - { code: a, name: A, mode: strict, annualAllowance: 2 }\n';

describe('plan - parse', () => {
  it('parses the contract example plan (server/sample-plan.yaml, plus an on-call ladder) with defaults filled in', () => {
    const plan = parsePlan(readFileSync(SAMPLE, 'utf8'), 'sample-plan.yaml');
    expect(plan).toEqual({
      year: 2025,
      timezone: 'Asia/Shanghai',
      thresholds: { watch: 0.8 },
      branches: [
        { code: 'BJ', name: '北京分行', weight: 3 },
        { code: 'BJ-HD', name: '海淀支行', parent: 'BJ', weight: 1 },
        { code: 'BJ-CY', name: '朝阳支行', parent: 'BJ', weight: 1 },
        { code: 'SH', name: '上海分行', weight: 2 },
        { code: 'GZ', name: '广州分行', weight: 1 },
      ],
      types: [
        { code: 'mortgage_prepayment', name: '住房贷款提前还款', mode: 'relative', annualAllowance: 80, branchAllowances: {} },
        { code: 'insurance_dispute', name: '代理保险争议', mode: 'strict', annualAllowance: 4, branchAllowances: {} },
        { code: 'auto_installment', name: '购车分期', mode: 'relative', annualAllowance: 40, branchAllowances: { GZ: 10 } },
      ],
      alerts: {
        onCall: {
          levels: [
            { notify: ['值班主管', 'role:supervisor'], afterMinutes: 15 },
            { notify: ['消保部负责人', 'role:admin'], afterMinutes: 30 },
          ],
          repeat: 1,
        },
      },
    });
    // optional fields that were not given stay absent, so the plan serialises as written
    expect(Object.keys(plan.types[0]!)).not.toContain('weeklyWeights');
    expect(Object.keys(plan.branches[0]!)).not.toContain('parent');
  });

  it('fills the defaults: zone Asia/Shanghai, watch 0.8, no branches, weight 1', () => {
    const plan = parsePlan(MINIMAL, 'p.yaml');
    expect(plan).toEqual({
      year: 2025,
      timezone: 'Asia/Shanghai',
      thresholds: { watch: 0.8 },
      branches: [],
      types: [{ code: 'a', name: 'A', mode: 'strict', annualAllowance: 2, branchAllowances: {} }],
    });
    expect(parsePlan(`${MINIMAL}thresholds: {}\n`, 'p.yaml').thresholds.watch).toBe(0.8);
    expect(parsePlan(`${MINIMAL}thresholds: { watch: 1 }\n`, 'p.yaml').thresholds.watch).toBe(1);
  });

  it('reads JSON like YAML, and names JSON lines too', () => {
    const json = JSON.stringify(parsePlan(readFileSync(SAMPLE, 'utf8'), 'sample-plan.yaml'), null, 2);
    expect(parsePlan(json, 'plan.json')).toEqual(JSON.parse(json));
    const bad = json.replace('"annualAllowance": 4', '"annualAllowance": "eighty"');
    const line = bad.split('\n').findIndex((l) => l.includes('"eighty"')) + 1;
    expect(errorOf(bad, 'plan.json').message).toBe(`plan.json:${line}: types[1].annualAllowance: must be a non-negative number (got "eighty")`);
  });

  it('keeps weeklyWeights, keywords, overrides, YAML anchors and `parent: ALL` (= top level)', () => {
    const weights = Array.from({ length: 54 }, (_, i) => i % 3);
    const text = [
      'year: 2040',
      'timezone: america/new_york',
      'branches:',
      '  - { code: BJ-HD, name: 海淀, parent: BJ }', // a parent may come later in the list
      '  - { code: BJ, name: 北京, parent: ALL, weight: 2.5 }',
      'types:',
      `  - { code: a, name: A, mode: relative, annualAllowance: 80.5, weeklyWeights: &w [${weights.join(', ')}], keywords: [提前还款, prepay] }`,
      '  - { code: b, name: B, mode: strict, annualAllowance: 0, weeklyWeights: *w, branchAllowances: { BJ-HD: 0.5 } }',
    ].join('\n');
    const plan = parsePlan(text, 'p.yaml');
    expect(plan.timezone).toBe('America/New_York');
    expect(plan.branches).toEqual([
      { code: 'BJ-HD', name: '海淀', parent: 'BJ', weight: 1 },
      { code: 'BJ', name: '北京', weight: 2.5 },
    ]);
    expect(plan.types[0]).toMatchObject({ annualAllowance: 80.5, weeklyWeights: weights, keywords: ['提前还款', 'prepay'] });
    expect(plan.types[1]).toMatchObject({ annualAllowance: 0, weeklyWeights: weights, branchAllowances: { 'BJ-HD': 0.5 } });
  });

  it('a branch may be coded __proto__ without touching prototypes', () => {
    const text = `${MINIMAL}branches: [{ code: __proto__, name: odd }]\n`.replace('annualAllowance: 2', 'annualAllowance: 2, branchAllowances: { __proto__: 1 }');
    const overrides = parsePlan(text, 'p.yaml').types[0]!.branchAllowances;
    expect(Object.hasOwn(overrides, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(overrides)).toBe(Object.prototype);
  });

  it('an empty or comment-only file is a PlanError without a line', () => {
    for (const text of ['', '  \n\n', '# nothing yet\n', '---\n']) {
      const err = errorOf(text);
      expect(err.line).toBeUndefined();
      expect(err.message).toBe('plan.yaml: the plan file is empty');
    }
  });

  it('a document that is not a mapping is refused at line 1', () => {
    expect(errorOf('- 1\n- 2\n')).toMatchObject({ line: 1, path: '', message: 'plan.yaml:1: must be a mapping (got a list)' });
    expect(errorOf('2025\n').message).toBe('plan.yaml:1: must be a mapping (got 2025)');
  });

  it.each([
    ['bad indentation', 'year: 2025\ntypes:\n  - code: a\n   name: b\n', 4],
    ['duplicate key', 'year: 2025\nyear: 2026\n', 2],
    ['unclosed quote (found where the file ends)', 'year: 2025\ntypes: "abc\n', 3],
    ['JSON missing comma', '{\n  "year": 2025,\n  "types": [\n    { "code": "a" "name": "b" }\n  ]\n}\n', 4],
    ['two documents', 'year: 2025\n---\nyear: 2026\n', 2],
  ])('a syntax error is a PlanError with its line: %s', (_name, text, line) => {
    const err = errorOf(text);
    expect(err.line).toBe(line);
    expect(err.message).toMatch(new RegExp(`^plan\\.yaml:${line}: syntax error: \\S`));
    expect(err.cause).toBeDefined();
  });
});
