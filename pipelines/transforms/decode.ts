// bytes -> TicketEvent | Rejection. Never throws: a bad message is a value for the dead-letter
// sink, and the stream must not die on it (contract section 1).

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ErrorObject } from 'ajv';
import type { Rejection, TicketEvent } from '../model.ts';
import { plainlyValid } from './fast-valid.ts';
import { maskRawPayload } from './mask-raw.ts';
import { maskText } from './mask-text.ts';
import { parseDateTime } from './time.ts';
import schema from './ticket-event.schema.json' with { type: 'json' };

export const MAX_EVENT_BYTES = 65_536;
/** Dead letters keep at most this many characters of the (masked) payload. */
export const MAX_PAYLOAD_CHARS = 8_192;
const MAX_REASONS = 5;
const MAX_MASKED_INPUT = 1 << 20;

export type DecodeResult = { ok: true; event: TicketEvent } | { ok: false; rejection: Rejection };

const ajv = new Ajv2020.default({ allErrors: true, strict: false });
addFormats.default(ajv);
// The schema's date-time must accept a missing offset so that case gets its own code
// (no_offset) after the schema check; impossible dates still fail here.
ajv.addFormat('date-time', { type: 'string', validate: (s: string) => parseDateTime(s) !== null });
const validate = ajv.compile(schema);

/** The schema's own verdict, without the quick check in front of it (for tests that hold the two together). */
export function schemaAccepts(data: unknown): boolean {
  return validate(data) as boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Lossy = new TextDecoder('utf-8');
const encoder = new TextEncoder();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function decodeEvent(bytes: Uint8Array | string): DecodeResult {
  try {
    return decodeUnsafe(bytes);
  } catch (err) {
    // Defence in depth: nothing above is expected to throw, but a dead letter beats a dead stream.
    try {
      return reject('internal', `could not decode: ${err instanceof Error ? err.name : 'error'}`, null);
    } catch {
      return { ok: false, rejection: { code: 'internal', reason: 'could not decode', payload: '' } };
    }
  }
}

function decodeUnsafe(bytes: Uint8Array | string): DecodeResult {
  // Callers are typed, but a JS caller or a broken source may hand over anything.
  if (typeof bytes !== 'string' && !ArrayBuffer.isView(bytes)) {
    return reject('invalid_json', 'body is neither bytes nor text', '');
  }
  const size = typeof bytes === 'string' ? byteLength(bytes) : bytes.byteLength;
  if (size > MAX_EVENT_BYTES) {
    const raw = size > MAX_MASKED_INPUT ? null : typeof bytes === 'string' ? bytes : safeLossy(bytes);
    return reject('too_large', `body is ${size} bytes, more than the ${MAX_EVENT_BYTES} allowed`, raw);
  }
  let text: string;
  if (typeof bytes === 'string') {
    if (LONE_SURROGATE.test(bytes)) return reject('invalid_json', 'body is not valid UTF-8', bytes);
    text = bytes.charCodeAt(0) === 0xfeff ? bytes.slice(1) : bytes;
  } else {
    try {
      text = utf8.decode(bytes); // strips a BOM
    } catch {
      return reject('invalid_json', 'body is not valid UTF-8', safeLossy(bytes));
    }
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return reject('invalid_json', jsonReason(err), text);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    const got = data === null ? 'null' : Array.isArray(data) ? 'an array' : `a ${typeof data}`;
    return reject('schema', `event must be a JSON object, got ${got}`, text);
  }
  // Valid UTF-8 can still spell half a character as a \u escape; stored or hashed it becomes
  // U+FFFD, so two ids differing there would be one customer or one stored event.
  if (text.includes('\\u')) {
    const at = loneSurrogateAt(data, '');
    if (at !== undefined) return reject('invalid_json', `${maskPointer(at) || '/'}: a \\u escape names half a character (a lone surrogate), which is not Unicode`, text);
  }
  if (!plainlyValid(data as Record<string, unknown>) && !validate(data)) return reject('schema', schemaReason(validate.errors ?? [], data), text);
  const event = data as unknown as TicketEvent;
  const when = parseDateTime(event.occurredAt);
  if (!when) return reject('schema', '/occurredAt: must be an RFC 3339 date-time', text); // unreachable: the schema checked it
  if (!when.hasOffset) {
    return reject('no_offset', '/occurredAt: has no UTC offset (expected e.g. Z or +08:00)', text);
  }
  return { ok: true, event };
}

// The whole text is masked before it is cut: cutting first could leave half a number, which
// no masker recognises, in clear. Beyond MAX_MASKED_INPUT nothing is kept rather than risk it.
/** the JSON pointer of the first key or string holding a lone surrogate, if any */
function loneSurrogateAt(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [k, v] of Object.entries(value)) {
    const at = `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (LONE_SURROGATE.test(k)) return at;
    const inside = loneSurrogateAt(v, at);
    if (inside !== undefined) return inside;
  }
  return undefined;
}

function reject(code: string, reason: string, raw: string | null): DecodeResult {
  const payload = raw === null ? '(payload not kept: too large to mask)' : truncate(maskRawPayload(raw), MAX_PAYLOAD_CHARS);
  return { ok: false, rejection: { code, reason: maskText(reason), payload } };
}

/**
 * A JSON pointer names keys as sent, and a tag key is free text (a clerk may type a phone
 * number or an e-mail address as one): each key is masked as the payload's keys are, before
 * the reason quotes it. Masked whole, a key with a slash in it (~1 in the pointer) would no
 * longer read as the number it is, to the masker, yet still would to a person.
 */
function maskPointer(path: string): string {
  return path.split('/').map((segment) => {
    const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    const masked = maskText(key);
    return masked === key ? segment : masked.replace(/~/g, '~0').replace(/\//g, '~1');
  }).join('/');
}

function byteLength(s: string): number {
  // Cheap bound first: every UTF-16 unit is at most 3 UTF-8 bytes.
  return s.length * 3 <= MAX_EVENT_BYTES ? s.length : encoder.encode(s).byteLength;
}

function safeLossy(bytes: Uint8Array): string {
  try {
    return utf8Lossy.decode(bytes);
  } catch {
    return '';
  }
}

function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // never split a surrogate pair
  return `${s.slice(0, end)}…`;
}

// V8's JSON.parse messages quote the input ('"13812341234x" is not valid JSON'), which may be
// personal data; keep only what kind of error it was and where.
function jsonReason(err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  const pos = /position (\d+)/.exec(message);
  if (/end of (JSON )?input|Unterminated/i.test(message)) return 'body is not valid JSON: unexpected end of input';
  return `body is not valid JSON${pos ? ` (error at position ${pos[1]})` : ''}`;
}

function schemaReason(errors: readonly ErrorObject[], data: object): string {
  const kind = (data as { kind?: unknown }).kind;
  const reasons = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'if') continue; // its 'then' errors say it better
    const conditional = e.schemaPath.includes('/then/');
    if (e.keyword === 'required') {
      const field = `${e.instancePath ? `${maskPointer(e.instancePath)}/` : ''}${String((e.params as { missingProperty?: unknown }).missingProperty)}`;
      if (!conditional) reasons.add(`${field}: required`);
      // Without a kind, 'if' passes vacuously; the missing kind is the real problem.
      else if (typeof kind === 'string') reasons.add(`${field}: required for kind ${kind}`);
      continue;
    }
    const where = maskPointer(e.instancePath) || '(event)';
    if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues ?? [];
      reasons.add(`${where}: must be one of ${allowed.map(String).join(', ')}`);
    } else if (e.keyword === 'format') {
      reasons.add(`${where}: must be an RFC 3339 date-time (a real date and time, e.g. 2025-03-01T10:00:00+08:00)`);
    } else {
      reasons.add(`${where}: ${e.message ?? e.keyword}`);
    }
  }
  const list = [...reasons];
  if (list.length === 0) return 'event does not match the ticket event schema';
  const more = list.length > MAX_REASONS ? `; and ${list.length - MAX_REASONS} more` : '';
  return list.slice(0, MAX_REASONS).join('; ') + more;
}
