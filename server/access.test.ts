import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { authorize, tokenBranchesNotInPlan, tokenFingerprint } from './access.ts';
import { parseTokens, type MonitorConfig } from './config.ts';

// Audit T 4: the token that acted was recorded nowhere ("who" was only the name typed in `by`).
// Access carries the token's role and a fingerprint of it, never the token itself.

const SUP = 'supervisor-token-0123456789';
const { tokens, branches } = parseTokens(`viewer-token-0123456789:viewer,${SUP}:supervisor:BJ|SH`);
const config = { tokens, tokenBranches: branches } as unknown as MonitorConfig;
const request = (token: string) => ({ headers: { authorization: `Bearer ${token}` }, query: {}, socket: { remoteAddress: '10.0.0.8' } }) as unknown as FastifyRequest;

describe('access - the credential an action is kept with', () => {
  it('is the role and the first 8 hex digits of the token\'s SHA-256, which an admin can recompute', () => {
    const access = authorize(request(SUP), config, 'supervisor');
    expect(access).toEqual({ role: 'supervisor', branches: ['BJ', 'SH'], credential: { role: 'supervisor', fingerprint: createHash('sha256').update(SUP).digest('hex').slice(0, 8) } });
    expect(JSON.stringify(access)).not.toContain(SUP);
    expect(tokenFingerprint(SUP)).toMatch(/^[0-9a-f]{8}$/);
    expect(tokenFingerprint('viewer-token-0123456789')).not.toBe(tokenFingerprint(SUP));
  });

  // Audit AR R2: `bearer <token>` was refused; the scheme's name is case-insensitive
  it('is read from an Authorization header whatever the case of its scheme', () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const req = { headers: { authorization: `${scheme}  ${SUP}` }, query: {}, socket: { remoteAddress: '10.0.0.8' } } as unknown as FastifyRequest;
      expect(authorize(req, config, 'supervisor').role).toBe('supervisor');
    }
    const basic = { headers: { authorization: `Basic ${SUP}` }, query: {}, socket: { remoteAddress: '10.0.0.8' } } as unknown as FastifyRequest;
    expect(() => authorize(basic, config, 'viewer')).toThrow(/token is required/);
  });

  // Audit AS F6: a typo in a token's branches (`HZ|BN`) left a supervisor without a branch, silently
  it('names, by fingerprint, the tokens limited to branches the plan lacks', () => {
    expect(tokenBranchesNotInPlan(config, ['ALL', 'BJ', 'SH'])).toEqual([]);
    expect(tokenBranchesNotInPlan(config, ['ALL', 'BJ', 'GZ'])).toEqual([{ token: tokenFingerprint(SUP), branches: ['SH'] }]);
  });

  it('is absent in open local mode, which refuses every action anyway', () => {
    const open = { tokens: new Map(), tokenBranches: new Map() } as unknown as MonitorConfig;
    const local = { headers: {}, query: {}, socket: { remoteAddress: '127.0.0.1' } } as unknown as FastifyRequest;
    expect(authorize(local, open, 'viewer')).toEqual({ role: 'open-local' });
  });
});
