import Fastify, { LogController } from 'fastify';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { logRequests, requestLogLevel, requestLogPolicy } from './request-log.ts';
import { createLog } from './log.ts';

// Audit V: every request was two info lines, so the log was mostly a wall's polls.

describe('request log', () => {
  it('keeps failed and slow requests by default, every one with LOG_REQUESTS=all, none with none', () => {
    expect(requestLogLevel('errors', 200, 5)).toBeUndefined();
    expect(requestLogLevel('errors', 200, 1_500)).toBe('info');
    expect(requestLogLevel('errors', 404, 5)).toBe('info');
    expect(requestLogLevel('errors', 503, 5)).toBe('warn');
    expect(requestLogLevel('all', 200, 5)).toBe('info');
    expect(requestLogLevel('none', 500, 5)).toBeUndefined();
    expect(requestLogPolicy({})).toBe('errors');
    expect(requestLogPolicy({ LOG_REQUESTS: 'ALL' })).toBe('all');
    expect(() => requestLogPolicy({ LOG_REQUESTS: 'verbose' })).toThrow(/LOG_REQUESTS must be errors, all or none/);
  });

  it('writes one line for a failed request, none for a good one, and never the URL\'s token', async () => {
    const lines: any[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
    const logger = createLog(sink);
    const app = Fastify({ loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }) }) as unknown as Parameters<typeof logRequests>[0];
    logRequests(app, 'errors');
    app.get('/ok', async () => ({ ok: true }));
    await app.inject({ url: '/ok?token=secret-one' });
    await app.inject({ url: '/missing?token=secret-two' });
    await app.close();
    expect(lines.map((l) => [l.msg, l.res?.statusCode, l.req?.url])).toEqual([['request completed', 404, '/missing?token=[redacted]']]);
    expect(JSON.stringify(lines)).not.toMatch(/secret/);
  });
});
