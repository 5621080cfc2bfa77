import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadPlanFile } from '../pipelines/plan/index.ts';
import type { MaskedEvent } from '../pipelines/model.ts';
import { MAX_UNKNOWN_BRANCHES, UncountedEvents } from './uncounted.ts';

const plan = loadPlanFile(join(import.meta.dirname, '../tests/fixtures/plan-2025.yaml'));
const ev = (branch: string, iso: string) => ({ ticketId: 'T', kind: 'first_contact', branch, occurredAtMs: Date.parse(iso) }) as MaskedEvent;

describe('uncounted events', () => {
  it('counts events outside the plan year and from branches the plan lacks, and logs each kind once', () => {
    const warnings: string[] = [];
    const log = { warn: (o: object, msg: string) => warnings.push(`${msg} ${JSON.stringify(o)}`) };
    const u = new UncountedEvents();
    u.note(plan, [ev('BJ', '2025-03-01T10:00:00+08:00'), ev('BJ-HD', '2025-03-01T10:00:00+08:00')], log);
    expect(u.view()).toEqual({ outsidePlanYear: 0, unknownBranches: { events: 0, codes: [] } });
    u.note(plan, [ev('SZ', '2025-03-01T10:00:00+08:00'), ev('SZ', '2026-01-02T10:00:00+08:00'), ev('BJ', '2024-12-31T10:00:00+08:00')], log);
    u.note(plan, [ev('XM', '2026-02-01T10:00:00+08:00')], log);
    // an event outside the plan year is counted by no one, whatever its branch: not among the unlisted
    expect(u.view()).toMatchObject({ outsidePlanYear: 3, unknownBranches: { events: 1, codes: ['SZ'] }, endedYear: { year: 2024, events: 1, tickets: ['T'] } });
    expect(warnings.map((w) => w.split(' {')[0])).toEqual([
      'events from a branch the plan does not list: counted bank-wide only',
      // the 2024 one: of the year that ended (outside-applied.test.ts)
      'events of 2024 arrived while the 2025 plan is loaded: stored, and a 2024 case opens or closes, but they are not in 2024\'s written counters (counters_current) nor its weekly reviews; read 2024\'s final board from the events (docs/OPERATIONS.md "New Year")',
      'events dated outside the plan year: stored, not counted',
    ]);
    u.reset();
    expect(u.view()).toEqual({ outsidePlanYear: 0, unknownBranches: { events: 0, codes: [] } });
  });

  it('keeps a bounded list of codes however many junk branches arrive', () => {
    const u = new UncountedEvents();
    const events = Array.from({ length: 500 }, (_, i) => ev(`J${i}`, '2025-05-01T10:00:00+08:00'));
    u.note(plan, events, { warn: () => {} });
    expect(u.view().unknownBranches.codes).toHaveLength(MAX_UNKNOWN_BRANCHES);
    expect(u.view().unknownBranches.events).toBe(500);
  });

  // Verification of audit V: the count started from zero at every restart, while 全行 still held
  // the stored events, so the wall's note was gone and 全行 exceeded its branches unexplained.
  it('starts from the plan year\'s stored events of unlisted branches, then counts the new ones', () => {
    const u = new UncountedEvents();
    u.seed([{ branch: 'SZ', events: 40 }, { branch: 'XM', events: 2 }]);
    u.note(plan, [ev('SZ', '2025-06-01T10:00:00+08:00')], { warn: () => {} });
    expect(u.view().unknownBranches).toEqual({ events: 43, codes: ['SZ', 'XM'] });
  });
});
