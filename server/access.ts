import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { MonitorConfig, Role } from './config.ts';
import { HttpError } from './errors.ts';

// Contract section 5, access: with tokens configured every surface needs one; without, the
// monitor is in open local mode — reads from loopback only, every action refused.

const RANK: Record<Role, number> = { viewer: 1, supervisor: 2, admin: 3 };

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function tokenOf(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  // the scheme's name is case-insensitive (RFC 9110 §11.1): `bearer`, `BEARER` too
  const bearer = header === undefined ? null : /^bearer[ \t]+(.+)$/i.exec(header.trim());
  if (bearer) return bearer[1]!.trim();
  const q = (req.query as Record<string, unknown> | undefined)?.token;
  return typeof q === 'string' ? q : undefined;
}

/**
 * Which token acted, kept with every person's action beside the name the person typed (`by`,
 * which anyone holding a supervisor token may fill in as they like). Tokens name no holder, so
 * the audit keeps what can be checked: the role and a fingerprint of the token.
 */
export interface Credential {
  role: Role;
  /** the first 8 hex digits of the token's SHA-256: no way back to the token, but whoever holds
   *  the tokens can tell which one acted (`printf %s "$TOKEN" | sha256sum | cut -c1-8`) */
  fingerprint: string;
}

export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 8);
}

export interface Access {
  role: Role | 'open-local';
  /** a supervisor limited to these branches (and their sub-branches); absent: the whole bank */
  branches?: readonly string[];
  /** the token that was shown; absent in open local mode, which refuses every action */
  credential?: Credential;
}

/**
 * Throws 401/403 unless the request's token has the role `need`. `does` says whether the surface
 * reads or changes something: open local mode serves loopback reads of every role (an analyst's
 * SQL on the monitor's own machine) and refuses every change. Unless said, a viewer's surface
 * reads and a higher role's acts.
 */
export function authorize(req: FastifyRequest, config: MonitorConfig, need: Role, does: 'reads' | 'acts' = need === 'viewer' ? 'reads' : 'acts'): Access {
  const access = check(req, config, need, does);
  // a monitor that does not count refuses what the token lets through, and only that: an
  // anonymous caller is told what a counting monitor tells it, nothing about the lease (audit CN2)
  refusals.get(req)?.(access);
  return access;
}

/**
 * Requests a monitor that does not count (a standby) must refuse once their access is checked,
 * with each route's own role and action (server/standby.ts); `refuse` throws.
 */
const refusals = new WeakMap<FastifyRequest, (access: Access) => void>();
export function refuseOnceAuthorized(req: FastifyRequest, refuse: (access: Access) => never): void {
  refusals.set(req, refuse);
}

function check(req: FastifyRequest, config: MonitorConfig, need: Role, does: 'reads' | 'acts'): Access {
  if (config.tokens.size === 0) {
    if (does === 'acts') {
      throw new HttpError(403, 'OPEN_MODE', 'the monitor runs in open local mode (no tokens configured): actions are refused');
    }
    if (!isLoopback(req.socket.remoteAddress)) {
      throw new HttpError(403, 'OPEN_MODE', 'the monitor runs in open local mode: it answers loopback clients only');
    }
    return { role: 'open-local' };
  }
  const token = tokenOf(req);
  if (!token) throw new HttpError(401, 'UNAUTHENTICATED', 'a token is required: Authorization: Bearer <token> or ?token=');
  const role = config.tokens.get(token);
  if (!role) throw new HttpError(401, 'UNAUTHENTICATED', 'unknown token');
  if (RANK[role] < RANK[need]) throw new HttpError(403, 'FORBIDDEN', `this needs the ${need} role; the token has ${role}`);
  const branches = config.tokenBranches?.get(token);
  const credential = { role, fingerprint: tokenFingerprint(token) };
  return branches ? { role, branches, credential } : { role, credential };
}

/**
 * Whether an access may act on a scope. `scopesOf` gives the scope's chain up to ALL, so a
 * supervisor of BJ may act on BJ-HD; a limited supervisor never acts on ALL (the whole bank).
 */
export function mayActOn(access: Access, scope: string, scopesOf: (branch: string) => readonly string[]): boolean {
  if (!access.branches) return access.role !== 'open-local' && access.role !== 'viewer';
  const chain = scopesOf(scope);
  return access.branches.some((b) => b !== 'ALL' && chain.includes(b));
}

/** Throws 403 unless the access may act on every given scope. */
export function authorizeScope(access: Access, scope: string, scopesOf: (branch: string) => readonly string[]): void {
  if (!mayActOn(access, scope, scopesOf)) {
    throw new HttpError(403, 'OUT_OF_SCOPE', `this token may act on ${access.branches?.join(', ') ?? 'nothing'} only (the alert is for ${scope})`);
  }
}

/**
 * Branches that branch-limited tokens name and the plan lacks: a typo there (`HZ|BN`) leaves a
 * supervisor without their branch, silently. Said in the start log and in health,
 * each token by its fingerprint, never itself.
 */
export function tokenBranchesNotInPlan(config: Pick<MonitorConfig, 'tokenBranches'>, scopes: readonly string[]): Array<{ token: string; branches: string[] }> {
  const known = new Set(scopes);
  const out: Array<{ token: string; branches: string[] }> = [];
  for (const [token, branches] of config.tokenBranches ?? []) {
    const missing = branches.filter((b) => !known.has(b));
    if (missing.length > 0) out.push({ token: tokenFingerprint(token), branches: missing });
  }
  return out;
}
