import type { FastifyInstance } from 'fastify';
import { authorize } from '../access.ts';
import { badRequest } from '../errors.ts';
import type { Monitor } from '../monitor.ts';
import { awaitCaughtUp } from '../reports/catch-up.ts';
import { produceReview, storedReview, storedWeeks, weekFacts, type StoredReview } from '../reports/data.ts';
import { weeklyReview } from '../reports/weekly.ts';
import { reviewCsv, reviewHtml } from '../reports/render.ts';
import { toZonedIso } from '../time.ts';
import { intParam, readQuery } from './query.ts';

// GET /api/reports/weekly?week=N[&format=json|csv|html][&refresh=1]  (viewer)
// GET /api/reports/weekly/stored                                       (viewer)
// A finished week's review is stored the first time it is produced and reopened as stored;
// refresh=1 produces it again (after late events or a plan correction) and stores the new one.
// The current week is produced live and not stored. After each week ends the monitor produces
// and stores its review by itself (checked every CHECK_MS). A finished week is stored only once
// the monitor has committed everything the stream held when it was asked (reports/catch-up.ts);
// until then it is answered as provisional (`provisional.behind`: messages still to read, null
// when the broker cannot be asked) and not stored, and the monitor's own try comes again after
// RETRY_MS.

const CHECK_MS = 10 * 60_000;
const RETRY_MS = 30_000;
/** how long a request waits for the monitor to catch up before it answers provisionally */
const REQUEST_WAIT_MS = 3_000;

export function reportRoutes(app: FastifyInstance, monitor: Monitor, now: () => number): void {
  const caughtUp = (waitMs: number) => awaitCaughtUp(monitor.nc, monitor.config.consumerName, waitMs);
  const review = async (week: number, refresh: boolean): Promise<StoredReview & { provisional?: { behind: number | null } }> => {
    const { plan } = monitor;
    const finished = plan.weeks[week - 1]!.endMs <= now();
    if (finished && !refresh) {
      const stored = await storedReview(monitor.clickhouse, plan.year, week);
      if (stored) return stored;
    }
    const behind = finished ? await caughtUp(REQUEST_WAIT_MS) : 0;
    if (finished && behind === 0) return produceReview(monitor.clickhouse, plan, monitor.index, week, now());
    const live = { generatedAtMs: now(), review: weeklyReview(plan, monitor.index, week, await weekFacts(monitor.clickhouse, plan, week)) };
    return finished ? { ...live, provisional: { behind } } : live;
  };

  app.get('/api/reports/weekly', async (req, reply) => {
    authorize(req, monitor.config, 'viewer');
    const q = readQuery(req.query, ['week', 'format', 'refresh']);
    const { plan } = monitor;
    if (q.week === undefined) throw badRequest(`week is required (1..${plan.weeks.length})`);
    const week = intParam(q, 'week', 1, 1, plan.weeks.length);
    if (plan.weeks[week - 1]!.startMs > now()) throw badRequest(`week ${week} of ${plan.year} has not started yet`);
    const format = q.format ?? 'json';
    if (!['json', 'csv', 'html'].includes(format)) throw badRequest(`format must be json, csv or html (got "${format}")`);
    if (q.refresh !== undefined && q.refresh !== '1') throw badRequest('refresh takes the value 1');
    const { generatedAtMs, review: r, provisional } = await review(week, q.refresh === '1');
    const generatedAt = toZonedIso(generatedAtMs, plan.timezone);
    const name = `weekly-review-${r.year}-w${String(week).padStart(2, '0')}${provisional ? '-provisional' : ''}`;
    if (provisional) reply.header('x-review-provisional', `behind=${provisional.behind ?? 'unknown'}`);
    if (format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(reviewCsv(r));
    if (format === 'html') return reply.type('text/html; charset=utf-8').send(reviewHtml(r, generatedAt, provisional));
    return provisional ? { generatedAt, provisional, ...r } : { generatedAt, ...r };
  });

  app.get('/api/reports/weekly/stored', async (req) => {
    authorize(req, monitor.config, 'viewer');
    readQuery(req.query, []);
    return { year: monitor.plan.year, weeks: await storedWeeks(monitor.clickhouse, monitor.plan.year) };
  });

  // Every week, by itself: the last finished week's review, if not stored yet.
  let busy = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const { plan } = monitor;
      const idx = plan.weekIndexAt(now());
      const last = Math.min(idx, plan.weeks.length); // weeks before the current one are finished
      if (last >= 1 && !(await storedReview(monitor.clickhouse, plan.year, last))) {
        const behind = await caughtUp(10_000);
        if (behind !== 0) {
          app.log.warn({ year: plan.year, week: last, behind }, 'weekly review waits until the monitor has read everything in the stream');
          clearTimeout(retry);
          retry = setTimeout(() => void tick(), RETRY_MS);
          retry.unref();
          return;
        }
        await produceReview(monitor.clickhouse, plan, monitor.index, last, now());
        app.log.info({ year: plan.year, week: last }, 'weekly review produced');
      }
    } catch (err) {
      app.log.warn({ err: (err as Error).message }, 'weekly review not produced; will retry');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), CHECK_MS);
  timer.unref();
  const first = setTimeout(() => void tick(), 5_000);
  first.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    clearTimeout(first);
    clearTimeout(retry);
  });
}
