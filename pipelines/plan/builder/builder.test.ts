import { describe, expect, it } from 'vitest';
import { weekCountOfYear, weekLengthsInDays } from '../calendar.ts';
import { PlanError } from '../errors.ts';
import type { Plan } from '../schema.ts';
import { buildPlan, mapByDate, notAgreedByDay, observedDays, parseBranchSizes, parseForecast, parseHistoryNdjson, weeklySmoothed, weeklyTotals, type HistoryEvent } from './index.ts';

const TZ = 'Asia/Shanghai';
const at = (iso: string) => Date.parse(iso);
const base = (year: number): Plan => ({
  year,
  timezone: TZ,
  thresholds: { watch: 0.8 },
  branches: [{ code: 'BJ', name: '北京分行', weight: 1 }, { code: 'SH', name: '上海分行', weight: 1 }],
  types: [
    { code: 'mortgage_prepayment', name: '提前还款', mode: 'relative', annualAllowance: 80, branchAllowances: {} },
    { code: 'insurance_dispute', name: '代理保险', mode: 'strict', annualAllowance: 4, branchAllowances: {} },
  ],
});

function daily(year: number, entries: Array<[dayIndex: number, n: number]>): number[] {
  const d = new Array<number>(weekLengthsInDays(year).reduce((s, x) => s + x, 0)).fill(0);
  for (const [i, n] of entries) d[i] = n;
  return d;
}

describe('plan builder - week mapping', () => {
  it('maps a 53-week year (2039) onto a 54-week year (2040), splitting straddled weeks by days', () => {
    expect(weekCountOfYear(2039)).toBe(53);
    expect(weekCountOfYear(2040)).toBe(54);
    // 2039: week 1 = Sat 1 + Sun 2 January; week 53 = Mon 26 .. Sat 31 December (6 days).
    const last = daily(2039, [[0, 4], [364, 12]]);
    const weekly2039 = weeklyTotals(last, 2039);
    expect(weekly2039[0]).toBe(4);
    expect(weekly2039[52]).toBe(12);
    const mapped = weeklyTotals(mapByDate(weeklySmoothed(last, 2039), 2039, 2040), 2040);
    expect(mapped).toHaveLength(54);
    // 2040: week 1 = Sun 1 January only, week 2 from Mon 2 January; 1–2 January carry 2 each.
    expect(mapped[0]).toBeCloseTo(2, 9);
    expect(mapped[1]).toBeCloseTo(2, 9);
    // 26–31 December carry 2 a day: week 53 (24–30 Dec) gets 26–30, week 54 (31 Dec) gets 31.
    expect(mapped[52]).toBeCloseTo(10, 9);
    expect(mapped[53]).toBeCloseTo(2, 9);
    expect(mapped.slice(2, 52).every((w) => w === 0)).toBe(true);
    // 29 February 2040 takes 28 February 2039's rate; nothing else is created or lost.
    expect(mapped.reduce((s, x) => s + x, 0)).toBeCloseTo(16, 9);
  });

  it("adds a leap year's 29 February to 28 February when the new year has none", () => {
    const last = daily(2024, [[59, 7]]); // 2024-02-29, a Thursday: week Mon 26 Feb .. Sun 3 Mar
    const rates = mapByDate(weeklySmoothed(last, 2024), 2024, 2025);
    expect(rates.reduce((s, x) => s + x, 0)).toBeCloseTo(7, 9);
    expect(rates[58]).toBeCloseTo(2, 9); // 28 Feb 2025 = its own 1 + 29 Feb's 1
  });
});

describe('plan builder - history', () => {
  const ev = (over: Partial<HistoryEvent> & { eventId: string }): HistoryEvent => ({
    ticketId: 'T1', kind: 'first_contact', atMs: at('2024-03-04T10:00:00+08:00'), type: 'mortgage_prepayment', customer: 'c1', outcome: 'not_agreed', ...over,
  });
  it('counts each customer once per type, on the first not-agreed day, after dedupe and corrections', () => {
    const h = notAgreedByDay([
      ev({ eventId: 'a' }),
      ev({ eventId: 'a' }), // duplicate
      ev({ eventId: 'b', ticketId: 'T2', atMs: at('2024-03-01T10:00:00+08:00') }), // same customer, earlier
      ev({ eventId: 'c', ticketId: 'T3', customer: 'c2', atMs: at('2024-05-01T00:30:00+08:00') }),
      ev({ eventId: 'd', ticketId: 'T3', kind: 'corrected', type: 'insurance_dispute', outcome: undefined, atMs: at('2024-05-02T00:00:00+08:00') }),
      ev({ eventId: 'e', ticketId: 'T4', customer: 'c3', outcome: 'agreed' }),
      ev({ eventId: 'f', ticketId: 'T5', customer: 'c4', atMs: at('2023-12-31T23:00:00+08:00') }), // other year
    ], 2024, TZ);
    const m = h.get('mortgage_prepayment')!;
    expect(m.reduce((s, x) => s + x, 0)).toBe(1);
    expect(m[60]).toBe(1); // 1 March 2024 (leap year: day index 60)
    const ins = h.get('insurance_dispute')!;
    expect(ins[121]).toBe(1); // 1 May 2024, local time
  });

  it('refuses a bad NDJSON line with its line number', () => {
    const good = JSON.stringify({ eventId: 'e1', ticketId: 't', kind: 'first_contact', occurredAt: '2024-01-05T10:00:00+08:00', branch: 'BJ', complaintType: 'mortgage_prepayment', customerId: 'c', outcome: 'not_agreed' });
    expect(parseHistoryNdjson(`${good}\n\n`, 'h.ndjson')).toHaveLength(1);
    expect(() => parseHistoryNdjson(`${good}\n{"eventId":1}\n`, 'h.ndjson')).toThrow(/^h\.ndjson:2: /);
    expect(() => parseHistoryNdjson(`${good}\n${good.replace('+08:00', '')}`, 'h.ndjson')).toThrow(/h\.ndjson:2: .*offset/i);
  });

  it('refuses an empty or blank history file, naming it (audit: it built a plan by days, exit 0)', () => {
    for (const text of ['', '\n', '  \n\r\n\t\n']) {
      expect(() => parseHistoryNdjson(text, 'h.ndjson')).toThrow(/^h\.ndjson: holds no ticket events \(empty or blank\)/);
    }
  });
});

describe('plan builder - a history that has not ended yet (a plan built in December)', () => {
  const ev = (eventId: string, iso: string, kind: HistoryEvent['kind'] = 'opened'): HistoryEvent => ({
    eventId, ticketId: eventId, kind, atMs: at(iso), type: 'mortgage_prepayment', customer: eventId,
  });

  it('knows how many days of the year the history covers, from its latest event of any kind', () => {
    expect(observedDays([ev('a', '2025-03-01T10:00:00+08:00'), ev('b', '2025-11-30T23:59:00+08:00', 'resolved')], 2025, TZ)).toBe(334);
    expect(observedDays([ev('a', '2025-03-01T10:00:00+08:00'), ev('b', '2026-01-03T09:00:00+08:00')], 2025, TZ)).toBe(365);
    expect(observedDays([], 2025, TZ)).toBe(0);
  });

  it('gives the unknown days the average daily rate of the known ones, never an allowance of 0, and says so', () => {
    // one not-agreed customer a day from 1 January to 30 November 2025, nothing known after it
    const history = new Map([['mortgage_prepayment', daily(2025, Array.from({ length: 334 }, (_, i) => [i, 1] as [number, number]))]]);
    const r = buildPlan({ base: base(2026), year: 2026, lastYear: 2025, history, forecast: [], observedDays: 334 });
    const w = r.plan.types[0]!.weeklyWeights!;
    const lengths = weekLengthsInDays(2026);
    for (let i = 0; i < w.length; i++) expect(w[i], `week ${i + 1}`).toBeCloseTo(lengths[i]!, 6); // uniform, December too
    expect(r.warnings).toContain("the 2025 history ends on 2025-11-30 (334 of 365 days): the 31 days after it take each type's average daily rate of the days before");
    // without the fill, December 2026 would have had no allowance at all
    const unfilled = buildPlan({ base: base(2026), year: 2026, lastYear: 2025, history, forecast: [] }).plan.types[0]!.weeklyWeights!;
    expect(unfilled.slice(-4).every((x) => x === 0)).toBe(true);
  });
});

describe('plan builder - forecast and branches', () => {
  const history = new Map([['mortgage_prepayment', daily(2025, Array.from({ length: 365 }, (_, i) => [i, 1] as [number, number]))]]);
  it('multiplies by month and date-range factors, per type, products where periods overlap', () => {
    const forecast = parseForecast(
      ['periods:', '  - { name: Q1, months: [1, 2, 3], factor: 2 }', '  - name: 降息窗口', '    from: 2026-03-30', '    to: 2026-04-05', '    factor: 3', '    types: [mortgage_prepayment]'].join('\n'),
      'f.yaml', 2026,
    );
    const r = buildPlan({ base: base(2026), year: 2026, lastYear: 2025, history, forecast });
    const w = r.plan.types[0]!.weeklyWeights!;
    // 2026: week 1 = Thu 1 .. Sun 4 Jan (4 days), uniform history rate 1/day
    expect(w[0]).toBeCloseTo(8, 6);
    expect(w[5]).toBeCloseTo(14, 6); // a January week, 7 days × 2
    // week of Mon 30 Mar .. Sun 5 Apr: 30, 31 Mar × 2 × 3 + 1..5 Apr × 3
    const wk = r.compiled.weekIndexAt(at('2026-03-31T12:00:00+08:00'));
    expect(w[wk]).toBeCloseTo(2 * 6 + 5 * 3, 6);
    expect(w[wk + 1]).toBeCloseTo(7, 6);
    // no history for insurance: shares by days, the Q1 factor still applies, the range does not
    expect(r.types[1]!.source).toBe('days');
    expect(r.plan.types[1]!.weeklyWeights![wk]).toBeCloseTo(2 * 2 + 5, 6);
    expect(r.warnings.join()).toMatch(/insurance_dispute/);
  });

  it('uses branch sizes as weights', () => {
    const branches = parseBranchSizes('code,name,parent,size\nBJ,北京分行,,3000\nBJ-HD,海淀支行,BJ,1000\nBJ-CY,朝阳支行,BJ,3000\nSH,上海分行,,1000\n', 'b.csv');
    const r = buildPlan({ base: base(2026), year: 2026, lastYear: 2025, history, forecast: [], branches });
    expect(r.compiled.allowance('mortgage_prepayment', 'BJ')).toBeCloseTo(60, 9);
    expect(r.compiled.allowance('mortgage_prepayment', 'SH')).toBeCloseTo(20, 9);
    expect(r.compiled.allowance('mortgage_prepayment', 'BJ-CY')).toBeCloseTo(45, 9);
  });

  it("keeps the base's sections it does not make (its alerts, keywords), replacing only year, weights and, when given, branches", () => {
    const alerts = { onCall: { levels: [{ notify: ['值班主管'], afterMinutes: 15 }], repeat: 1 }, recovery: { weeks: 2 } };
    const withMore: Plan = { ...base(2025), alerts, types: base(2025).types.map((t) => ({ ...t, keywords: ['提前还贷'], weeklyWeights: [1] })) };
    const r = buildPlan({ base: withMore, year: 2026, lastYear: 2025, history, forecast: [] });
    expect(r.plan.alerts).toEqual(alerts);
    expect(r.plan.types.map((t) => [t.keywords, t.weeklyWeights!.length])).toEqual([[['提前还贷'], 53], [['提前还贷'], 53]]);
    expect(Object.keys(r.plan.types[0]!)).toEqual(['code', 'name', 'mode', 'annualAllowance', 'weeklyWeights', 'branchAllowances', 'keywords']);
  });

  it('refuses bad inputs with file, line and field', () => {
    const bad = (text: string) => () => parseForecast(text, 'f.yaml', 2026);
    expect(bad('periods:\n  - { name: x, months: [13], factor: 1 }')).toThrow(/^f\.yaml:2: periods\[0\]\.months: months are 1 to 12/);
    expect(bad('periods:\n  - name: x\n    months: [1]\n    factor: -1')).toThrow(/f\.yaml:4: periods\[0\]\.factor: expected a number >= 0/);
    expect(bad('periods:\n  - { name: x, from: 2025-01-01, to: 2026-01-02, factor: 1 }')).toThrow(/not in the plan year 2026/);
    expect(bad('periods:\n  - { name: x, from: 2026-02-30, to: 2026-03-02, factor: 1 }')).toThrow(/no such date 2026-02-30/);
    expect(bad('periods:\n  - { name: x, from: 2026-03-05, to: 2026-03-02, factor: 1 }')).toThrow(/ends .* before it starts/);
    expect(bad('periods:\n  - { name: x, months: [1], from: 2026-03-05, to: 2026-03-06, factor: 1 }')).toThrow(/either months/);
    expect(bad('periods:\n  - { name: x, month: 1, factor: 1, colour: red }')).toThrow(/unknown field "colour"/);
    expect(bad('periods: [')).toThrow(/f\.yaml:1: not valid YAML/);
    const f = parseForecast('periods:\n  - { name: x, month: 1, factor: 2, types: [nope] }', 'f.yaml', 2026);
    expect(() => buildPlan({ base: base(2026), year: 2026, lastYear: 2025, history, forecast: f })).toThrow(/type "nope"/);
    // given the plan's types (as the command does), the forecast file's line is named (audit)
    expect(() => parseForecast('periods:\n  - { name: x, month: 1, factor: 2, types: [nope] }', 'f.yaml', 2026, new Set(['mortgage_prepayment']))).toThrow(/^f\.yaml:2: periods\[0\]\.types: names type "nope"/);
    const b = (text: string) => () => parseBranchSizes(text, 'b.csv');
    expect(b('code,name,size\nBJ,x,1')).toThrow(/^b\.csv:1: the header/);
    expect(b('code,name,parent,size\nBJ,x,,0')).toThrow(/^b\.csv:2: size: expected a number greater than 0/);
    expect(b('code,name,parent,size\nBJ,x,,1\nBJ,y,,2')).toThrow(/^b\.csv:3: code: branch "BJ" is listed twice/);
    expect(b('code,name,parent,size\nBJ,x,,1\nHD,y,XX,2')).toThrow(/^b\.csv:3: parent: parent "XX"/);
    expect(b('code,name,parent,size\nBJ,x,HD,1\nHD,y,BJ,2')).toThrow(/^b\.csv:2: parent: branches form a cycle of parents: BJ → HD → BJ/); // audit
    // a base plan's branch allowance for a branch the file does not list: the file is named
    const withGz = { ...base(2026), types: [{ ...base(2026).types[0]!, branchAllowances: { GZ: 5 } }] };
    const only = parseBranchSizes('code,name,parent,size\nBJ,x,,1\n', 'b.csv');
    expect(() => buildPlan({ base: withGz, year: 2026, lastYear: 2025, history, forecast: [], branches: only, branchesFile: 'b.csv' })).toThrow(/^b\.csv: .*"GZ", which the branch file does not list/);
    expect(b('code,name,parent,size\nALL,x,,1')).toThrow(/not a branch code/);
    expect(bad('periods:\n  - { name: x, month: 1, factor: 1 }')).not.toThrow();
    try {
      b('code,name,parent,size\nBJ,x,,abc')();
    } catch (err) {
      expect(err).toBeInstanceOf(PlanError);
      expect((err as PlanError).field).toBe('size');
      expect((err as PlanError).line).toBe(2);
    }
  });
});
