import { badRequest } from '../errors.ts';

// Query-string validation at the boundary: unknown parameters and malformed values are 400s
// with a message naming the parameter, never silently ignored.

export type Query = Record<string, string | undefined>;

export function readQuery(raw: unknown, allowed: readonly string[]): Query {
  const q = (raw ?? {}) as Record<string, unknown>;
  const out: Query = {};
  for (const [key, value] of Object.entries(q)) {
    if (key === 'token') continue;
    if (!allowed.includes(key)) throw badRequest(`unknown query parameter "${key}" (allowed: ${allowed.length ? allowed.join(', ') : 'none'})`);
    if (typeof value !== 'string') throw badRequest(`query parameter "${key}" must be given once`);
    out[key] = value;
  }
  return out;
}

/** A whole number from min to max; one message for every way it can be wrong, with the range,
 *  because "-1" is refused for its sign but "must be an integer" alone does not say so. */
export function intParam(q: Query, name: string, fallback: number, min: number, max: number): number {
  const raw = q[name];
  if (raw === undefined) return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) throw badRequest(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  return n;
}
