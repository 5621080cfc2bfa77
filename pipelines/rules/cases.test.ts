import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MaskedEvent } from '../model.ts';
import { deriveCase, TicketBook, type CaseContext } from './cases.ts';
import { IdPacker } from './ids.ts';
import { referenceDeriveCase, ReferenceTicketBook } from './cases-reference.ts';

const HOUR = 3_600_000;
const START = Date.UTC(2025, 0, 1);
const END = Date.UTC(2026, 0, 1);
const STRICT = new Set(['ins', 'ins2']);
const ctx: CaseContext = { year: 2025, yearStartMs: START, yearEndMs: END, isStrict: (t) => STRICT.has(t) };
const TICKETS = ['T1', 'T2'];
const KINDS = ['opened', 'first_contact', 'escalated', 'resolved', 'reopened', 'corrected'] as const;

// Times on a coarse grid (ties are frequent) around the year's start, plus its end, after it and
// an unparsable time.
const time = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -1, max: 12 }).map((h) => START + h * 4 * HOUR) },
  { weight: 1, arbitrary: fc.constantFrom(END - 1, END, END + HOUR, Number.NaN) },
);
const fact = fc.record({
  ticket: fc.nat(TICKETS.length - 1),
  kind: fc.constantFrom(...KINDS),
  t: time,
  type: fc.constantFrom('ins', 'ins2', 'steady', 'other'),
  branch: fc.constantFrom('BJ', 'SH'),
  outcome: fc.constantFrom(undefined, 'agreed', 'not_agreed', 'not_agreed'),
  escalation: fc.constantFrom(undefined, 'case_meeting', 'mediation', 'management'),
  idPrefix: fc.constantFrom('a', 'b', 'c'), // ids order independently of creation
  idStyle: fc.constantFrom('plain', 'uuid', 'UUID', 'ticket', 'ticket-long'),
});

type Fact = typeof fact extends fc.Arbitrary<infer F> ? F : never;

/** Event ids of every shape ids.ts packs differently, unique per event, ordered independently of i. */
function eventId(f: Fact, i: number): string {
  const ticket = TICKETS[f.ticket]!;
  const n = `${f.idPrefix === 'a' ? 'f' : f.idPrefix === 'b' ? '0' : '7'}${i.toString(16).padStart(2, '0')}`;
  if (f.idStyle === 'uuid') return `${n}00000-0000-4000-8000-00000000000${f.idPrefix === 'a' ? 'a' : '0'}`;
  if (f.idStyle === 'UUID') return `${n}00000-0000-4000-8000-00000000000A`;
  if (f.idStyle === 'ticket') return `${ticket}-${f.idPrefix}${i}`;
  if (f.idStyle === 'ticket-long') return `${ticket}-${f.idPrefix}${i}-0123456789abcdef`;
  return `${f.idPrefix}${i}`;
}

function event(f: Fact, i: number): MaskedEvent {
  return {
    eventId: eventId(f, i),
    ticketId: TICKETS[f.ticket]!,
    kind: f.kind,
    occurredAt: '',
    occurredAtMs: f.t,
    branch: f.branch,
    complaintType: f.type,
    reportedType: f.type,
    customerHash: '',
    customerMasked: {},
    ...(f.outcome ? { outcome: f.outcome as 'agreed' | 'not_agreed' } : {}),
    ...(f.escalation ? { escalation: f.escalation as 'mediation' } : {}),
  };
}

/** Every event once in a shuffled order, plus copies of some at any distance, cut into batches. */
const stream = fc
  .record({
    facts: fc.array(fact, { minLength: 1, maxLength: 24 }),
    keys: fc.array(fc.double({ noNaN: true }), { minLength: 24, maxLength: 24 }),
    copies: fc.array(fc.tuple(fc.nat(), fc.double({ noNaN: true })), { maxLength: 30 }),
    cuts: fc.array(fc.nat(8), { minLength: 1, maxLength: 10 }),
    cfg: fc.record({ noProgressHours: fc.integer({ min: 1, max: 30 }), deadlineDays: fc.integer({ min: 1, max: 3 }) }),
  })
  .map(({ facts, keys, copies, cuts, cfg }) => {
    const events = facts.map(event);
    const order = [...events.map((e, i) => ({ e, k: keys[i]! })), ...copies.map(([i, k]) => ({ e: { ...events[i % events.length]! }, k }))]
      .sort((a, b) => a.k - b.k)
      .map((x) => x.e);
    const batches: MaskedEvent[][] = [];
    for (let i = 0, c = 0; i < order.length; c++) {
      const n = 1 + cuts[c % cuts.length]!;
      batches.push(order.slice(i, i + n));
      i += n;
    }
    return { events, batches, cfg };
  });

const NOWS = [START - HOUR, START + 2 * HOUR, START + 20 * HOUR, START + 50 * HOUR, START + 100 * HOUR, END + 24 * HOUR];

describe('cases - packed event ids', () => {
  it('restores every id exactly, whatever its shape', () => {
    const p = new IdPacker();
    const uuid = fc.uuid().map((u) => u.toLowerCase());
    fc.assert(
      fc.property(fc.oneof(uuid, fc.uuid(), fc.string(), fc.string({ unit: 'grapheme' })), fc.string({ maxLength: 12 }), fc.boolean(), (id, ticketId, prefixed) => {
        const full = prefixed ? ticketId + id : id;
        const { value, relative } = p.pack(full, ticketId);
        expect(p.unpack(value, relative, ticketId)).toBe(full);
      }),
      { numRuns: 2000 },
    );
    expect(typeof p.pack('0f3e2d1c-aaaa-4bbb-8ccc-0123456789ab', 'T').value).toBe('bigint');
    expect(p.pack('TK-9-2-s7', 'TK-9')).toEqual({ value: '-2-s7', relative: true });
    expect(p.pack('TK-8-2-s7', 'TK-8').value).toBe(p.pack('TK-9-2-s7', 'TK-9').value);
  });
});

describe('cases - compact ticket book', () => {
  it('derives exactly the cases of the reference book for any order, duplicates and batches', () => {
    fc.assert(
      fc.property(stream, ({ batches, cfg }) => {
        const ref = new ReferenceTicketBook();
        const book = new TicketBook();
        for (const batch of batches) {
          ref.apply(batch);
          book.apply(batch);
          for (const id of TICKETS) {
            const r = ref.tickets.get(id);
            const n = book.get(id);
            expect(n === undefined).toBe(r === undefined);
            for (const now of NOWS) expect(n && deriveCase(n, ctx, now, cfg)).toEqual(r && referenceDeriveCase(r, ctx, now, cfg));
          }
        }
        expect([...book.ticketIds()].sort()).toEqual([...ref.tickets.keys()].sort());
      }),
      { numRuns: 1500 },
    );
  });

  it('holds one row per distinct fact a case can read; duplicates at any distance add nothing', () => {
    fc.assert(
      fc.property(stream, ({ events, batches }) => {
        const book = new TicketBook();
        for (const batch of batches) book.apply(batch);
        const kept = events.filter((e) => e.kind !== 'opened' && !(e.kind === 'resolved' && e.outcome !== 'agreed')).length;
        expect(book.facts).toBe(kept);
        const size = book.size;
        for (const batch of batches) expect(book.apply(batch).size).toBe(0);
        expect([book.facts, book.size]).toEqual([kept, size]);
      }),
      { numRuns: 300 },
    );
  });

  it('grows its columns past their first capacity without losing facts', () => {
    const book = new TicketBook();
    const n = 5_000;
    const evs: MaskedEvent[] = [];
    for (let i = 0; i < n; i++) {
      const base = { ticketId: `K${i}`, occurredAt: '', branch: 'BJ', complaintType: 'ins', reportedType: 'ins', customerHash: '', customerMasked: {} };
      evs.push({ ...base, eventId: `o${i}`, kind: 'opened', occurredAtMs: START + i });
      evs.push({ ...base, eventId: `f${i}`, kind: 'first_contact', occurredAtMs: START + i + HOUR, outcome: 'not_agreed' });
      evs.push({ ...base, eventId: `x${i}`, kind: 'escalated', occurredAtMs: START + i + 2 * HOUR, escalation: 'mediation' });
    }
    book.apply(evs);
    expect([book.size, book.facts]).toEqual([n, 2 * n]);
    const c = deriveCase(book.get('K4321')!, ctx, START + 3 * HOUR, { noProgressHours: 72, deadlineDays: 15 })!;
    expect(c).toMatchObject({ openedAtMs: START + 4321 + HOUR, complaintType: 'ins', scope: 'BJ', facts: { deadline: START + 4321 + 15 * 24 * HOUR, escalations: 1 } });
    expect(c.history.map((h) => h.detail?.eventId)).toEqual(['f4321', 'x4321']);
  });
});

describe('cases - tickets the intake left unclassified', () => {
  // Every event says `unclassified` and carries its own classification (maskEvent); the ticket is
  // of its most confident one (ties to the greater eventId), a correction beating it, as the
  // counters count it (transforms/corrections.ts).
  const U = 'unclassified';
  const classified = fact.chain((f) =>
    fc.record({ own: fc.constantFrom('ins', 'steady', U), confidence: fc.constantFrom(0.25, 0.5, 0.5, 0.9) }).map(({ own, confidence }) => ({ ...f, own, confidence })),
  );
  const unclassifiedEvent = (f: Fact & { own: string; confidence: number }, i: number): MaskedEvent => {
    const e = event(f, i);
    if (e.kind === 'corrected') return e; // a person types it
    return { ...e, complaintType: f.own, reportedType: U, classification: { type: f.own, confidence: f.own === U ? 0 : f.confidence, modelVersion: 'k', needsReview: true } };
  };

  it('a case follows the most confident classification of all its events, in any order and batching', () => {
    fc.assert(
      fc.property(fc.array(classified, { minLength: 1, maxLength: 16 }), fc.array(fc.double({ noNaN: true }), { minLength: 16, maxLength: 16 }), fc.nat(4), (facts, keys, cut) => {
        const events = facts.map(unclassifiedEvent);
        const arrival = events.map((e, i) => ({ e, k: keys[i]! })).sort((a, b) => a.k - b.k).map((x) => x.e);
        const inOrder = new TicketBook();
        inOrder.apply([...events].sort((a, b) => a.occurredAtMs - b.occurredAtMs));
        const shuffled = new TicketBook();
        for (let i = 0; i < arrival.length; i += cut + 1) shuffled.apply(arrival.slice(i, i + cut + 1));
        for (const id of TICKETS) {
          const mine = events.filter((e) => e.ticketId === id);
          const tOf = (e: MaskedEvent) => (Number.isNaN(e.occurredAtMs) ? -Infinity : e.occurredAtMs);
          const later = (a: MaskedEvent, b?: MaskedEvent) => !b || tOf(a) > tOf(b) || (tOf(a) === tOf(b) && a.eventId > b.eventId);
          let retype: MaskedEvent | undefined, best: MaskedEvent | undefined;
          for (const e of mine) {
            if (e.kind === 'corrected' && later(e, retype)) retype = e;
            const c = e.classification;
            if (c && c.type !== U && (!best || c.confidence > best.classification!.confidence || (c.confidence === best.classification!.confidence && e.eventId > best.eventId))) best = e;
          }
          const type = retype?.complaintType ?? best?.classification?.type ?? U;
          for (const now of NOWS) {
            const a = shuffled.get(id), b = inOrder.get(id);
            // (escalations of one instant keep their order of arrival in the history, by design)
            const sorted = (d: ReturnType<typeof deriveCase>) => d && { ...d, history: [...d.history].sort((x, y) => x.atMs - y.atMs || (x.id < y.id ? -1 : 1)) };
            const c = sorted(a && deriveCase(a, ctx, now, { noProgressHours: 24, deadlineDays: 2 }));
            expect(c).toEqual(sorted(b && deriveCase(b, ctx, now, { noProgressHours: 24, deadlineDays: 2 })));
            if (c) expect(c.complaintType).toBe(type);
            else if (STRICT.has(type) && !mine.some((e) => e.kind === 'corrected') && mine.some((e) => e.kind === 'first_contact' && e.outcome === 'not_agreed' && e.occurredAtMs >= START && e.occurredAtMs < END && e.occurredAtMs <= now)) expect.fail(`${id}: no case though of strict type ${type}`);
          }
        }
      }),
      { numRuns: 800 },
    );
  });

  it('opens the case of a first contact without text once an event typed strict arrives, later or earlier', () => {
    const base = { ticketId: 'U1', occurredAt: '', branch: 'SH', reportedType: U, customerHash: '', customerMasked: {} };
    const contact: MaskedEvent = { ...base, eventId: 'u1-fc', kind: 'first_contact', occurredAtMs: START + HOUR, complaintType: U, outcome: 'not_agreed', classification: { type: U, confidence: 0, modelVersion: 'k', needsReview: true } };
    const opened: MaskedEvent = { ...base, eventId: 'u1-o', kind: 'opened', occurredAtMs: START, complaintType: 'ins', classification: { type: 'ins', confidence: 0.8, modelVersion: 'k', needsReview: false } };
    const cfg = { noProgressHours: 72, deadlineDays: 15 };
    for (const order of [[contact, opened], [opened, contact]]) {
      const book = new TicketBook();
      book.apply([order[0]!]);
      book.apply([order[1]!]);
      expect(deriveCase(book.get('U1')!, ctx, START + 2 * HOUR, cfg)).toMatchObject({ complaintType: 'ins', scope: 'SH', openedAtMs: START + HOUR });
    }
    const alone = new TicketBook();
    alone.apply([contact]);
    expect(deriveCase(alone.get('U1')!, ctx, START + 2 * HOUR, cfg)).toBeUndefined(); // no type yet
  });
});
