import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConfigError } from './errors.ts';

// HTTP hardening as one small hook set (no helmet / rate-limit plugin installed): security
// headers on every answer, CORS closed unless origins are listed, cross-site WebSocket upgrades
// refused, requests that act (POST/PUT/…) from another site refused (a form or text/plain POST
// needs no preflight, so CORS alone does not stop one), in open local mode only loopback host
// names answered (a DNS-rebound name would make a hostile page same-origin), a per-client rate
// limit on the API, and a bound on the URL length. Body size is bounded by fastify's bodyLimit.
//   API_RATE_LIMIT_PER_MIN (default 6000 per client address; 0 turns it off)
//   CORS_ORIGINS (comma-separated exact origins, e.g. https://wallboard.bank.example; default none)

export interface SecurityOptions {
  rateLimitPerMin: number;
  corsOrigins: ReadonlySet<string>;
  maxUrlLength: number;
  /** open local mode (no tokens): answer only Host names that are loopback */
  loopbackHostsOnly?: boolean;
}

const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/i;

export function securityFromEnv(env: NodeJS.ProcessEnv = process.env): SecurityOptions {
  const raw = env.API_RATE_LIMIT_PER_MIN ?? '';
  const rate = raw === '' ? 6_000 : Number(raw);
  if (!Number.isInteger(rate) || rate < 0) throw new ConfigError('API_RATE_LIMIT_PER_MIN', `must be a whole number ≥ 0 (got "${raw}")`);
  const origins = (env.CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const o of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(o)) throw new ConfigError('CORS_ORIGINS', `"${o}" is not an origin like https://host[:port]`);
  }
  return { rateLimitPerMin: rate, corsOrigins: new Set(origins), maxUrlLength: 8_192 };
}

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  // The pages load only their own scripts (no inline script, no third party, no eval); uPlot
  // sets inline style attributes. The browser tests run under this same policy.
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'self'; object-src 'none'; base-uri 'none'",
};

/** Token bucket per client address: `perMin` requests a minute, bursts up to the same. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  constructor(private readonly perMin: number) {}

  /** ms to wait before the next request is allowed; 0 = allowed now (and counted). */
  take(key: string, nowMs: number): number {
    if (this.perMin <= 0) return 0;
    const rate = this.perMin / 60_000;
    const b = this.buckets.get(key) ?? { tokens: this.perMin, atMs: nowMs };
    b.tokens = Math.min(this.perMin, b.tokens + (nowMs - b.atMs) * rate);
    b.atMs = nowMs;
    if (this.buckets.size > 10_000) this.buckets.clear(); // bounded memory under address spraying
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / rate);
  }
}

const refuse = (reply: FastifyReply, status: number, error: string, message: string) => {
  // A refused WebSocket upgrade's socket serves no HTTP exchange after the answer: closed, or it
  // stays half-open and the server's close waits for it forever (a stop that never ends).
  if (reply.request.headers.upgrade) reply.raw.once('finish', () => reply.request.raw.socket?.destroy());
  return reply.code(status).send({ error, message });
};

function sameOrigin(req: FastifyRequest, origin: string): boolean {
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export function registerSecurity(app: FastifyInstance, opts: SecurityOptions, now: () => number = Date.now): void {
  const limiter = new RateLimiter(opts.rateLimitPerMin);
  // answers carry (masked) personal data and a page carries its token in its links: a shared
  // console PC's browser or a proxy keeps none of them; static files say their own caching
  app.addHook('onSend', async (_req, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });
  app.addHook('onRequest', async (req, reply) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    reply.header('x-request-id', req.id); // the id in every log line of this request
    if (req.url.length > opts.maxUrlLength) return refuse(reply, 414, 'URI_TOO_LONG', `the URL is longer than ${opts.maxUrlLength} characters`);
    const origin = req.headers.origin;
    const allowed = origin !== undefined && opts.corsOrigins.has(origin);
    if (allowed) {
      reply.header('access-control-allow-origin', origin);
      reply.header('vary', 'Origin');
    }
    if (req.method === 'OPTIONS' && origin !== undefined) {
      if (!allowed) return refuse(reply, 403, 'CORS_FORBIDDEN', `origin ${origin} is not allowed (CORS_ORIGINS)`);
      reply.header('access-control-allow-methods', 'GET, POST, PUT');
      reply.header('access-control-allow-headers', 'authorization, content-type');
      reply.header('access-control-max-age', '600');
      return reply.code(204).send();
    }
    if (opts.loopbackHostsOnly && !LOOPBACK_HOST.test(req.headers.host ?? '')) {
      return refuse(reply, 403, 'HOST_FORBIDDEN', 'open local mode answers loopback host names only (127.0.0.1, localhost); configure MONITOR_TOKENS to serve others');
    }
    // A page on another site must not read the live stream through a visitor's browser.
    if (req.url.startsWith('/ws') && origin !== undefined && !allowed && !sameOrigin(req, origin)) {
      return refuse(reply, 403, 'CORS_FORBIDDEN', `WebSocket from origin ${origin} refused (CORS_ORIGINS)`);
    }
    // Nor act through it: a form or text/plain POST from another site needs no preflight.
    if (req.method !== 'GET' && req.method !== 'HEAD' && origin !== undefined && !allowed && !sameOrigin(req, origin)) {
      return refuse(reply, 403, 'CORS_FORBIDDEN', `${req.method} from origin ${origin} refused (CORS_ORIGINS)`);
    }
    if (req.url.startsWith('/api/') || req.url.startsWith('/metrics')) {
      const waitMs = limiter.take(req.ip, now());
      if (waitMs > 0) {
        reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
        return refuse(reply, 429, 'RATE_LIMITED', `too many requests from ${req.ip}; retry in ${Math.ceil(waitMs / 1000)} s`);
      }
    }
  });
}
