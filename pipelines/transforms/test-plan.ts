// A hand-built PlanView for the tests: BJ > BJ-HD, BJ-CY; SH; GZ. Plan year 2025 in
// Asia/Shanghai (UTC+8), a linear allowance curve.
import type { MaskedEvent } from '../model.ts';
import type { PlanView, PlanTypeView } from './plan-view.ts';

export const YEAR_START = Date.parse('2025-01-01T00:00:00+08:00');
export const YEAR_END = Date.parse('2026-01-01T00:00:00+08:00');

const PARENT: Readonly<Record<string, string>> = { BJ: 'ALL', 'BJ-HD': 'BJ', 'BJ-CY': 'BJ', SH: 'ALL', GZ: 'ALL' };
const CHILDREN: Readonly<Record<string, number>> = { ALL: 3, BJ: 2 };

export const TEST_TYPES: readonly PlanTypeView[] = [
  { code: 'mortgage_prepayment', name: '住房贷款提前还款', mode: 'relative', annualAllowance: 80 },
  { code: 'insurance_dispute', name: '代理保险纠纷', mode: 'strict', annualAllowance: 4, keywords: ['保险销售误导'] },
  { code: 'auto_installment', name: '汽车分期', mode: 'relative', annualAllowance: 40 },
];

export function testPlan(watch = 0.8): PlanView {
  const allowance = (type: string, scope: string): number => {
    const annual = TEST_TYPES.find((t) => t.code === type)?.annualAllowance ?? 0;
    let share = 1;
    for (let s = scope; s !== 'ALL'; s = PARENT[s] ?? 'ALL') share /= CHILDREN[PARENT[s] ?? 'ALL'] ?? 1;
    return PARENT[scope] === undefined && scope !== 'ALL' ? 0 : annual * share;
  };
  return {
    yearStartMs: YEAR_START,
    yearEndMs: YEAR_END,
    watch,
    scopes: ['ALL', 'BJ', 'BJ-HD', 'BJ-CY', 'SH', 'GZ'],
    types: TEST_TYPES,
    scopesOf(branch) {
      if (PARENT[branch] === undefined) return ['ALL'];
      const out: string[] = [];
      for (let s: string | undefined = branch; s !== undefined && s !== 'ALL'; s = PARENT[s]) out.push(s);
      return [...out, 'ALL'];
    },
    allowance,
    allowanceToDate(type, scope, t) {
      const f = Math.min(1, Math.max(0, (t - YEAR_START) / (YEAR_END - YEAR_START)));
      return allowance(type, scope) * f;
    },
  };
}

/** A MaskedEvent with counting defaults; `customer` stands in for the hash. */
export interface EventSpec {
  id: string;
  ticket?: string;
  kind?: MaskedEvent['kind'];
  customer?: string;
  type?: string;
  branch?: string;
  outcome?: 'agreed' | 'not_agreed';
  at?: string;
}

export function masked(s: EventSpec): MaskedEvent {
  const at = s.at ?? '2025-03-01T10:00:00+08:00';
  const type = s.type ?? 'mortgage_prepayment';
  const e: MaskedEvent = {
    eventId: s.id,
    ticketId: s.ticket ?? `T-${s.id}`,
    kind: s.kind ?? 'first_contact',
    occurredAt: at,
    occurredAtMs: Date.parse(at),
    branch: s.branch ?? 'BJ-HD',
    complaintType: type,
    reportedType: type,
    customerHash: s.customer ?? 'c1',
    customerMasked: {},
  };
  if (s.outcome !== undefined) e.outcome = s.outcome;
  else if (e.kind === 'first_contact') e.outcome = 'not_agreed';
  return e;
}
