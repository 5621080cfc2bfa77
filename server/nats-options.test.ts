import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeNatsAuth, natsSecurityFromEnv, redactNatsUrl } from './nats-options.ts';

describe('nats-options - from the environment', () => {
  it('no variables: no auth, no TLS', () => {
    expect(natsSecurityFromEnv({})).toEqual({ options: {}, method: 'none', tls: false });
  });
  it('user and password, token', () => {
    expect(natsSecurityFromEnv({ NATS_USER: 'm', NATS_PASSWORD: 's3cret' }).options).toEqual({ user: 'm', pass: 's3cret' });
    expect(natsSecurityFromEnv({ NATS_TOKEN: 't0k' }).options).toEqual({ token: 't0k' });
  });
  it('refuses two methods, half a pair, unreadable files — naming the variable, never the secret', () => {
    expect(() => natsSecurityFromEnv({ NATS_TOKEN: 'abc', NATS_USER: 'u', NATS_PASSWORD: 'p' })).toThrow(/one authentication method/);
    expect(() => natsSecurityFromEnv({ NATS_USER: 'u' })).toThrow(/NATS_USER and NATS_PASSWORD/);
    expect(() => natsSecurityFromEnv({ NATS_CREDS_FILE: '/nonexistent/x.creds' })).toThrow(/NATS_CREDS_FILE: cannot read/);
    expect(() => natsSecurityFromEnv({ NATS_TLS_CERT_FILE: '/x' })).toThrow(/NATS_TLS_KEY_FILE/);
    try {
      natsSecurityFromEnv({ NATS_USER: 'u', NATS_PASSWORD: 'hunter2', NATS_TOKEN: 'tok-secret' });
    } catch (err) {
      expect((err as Error).message).not.toMatch(/hunter2|tok-secret/);
    }
  });
  it('nkey seed file and TLS files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nats-opt-'));
    writeFileSync(join(dir, 'seed'), 'SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4\n');
    writeFileSync(join(dir, 'ca.pem'), 'x');
    const s = natsSecurityFromEnv({ NATS_NKEY_SEED_FILE: join(dir, 'seed'), NATS_TLS_CA_FILE: join(dir, 'ca.pem') });
    expect(s.method).toBe('nkey');
    expect(typeof s.options.authenticator).toBe('function');
    expect(s.options.tls).toEqual({ caFile: join(dir, 'ca.pem') });
    expect(describeNatsAuth(s)).toEqual({ auth: 'nkey', tls: true });
    writeFileSync(join(dir, 'bad'), 'not a seed');
    expect(() => natsSecurityFromEnv({ NATS_NKEY_SEED_FILE: join(dir, 'bad') })).toThrow(/user nkey seed/);
  });
});

// Privacy audit: only the first of several URLs lost its password on /api/health.
describe('nats options - the URL health shows', () => {
  it('hides the credentials of every URL in NATS_URL', () => {
    expect(redactNatsUrl('nats://u1:FirstPw-111@a:4222,nats://u2:SecondPw-222@b:4222,nats://c:4222')).toBe('nats://***@a:4222,nats://***@b:4222,nats://c:4222');
    expect(redactNatsUrl('nats://127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
  });
});
