// decodeEvent never throws, whatever arrives, and every rejection explains itself; valid events
// come back exactly as sent.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_KINDS } from '../model.ts';
import { decodeEvent, MAX_PAYLOAD_CHARS, schemaAccepts, type DecodeResult } from './decode.ts';
import { plainlyValid } from './fast-valid.ts';
import schema from './ticket-event.schema.json' with { type: 'json' };

const CODES = ['invalid_json', 'too_large', 'schema', 'no_offset'];

// Issue 6 asks for hundreds of thousands of random and mutated events: 220k runs in all here
// (about half a minute); DECODE_RUNS_SCALE=0.01 makes it a quick check while editing.
const scale = Number(process.env.DECODE_RUNS_SCALE ?? 1);
const BIG = 180_000; // ms, for the large runs on a busy 2-core machine
const runs = (n: number) => ({ numRuns: Math.max(50, Math.round(n * (Number.isFinite(scale) && scale > 0 ? scale : 1))) });

function checkShape(r: DecodeResult): void {
  if (r.ok) {
    expect(typeof r.event.eventId).toBe('string');
    return;
  }
  expect(CODES).toContain(r.rejection.code); // 'internal' would mean something threw inside
  expect(r.rejection.reason.trim().length).toBeGreaterThan(0);
  expect(r.rejection.payload.length).toBeLessThanOrEqual(MAX_PAYLOAD_CHARS + 1);
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');
const rfc3339 = fc
  .record({
    ms: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
    offset: fc.integer({ min: -12 * 60, max: 14 * 60 }),
    zulu: fc.boolean(),
    frac: fc.boolean(),
  })
  .map(({ ms, offset, zulu, frac }) => {
    const off = zulu ? 0 : offset;
    const local = new Date(ms + off * 60_000).toISOString().slice(0, frac ? 23 : 19);
    return `${local}${zulu ? 'Z' : `${off < 0 ? '-' : '+'}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`}`;
  });

const id = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 });
const validEvent = fc
  .record(
    {
      eventId: id,
      ticketId: id,
      kind: fc.constantFrom(...EVENT_KINDS),
      occurredAt: rfc3339,
      branch: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
      complaintType: fc.stringMatching(/^[a-z0-9_]{1,64}$/),
      customerId: id,
      channel: fc.string({ maxLength: 20 }),
      outcome: fc.constantFrom('agreed', 'not_agreed'),
      escalation: fc.constantFrom('case_meeting', 'mediation', 'management'),
      text: fc.string({ unit: 'grapheme', maxLength: 200 }),
      satisfaction: fc.integer({ min: 1, max: 5 }),
      tags: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 4 }),
      customer: fc.record(
        { name: fc.string({ maxLength: 6 }), phone: fc.stringMatching(/^1[3-9]\d{9}$/), idNumber: fc.string(), cardNumber: fc.string() },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['eventId', 'ticketId', 'kind', 'occurredAt', 'branch', 'complaintType', 'customerId'] },
  )
  .map((e) => {
    const out: Record<string, unknown> = { ...e };
    if ((e.kind === 'first_contact' || e.kind === 'resolved') && e.outcome === undefined) out.outcome = 'agreed';
    if (e.kind === 'escalated' && e.escalation === undefined) out.escalation = 'mediation';
    return out;
  });

const KEYS = ['eventId', 'ticketId', 'kind', 'occurredAt', 'branch', 'complaintType', 'customerId', 'outcome', 'escalation', 'tags', 'customer', 'satisfaction', 'text'];
const mutation = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), key: fc.constantFrom(...KEYS) }),
  fc.record({ op: fc.constant('set' as const), key: fc.oneof(fc.constantFrom(...KEYS), fc.string()), value: fc.jsonValue() }),
  fc.record({
    op: fc.constant('time' as const),
    value: fc.constantFrom('2025-03-01T10:00:00', '2025-02-30T10:00:00Z', '2025-13-01T00:00:00Z', '2025-03-01T10:00Z', '2025-03-01', '', 'T', '2025-03-01T10:00:00+24:00'),
  }),
  fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), value: fc.string({ unit: 'binary', maxLength: 3 }) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(event: Record<string, unknown>, m: Mutation): string {
  const e = { ...event };
  if (m.op === 'drop') delete e[m.key];
  if (m.op === 'set') e[m.key] = m.value;
  if (m.op === 'time') e.occurredAt = m.value;
  const text = JSON.stringify(e);
  if (m.op === 'cut') return text.slice(0, m.at % (text.length + 1));
  if (m.op === 'insert') {
    const at = m.at % (text.length + 1);
    return text.slice(0, at) + m.value + text.slice(at);
  }
  return text;
}

describe('transforms - decode never throws and explains every rejection', () => {
  it('random strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => checkShape(decodeEvent(s))), runs(60_000));
  }, BIG);

  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => checkShape(decodeEvent(b))), runs(60_000));
  }, BIG);

  it('random JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => checkShape(decodeEvent(JSON.stringify(v) ?? ''))), runs(30_000));
  }, BIG);

  it('mutated valid events', () => {
    fc.assert(fc.property(validEvent, fc.array(mutation, { minLength: 1, maxLength: 3 }), (event, ms) => {
      let text = JSON.stringify(event);
      for (const m of ms) {
        let parsed: unknown;
        try { parsed = JSON.parse(text); } catch { parsed = undefined; }
        text = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? mutate(parsed as Record<string, unknown>, m) : text;
      }
      checkShape(decodeEvent(text));
      checkShape(decodeEvent(new TextEncoder().encode(text)));
    }), runs(50_000));
  }, BIG);
});

describe('transforms - decode round-trips valid events', () => {
  it('as text and as bytes', () => {
    fc.assert(fc.property(validEvent, (event) => {
      const text = JSON.stringify(event);
      expect(decodeEvent(text)).toEqual({ ok: true, event });
      expect(decodeEvent(new TextEncoder().encode(text))).toEqual({ ok: true, event });
    }), runs(20_000));
  }, BIG);

  it('a broken event never shows its customer phone in the dead letter', () => {
    fc.assert(fc.property(validEvent, fc.stringMatching(/^1[3-9]\d{9}$/), (event, phone) => {
      const broken = { ...event, customerId: phone, customer: { phone }, text: `请回电${phone}`, kind: 'bogus' };
      const r = decodeEvent(JSON.stringify(broken));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.rejection.payload).not.toContain(phone);
    }), { numRuns: 200 });
  });
});

// decodeEvent asks plainlyValid first and the compiled schema only when it is unsure: a yes from
// the quick check must never be a no from the schema, and plain valid events must get the yes.
describe('transforms - the quick validity check agrees with the schema', () => {
  const quickYesMeansSchemaYes = (v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return;
    if (plainlyValid(v as Record<string, unknown>)) expect(schemaAccepts(v)).toBe(true);
  };

  it('never accepts a mutated event the schema refuses', () => {
    fc.assert(fc.property(validEvent, fc.array(mutation, { minLength: 1, maxLength: 3 }), (event, ms) => {
      let value: unknown = event;
      for (const m of ms) {
        if (!value || typeof value !== 'object' || Array.isArray(value)) break;
        try { value = JSON.parse(mutate(value as Record<string, unknown>, m)); } catch { break; }
        quickYesMeansSchemaYes(value);
      }
    }), runs(60_000));
  }, BIG);

  it('never accepts a valid event with one field near a limit or of a wrong type', () => {
    const nearMisses: Record<string, fc.Arbitrary<unknown>> = {
      eventId: fc.oneof(fc.string({ unit: 'grapheme', minLength: 0, maxLength: 3 }), fc.integer({ min: 120, max: 135 }).map((n) => 'e'.repeat(n)), fc.integer({ min: 60, max: 70 }).map((n) => '😀'.repeat(n)), fc.jsonValue()),
      ticketId: fc.oneof(fc.constant(''), fc.integer({ min: 126, max: 130 }).map((n) => 't'.repeat(n)), fc.jsonValue()),
      customerId: fc.oneof(fc.constant(''), fc.integer({ min: 126, max: 130 }).map((n) => 'c'.repeat(n)), fc.integer()),
      kind: fc.oneof(fc.constantFrom(...EVENT_KINDS, 'Opened', 'open', ''), fc.jsonValue()),
      occurredAt: fc.oneof(rfc3339, fc.constantFrom('2025-03-01T10:00:00', '2025-02-30T10:00:00Z', '2025-03-01T24:00:00Z', '2025-03-01'), fc.jsonValue()),
      branch: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_. -]{0,66}$/), fc.constantFrom('BJ-CY', 'ＢＪ', 'bj\n'), fc.jsonValue()),
      complaintType: fc.oneof(fc.stringMatching(/^[a-zA-Z0-9_.-]{0,66}$/), fc.jsonValue()),
      channel: fc.oneof(fc.integer({ min: 60, max: 70 }).map((n) => 'c'.repeat(n)), fc.jsonValue()),
      outcome: fc.oneof(fc.constantFrom('agreed', 'not_agreed', 'Agreed', ''), fc.jsonValue()),
      escalation: fc.oneof(fc.constantFrom('case_meeting', 'mediation', 'management', 'Mediation'), fc.jsonValue()),
      text: fc.oneof(fc.integer({ min: 19_995, max: 20_005 }).map((n) => '文'.repeat(n)), fc.integer({ min: 9_998, max: 10_002 }).map((n) => '😀'.repeat(n)), fc.jsonValue()),
      satisfaction: fc.oneof(fc.integer({ min: -1, max: 7 }), fc.constantFrom(1.5, 5.000001, 0.999, '3', null, true), fc.double()),
      tags: fc.oneof(fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string({ maxLength: 5 }), fc.jsonValue())), fc.array(fc.string()), fc.jsonValue()),
      customer: fc.oneof(fc.dictionary(fc.constantFrom('name', 'phone', 'idNumber', 'cardNumber', 'other'), fc.oneof(fc.string(), fc.jsonValue())), fc.array(fc.string()), fc.jsonValue()),
    };
    const change = fc.oneof(
      ...Object.entries(nearMisses).map(([key, value]) => fc.record({ key: fc.constant(key), value })),
      fc.record({ key: fc.constantFrom(...KEYS), value: fc.constant(undefined) }), // dropped
    );
    let quickYes = 0;
    let schemaNo = 0;
    fc.assert(fc.property(validEvent, change, change, (event, a, b) => {
      const e: Record<string, unknown> = { ...event, [a.key]: a.value, [b.key]: b.value };
      const v = JSON.parse(JSON.stringify(e)) as Record<string, unknown>;
      if (plainlyValid(v)) quickYes++;
      if (!schemaAccepts(v)) schemaNo++;
      quickYesMeansSchemaYes(v);
    }), runs(60_000));
    // the cases must cut both ways, or the property says little
    expect(quickYes).toBeGreaterThan(runs(60_000).numRuns / 20);
    expect(schemaNo).toBeGreaterThan(runs(60_000).numRuns / 5);
    fc.assert(fc.property(fc.jsonValue(), (v) => quickYesMeansSchemaYes(v)), runs(20_000));
  }, BIG);

  it('was written against the schema as it is: a change to its rules asks for a review of the quick check', () => {
    const rules = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(rules)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).filter(([k]) => !['description', 'title', '$id', '$schema'].includes(k)).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, rules(x)]))
          : v;
    // If this fails, the schema's rules changed: make plainlyValid (fast-valid.ts) say yes only
    // where the new schema does, extend the near-miss cases above to the new limits, then
    // update this fingerprint.
    expect(createHash('sha256').update(JSON.stringify(rules(schema))).digest('hex').slice(0, 16)).toBe('a66ada351570d27e');
  });

  it('says yes to plain valid events, so they skip the compiled schema', () => {
    fc.assert(fc.property(validEvent, (event) => {
      expect(plainlyValid(JSON.parse(JSON.stringify(event)) as Record<string, unknown>)).toBe(true);
    }), runs(10_000));
  });
});
