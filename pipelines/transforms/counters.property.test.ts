// CounterIndex against a reference written plainly: recompute every count from scratch from the
// distinct events, for random event sets applied shuffled, duplicated and in random batches.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MaskedEvent } from '../model.ts';
import { CounterIndex } from './counters.ts';
import { testPlan, YEAR_END, YEAR_START } from './test-plan.ts';

const plan = testPlan();
const TYPES = ['mortgage_prepayment', 'insurance_dispute', 'auto_installment', 'other_type', 'unclassified'];
const BRANCHES = ['BJ', 'BJ-HD', 'BJ-CY', 'SH', 'GZ', 'XX'];
const DAY = 86_400_000;
// Few distinct times, so ties (same-instant corrections, same-time contacts) are common.
const TIMES = [YEAR_START - 1, YEAR_START, YEAR_START + 40 * DAY, YEAR_START + 100 * DAY, YEAR_START + 200 * DAY, YEAR_END - 1, YEAR_END];
const AS_OF = [YEAR_START - 1, ...TIMES.map((t) => t - 1), ...TIMES, YEAR_START + 150 * DAY, YEAR_END + 30 * DAY];

const eventArb = fc.record({
  ticket: fc.integer({ min: 0, max: 3 }),
  kind: fc.constantFrom('first_contact', 'first_contact', 'corrected', 'opened', 'resolved'),
  customer: fc.integer({ min: 0, max: 4 }),
  type: fc.constantFrom(...TYPES),
  branch: fc.constantFrom(...BRANCHES),
  outcome: fc.constantFrom('agreed', 'not_agreed', undefined),
  t: fc.oneof(
    { arbitrary: fc.constantFrom(...TIMES), weight: 3 },
    { arbitrary: fc.integer({ min: YEAR_START - 10 * DAY, max: YEAR_END + 10 * DAY }), weight: 1 },
  ),
});

type Spec = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

function toEvents(specs: Spec[]): MaskedEvent[] {
  return specs.map((s, i) => {
    const outcome = s.kind === 'first_contact' ? (s.outcome ?? 'agreed') : s.outcome;
    const e: MaskedEvent = {
      eventId: `e${String(i).padStart(3, '0')}`, ticketId: `T${s.ticket}`, kind: s.kind,
      occurredAt: new Date(s.t).toISOString(), occurredAtMs: s.t, branch: s.branch,
      complaintType: s.type, reportedType: s.type, customerHash: `c${s.customer}`, customerMasked: {},
    };
    if (outcome !== undefined) e.outcome = outcome;
    return e;
  });
}

/** Contract sections 1 and 3, read literally. */
function reference(events: readonly MaskedEvent[], type: string, scope: string, asOf: number) {
  const distinct = [...new Map(events.map((e) => [e.eventId, e])).values()];
  const later = (a: MaskedEvent, b: MaskedEvent) => a.occurredAtMs > b.occurredAtMs || (a.occurredAtMs === b.occurredAtMs && a.eventId > b.eventId);
  const contacted = new Set<string>();
  const unresolved = new Set<string>();
  for (const f of distinct) {
    if (f.kind !== 'first_contact') continue;
    const corrections = distinct.filter((e) => e.kind === 'corrected' && e.ticketId === f.ticketId);
    const latest = corrections.reduce<MaskedEvent | undefined>((m, e) => (m === undefined || later(e, m) ? e : m), undefined);
    const latestOutcome = corrections
      .filter((e) => e.outcome !== undefined)
      .reduce<MaskedEvent | undefined>((m, e) => (m === undefined || later(e, m) ? e : m), undefined);
    const effType = latest?.complaintType ?? f.complaintType;
    const effBranch = latest?.branch ?? f.branch;
    const effOutcome = latestOutcome?.outcome ?? f.outcome;
    if (effType !== type) continue;
    if (f.occurredAtMs < YEAR_START || f.occurredAtMs >= YEAR_END || f.occurredAtMs > asOf) continue;
    if (!plan.scopesOf(effBranch).includes(scope)) continue;
    contacted.add(f.customerHash);
    if (effOutcome === 'not_agreed') unresolved.add(f.customerHash);
  }
  return { unresolved: unresolved.size, firstContact: contacted.size };
}

function snapshot(index: CounterIndex): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of plan.types) for (const s of plan.scopes) out.set(`${t.code}/${s}`, JSON.stringify(AS_OF.map((a) => index.count(t.code, s, a))));
  return out;
}

describe('transforms - counters match a from-scratch reference in any arrival order', () => {
  it('random events, shuffled, duplicated, in random batches', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 40 }).chain((specs) => {
          const events = toEvents(specs);
          const withDupes = fc.subarray(events).map((dupes) => [...events, ...dupes]);
          return fc.tuple(fc.constant(events), withDupes.chain((all) => fc.shuffledSubarray(all, { minLength: all.length })), fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1 }));
        }),
        ([events, arrival, cuts]) => {
          const index = new CounterIndex(plan);
          let at = 0;
          for (let i = 0; at < arrival.length; i++) {
            const before = snapshot(index);
            const batch = arrival.slice(at, at + (cuts[i % cuts.length] ?? 1));
            at += batch.length;
            const changed = new Set(index.apply(batch).map((k) => `${k.complaintType}/${k.scope}`));
            // Pairs not reported as changed must not have changed.
            for (const [key, counts] of snapshot(index)) if (!changed.has(key)) expect(counts, key).toBe(before.get(key));
          }
          for (const t of plan.types) {
            for (const s of plan.scopes) {
              for (const a of AS_OF) expect(index.count(t.code, s, a), `${t.code}/${s}@${a}`).toEqual(reference(events, t.code, s, a));
            }
          }
          expect(index.size.recentIds).toBe(events.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('forgetting every eventId (a window of one): repeats at any distance and corrections in any order fold', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 40 }).chain((specs) => {
          const events = toEvents(specs);
          // Each event arrives 1 to 4 times, anywhere: repeats far apart, before and after corrections.
          const copies = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: events.length, maxLength: events.length });
          return fc.tuple(fc.constant(events), copies.chain((n) => fc.shuffledSubarray(events.flatMap((e, i) => Array(n[i]).fill(e) as MaskedEvent[]), { minLength: n.reduce((a, b) => a + b, 0) })));
        }),
        ([events, arrival]) => {
          const index = new CounterIndex(plan, { recentIds: 1 });
          for (const e of arrival) {
            const before = snapshot(index);
            // as the pipeline does: what has() still knows is not applied again
            const changed = new Set((index.has(e.eventId) ? [] : index.apply([e])).map((k) => `${k.complaintType}/${k.scope}`));
            for (const [key, counts] of snapshot(index)) if (!changed.has(key)) expect(counts, key).toBe(before.get(key));
          }
          // and a full replay of everything, later, changes nothing
          const settled = snapshot(index);
          expect(index.apply(events)).toEqual(expect.any(Array));
          expect(snapshot(index)).toEqual(settled);
          for (const t of plan.types) {
            for (const s of plan.scopes) {
              for (const a of AS_OF) expect(index.count(t.code, s, a), `${t.code}/${s}@${a}`).toEqual(reference(events, t.code, s, a));
            }
          }
          expect(index.size.recentIds).toBeLessThanOrEqual(2);
          // repeats are not held twice: one slot per distinct first contact of the year
          const facts = new Set(events.filter((e) => e.kind === 'first_contact' && e.occurredAtMs >= YEAR_START && e.occurredAtMs < YEAR_END)
            .map((e) => [e.ticketId, e.occurredAtMs, e.customerHash, e.complaintType, e.branch, e.outcome].join('|')));
          expect(index.size.firstContacts).toBe(facts.size);
        },
      ),
      { numRuns: 300 },
    );
  });
});
