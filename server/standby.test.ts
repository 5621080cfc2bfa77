import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { authorize, refuseOnceAuthorized } from './access.ts';
import { parseTokens, type MonitorConfig } from './config.ts';
import { HttpError } from './errors.ts';
import { notCounting, NotCountingError, standbyPage, type NotCountingLease } from './standby.ts';

// What a standby (another monitor holds the counting lease) answers, as values (audit CN1, CN2):
// the token checked with the surface's own role first, the holder named to supervisors and admins.

const { tokens, branches } = parseTokens('viewer-token-0123456789:viewer,supervisor-token-0123456789:supervisor,admin-token-0123456789:admin');
const config = { tokens, tokenBranches: branches } as unknown as MonitorConfig;
const request = (token?: string, remoteAddress = '10.0.0.8') => ({ headers: token ? { authorization: `Bearer ${token}` } : {}, query: {}, socket: { remoteAddress } }) as unknown as FastifyRequest;
const lease: NotCountingLease = {
  status: 'refused',
  heldBy: { host: 'vm-a', dataDir: '/data/<a>', pid: 4242, startedAt: '2026-11-28T06:08:26.546Z' },
  message: 'another monitor holds the counting lease consumer.monitor (host vm-a, DATA_DIR /data/<a>, pid 4242, started 2026-11-28T06:08:26.546Z): only one counting monitor may run',
};
const standbyRequest = (token?: string, remoteAddress?: string) => {
  const req = request(token, remoteAddress);
  refuseOnceAuthorized(req, (access) => {
    throw notCounting(lease, access);
  });
  return req;
};
const thrown = (f: () => unknown): HttpError => {
  try {
    f();
  } catch (err) {
    return err as HttpError;
  }
  throw new Error('nothing thrown');
};

describe('standby - access before the refusal', () => {
  it('answers a missing or unknown token, or a role too low, as a counting monitor does', () => {
    expect(thrown(() => authorize(standbyRequest(), config, 'viewer'))).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED' });
    expect(thrown(() => authorize(standbyRequest('nope'), config, 'viewer'))).toMatchObject({ statusCode: 401 });
    expect(thrown(() => authorize(standbyRequest('viewer-token-0123456789'), config, 'supervisor'))).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
    expect(thrown(() => authorize(standbyRequest('supervisor-token-0123456789'), config, 'admin'))).toMatchObject({ statusCode: 403 });
  });

  it('refuses a token that passes with 503 NOT_COUNTING, naming the holder to supervisors and admins only', () => {
    const viewer = thrown(() => authorize(standbyRequest('viewer-token-0123456789'), config, 'viewer'));
    expect(viewer).toBeInstanceOf(NotCountingError);
    expect([viewer.statusCode, viewer.code]).toEqual([503, 'NOT_COUNTING']);
    expect(viewer.message).toMatch(/^this monitor is a standby/);
    expect(viewer.message).not.toMatch(/vm-a|4242|\/data/);
    for (const token of ['supervisor-token-0123456789', 'admin-token-0123456789']) {
      expect(thrown(() => authorize(standbyRequest(token), config, 'viewer')).message).toBe(lease.message);
    }
  });

  it('in open local mode: refuses actions as before, and tells a loopback reader who counts', () => {
    const open = { tokens: new Map() } as unknown as MonitorConfig;
    expect(thrown(() => authorize(standbyRequest(undefined, '127.0.0.1'), open, 'supervisor'))).toMatchObject({ statusCode: 403, code: 'OPEN_MODE' });
    expect(thrown(() => authorize(standbyRequest(undefined, '10.0.0.8'), open, 'viewer'))).toMatchObject({ statusCode: 403, code: 'OPEN_MODE' });
    expect(thrown(() => authorize(standbyRequest(undefined, '127.0.0.1'), open, 'viewer')).message).toBe(lease.message);
  });

  it('leaves a request not marked alone', () => {
    expect(authorize(request('viewer-token-0123456789'), config, 'viewer').role).toBe('viewer');
  });
});

describe('standby - the page a browser gets', () => {
  it('says it is a standby and retries by script, never a meta refresh; the holder, escaped, for a supervisor only', () => {
    const forViewer = standbyPage(notCounting(lease, { role: 'viewer' }), '/');
    expect(forViewer).toContain('此监测服务为备用');
    expect(forViewer).toContain('预警大屏');
    expect(forViewer).toContain('<script src="/standby.js" defer></script>');
    expect(forViewer).toMatch(/Noto Sans CJK SC.*WenQuanYi/);
    expect(forViewer).not.toMatch(/http-equiv="refresh"/);
    expect(forViewer).not.toMatch(/vm-a|4242|\/data/);
    const forSupervisor = standbyPage(notCounting(lease, { role: 'supervisor' }), '/console/');
    expect(forSupervisor).toContain('主管控制台');
    expect(forSupervisor).toContain('<code>/data/&#60;a&#62;</code>');
    expect(forSupervisor).toContain('<code>4242</code>');
    expect(standbyPage(notCounting({ ...lease, heldBy: null }, { role: 'admin' }), '/')).toContain('租约记录无法读取');
    expect(standbyPage(notCounting({ ...lease, status: 'lost' }, { role: 'viewer' }), '/')).toContain('已停止计数');
  });
});
