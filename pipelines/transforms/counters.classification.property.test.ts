// Tickets the intake left `unclassified` (contract section 1): each such ticket is of the type of
// the most confident classification among all its events reported `unclassified` (ties to the
// greater eventId), whatever their kinds; a correction beats it; none classified, no type. The
// counters must give exactly that in any arrival order and batching, checked against a reference
// written from the rule alone.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MaskedEvent } from '../model.ts';
import { CounterIndex } from './counters.ts';
import { testPlan, YEAR_END, YEAR_START } from './test-plan.ts';

const plan = testPlan();
const U = 'unclassified';
const TYPES = ['mortgage_prepayment', 'insurance_dispute', 'auto_installment', 'other_type'];
const BRANCHES = ['BJ', 'BJ-HD', 'SH', 'GZ'];
const DAY = 86_400_000;
const TIMES = [YEAR_START - DAY, YEAR_START, YEAR_START + 40 * DAY, YEAR_START + 100 * DAY, YEAR_END - 1];
const AS_OF = [YEAR_START - 1, YEAR_START, YEAR_START + 50 * DAY, YEAR_END];
// Few confidences, so equal ones (decided by eventId) are common; 0 is "nothing to classify".
const CONFIDENCES = [0, 0.25, 0.5, 0.5, 0.833];

const eventArb = fc.record({
  // tickets 0-2 unclassified by the intake, 3 typed, 4 mixed event by event
  ticket: fc.integer({ min: 0, max: 4 }),
  mixedUnclassified: fc.boolean(),
  kind: fc.constantFrom('opened', 'first_contact', 'first_contact', 'escalated', 'resolved', 'corrected'),
  customer: fc.integer({ min: 0, max: 3 }),
  type: fc.constantFrom(...TYPES),
  confidence: fc.constantFrom(...CONFIDENCES),
  branch: fc.constantFrom(...BRANCHES),
  outcome: fc.constantFrom('agreed', 'not_agreed', undefined),
  t: fc.constantFrom(...TIMES),
});
type Spec = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

/** As maskEvent makes them: an event reported `unclassified` carries its own classification. */
function toEvents(specs: Spec[]): MaskedEvent[] {
  return specs.map((s, i) => {
    const reportedUnclassified = s.ticket <= 2 || (s.ticket === 4 && s.mixedUnclassified);
    const own = s.confidence === 0 ? U : s.type;
    const e: MaskedEvent = {
      eventId: `e${String(i).padStart(3, '0')}`, ticketId: `T${s.ticket}`, kind: s.kind,
      occurredAt: new Date(s.t).toISOString(), occurredAtMs: s.t, branch: s.branch,
      complaintType: reportedUnclassified ? own : s.type, reportedType: reportedUnclassified ? U : s.type,
      customerHash: `c${s.customer}`, customerMasked: {},
      classification: reportedUnclassified ? { type: own, confidence: s.confidence, modelVersion: 'test', needsReview: s.confidence < 0.6 } : undefined,
    };
    const outcome = s.kind === 'first_contact' ? (s.outcome ?? 'agreed') : s.outcome;
    if (outcome !== undefined) e.outcome = outcome;
    return e;
  });
}

/** The rule, read literally, recomputed from scratch. */
function reference(events: readonly MaskedEvent[], type: string, scope: string, asOf: number) {
  const distinct = [...new Map(events.map((e) => [e.eventId, e])).values()];
  const later = (a: MaskedEvent, b: MaskedEvent | undefined) => !b || a.occurredAtMs > b.occurredAtMs || (a.occurredAtMs === b.occurredAtMs && a.eventId > b.eventId);
  const surer = (a: MaskedEvent, b: MaskedEvent | undefined) => !b || a.classification!.confidence > b.classification!.confidence || (a.classification!.confidence === b.classification!.confidence && a.eventId > b.eventId);
  const contacted = new Set<string>(), unresolved = new Set<string>();
  for (const f of distinct) {
    if (f.kind !== 'first_contact' || f.occurredAtMs < YEAR_START || f.occurredAtMs >= YEAR_END || f.occurredAtMs > asOf) continue;
    const ticket = distinct.filter((e) => e.ticketId === f.ticketId);
    let retype: MaskedEvent | undefined, reoutcome: MaskedEvent | undefined, best: MaskedEvent | undefined;
    for (const e of ticket) {
      if (e.kind === 'corrected' && later(e, retype)) retype = e;
      if (e.kind === 'corrected' && e.outcome !== undefined && later(e, reoutcome)) reoutcome = e;
      if (e.reportedType === U && e.classification && e.classification.type !== U && surer(e, best)) best = e;
    }
    const own = f.reportedType === U ? (best?.classification?.type ?? U) : f.complaintType;
    if ((retype?.complaintType ?? own) !== type || !plan.scopesOf(retype?.branch ?? f.branch).includes(scope)) continue;
    contacted.add(f.customerHash);
    if ((reoutcome?.outcome ?? f.outcome) === 'not_agreed') unresolved.add(f.customerHash);
  }
  return { unresolved: unresolved.size, firstContact: contacted.size };
}

function snapshot(index: CounterIndex): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of plan.types) for (const s of plan.scopes) out.set(`${t.code}/${s}`, JSON.stringify(AS_OF.map((a) => index.count(t.code, s, a))));
  return out;
}

function expectReference(index: CounterIndex, events: readonly MaskedEvent[]): void {
  for (const t of plan.types) for (const s of plan.scopes) for (const a of AS_OF) expect(index.count(t.code, s, a), `${t.code}/${s}@${a}`).toEqual(reference(events, t.code, s, a));
}

const arrivals = fc.array(eventArb, { minLength: 1, maxLength: 40 }).chain((specs) => {
  const events = toEvents(specs);
  const withDupes = fc.subarray(events).map((dupes) => [...events, ...dupes]);
  return fc.tuple(fc.constant(events), withDupes.chain((all) => fc.shuffledSubarray(all, { minLength: all.length })), fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1 }));
});

describe('transforms - unclassified tickets count under their most confident classification, in any order', () => {
  it('random unclassified and typed tickets, shuffled, duplicated, in random batches: the rule, and the changed keys', () => {
    fc.assert(
      fc.property(arrivals, ([events, arrival, cuts]) => {
        const index = new CounterIndex(plan);
        for (let at = 0, i = 0; at < arrival.length; i++) {
          const before = snapshot(index);
          const batch = arrival.slice(at, at + (cuts[i % cuts.length] ?? 1));
          at += batch.length;
          const changed = new Set(index.apply(batch).map((k) => `${k.complaintType}/${k.scope}`));
          for (const [key, counts] of snapshot(index)) if (!changed.has(key)) expect(counts, key).toBe(before.get(key));
        }
        expectReference(index, events);
        // and the same as applying them in time order, one batch
        const ordered = new CounterIndex(plan);
        ordered.apply([...events].sort((a, b) => a.occurredAtMs - b.occurredAtMs));
        expect(snapshot(index)).toEqual(snapshot(ordered));
      }),
      { numRuns: 400 },
    );
  });

  it('a first contact without text counts under a type that arrives later, on any kind of event', () => {
    const base = { ticketId: 'T', occurredAt: '', branch: 'SH', reportedType: U, customerHash: 'c', customerMasked: {} };
    const contact: MaskedEvent = { ...base, eventId: 'fc', kind: 'first_contact', occurredAtMs: YEAR_START + DAY, complaintType: U, outcome: 'not_agreed', classification: { type: U, confidence: 0, modelVersion: 'k', needsReview: true } };
    const weak: MaskedEvent = { ...base, eventId: 'esc', kind: 'escalated', occurredAtMs: YEAR_START + 3 * DAY, complaintType: 'auto_installment', classification: { type: 'auto_installment', confidence: 0.4, modelVersion: 'k', needsReview: true } };
    const strong: MaskedEvent = { ...base, eventId: 'op', kind: 'opened', occurredAtMs: YEAR_START, complaintType: 'mortgage_prepayment', classification: { type: 'mortgage_prepayment', confidence: 0.9, modelVersion: 'k', needsReview: false } };
    const index = new CounterIndex(plan);
    index.apply([contact]);
    expect(index.count('mortgage_prepayment', 'SH', YEAR_END).unresolved).toBe(0); // no type yet
    expect(index.apply([weak]).map((k) => k.complaintType)).toEqual(['auto_installment', 'auto_installment']);
    expect(index.count('auto_installment', 'SH', YEAR_END).unresolved).toBe(1);
    index.apply([strong]); // more confident: the count moves, retroactively
    expect(index.count('auto_installment', 'SH', YEAR_END).unresolved).toBe(0);
    expect(index.count('mortgage_prepayment', 'SH', YEAR_END).unresolved).toBe(1);
    index.apply([weak]); // a repeat of the weaker one changes nothing
    expect(index.count('mortgage_prepayment', 'SH', YEAR_END).unresolved).toBe(1);
  });
});
