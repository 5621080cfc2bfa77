import { describe, expect, it } from 'vitest';
import { caseWindowStartMs } from './cases.ts';
import { deriveCaseAlerts } from './derive.ts';
import { reconcile, type AlertRecord } from './lifecycle.ts';
import { at, ev, world } from './testkit.ts';
import { rowYear } from '../../server/alerts/store.ts';

// Audit CM1: the monitor holds one plan year, and on 1–2 January the operator restarts it on the
// new year's plan. A strict not-agreed customer of 30 December still needs handling then
// (contract section 4: the case stays open until the ticket's resolution agreed); the case window
// reached only the loaded plan's year, so the old year's open cases vanished at the switch and a
// late 30 Dec first contact arriving in January opened nothing. The cases of a plan of year Y are
// the first contacts of Y−1 and Y (plan time zone); counters and level alerts stay Y's.

// the rules' test plan is for 2025 (Asia/Shanghai): 2024 is the year before it
const { plan, book, cfg } = world();
const cause = { retroactive: false, reason: 'events' };
const strict = { complaintType: 'insurance', branch: 'SH' };

describe('cases carried from the year before the plan\'s', () => {
  it('the window starts at the first instant of the year before, in the plan\'s time zone', () => {
    expect(new Date(caseWindowStartMs(2025, 'Asia/Shanghai')).toISOString()).toBe('2023-12-31T16:00:00.000Z');
    expect(new Date(caseWindowStartMs(2027, 'America/New_York')).toISOString()).toBe('2026-01-01T05:00:00.000Z');
    expect(caseWindowStartMs(plan.year, plan.timezone)).toBe(at('2024-01-01T00:00:00+08:00'));
  });

  it('a not-agreed first contact of 30 December of the year before opens its case, and a January resolution agreed closes it', () => {
    const fc = at('2024-12-30T15:00:00+08:00');
    book.apply([
      ev('opened', 'C1', fc - 3_600_000, { eventId: 'c1-o', ...strict }),
      ev('first_contact', 'C1', fc, { eventId: 'c1-fc', ...strict, outcome: 'not_agreed' }),
    ]);
    const jan3 = at('2025-01-03T10:00:00+08:00');
    const open = deriveCaseAlerts(plan, book, ['C1'], jan3, cfg);
    expect(open.alerts).toMatchObject([{ id: 'case.C1', kind: 'case', complaintType: 'insurance', scope: 'SH', openedAtMs: fc }]);
    expect(open.alerts[0]!.clearedAtMs).toBeUndefined();
    book.apply([ev('resolved', 'C1', at('2025-01-05T10:00:00+08:00'), { eventId: 'c1-r', ...strict, outcome: 'agreed' })]);
    const closed = deriveCaseAlerts(plan, book, ['C1'], at('2025-01-06T10:00:00+08:00'), cfg);
    expect(closed.alerts).toMatchObject([{ id: 'case.C1', clearedAtMs: at('2025-01-05T10:00:00+08:00') }]);
  });

  it('the first contact on the first instant of the year before opens one; one a millisecond earlier (two years back) does not', () => {
    const from = at('2024-01-01T00:00:00+08:00');
    book.apply([
      ev('first_contact', 'C2', from, { eventId: 'c2-fc', ...strict, outcome: 'not_agreed' }),
      ev('first_contact', 'C3', from - 1, { eventId: 'c3-fc', ...strict, outcome: 'not_agreed' }),
    ]);
    const { alerts, covered } = deriveCaseAlerts(plan, book, ['C2', 'C3'], at('2025-02-01T00:00:00+08:00'), cfg);
    expect(alerts.map((a) => a.id)).toEqual(['case.C2']);
    expect(covered).toEqual(new Set(['C2', 'C3']));
  });

  it('a not-agreed first contact of the year before that is not of a strict type opens nothing', () => {
    book.apply([ev('first_contact', 'C4', at('2024-12-30T15:00:00+08:00'), { eventId: 'c4-fc', complaintType: 'steady', branch: 'SH', outcome: 'not_agreed' })]);
    expect(deriveCaseAlerts(plan, book, ['C4'], at('2025-01-03T00:00:00+08:00'), cfg).alerts).toEqual([]);
  });

  it('a carried case stored under the year before merges with its record: no opened line again, the ack stands', () => {
    const now = at('2025-01-03T10:00:00+08:00');
    const first = deriveCaseAlerts(plan, book, ['C1'], at('2024-12-31T10:00:00+08:00'), cfg);
    const records = new Map<string, AlertRecord>();
    for (const s of reconcile(records, first.alerts, () => true, at('2024-12-31T10:00:00+08:00'), cause, cfg)) records.set(s.record.id, s.record);
    const stored = records.get('case.C1')!;
    records.set('case.C1', { ...stored, status: 'acknowledged', ack: { by: '王主管', atMs: stored.openedAtMs + 60_000, reason: 'unspecified' } });
    const again = deriveCaseAlerts(plan, book, ['C1'], now, cfg);
    const steps = reconcile(records, again.alerts, (r) => again.covered.has(r.ticketId!), now, cause, cfg);
    const lines = steps.flatMap((s) => s.entries.map((e) => e.what));
    expect(lines).not.toContain('opened');
    expect(lines).not.toContain('raised');
    // its rows stay under the year it opened in; the plan year's cases under the plan year
    expect(rowYear(stored, plan)).toBe(2024);
    expect(rowYear({ kind: 'case', openedAtMs: plan.yearStartMs }, plan)).toBe(2025);
    expect(rowYear({ kind: 'level', openedAtMs: plan.yearStartMs - 1 }, plan)).toBe(2025);
  });

  // Audit CQ1: a type strict in the year before's plan and relative in the loaded one. The loaded
  // plan's word withdrew its open cases of the year before at the first start on the new plan.
  it('a case of the year before of a type strict then is judged by that year\'s plan: it stays and closes on a January resolution agreed', () => {
    const relaxed = { complaintType: 'steady', branch: 'SH' }; // relative in the loaded (2025) plan
    const strictBefore = new Set(['steady']); // strict in 2024's
    const fc = at('2024-12-28T10:00:00+08:00');
    book.apply([ev('first_contact', 'R1', fc, { eventId: 'r1-fc', ...relaxed, outcome: 'not_agreed' })]);
    const dec = deriveCaseAlerts(plan, book, ['R1'], at('2024-12-31T10:00:00+08:00'), cfg, strictBefore);
    const records = new Map<string, AlertRecord>();
    for (const s of reconcile(records, dec.alerts, () => true, at('2024-12-31T10:00:00+08:00'), cause, cfg)) records.set(s.record.id, s.record);
    expect(records.get('case.R1')).toMatchObject({ status: 'open', complaintType: 'steady' });
    // the start on the new plan: no line at all, withdrawn least of all
    const jan = at('2025-01-03T10:00:00+08:00');
    const again = deriveCaseAlerts(plan, book, ['R1'], jan, cfg, strictBefore);
    expect(again.alerts.map((a) => a.id)).toEqual(['case.R1']);
    const steps = reconcile(records, again.alerts, (r) => again.covered.has(r.ticketId!), jan, { retroactive: true, reason: 're-derived at start' }, cfg);
    expect(steps.flatMap((s) => s.entries.map((e) => e.what))).toEqual([]);
    book.apply([ev('resolved', 'R1', at('2025-01-05T10:00:00+08:00'), { eventId: 'r1-r', ...relaxed, outcome: 'agreed' })]);
    const closed = deriveCaseAlerts(plan, book, ['R1'], at('2025-01-06T10:00:00+08:00'), cfg, strictBefore);
    expect(closed.alerts).toMatchObject([{ id: 'case.R1', clearedAtMs: at('2025-01-05T10:00:00+08:00') }]);
  });

  it('the year before\'s plan judges only the year before\'s first contacts: the plan year\'s are the loaded plan\'s', () => {
    const strictBefore = new Set(['steady']); // insurance relative in 2024's plan, steady strict
    book.apply([
      ev('first_contact', 'R2', at('2024-12-30T10:00:00+08:00'), { eventId: 'r2-fc', complaintType: 'steady', branch: 'SH', outcome: 'not_agreed' }), // late 30 Dec
      ev('first_contact', 'R3', at('2025-01-02T10:00:00+08:00'), { eventId: 'r3-fc', complaintType: 'steady', branch: 'SH', outcome: 'not_agreed' }),
      ev('first_contact', 'R4', at('2024-12-30T10:00:00+08:00'), { eventId: 'r4-fc', ...strict, outcome: 'not_agreed' }),
      ev('first_contact', 'R5', at('2025-01-02T10:00:00+08:00'), { eventId: 'r5-fc', ...strict, outcome: 'not_agreed' }),
    ]);
    const now = at('2025-01-03T10:00:00+08:00');
    expect(deriveCaseAlerts(plan, book, ['R2', 'R3', 'R4', 'R5'], now, cfg, strictBefore).alerts.map((a) => a.id)).toEqual(['case.R2', 'case.R5']);
    // no plan of the year before known: the loaded plan's word, for both years
    expect(deriveCaseAlerts(plan, book, ['R2', 'R3', 'R4', 'R5'], now, cfg).alerts.map((a) => a.id)).toEqual(['case.R4', 'case.R5']);
  });
});
