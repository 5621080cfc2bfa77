import { badRequest } from '../errors.ts';
import { maskText } from '../../pipelines/transforms/mask.ts';

// Reading a request body's fields at the boundary: unknown fields refused, strings bounded, and
// what a person typed masked before anything keeps it.

export function text(body: Record<string, unknown>, name: string, required: boolean, max = 500): string | undefined {
  const v = body[name];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.trim() === '' || v.length > max) throw badRequest(`${name} must be a non-empty string of at most ${max} characters`);
  return v.trim();
}

/** What a person typed (a note, a notice, a name): stored, shown, pushed and sent to gateways,
 *  so phone, ID-card and bank-card numbers in it are masked first, as in tickets' texts. */
export function typed(body: Record<string, unknown>, name: string, required: boolean, max = 500): string | undefined {
  const v = text(body, name, required, max);
  return v === undefined ? undefined : maskText(v);
}

export function bodyOf(raw: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('the body must be a JSON object');
  const body = raw as Record<string, unknown>;
  for (const k of Object.keys(body)) if (!allowed.includes(k)) throw badRequest(`unknown field "${k}" (allowed: ${allowed.join(', ')})`);
  return body;
}
