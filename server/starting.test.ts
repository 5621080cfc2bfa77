import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort } from './natsd.ts';
import { StartingResponder } from './starting.ts';

// The port's answer while the monitor starts, over real sockets.

let responder: StartingResponder | undefined;
afterEach(async () => {
  await responder?.close();
  responder = undefined;
});

describe('starting responder', () => {
  it('answers every request 503 with the phase, retry-after and the security headers', async () => {
    const port = await freePort();
    responder = await StartingResponder.listen(port, '127.0.0.1', 'reading the stored events back into the counters', 'Asia/Shanghai');
    const res = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await res.json()).toMatchObject({ status: 'starting', phase: 'reading the stored events back into the counters', since: expect.stringMatching(/\+08:00$/) });

    responder.setPhase('deriving the alerts and opening the HTTP surfaces');
    const post = await fetch(`http://127.0.0.1:${port}/api/alerts/x/ack`, { method: 'POST', body: 'x'.repeat(100_000) });
    expect(post.status).toBe(503);
    expect(await post.json()).toMatchObject({ status: 'starting', phase: 'deriving the alerts and opening the HTTP surfaces' });
  });

  it('gives a browser a page that retries by itself', async () => {
    const port = await freePort();
    responder = await StartingResponder.listen(port, '127.0.0.1', 'reading <the> stored events');
    const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await res.text();
    expect(page).toContain('<meta http-equiv="refresh" content="5">');
    expect(page).toContain('监测系统正在启动');
    expect(page).toContain('reading &#60;the&#62; stored events');
  });

  it('refuses a wall screen\'s WebSocket with 503, so the screen retries', async () => {
    const port = await freePort();
    responder = await StartingResponder.listen(port, '127.0.0.1', 'starting');
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const status = await new Promise<number>((resolve, reject) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => reject(new Error('opened')));
      ws.on('error', () => {});
    });
    expect(status).toBe(503);
  });

  it('hands the port over at once when closed', async () => {
    const port = await freePort();
    responder = await StartingResponder.listen(port, '127.0.0.1', 'starting');
    const kept = await fetch(`http://127.0.0.1:${port}/`); // a connection it answered
    expect(kept.status).toBe(503);
    await responder.close();
    responder = undefined;
    const next = createServer((_req, res) => res.end('ready'));
    await new Promise<void>((resolve, reject) => next.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
    try {
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ready');
    } finally {
      next.close();
    }
  });

  it('fails to start, naming the cause, when the port is taken', async () => {
    const port = await freePort();
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(port, '127.0.0.1', () => resolve()));
    try {
      await expect(StartingResponder.listen(port, '127.0.0.1', 'starting')).rejects.toThrow(/EADDRINUSE/);
    } finally {
      other.close();
    }
  });
});
