import { badRequest } from '../errors.ts';
import { maskText } from '../../pipelines/transforms/mask.ts';

// Reading a request body's fields at the boundary: unknown fields refused, strings bounded, and
// what a person typed masked before anything keeps it.

/* eslint-disable no-control-regex */
// C0 and C1 controls (U+0085 is a line break to many log and CSV readers) and the marks that
// reorder how text is shown (U+202E turns a name around)
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const CONTROL_OR_BREAK = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/* eslint-enable no-control-regex */
const PROSE_FIELDS: ReadonlySet<string> = new Set(['note', 'reason', 'text']);

export function text(body: Record<string, unknown>, name: string, required: boolean, max = 500): string | undefined {
  const v = body[name];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.trim() === '' || v.length > max) throw badRequest(`${name} must be a non-empty string of at most ${max} characters`);
  // a NUL or another control character would cut a log line, a CSV cell or a gateway's text;
  // line breaks and tabs belong in what people write, never in a code, an id or a name
  const prose = PROSE_FIELDS.has(name);
  if ((prose ? CONTROL : CONTROL_OR_BREAK).test(v)) throw badRequest(`${name} must not contain control characters, marks that reorder text (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069)${prose ? '' : ', tabs or line breaks'}`);
  return v.trim();
}

/** What a person typed (a note, a notice, a name): stored, shown, pushed and sent to gateways,
 *  so phone, ID-card and bank-card numbers in it are masked first, as in tickets' texts. */
export function typed(body: Record<string, unknown>, name: string, required: boolean, max = 500): string | undefined {
  const v = text(body, name, required, max);
  return v === undefined ? undefined : maskText(v);
}

export function bodyOf(raw: unknown, allowed: readonly string[]): Record<string, unknown> {
  // JSON sent as text/plain (what fetch says when no content type is set) is read as JSON: a
  // token, never a cookie, authorizes every action, so a form posted from another site gains nothing
  if (typeof raw === 'string') raw = parsedOrItself(raw);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('the body must be a JSON object');
  const body = raw as Record<string, unknown>;
  for (const k of Object.keys(body)) if (!allowed.includes(k)) throw badRequest(`unknown field "${k}" (allowed: ${allowed.join(', ')})`);
  return body;
}

function parsedOrItself(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('the body must be a JSON object (sent as application/json)');
  }
}
