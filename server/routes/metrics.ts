import type { FastifyInstance } from 'fastify';
import { authorize } from '../access.ts';
import { readQuery } from './query.ts';
import { LagProbe, renderMetrics } from '../metrics.ts';
import type { Monitor } from '../monitor.ts';
import { brokerStoreProbe } from '../broker-store.ts';

// GET /metrics in Prometheus text format. Same access as the read API (a viewer token, or
// loopback in open local mode): the figures describe the bank's complaint volume.

export function metricsRoutes(app: FastifyInstance, monitor: Monitor, now: () => number): LagProbe {
  const probe = new LagProbe(monitor);
  app.get('/metrics', async (req, reply) => {
    authorize(req, monitor.config, 'viewer');
    readQuery(req.query, []);
    const [lag, broker] = await Promise.all([probe.read(now()), brokerStoreProbe(monitor).judge(now())]);
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(renderMetrics(monitor, lag, monitor.batchSizes, now(), broker));
  });
  return probe;
}
