import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { authorize, refuseOnceAuthorized } from './access.ts';
import { notCounting, NotCountingError, STANDBY_RETRY_S, standbyPage } from './standby.ts';
import { HttpError, storeAway } from './errors.ts';
import { isPageRequest, refusedPage } from './refused-page.ts';
import type { Monitor } from './monitor.ts';
import { alertRoutes } from './routes/alerts.ts';
import { apiRoutes } from './routes/api.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { registerSecurity, securityFromEnv } from './security.ts';
import { reviewRoutes } from './routes/review.ts';
import { planRoutes } from './routes/plan.ts';
import { sqlRoutes } from './routes/sql.ts';
import { reportRoutes } from './routes/reports.ts';
import { screenRoutes } from './routes/screens.ts';
import { wsRoutes, type WallboardRoutes } from './routes/ws.ts';
import { logRequests, requestLogPolicy } from './request-log.ts';
import { requestIds } from './log.ts';
import { maskText } from '../pipelines/transforms/mask-text.ts';
import { pageWithBuild } from './web-build.ts';
import { endConnectionsOnceClosing } from './close-connections.ts';

/** a request body's bound: a bank's plan (the largest body) is a few tens of KB */
const BODY_LIMIT = 256 * 1024;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface AppOptions {
  monitor: Monitor;
  /** the process's pino logger; none in tests */
  logger?: FastifyBaseLogger;
  now?: () => number;
}

/** The HTTP and WebSocket surfaces; `server/index.ts` only listens. Tests use app.inject(). */
export async function build({ monitor, logger, now = Date.now }: AppOptions): Promise<FastifyInstance> {
  // x-request-id is read by requestIds (taken only when it holds no personal data), not by fastify
  const common = { bodyLimit: BODY_LIMIT, requestIdHeader: false as const, genReqId: requestIds(), logController: new LogController({ disableRequestLogging: true }) };
  const app = (logger ? Fastify({ ...common, loggerInstance: logger }) : Fastify({ ...common, logger: false })) as unknown as FastifyInstance;

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown }, req, reply) => {
    if (err instanceof HttpError) {
      // a wall screen or a supervisor's browser opening a page with a missing or wrong token
      // gets a page that says so, not a line of JSON; API callers keep the JSON
      if ((err.statusCode === 401 || err.statusCode === 403) && isPageRequest(req.method, req.url, req.headers.accept)) {
        return reply.code(err.statusCode).type('text/html; charset=utf-8').send(refusedPage(err.message));
      }
      if (err instanceof NotCountingError) {
        reply.header('retry-after', String(STANDBY_RETRY_S));
        // a wall screen loaded on a standby becomes the wall-board once this address counts (audit CN1)
        if (isPageRequest(req.method, req.url, req.headers.accept)) return reply.code(503).type('text/html; charset=utf-8').send(standbyPage(err, req.url.split('?')[0]!));
      }
      if (err.code === 'STORE_UNAVAILABLE') reply.header('retry-after', '10');
      return reply.code(err.statusCode).send({ error: err.code, message: err.message, ...err.fields });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    const away = status === 500 ? storeAway(err) : undefined;
    if (away) {
      // ClickHouse away (a report, the dead letters, the review queue): said as such, not as a bug
      req.log.warn({ err: maskText(err.message) }, 'request failed: the store is not answering');
      return reply.code(503).header('retry-after', '10').send({ error: away.code, message: away.message });
    }
    if (status === 500) {
      req.log.error({ err: maskText(err.message) }, 'request failed'); // an error may quote the request
      return reply.code(500).send({ error: 'INTERNAL', message: 'internal error; see the server log' });
    }
    // the limit named, so that a plan too large can be made smaller knowingly
    const message = status === 413 ? `${err.message} (at most ${BODY_LIMIT / 1024} KB)` : err.message;
    return reply.code(status).send({ error: err.code ?? 'BAD_REQUEST', message });
  });
  logRequests(app, requestLogPolicy());
  registerSecurity(app, { ...securityFromEnv(), loopbackHostsOnly: monitor.config.tokens.size === 0 });
  // A monitor refused the counting lease (another counts; it exits soon) keeps no numbers: it
  // answers its health and metrics only, and 503 to everything else once the caller's token has
  // passed that surface's own check (server/standby.ts).
  app.addHook('onRequest', async (req) => {
    const { state } = monitor.lease;
    if ((state === 'refused' || state === 'lost') && !/^\/(api\/health|metrics)(\?|$)/.test(req.url)) {
      refuseOnceAuthorized(req, (access) => {
        const { heldBy, message } = monitor.lease.view(); // refused and lost are final: the state stays
        throw notCounting({ status: state, heldBy, ...(message === undefined ? {} : { message }) }, access);
      });
    }
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` }));

  // A stop tells wall screens why (1001 'server stopping'): a preClose hook added before the
  // websocket plugin runs before the plugin's own, which closes every socket without a code.
  let wallboard: WallboardRoutes | undefined;
  app.addHook('preClose', async () => {
    for (const h of [wallboard?.hub, wallboard?.liveHub]) h?.closeAll();
  });
  // answers still in flight at a stop end their connections (a kept-alive one held the stop 10 s)
  endConnectionsOnceClosing(app);
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(fastifyStatic, { root: join(ROOT, 'web'), prefix: '/', index: false });
  await app.register(fastifyStatic, {
    root: join(ROOT, 'node_modules', 'uplot', 'dist'),
    prefix: '/vendor/',
    decorateReply: false,
    allowedPath: (path) => ['/uPlot.iife.min.js', '/uPlot.min.css'].includes(path),
  });

  // The page itself needs read access; its scripts and styles are public code.
  app.get('/', async (req, reply) => {
    authorize(req, monitor.config, 'viewer');
    return reply.type('text/html; charset=utf-8').send(pageWithBuild('index.html'));
  });

  apiRoutes(app, monitor, now);
  metricsRoutes(app, monitor, now);
  await alertRoutes(app, monitor, now);
  reviewRoutes(app, monitor);
  planRoutes(app, monitor, now);
  sqlRoutes(app, monitor);
  reportRoutes(app, monitor, now);
  wallboard = wsRoutes(app, monitor, now);
  screenRoutes(app, monitor, wallboard);
  return app;
}
