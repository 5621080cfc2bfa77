// Scripted data for the wall-board page tests: the example plan's branches and types, counters
// chosen so every level appears, and scope-ALL series computed the way the contract defines them
// (natural weeks clipped to the year, shares by days, Asia/Shanghai = UTC+8 without DST).

import type { CounterRow, Level } from '../../pipelines/model.ts';
import type { SnapshotBody } from '../helpers/fake-wallboard-server.ts';

const OFFSET_MS = 8 * 3600e3;
const DAY = 86400e3;

export const YEAR = 2025;
export const TZ = 'Asia/Shanghai';
export const AS_OF = '2025-03-14T10:00:00+08:00';

export const branches = [
  { code: 'BJ', name: '北京分行', weight: 3 },
  { code: 'BJ-HD', name: '海淀支行', parent: 'BJ' },
  { code: 'BJ-CY', name: '朝阳支行', parent: 'BJ' },
  { code: 'SH', name: '上海分行', weight: 2 },
  { code: 'GZ', name: '广州分行', weight: 1 },
];
export const SCOPES = ['ALL', 'BJ', 'BJ-HD', 'BJ-CY', 'SH', 'GZ'];

export const types = [
  { code: 'mortgage_prepayment', name: '住房贷款提前还款', mode: 'relative', annualAllowance: 80 },
  { code: 'insurance_dispute', name: '代理保险争议', mode: 'strict', annualAllowance: 4 },
  { code: 'auto_installment', name: '购车分期', mode: 'relative', annualAllowance: 40, branchAllowances: { GZ: 10 } },
] as const;

/** unresolved (not-agreed) customers per type and scope at AS_OF */
export const UNRESOLVED: Record<string, Record<string, number>> = {
  mortgage_prepayment: { ALL: 12, BJ: 8, 'BJ-HD': 5, 'BJ-CY': 3, SH: 3, GZ: 1 },
  insurance_dispute: { ALL: 5, BJ: 3, 'BJ-HD': 2, 'BJ-CY': 1, SH: 1, GZ: 1 },
  auto_installment: { ALL: 4, BJ: 2, 'BJ-HD': 1, 'BJ-CY': 0, SH: 1, GZ: 1 },
};

export interface Week { index: number; startMs: number; endMs: number }

export function weeksOf(year: number): Week[] {
  const start = Date.UTC(year, 0, 1) - OFFSET_MS;
  const end = Date.UTC(year + 1, 0, 1) - OFFSET_MS;
  const weeks: Week[] = [];
  for (let s = start; s < end; ) {
    const dow = new Date(s + OFFSET_MS).getUTCDay(); // 0 = Sunday
    const e = Math.min(end, s + (dow === 0 ? 1 : 8 - dow) * DAY);
    weeks.push({ index: weeks.length + 1, startMs: s, endMs: e });
    s = e;
  }
  return weeks;
}

export const rfc3339 = (ms: number): string =>
  new Date(ms + OFFSET_MS).toISOString().replace(/\.\d{3}Z$/, '+08:00');

export const WEEKS = weeksOf(YEAR);
const YEAR_MS = WEEKS[WEEKS.length - 1]!.endMs - WEEKS[0]!.startMs;

export const weekIndexAt = (ms: number): number => WEEKS.findIndex((w) => w.startMs <= ms && ms < w.endMs);

/** cumulative share through the week containing ms */
export function shareToDate(ms: number): number {
  const w = WEEKS[weekIndexAt(ms)]!;
  return (w.endMs - WEEKS[0]!.startMs) / YEAR_MS;
}

export function annualAllowance(typeCode: string, scope: string): number {
  const t = types.find((x) => x.code === typeCode)!;
  if (scope === 'ALL') return t.annualAllowance;
  const over = 'branchAllowances' in t ? (t.branchAllowances as Record<string, number>)[scope] : undefined;
  if (over !== undefined) return over;
  const b = branches.find((x) => x.code === scope)!;
  const siblings = branches.filter((x) => x.parent === b.parent);
  const total = siblings.reduce((n, x) => n + (x.weight ?? 1), 0);
  return annualAllowance(typeCode, b.parent ?? 'ALL') * (b.weight ?? 1) / total;
}

export function levelOf(unresolved: number, toDate: number, annual: number, watch = 0.8): Level {
  if (unresolved > annual) return 'critical';
  if (unresolved > toDate) return 'breach';
  if (toDate > 0 && unresolved / toDate >= watch) return 'watch';
  return 'ok';
}

export function counterRow(typeCode: string, scope: string, unresolved: number, asOf = AS_OF): CounterRow {
  const annual = annualAllowance(typeCode, scope);
  const toDate = annual * shareToDate(Date.parse(asOf));
  const firstContact = unresolved * 4 + 7;
  return {
    complaintType: typeCode,
    scope,
    unresolvedCustomers: unresolved,
    firstContactCustomers: firstContact,
    oneTimeResolutionRate: 1 - unresolved / firstContact,
    allowanceToDate: toDate,
    annualAllowance: annual,
    ratio: toDate > 0 ? unresolved / toDate : null,
    level: levelOf(unresolved, toDate, annual),
  };
}

export function makeSnapshot(unresolved = UNRESOLVED, asOf = AS_OF): SnapshotBody {
  const asOfMs = Date.parse(asOf);
  const k = weekIndexAt(asOfMs);
  const counters: CounterRow[] = [];
  const series: SnapshotBody['series'] = {};
  for (const t of types) {
    for (const scope of SCOPES) counters.push(counterRow(t.code, scope, unresolved[t.code]![scope]!, asOf));
    const total = unresolved[t.code]!.ALL!;
    series[t.code] = {
      complaintType: t.code,
      scope: 'ALL',
      x: WEEKS.map((w) => w.endMs / 1000),
      allowance: WEEKS.map((w) => t.annualAllowance * ((w.endMs - WEEKS[0]!.startMs) / YEAR_MS)),
      actual: WEEKS.map((_, i) => (i <= k ? Math.round((total * (i + 1)) / (k + 1)) : null)),
    };
  }
  return {
    asOf,
    year: YEAR,
    plan: {
      year: YEAR,
      timezone: TZ,
      thresholds: { watch: 0.8 },
      branches,
      types,
      weeks: WEEKS.map((w) => ({ index: w.index, start: rfc3339(w.startMs), end: rfc3339(w.endMs) })),
    },
    counters,
    alerts: [],
    series,
  };
}
