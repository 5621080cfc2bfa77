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

export function intParam(q: Query, name: string, fallback: number, min: number, max: number): number {
  const raw = q[name];
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw badRequest(`${name} must be an integer (got "${raw}")`);
  const n = Number(raw);
  if (n < min || n > max) throw badRequest(`${name} must be from ${min} to ${max} (got ${n})`);
  return n;
}
