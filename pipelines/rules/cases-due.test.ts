import { describe, expect, it } from 'vitest';
import { CasesDue } from './cases-due.ts';
import { deriveCaseAlerts } from './derive.ts';
import { escalationDue, reconcile, type AlertRecord } from './lifecycle.ts';
import { ev, world } from './testkit.ts';

// Audit AF F3: a case opened, paged and climbed the ladder from a first contact dated ahead of the
// monitor's clock (another system's clock, a typo), while the counters count it only once its
// time comes (occurredAt <= now); its history showed a ladder step before its opening. A first
// contact dated after now opens nothing yet; its case opens when its time comes.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('a case whose first contact is dated after now', () => {
  const { plan, book, cfg } = world();
  const received = plan.weeks[10]!.startMs;
  const contactAt = received + 90_000; // 90 s ahead of the clock that receives it
  book.apply([
    ev('opened', 'F1', received, { eventId: 'f1-o', complaintType: 'insurance', branch: 'SH' }),
    ev('first_contact', 'F1', contactAt, { eventId: 'f1-fc', complaintType: 'insurance', branch: 'SH', outcome: 'not_agreed' }),
  ]);

  it('opens nothing before its time, says when it comes due, and opens at it', () => {
    const early = deriveCaseAlerts(plan, book, ['F1'], received + 1_000, cfg);
    expect(early.alerts).toEqual([]);
    expect(early.covered).toEqual(new Set(['F1']));
    expect(early.dueAtMs).toEqual(new Map([['F1', contactAt]]));
    const due = deriveCaseAlerts(plan, book, ['F1'], contactAt, cfg);
    expect(due.alerts).toMatchObject([{ id: 'case.F1', openedAtMs: contactAt, level: 'watch' }]);
    expect(due.dueAtMs.size).toBe(0);
  });

  it('its ladder runs from the opening: no step before it', () => {
    const records = new Map<string, AlertRecord>();
    const cause = { retroactive: false, reason: 'events' };
    for (const now of [received + 1_000, contactAt + 500]) {
      const { alerts, covered } = deriveCaseAlerts(plan, book, ['F1'], now, cfg);
      for (const s of reconcile(records, alerts, (r) => covered.has(r.ticketId!), now, cause, cfg)) records.set(s.record.id, s.record);
      if (now < contactAt) expect(records.size).toBe(0);
    }
    let r = records.get('case.F1')!;
    expect(r.raisedAtMs).toBeGreaterThanOrEqual(r.openedAtMs);
    for (let s = escalationDue(r, contactAt + 2 * HOUR, cfg.onCall); s; s = escalationDue(r, contactAt + 2 * HOUR, cfg.onCall)) r = s.record;
    const opened = r.history.find((h) => h.what === 'opened')!;
    const steps = r.history.filter((h) => h.what === 'escalated');
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) expect(step.atMs).toBeGreaterThan(opened.atMs);
  });
});

describe('CasesDue', () => {
  it('gives each ticket once when its time comes, and forgets one a derivation found not waiting', () => {
    const due = new CasesDue();
    due.note(['A', 'B', 'C'], new Map([['A', 1_000], ['B', 5_000]]));
    expect(due.take(999)).toEqual([]);
    expect(due.take(1_000)).toEqual(['A']);
    expect(due.take(2_000)).toEqual([]);
    due.note(['B'], new Map()); // derived again meanwhile: no longer waiting (a correction, say)
    expect(due.take(10_000)).toEqual([]);
    expect(due.size).toBe(0);
  });
});
