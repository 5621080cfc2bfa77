import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePlan, parsePlan } from '../../pipelines/plan/index.ts';
import { mergeDerived, resolveAlertConfig, type DerivedAlert, type HistoryEntry } from '../../pipelines/rules/index.ts';
import { PLAN_2025 } from '../../tests/helpers/stack.ts';
import { planJson } from '../plan-in-force.ts';
import { gatewayNotice } from './gateway-notice.ts';
import { branchName, typeName } from './notice-lines.ts';
import { alertView } from './view.ts';
import { namesOfStoredPlan, rememberYearNames, yearBeforeNames } from './year-before-names.ts';

// Verify CR2: a 2025 case whose type or branch the 2026 plan dropped was announced with raw codes
// (`wealth_mgmt · 上海分行`, `代理保险争议 · HZ`); its names are in 2025's stored plan.

const text = readFileSync(PLAN_2025, 'utf8');
const with2025Only = text
  .replace('  - { code: GZ, name: 广州分行, weight: 1 }', '  - { code: GZ, name: 广州分行, weight: 1 }\n  - { code: HZ, name: 杭州分行, weight: 1 }')
  .replace('types:\n', 'types:\n  - code: wealth_mgmt\n    name: 理财产品\n    mode: strict\n    annualAllowance: 3\n');
const plan2025 = compilePlan(parsePlan(with2025Only, 'plan-2025.yaml'));
// 2026 renames insurance: the loaded plan's name is the one people use now
const plan2026 = compilePlan(parsePlan(text.replace(/^year: 2025$/m, 'year: 2026').replace('name: 代理保险争议', 'name: 代理保险纠纷'), 'plan-2026.yaml'));
const cfg = resolveAlertConfig({ onCall: { levels: [{ notify: ['值班主管'], afterMinutes: 15 }], repeat: 1 } });

const OPENED = Date.parse('2025-12-28T10:00:00+08:00');
const CLOSED = Date.parse('2026-01-06T10:00:00+08:00');
/** a case of 2025 closed in January 2026, as the engine holds it, and the lines its notice says */
function closedCase(ticketId: string, complaintType: string, scope: string) {
  const id = `case.${ticketId}`;
  const opened: HistoryEntry = { id: `${id}/opened/${OPENED}`, atMs: OPENED, what: 'opened', level: 'watch', detail: { eventId: `e-${ticketId}` } };
  const at = (history: HistoryEntry[], extra: Partial<DerivedAlert> = {}): DerivedAlert =>
    ({ id, kind: 'case', complaintType, scope, level: 'watch', openedAtMs: OPENED, ticketId, urgency: 'new', history, ...extra });
  const open = mergeDerived(undefined, at([opened]), OPENED, { retroactive: false, reason: 'events' }, cfg).record;
  const closed: HistoryEntry = { id: `${id}/resolved/${CLOSED}`, atMs: CLOSED, what: 'resolved', detail: { resolution: 'closed' } };
  const { record, entries } = mergeDerived(open, at([opened, closed], { clearedAtMs: CLOSED, resolution: 'closed' } as Partial<DerivedAlert>), CLOSED, { retroactive: false, reason: 'events' }, cfg);
  return gatewayNotice(alertView(record, plan2026.timezone), entries, plan2026);
}

describe('the names of the year before - for the cases carried into the new plan', () => {
  it('reads the codes and names of a stored plan; nothing from what does not parse', () => {
    const names = namesOfStoredPlan(planJson(plan2025));
    expect(names.types.get('wealth_mgmt')).toBe('理财产品');
    expect(names.branches.get('HZ')).toBe('杭州分行');
    expect(namesOfStoredPlan('{not json').types.size).toBe(0);
    expect(namesOfStoredPlan(JSON.parse(planJson(plan2025))).branches.get('SH')).toBe('上海分行');
  });

  it('a notice names a type or a branch the loaded plan dropped by the year before\'s stored plan; the loaded plan\'s names come first', () => {
    rememberYearNames(2025, undefined);
    expect([typeName(plan2026, 'wealth_mgmt'), branchName(plan2026, 'HZ')]).toEqual(['wealth_mgmt', 'HZ']); // nothing stored: the code
    rememberYearNames(2025, namesOfStoredPlan(planJson(plan2025)));
    expect([typeName(plan2026, 'wealth_mgmt'), branchName(plan2026, 'HZ'), typeName(plan2026, 'insurance_dispute'), branchName(plan2026, 'ALL')])
      .toEqual(['理财产品', '杭州分行', '代理保险纠纷', '全行']);
    // a plan of another year never takes them
    expect(typeName({ ...plan2026, year: 2027 }, 'wealth_mgmt')).toBe('wealth_mgmt');
    expect(yearBeforeNames(2027).types.size).toBe(0);

    const d1 = closedCase('D1', 'wealth_mgmt', 'SH');
    expect(d1.title).toBe('【消保预警·已办结】理财产品 · 上海分行 · 工单 D1');
    expect(d1).toMatchObject({ typeName: '理财产品', scopeName: '上海分行' });
    const d2 = closedCase('D2', 'insurance_dispute', 'HZ');
    expect(d2.title).toBe('【消保预警·已办结】代理保险纠纷 · 杭州分行 · 工单 D2');
    expect(d2).toMatchObject({ typeName: '代理保险纠纷', scopeName: '杭州分行' });
    expect(d2.text).not.toMatch(/\bHZ\b|wealth_mgmt/);
    rememberYearNames(2025, undefined);
  });
});
