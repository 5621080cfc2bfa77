import { describe, expect, it } from 'vitest';
import { RateLimiter, securityFromEnv } from './security.ts';

describe('security - rate limiter', () => {
  it('allows the per-minute budget as a burst, then refuses with the wait, and refills over time', () => {
    const r = new RateLimiter(60);
    for (let i = 0; i < 60; i++) expect(r.take('a', 0)).toBe(0);
    expect(r.take('a', 0)).toBe(1_000);
    expect(r.take('b', 0)).toBe(0); // per client
    expect(r.take('a', 1_000)).toBe(0);
    expect(r.take('a', 1_000)).toBeGreaterThan(0);
  });
  it('0 turns it off', () => {
    const r = new RateLimiter(0);
    for (let i = 0; i < 1000; i++) expect(r.take('a', 0)).toBe(0);
  });
});

describe('security - options from the environment', () => {
  it('defaults: CORS closed, 6000 a minute', () => {
    const o = securityFromEnv({});
    expect(o.corsOrigins.size).toBe(0);
    expect(o.rateLimitPerMin).toBe(6000);
  });
  it('refuses malformed values, naming the variable', () => {
    expect(() => securityFromEnv({ API_RATE_LIMIT_PER_MIN: 'lots' })).toThrow(/API_RATE_LIMIT_PER_MIN/);
    expect(() => securityFromEnv({ CORS_ORIGINS: 'evil.example/path' })).toThrow(/CORS_ORIGINS/);
    expect([...securityFromEnv({ CORS_ORIGINS: 'https://a.example, http://b:8080' }).corsOrigins]).toEqual(['https://a.example', 'http://b:8080']);
  });
});
