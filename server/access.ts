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
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  const q = (req.query as Record<string, unknown> | undefined)?.token;
  return typeof q === 'string' ? q : undefined;
}

export interface Access {
  role: Role | 'open-local';
}

/** Throws 401/403 unless the request may read (need 'viewer') or act (need a higher role). */
export function authorize(req: FastifyRequest, config: MonitorConfig, need: Role): Access {
  if (config.tokens.size === 0) {
    if (need !== 'viewer') {
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
  return { role };
}
