import { describe, expect, it } from 'vitest';
import { PlanError } from './errors.ts';
import { parsePlan } from './parse.ts';

// Line numbers below refer to this text; each case edits it and names the expected place.
const BASE = `year: 2025
timezone: Asia/Shanghai
thresholds:
  watch: 0.8
branches:
  - { code: BJ, name: 北京分行, weight: 3 }
  - { code: BJ-HD, name: 海淀支行, parent: BJ }
  - { code: SH, name: 上海分行, weight: 2 }
types:
  - code: mortgage_prepayment
    name: 住房贷款提前还款
    mode: relative
    annualAllowance: 80
  - code: insurance_dispute
    name: 代理保险争议
    mode: strict
    annualAllowance: 4`;

type Edit = [op: 'set' | 'after' | 'drop', line: number, text?: string];

function edit(...edits: Edit[]): string {
  const lines: unknown[] = BASE.split('\n');
  for (const [op, n, text = ''] of edits) {
    if (op === 'set') lines[n - 1] = text;
    if (op === 'drop') lines[n - 1] = [];
    if (op === 'after') lines[n - 1] = [lines[n - 1], text];
  }
  return (lines.flat(Infinity) as string[]).join('\n') + '\n';
}

function errorOf(text: string, file = 'plan.yaml'): PlanError {
  try {
    parsePlan(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(PlanError);
    return err as PlanError;
  }
  throw new Error('expected a PlanError');
}

const list = (n: number, v: number | string = 1): string => `[${Array(n).fill(v).join(', ')}]`;

// [case, text, line, path, field, reason]
const CASES: Array<[string, string, number, string, string, RegExp]> = [
  ['year as a string', edit(['set', 1, 'year: "2025"']), 1, 'year', 'year', /^must be an integer from 1970 to 2200 \(got "2025"\)$/],
  ['year too early', edit(['set', 1, 'year: 1969']), 1, 'year', 'year', /1970 to 2200 \(got 1969\)/],
  ['year too late', edit(['set', 1, 'year: 2201']), 1, 'year', 'year', /got 2201/],
  ['year fractional', edit(['set', 1, 'year: 2025.5']), 1, 'year', 'year', /got 2025.5/],
  ['year missing', edit(['drop', 1]), 1, 'year', 'year', /^is required$/],
  ['unknown zone', edit(['set', 2, 'timezone: Mars/Olympus']), 2, 'timezone', 'timezone', /IANA time zone .*got "Mars\/Olympus"/],
  ['offset is no zone', edit(['set', 2, 'timezone: "+08:00"']), 2, 'timezone', 'timezone', /IANA/],
  ['watch 0', edit(['set', 4, '  watch: 0']), 4, 'thresholds.watch', 'watch', /greater than 0 and at most 1 \(got 0\)/],
  ['watch above 1', edit(['set', 4, '  watch: 1.5']), 4, 'thresholds.watch', 'watch', /got 1.5/],
  ['watch as text', edit(['set', 4, '  watch: high']), 4, 'thresholds.watch', 'watch', /got "high"/],
  ['unknown threshold', edit(['after', 4, '  critical: 1.2']), 5, 'thresholds.critical', 'critical', /^unknown field \(allowed: watch\)$/],
  ['thresholds not a mapping', edit(['set', 3, 'thresholds: 0.8'], ['drop', 4]), 3, 'thresholds', 'thresholds', /must be a mapping \(got 0.8\)/],
  ['branches not a list', edit(['set', 5, 'branches: BJ'], ['drop', 6], ['drop', 7], ['drop', 8]), 5, 'branches', 'branches', /must be a list/],
  ['branch code pattern', edit(['set', 6, '  - { code: B J, name: x }']), 6, 'branches[0].code', 'code', /letters, digits, '_' or '-' \(got "B J"\)/],
  ['branch code too long', edit(['set', 8, `  - { code: ${'S'.repeat(65)}, name: x }`]), 8, 'branches[2].code', 'code', /1-64/],
  ['branch code as number', edit(['set', 8, '  - { code: 0101, name: x }']), 8, 'branches[2].code', 'code', /got 101; quote/],
  ['branch code ALL', edit(['set', 6, '  - { code: ALL, name: x }']), 6, 'branches[0].code', 'code', /ALL is reserved/],
  ['duplicate branch', edit(['set', 8, '  - { code: BJ, name: x }']), 8, 'branches[2].code', 'code', /duplicate branch code "BJ" \(first on line 6\)/],
  ['unknown parent', edit(['set', 7, '  - { code: BJ-HD, name: x, parent: XX }']), 7, 'branches[1].parent', 'parent', /^unknown branch "XX"$/],
  ['parent cycle', edit(['set', 6, '  - { code: BJ, name: x, parent: BJ-HD }']), 6, 'branches[0].parent', 'parent', /^parent cycle: BJ -> BJ-HD -> BJ$/],
  ['own parent', edit(['set', 8, '  - { code: SH, name: x, parent: SH }']), 8, 'branches[2].parent', 'parent', /SH -> SH/],
  ['every sibling weight 0', edit(['set', 6, '  - { code: BJ, name: x, weight: 0 }'], ['set', 8, '  - { code: SH, name: x, weight: 0 }']), 6, 'branches[0].weight', 'weight', /^the weights of ALL's branches are all 0: give one a weight above 0/],
  ['the only child weight 0', edit(['set', 7, '  - { code: BJ-HD, name: x, parent: BJ, weight: 0 }']), 7, 'branches[1].weight', 'weight', /weights of BJ's branches are all 0/],
  ['weight negative', edit(['set', 8, '  - { code: SH, name: x, weight: -2 }']), 8, 'branches[2].weight', 'weight', /0 or more \(got -2\)/],
  ['branch name missing', edit(['set', 8, '  - { code: SH }']), 8, 'branches[2].name', 'name', /^is required$/],
  ['branch name empty', edit(['set', 8, '  - { code: SH, name: "" }']), 8, 'branches[2].name', 'name', /non-empty string/],
  ['unknown branch field', edit(['set', 8, '  - { code: SH, name: x, manager: y }']), 8, 'branches[2].manager', 'manager', /allowed: code, name, parent, weight/],
  ['types missing', edit(...[9, 10, 11, 12, 13, 14, 15, 16, 17].map((n): Edit => ['drop', n])), 1, 'types', 'types', /^is required$/],
  ['types empty', edit(['set', 9, 'types: []'], ...[10, 11, 12, 13, 14, 15, 16, 17].map((n): Edit => ['drop', n])), 9, 'types', 'types', /non-empty list \(got an empty list\)/],
  ['type code uppercase', edit(['set', 10, '  - code: Mortgage']), 10, 'types[0].code', 'code', /lowercase/],
  ['type code reserved', edit(['set', 14, '  - code: unclassified']), 14, 'types[1].code', 'code', /unclassified is reserved/],
  ['duplicate type', edit(['set', 14, '  - code: mortgage_prepayment']), 14, 'types[1].code', 'code', /duplicate type code .*line 10/],
  ['bad mode', edit(['set', 12, '    mode: soft']), 12, 'types[0].mode', 'mode', /"strict" or "relative" \(got "soft"\)/],
  ['negative allowance', edit(['set', 13, '    annualAllowance: -1']), 13, 'types[0].annualAllowance', 'annualAllowance', /non-negative number \(got -1\)/],
  ['allowance missing', edit(['drop', 17]), 14, 'types[1].annualAllowance', 'annualAllowance', /^is required$/],
  ['allowance empty', edit(['set', 17, '    annualAllowance:']), 17, 'types[1].annualAllowance', 'annualAllowance', /got null/],
  ['allowance infinite', edit(['set', 17, '    annualAllowance: .inf']), 17, 'types[1].annualAllowance', 'annualAllowance', /got Infinity/],
  // finite numbers whose sums overflowed (NaN allowances), a deadline past the end of time (audit BB)
  ['allowance past any bank', edit(['set', 17, '    annualAllowance: 1e300']), 17, 'types[1].annualAllowance', 'annualAllowance', /must be at most 10,000,000 \(got 1e\+300\)/],
  ['branch weight near the largest double', edit(['set', 6, '  - { code: BJ, name: x, weight: 1.7e308 }']), 6, 'branches[0].weight', 'weight', /at most 1,000,000,000,000,000/],
  ['week weight near the largest double', edit(['after', 13, `    weeklyWeights: [${Array(52).fill(1).join(', ')}, 1e308]`]), 14, 'types[0].weeklyWeights[52]', 'weeklyWeights', /at most/],
  ['case deadline past the end of time', edit(['after', 17, 'alerts:\n  cases: { deadlineDays: 1e300 }']), 19, 'alerts.cases.deadlineDays', 'deadlineDays', /at most 366/],
  ['no-progress hours beyond a year', edit(['after', 17, 'alerts:\n  cases: { noProgressHours: 10000 }']), 19, 'alerts.cases.noProgressHours', 'noProgressHours', /at most 8,784/],
  ['unknown type field', edit(['after', 13, '    color: red']), 14, 'types[0].color', 'color', /unknown field/],
  ['weights too short', edit(['after', 13, '    weeklyWeights: [1, 2]']), 14, 'types[0].weeklyWeights', 'weeklyWeights', /must have 53 entries, one per week of 2025 \(got 2\)/],
  ['54 weights in a 53-week year', edit(['after', 13, `    weeklyWeights: ${list(54)}`]), 14, 'types[0].weeklyWeights', 'weeklyWeights', /53 entries/],
  ['53 weights in a 54-week year', edit(['set', 1, 'year: 2040'], ['after', 13, `    weeklyWeights: ${list(53)}`]), 14, 'types[0].weeklyWeights', 'weeklyWeights', /54 entries, one per week of 2040/],
  ['negative weight', edit(['after', 13, `    weeklyWeights: [${Array(52).fill(1).join(', ')}, -1]`]), 14, 'types[0].weeklyWeights[52]', 'weeklyWeights', /non-negative/],
  ['weight on its own line', edit(['after', 13, '    weeklyWeights:'], ...Array.from({ length: 53 }, (_, i): Edit => ['after', 13, `      - ${i === 40 ? 'x' : 1}`])), 55, 'types[0].weeklyWeights[40]', 'weeklyWeights', /got "x"/],
  ['weights all zero', edit(['after', 13, `    weeklyWeights: ${list(53, 0)}`]), 14, 'types[0].weeklyWeights', 'weeklyWeights', /positive sum/],
  ['override of unknown branch', edit(['after', 13, '    branchAllowances: { GZ: 10 }']), 14, 'types[0].branchAllowances.GZ', 'branchAllowances', /unknown branch "GZ"/],
  ['override of ALL', edit(['after', 13, '    branchAllowances: { ALL: 10 }']), 14, 'types[0].branchAllowances.ALL', 'branchAllowances', /unknown branch "ALL"/],
  ['negative override', edit(['after', 17, '    branchAllowances: { SH: 1, BJ-HD: -1 }']), 18, 'types[1].branchAllowances["BJ-HD"]', 'branchAllowances', /non-negative number \(got -1\)/],
  ['overrides not a mapping', edit(['after', 17, '    branchAllowances: [SH]']), 18, 'types[1].branchAllowances', 'branchAllowances', /must be a mapping \(got a list\)/],
  ['bad keyword', edit(['after', 17, '    keywords: [保险, 3]']), 18, 'types[1].keywords[1]', 'keywords', /non-empty string \(got 3; quote/],
  ['unknown top-level field', edit(['after', 17, 'owner: ops']), 18, 'owner', 'owner', /allowed: year, timezone, thresholds, branches, types/],
];

describe('plan - parse errors', () => {
  it.each(CASES)('%s', (_name, text, line, path, field, reason) => {
    const err = errorOf(text);
    expect({ line: err.line, path: err.path, field: err.field, file: err.file }).toEqual({ line, path, field, file: 'plan.yaml' });
    expect(err.reason).toMatch(reason);
    expect(err.message).toBe(`plan.yaml:${line}: ${path}: ${err.reason}`);
  });

  it('reads like the contract example', () => {
    const err = errorOf(edit(['set', 17, '    annualAllowance: eighty']));
    expect(err.message).toBe('plan.yaml:17: types[1].annualAllowance: must be a non-negative number (got "eighty")');
    expect(err.name).toBe('PlanError');
    expect(err).toBeInstanceOf(Error);
  });

  it('reports the first problem in document order, wherever the field sits in the format', () => {
    const text = edit(['set', 13, '    annualAllowance: lots'], ['set', 7, '  - { code: BJ-HD, name: x, parent: XX }'], ['set', 2, 'timezone: Nowhere']);
    expect(errorOf(text).line).toBe(2);
    // types before year: the type's problem comes first
    const reordered = 'types:\n  - { code: a, name: A, mode: strict, annualAllowance: -1 }\nyear: 1800\n';
    expect(errorOf(reordered)).toMatchObject({ line: 2, path: 'types[0].annualAllowance' });
  });

  it('without a valid year, weeklyWeights are not measured and the year is reported', () => {
    const text = 'types:\n  - { code: a, name: A, mode: strict, annualAllowance: 1, weeklyWeights: [1] }\nyear: 1900\n';
    expect(errorOf(text)).toMatchObject({ line: 3, path: 'year' });
  });

  it('a bad branch code is reported once, not again where it is referenced', () => {
    const text = edit(['set', 6, '  - { code: B J, name: x }'], ['set', 7, '  - { code: BJ-HD, name: y, parent: B J }']);
    expect(errorOf(text)).toMatchObject({ line: 6, path: 'branches[0].code' });
  });

  // Audit CI C6: the refused value is quoted in the fatal log line and the 400 of PUT /api/plan.
  it('masks a personal number or e-mail address it quotes, and keeps where it is', () => {
    const cases: Array<[Edit, number, string, string, string]> = [
      [['set', 6, '  - { code: "139 1234 5680", name: x }'], 6, 'branches[0].code', 'code', '(got "139****5680")'],
      [['set', 8, '  - { code: 13912345682, name: x }'], 8, 'branches[2].code', 'code', '(got 139****5682; quote'],
      [['set', 10, '  - code: "11010519491231011X"'], 10, 'types[0].code', 'code', '(got "110***********011X")'],
      [['set', 17, '    annualAllowance: "6217001234567892"'], 17, 'types[1].annualAllowance', 'annualAllowance', '(got "6217 **** **** 7892")'],
      [['set', 17, '    annualAllowance: zhang.wei88@example.com'], 17, 'types[1].annualAllowance', 'annualAllowance', '(got "z***@example.com")'],
      [['set', 8, '  - { code: SH, name: x, "13912345683": y }'], 8, 'branches[2]["139****5683"]', '139****5683', 'unknown field'],
    ];
    for (const [change, line, path, field, quoted] of cases) {
      const err = errorOf(edit(change));
      expect({ line: err.line, path: err.path, field: err.field }).toEqual({ line, path, field });
      expect(err.message).toContain(quoted);
      expect(err.message).not.toMatch(/1391234568\d|11010519491231011X|6217001234567892|zhang\.wei88/);
    }
  });
});
