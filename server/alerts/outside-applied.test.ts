import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadPlanFile } from '../../pipelines/plan/index.ts';
import type { MaskedEvent } from '../../pipelines/model.ts';
import { CounterIndex } from '../../pipelines/transforms/index.ts';
import { UncountedEvents } from '../uncounted.ts';
import { appliedOutside } from './outside-applied.ts';

// Audit CM3: on last year's plan, January's resolutions and corrections of last year's tickets
// were applied (counters down, cases closed) yet counted in `events.outsidePlanYear` and logged
// "events dated outside the plan year: stored, not counted". Only what changed nothing counts.

const plan = loadPlanFile(join(import.meta.dirname, '../../tests/fixtures/plan-2025.yaml'));
let n = 0;
const ev = (kind: MaskedEvent['kind'], ticketId: string, iso: string, extra: Partial<MaskedEvent> = {}): MaskedEvent => ({
  eventId: `o${++n}`, ticketId, kind, occurredAt: iso, occurredAtMs: Date.parse(iso), branch: 'SH', complaintType: 'mortgage_prepayment',
  reportedType: 'mortgage_prepayment', customerHash: `c-${ticketId}`, customerMasked: {}, ...extra,
});

describe('events outside the plan year that changed something', () => {
  const index = new CounterIndex(plan);
  index.apply([
    ev('first_contact', 'T1', '2025-12-20T10:00:00+08:00', { outcome: 'not_agreed' }),
    ev('first_contact', 'OLD', '2024-06-01T10:00:00+08:00', { outcome: 'not_agreed' }),
  ]);
  const cases = new Set(['TS1']);
  const facts = { countsTicket: (t: string) => index.countsTicket(t), hasCase: (t: string) => cases.has(t), strictTypes: new Set(['insurance_dispute']) };

  it('counts only what changed nothing', () => {
    const warnings: string[] = [];
    const u = new UncountedEvents();
    u.applied = (e) => appliedOutside(e, plan, facts);
    u.countsTicket = facts.countsTicket;
    const correction = ev('corrected', 'T1', '2026-01-06T10:00:00+08:00', { outcome: 'agreed' });
    index.apply([correction]);
    expect(index.count('mortgage_prepayment', 'ALL', Date.parse('2025-12-31T00:00:00+08:00')).unresolved).toBe(0);
    u.note(plan, [
      correction, // applied to a 2025 ticket: the counters went down
      ev('resolved', 'TS1', '2026-01-05T10:00:00+08:00', { outcome: 'agreed', complaintType: 'insurance_dispute' }), // closes a followed case
      ev('first_contact', 'TS9', '2024-12-30T15:00:00+08:00', { outcome: 'not_agreed', complaintType: 'insurance_dispute' }), // opens its case (the year before)
      // changed nothing:
      ev('corrected', 'OLD', '2026-01-07T10:00:00+08:00', { outcome: 'agreed' }), // its ticket counts in no plan-year figure
      ev('first_contact', 'N1', '2026-01-02T10:00:00+08:00', { outcome: 'not_agreed' }), // next year's
      ev('first_contact', 'TS8', '2024-12-30T15:00:00+08:00', { outcome: 'agreed', complaintType: 'insurance_dispute' }), // agreed: no case
      ev('first_contact', 'TS7', '2023-12-30T15:00:00+08:00', { outcome: 'not_agreed', complaintType: 'insurance_dispute' }), // two years back
      ev('resolved', 'M9', '2026-01-05T10:00:00+08:00', { outcome: 'agreed' }), // no case, no counter
    ], { warn: (_o, msg) => warnings.push(msg) });
    expect(u.view().outsidePlanYear).toBe(5);
    expect(warnings).toEqual([ENDED, 'events dated outside the plan year: stored, not counted']);
  });

  it('says nothing when every such event was applied', () => {
    const warnings: string[] = [];
    const u = new UncountedEvents();
    u.applied = (e) => appliedOutside(e, plan, facts);
    u.countsTicket = facts.countsTicket;
    u.note(plan, [ev('resolved', 'TS1', '2026-01-05T10:00:00+08:00', { outcome: 'agreed' }), ev('corrected', 'T1', '2026-01-08T10:00:00+08:00', { branch: 'BJ' })], { warn: (_o, msg) => warnings.push(msg) });
    expect([u.view().outsidePlanYear, warnings]).toEqual([0, []]);
    expect(u.view().endedYear).toBeUndefined();
  });
});

// Audit CM2: after the switch to the new plan nothing writes the old year's counters, so its
// late tickets and January corrections are in no written board (counters_current) nor review.
// The log and /api/health say so when they arrive, with masked ticket ids only.
const ENDED = 'events of 2024 arrived while the 2025 plan is loaded: stored, and a 2024 case opens or closes, but they are not in 2024\'s written counters (counters_current) nor its weekly reviews; read 2024\'s final board from the events (docs/OPERATIONS.md "New Year")';

describe('events of the year that ended, arriving on the new plan', () => {
  const index = new CounterIndex(plan);
  index.apply([ev('first_contact', 'T2', '2025-01-10T10:00:00+08:00', { outcome: 'not_agreed' })]);

  it('says which (masked ticket ids), that they are not in that year\'s counters, and how to read them', () => {
    const logged: Array<{ o: any; msg: string }> = [];
    const u = new UncountedEvents();
    u.countsTicket = (t) => index.countsTicket(t);
    u.note(plan, [
      ev('first_contact', '13812345678', '2024-12-30T15:00:00+08:00', { outcome: 'not_agreed' }), // a late ticket of 2024 (its id a phone number)
      ev('corrected', 'D1', '2025-01-02T10:00:00+08:00', { outcome: 'agreed' }), // January's correction of a ticket 2025 does not count
      ev('corrected', 'T2', '2025-01-12T10:00:00+08:00', { outcome: 'agreed' }), // of a 2025 ticket: counted in 2025
      ev('first_contact', 'Z1', '2023-12-30T15:00:00+08:00', { outcome: 'not_agreed' }), // two years back: not the year that ended
    ], { warn: (o, msg) => logged.push({ o, msg }) });
    expect(logged[0]).toEqual({ o: { year: 2024, events: 2, tickets: ['138****5678', 'D1'] }, msg: ENDED });
    expect(u.view().endedYear).toEqual({ year: 2024, events: 2, tickets: ['138****5678', 'D1'], note: ENDED });
    expect(JSON.stringify([logged, u.view()])).not.toContain('13812345678');
    u.reset();
    expect(u.view().endedYear).toBeUndefined();
  });
});
