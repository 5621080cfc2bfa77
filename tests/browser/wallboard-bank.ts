// A bank-sized plan for the wall-board page tests, as audit I ran it: 25 complaint types (every
// third strict) and 60 branches in three levels (4 分行 › 12 支行 › 44 网点), in the current year so
// that frames stamped now fall inside it. Each event changes one (type, scope) cell per level
// plus the bank-wide one: four counter frames.

import type { CounterRow, Level } from '../../pipelines/model.ts';
import type { SnapshotBody } from '../helpers/fake-wallboard-server.ts';
import { rfc3339, weeksOf } from './wallboard-fixture.ts';

export const BANK_TYPES = Array.from({ length: 25 }, (_, i) => ({
  code: `t${String(i).padStart(2, '0')}`,
  name: i === 0 ? '信用卡分期业务提前还款手续费争议' : `投诉类型${i}`,
  mode: i % 3 === 2 ? 'strict' : 'relative',
  annualAllowance: i % 3 === 2 ? 4 : 80,
}));

export const BANK_BRANCHES = (() => {
  const out: Array<{ code: string; name: string; parent?: string }> = [];
  for (let b = 0; b < 4; b++) {
    out.push({ code: `B${b}`, name: `第${b}分行` });
    for (let s = 0; s < 3; s++) {
      const sub = `B${b}S${s}`;
      out.push({ code: sub, name: b === 0 && s === 0 ? '中国某某银行股份有限公司北京市海淀区中关村科技园区支行' : `第${b}分行第${s}支行`, parent: `B${b}` });
      const leaves = b * 3 + s < 8 ? 4 : 3; // 8 × 4 + 4 × 3 = 44
      for (let w = 0; w < leaves; w++) out.push({ code: `${sub}W${w}`, name: `${sub}网点${w}`, parent: sub });
    }
  }
  return out;
})();

/** the scopes one event at a leaf changes: the leaf, its 支行, its 分行 and the bank */
export const pathOf = (leaf: string): string[] => ['ALL', leaf.slice(0, 2), leaf.slice(0, 4), leaf];
export const LEAVES = BANK_BRANCHES.filter((b) => /W\d$/.test(b.code)).map((b) => b.code);

const OFFSET_MS = 8 * 3600e3;
export const yearNow = (ms = Date.now()): number => new Date(ms + OFFSET_MS).getUTCFullYear();

/** a counter row with `unresolved` not-agreed customers, its level from the ratio */
export function bankRow(type: string, scope: string, unresolved: number): CounterRow {
  const t = BANK_TYPES.find((x) => x.code === type)!;
  const annual = scope === 'ALL' ? t.annualAllowance : t.annualAllowance / 10;
  const toDate = annual * 0.9;
  const ratio = unresolved / toDate;
  const level: Level = unresolved > annual ? 'critical' : unresolved > toDate ? 'breach' : ratio >= 0.8 ? 'watch' : 'ok';
  const firstContact = unresolved * 20 + 100;
  return {
    complaintType: type, scope, unresolvedCustomers: unresolved, firstContactCustomers: firstContact,
    oneTimeResolutionRate: 1 - unresolved / firstContact, allowanceToDate: toDate, annualAllowance: annual, ratio, level,
  };
}

/** The whole picture at `nowMs`: every cell's counter, a curve per type, stamped now. */
export function bankSnapshot(nowMs = Date.now()): SnapshotBody {
  const year = yearNow(nowMs);
  const weeks = weeksOf(year);
  const k = weeks.findIndex((w) => w.startMs <= nowMs && nowMs < w.endMs);
  const counters: CounterRow[] = [];
  const series: SnapshotBody['series'] = {};
  BANK_TYPES.forEach((t, i) => {
    for (const scope of ['ALL', ...BANK_BRANCHES.map((b) => b.code)]) counters.push(bankRow(t.code, scope, scope === 'ALL' ? 40 + i : (i + scope.length) % 9));
    series[t.code] = {
      complaintType: t.code, scope: 'ALL', x: weeks.map((w) => w.endMs / 1000),
      allowance: weeks.map((_, j) => (t.annualAllowance * (j + 1)) / weeks.length),
      actual: weeks.map((_, j) => (j <= k ? Math.round(((40 + i) * (j + 1)) / (k + 1)) : null)),
    };
  });
  return {
    asOf: rfc3339(nowMs),
    year,
    plan: {
      year, timezone: 'Asia/Shanghai', thresholds: { watch: 0.8 }, branches: BANK_BRANCHES, types: BANK_TYPES,
      weeks: weeks.map((w) => ({ index: w.index, start: rfc3339(w.startMs), end: rfc3339(w.endMs) })),
    },
    counters,
    alerts: [],
    series,
  };
}
