import type { FastifyInstance } from 'fastify';

// Which HTTP requests the log keeps. Fastify logs two info lines for every request; a wall polls
// and a load balancer checks health all day, so an operator watching the log saw little but
// "incoming request" / "request completed" pairs. By default a request is logged once
// it is answered, and only when it failed (4xx, 5xx) or was slow; LOG_REQUESTS=all logs every one
// (an access log), LOG_REQUESTS=none none of them. URLs are logged with their token taken out
// (server/log.ts).

export type RequestLogPolicy = 'errors' | 'all' | 'none';

/** answered slower than this, a request is logged even when it succeeded */
export const SLOW_REQUEST_MS = 1_000;

export function requestLogPolicy(env: NodeJS.ProcessEnv = process.env): RequestLogPolicy {
  const v = (env.LOG_REQUESTS ?? 'errors').trim().toLowerCase();
  if (v === 'errors' || v === 'all' || v === 'none') return v;
  throw new Error(`LOG_REQUESTS must be errors, all or none (got "${env.LOG_REQUESTS}")`);
}

/** The level a request's line is logged at, or undefined for none. */
export function requestLogLevel(policy: RequestLogPolicy, statusCode: number, responseMs: number): 'warn' | 'info' | undefined {
  if (policy === 'none') return undefined;
  if (statusCode >= 500) return 'warn';
  if (policy === 'all' || statusCode >= 400 || responseMs >= SLOW_REQUEST_MS) return 'info';
  return undefined;
}

/** One line per answered request the policy keeps (fastify's own request logging is off). */
export function logRequests(app: FastifyInstance, policy: RequestLogPolicy): void {
  app.addHook('onResponse', async (req, reply) => {
    const ms = reply.elapsedTime;
    const level = requestLogLevel(policy, reply.statusCode, ms);
    if (level) req.log[level]({ req, res: { statusCode: reply.statusCode }, responseTime: Math.round(ms) }, 'request completed');
  });
}
