import { describe, expect, it } from 'vitest';
import { decodeEvent, MAX_EVENT_BYTES, MAX_PAYLOAD_CHARS } from './decode.ts';

const VALID = {
  eventId: 'evt-1', ticketId: 'T-1', kind: 'first_contact', occurredAt: '2025-03-01T10:00:00+08:00', branch: 'BJ-HD',
  complaintType: 'mortgage_prepayment', customerId: 'C-0001', outcome: 'not_agreed',
};
const json = (patch: Record<string, unknown>, drop: string[] = []): string =>
  JSON.stringify(Object.fromEntries(Object.entries({ ...VALID, ...patch }).filter(([k]) => !drop.includes(k))));
const padded = (bytes: number): string => {
  const base = json({ pad: '' });
  return json({ pad: 'x'.repeat(bytes - base.length) });
};

interface DecodeCase {
  name: string;
  input: string | Uint8Array;
  code?: string; // absent: accepted
  reason?: RegExp;
}

const CASES: DecodeCase[] = [
  { name: 'a valid first_contact', input: json({}) },
  { name: 'bytes with a BOM', input: new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(json({}))]) },
  { name: 'UTC, lower-case z, a fraction, a negative offset', input: json({ occurredAt: '2025-03-01t10:00:00.123456z' }) },
  { name: 'a negative offset', input: json({ occurredAt: '2025-03-01T10:00:00-05:30' }) },
  { name: 'a leap day', input: json({ occurredAt: '2024-02-29T10:00:00+08:00' }) },
  { name: 'exactly 64 KiB', input: padded(MAX_EVENT_BYTES) },
  { name: 'one byte more than 64 KiB', input: padded(MAX_EVENT_BYTES + 1), code: 'too_large', reason: /65537 bytes/ },
  { name: 'more than 64 KiB in UTF-8, fewer characters', input: json({ text: '投'.repeat(19_000), pad: '诉'.repeat(3_000) }), code: 'too_large' },
  { name: 'not JSON', input: 'hello', code: 'invalid_json' },
  { name: 'truncated JSON', input: '{"eventId":', code: 'invalid_json', reason: /end of input/ },
  { name: 'empty', input: '', code: 'invalid_json' },
  { name: 'invalid UTF-8 bytes', input: new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]), code: 'invalid_json', reason: /UTF-8/ },
  { name: 'a lone surrogate in text', input: `{"text":"\ud800"}`, code: 'invalid_json', reason: /UTF-8/ },
  { name: 'an array', input: '[]', code: 'schema', reason: /must be a JSON object, got an array/ },
  { name: 'null', input: 'null', code: 'schema', reason: /got null/ },
  { name: 'a number', input: '42', code: 'schema', reason: /got a number/ },
  { name: 'a missing eventId', input: json({}, ['eventId']), code: 'schema', reason: /^eventId: required$/ },
  { name: 'first_contact without outcome', input: json({}, ['outcome']), code: 'schema', reason: /^outcome: required for kind first_contact$/ },
  { name: 'resolved without outcome', input: json({ kind: 'resolved' }, ['outcome']), code: 'schema', reason: /^outcome: required for kind resolved$/ },
  { name: 'escalated without escalation', input: json({ kind: 'escalated' }), code: 'schema', reason: /^escalation: required for kind escalated$/ },
  { name: 'a missing kind is reported once', input: json({}, ['kind', 'outcome']), code: 'schema', reason: /^kind: required$/ },
  { name: 'an unknown kind', input: json({ kind: 'closed' }), code: 'schema', reason: /^\/kind: must be one of opened, first_contact/ },
  { name: 'a bad branch code', input: json({ branch: 'BJ HD' }), code: 'schema', reason: /^\/branch: must match pattern/ },
  { name: 'an upper-case type code', input: json({ complaintType: 'Mortgage' }), code: 'schema', reason: /^\/complaintType: must match pattern/ },
  { name: 'a non-string tag', input: json({ tags: { product: 1 } }), code: 'schema', reason: /^\/tags\/product: must be string$/ },
  { name: 'satisfaction out of range', input: json({ satisfaction: 6 }), code: 'schema', reason: /\/satisfaction: must be <= 5/ },
  { name: 'several problems at once', input: json({ branch: '', satisfaction: 0 }, ['ticketId']), code: 'schema', reason: /ticketId: required; .*\/branch.*; \/satisfaction/ },
  { name: 'an impossible date', input: json({ occurredAt: '2025-02-30T10:00:00+08:00' }), code: 'schema', reason: /^\/occurredAt: must be an RFC 3339 date-time/ },
  { name: 'no leap day in 2025', input: json({ occurredAt: '2025-02-29T10:00:00+08:00' }), code: 'schema' },
  { name: 'hour 24', input: json({ occurredAt: '2025-03-01T24:00:00+08:00' }), code: 'schema' },
  { name: 'not a date', input: json({ occurredAt: 'yesterday' }), code: 'schema' },
  { name: 'an epoch number', input: json({ occurredAt: 1740794400000 }), code: 'schema', reason: /\/occurredAt: must be string/ },
  { name: 'no UTC offset', input: json({ occurredAt: '2025-03-01T10:00:00' }), code: 'no_offset', reason: /no UTC offset/ },
  { name: 'no UTC offset, space separator', input: json({ occurredAt: '2025-03-01 10:00:00.5' }), code: 'no_offset' },
  { name: 'no offset and an impossible date is a schema error', input: json({ occurredAt: '2025-02-30T10:00:00' }), code: 'schema' },
];

describe('transforms - decode accepts and rejects per contract section 1', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = decodeEvent(c.input);
    if (c.code === undefined) {
      expect(r.ok ? undefined : r.rejection).toBeUndefined();
      return;
    }
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.rejection.code).toBe(c.code);
    if (c.reason) expect(r.rejection.reason).toMatch(c.reason);
    expect(r.rejection.payload.length).toBeLessThanOrEqual(MAX_PAYLOAD_CHARS + 1);
  });

  it('returns the event as sent', () => {
    const r = decodeEvent(new TextEncoder().encode(json({ text: '提前还款', tags: { product: '房贷' } })));
    expect(r).toEqual({ ok: true, event: { ...VALID, text: '提前还款', tags: { product: '房贷' } } });
  });

  it('keeps personal numbers out of the reason and the payload', () => {
    const phone = '13812341234';
    for (const input of [`{"customerId":"${phone}","text":"${phone}`, `${phone}x`, json({ customerId: phone, text: `电话${phone}` }, ['eventId'])]) {
      const r = decodeEvent(input);
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.rejection.reason).not.toContain(phone);
      expect(r.rejection.payload).not.toContain(phone);
    }
  });

  // A JSON pointer quotes tag keys as sent (audit CI C2): the reason masks them as the payload does.
  it('masks the personal numbers and e-mail addresses of the keys its reason quotes', () => {
    const tags = { '13912345632': 1, 'mail zhang.wei88@example.com': true, '身份证 11010519491231003x': 2, '139/1234/5633': 3, '139\u200b1234\u200b5634': 4 };
    const r = decodeEvent(json({ tags }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.rejection.reason).toBe('/tags/139****5632: must be string; /tags/mail z***@example.com: must be string; /tags/身份证 110***********003x: must be string; /tags/139****5633: must be string; /tags/139****5634: must be string');
    const surrogate = decodeEvent(json({ tags: { '13912345635': '\\ud800' } }).replace('\\\\ud800', '\\ud800'));
    expect(surrogate.ok ? 'accepted' : surrogate.rejection.reason).toMatch(/^\/tags\/139\*\*\*\*5635: a \\u escape/);
  });

  it('truncates the payload of a large dead letter, masked', () => {
    const r = decodeEvent(`{"text":"${'13812341234 '.repeat(8000)}`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.rejection.code).toBe('too_large');
    expect(r.rejection.payload.length).toBeLessThanOrEqual(MAX_PAYLOAD_CHARS + 1);
    expect(r.rejection.payload).not.toContain('13812341234');
    expect(r.rejection.payload.startsWith('{"text":"138****1234 ')).toBe(true);
  });
});

describe('transforms - decode refuses half characters spelled as escapes', () => {
  const enc = new TextEncoder();
  // the escapes as the JSON text carries them: valid UTF-8, valid JSON, no Unicode string
  const withEscape = (field: string, escaped: string) => enc.encode(json({}).replace(`"${field}":"${(VALID as Record<string, string>)[field]}"`, `"${field}":"${escaped}"`));

  it.each([
    ['customerId', 'sur\\ud800', '/customerId'],
    ['customerId', 'sur\\udbff', '/customerId'],
    ['ticketId', '\\udc00T', '/ticketId'],
    ['eventId', 'e\\ud83d', '/eventId'],
  ])('%s %s is dead-lettered with where it is', (field, escaped, at) => {
    const d = decodeEvent(withEscape(field, escaped));
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.rejection).toMatchObject({ code: 'invalid_json', reason: `${at}: a \\u escape names half a character (a lone surrogate), which is not Unicode` });
  });

  it('finds one in a nested field or a key, and takes whole characters spelled as escapes', () => {
    const nested = decodeEvent(enc.encode(json({ tags: { '\\ud800': 'x' } }).replace('\\\\ud800', '\\ud800')));
    expect(nested.ok ? 'accepted' : nested.rejection.reason).toMatch(/^\/tags\/.*lone surrogate/);
    const pair = decodeEvent(withEscape('customerId', 'C\\ud83d\\ude00'));
    expect(pair.ok && pair.event.customerId).toBe('C😀');
    const replacement = decodeEvent(withEscape('customerId', 'sur\\ufffd'));
    expect(replacement.ok && replacement.event.customerId).toBe('sur\uFFFD');
  });
});
