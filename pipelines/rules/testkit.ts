// Test helpers for the rules: a compiled plan with an even allowance curve and event builders.
import type { MaskedEvent } from '../model.ts';
import { compilePlan, parsePlan, type CompiledPlan } from '../plan/index.ts';
import { CounterIndex } from '../transforms/index.ts';
import { TicketBook } from './cases.ts';
import { resolveAlertConfig, type AlertRulesConfig, type PlanAlerts } from './config.ts';

/** 2025 (53 weeks): `steady` gets weight 1 every week, so its allowance to date is 10 × week. */
export function rulesPlan(alerts?: PlanAlerts): CompiledPlan {
  const weights = `[${new Array(53).fill(1).join(', ')}]`;
  const text = `year: 2025
branches:
  - { code: BJ, name: 北京 }
  - { code: SH, name: 上海 }
types:
  - { code: steady, name: 稳定类, mode: relative, annualAllowance: 530, weeklyWeights: ${weights} }
  - { code: weekly, name: 周类, mode: relative, annualAllowance: 53, weeklyWeights: ${weights} }
  - { code: insurance, name: 保险, mode: strict, annualAllowance: 4 }
${alerts ? `alerts: ${JSON.stringify(alerts)}` : ''}
`;
  return compilePlan(parsePlan(text, 'rules-plan.yaml'));
}

export const at = (iso: string) => Date.parse(iso);
export const DAY = 86_400_000;

let n = 0;
export function ev(kind: MaskedEvent['kind'], ticketId: string, atMs: number, extra: Partial<MaskedEvent> = {}): MaskedEvent {
  n++;
  return {
    eventId: `e${n}`,
    ticketId,
    kind,
    occurredAt: new Date(atMs).toISOString(),
    occurredAtMs: atMs,
    branch: 'BJ',
    complaintType: 'steady',
    reportedType: 'steady',
    customerHash: `c-${ticketId}`,
    customerMasked: {},
    ...extra,
  };
}

/** `count` distinct not-agreed customers of `type` at atMs. */
export function notAgreed(count: number, atMs: number, type = 'steady', branch = 'BJ'): MaskedEvent[] {
  return Array.from({ length: count }, () => {
    const id = `t${n + 1}`;
    return ev('first_contact', id, atMs, { complaintType: type, branch, outcome: 'not_agreed' });
  });
}

export function world(alerts?: PlanAlerts): { plan: CompiledPlan; index: CounterIndex; book: TicketBook; cfg: AlertRulesConfig; add(events: MaskedEvent[]): void } {
  const plan = rulesPlan(alerts);
  const index = new CounterIndex(plan);
  const book = new TicketBook();
  return { plan, index, book, cfg: resolveAlertConfig(plan.plan.alerts), add: (events) => { index.apply(events); book.apply(events); } };
}
