import type { FastifyInstance } from 'fastify';
import { authorize } from '../access.ts';
import { badRequest } from '../errors.ts';
import type { Monitor } from '../monitor.ts';
import { awaitCaughtUp, streamPosition } from '../reports/catch-up.ts';
import { produceReview, storedCompleteness, storedReview, storedWeeks, weekFacts, weeksChangedSince, type StoredReview } from '../reports/data.ts';
import { storeVerdict, weeksToProduce, type StoreVerdict } from '../reports/store-rule.ts';
import { weeklyReview } from '../reports/weekly.ts';
import { reviewCsv, reviewHtml } from '../reports/render.ts';
import { toZonedIso } from '../time.ts';
import { intParam, readQuery } from './query.ts';

// GET /api/reports/weekly?week=N[&format=json|csv|html][&refresh=1]  (viewer)
// GET /api/reports/weekly/stored                                       (viewer)
// A finished week's review is stored the first time it is produced and reopened as stored;
// refresh=1 produces it again and stores the new one. The current week is produced live and not
// stored. A finished week is stored only once the monitor has committed everything the stream
// held and the stream has gone past the week's end (reports/store-rule.ts); until then it is
// answered as provisional (`provisional.behind`: messages still to read, null when the broker
// cannot be asked; `provisional.reason`) and not stored. FIRST_CHECK_MS after the start and then
// every WEEKLY_REVIEW_CHECK_MS (config.weeklyReviewCheckMs; 0: never) the monitor stores the
// last finished week's review by itself, and produces again every stored week that events
// stored since changed (late events for the week); while it cannot store, it tries again after
// RETRY_MS. Each check reads the store, which moves the embedded engine's live journal first.

const FIRST_CHECK_MS = 5_000;
const RETRY_MS = 30_000;
/** how long a request waits for the monitor to catch up before it answers provisionally */
const REQUEST_WAIT_MS = 3_000;

type Provisional = { behind: number | null; reason: 'behind' | 'broker' | 'stream-before-week-end' };

export function reportRoutes(app: FastifyInstance, monitor: Monitor, now: () => number): void {
  /** whether a review of the weeks ending at `weekEndMs` may be stored now */
  const verdict = async (waitMs: number, weekEndMs: number): Promise<StoreVerdict> => {
    const { nc, config } = monitor;
    const behind = await awaitCaughtUp(nc, config.consumerName, waitMs);
    if (behind !== 0) return storeVerdict(behind, 0, weekEndMs);
    const pos = await streamPosition(nc, config.consumerName);
    return storeVerdict(pos ? 0 : null, pos?.lastAtMs ?? 0, weekEndMs);
  };
  const review = async (week: number, refresh: boolean): Promise<StoredReview & { provisional?: Provisional }> => {
    const { plan } = monitor;
    const finished = plan.weeks[week - 1]!.endMs <= now();
    if (finished && !refresh) {
      const stored = await storedReview(monitor.clickhouse, plan.year, week);
      // events for the week stored after the review make it out of date: produced again below
      const late = stored && (await weeksChangedSince(monitor.clickhouse, plan, new Map([[week, stored.completeUntilMs ?? stored.generatedAtMs]])));
      if (stored && late && late.length === 0) return stored;
    }
    const asked = now(); // caught up: every event received before this instant is committed
    const v: StoreVerdict = finished ? await verdict(REQUEST_WAIT_MS, plan.weeks[week - 1]!.endMs) : { store: true };
    if (finished && v.store) return produceReview(monitor.clickhouse, plan, monitor.index, week, now(), asked);
    const generatedAtMs = now();
    const facts = await weekFacts(monitor.clickhouse, plan, week, finished ? undefined : generatedAtMs);
    // the week in progress as of now, as the board shows it (audit CU2)
    const live = { generatedAtMs, review: weeklyReview(plan, monitor.index, week, facts, finished ? Infinity : generatedAtMs) };
    return finished && !v.store ? { ...live, provisional: { behind: v.behind, reason: v.reason } } : live;
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
    const name = `weekly-review-${r.year}-w${String(week).padStart(2, '0')}${provisional ? '-provisional' : r.asOf ? '-in-progress' : ''}`;
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

  // By itself: the last finished week's review if not stored yet, and stored weeks that later events changed.
  let busy = false;
  let lastWait = '';
  let retry: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    // a standby (refused) or a displaced monitor (lost) stores nothing and exits: nothing to say (audit CN5)
    if (busy || monitor.lease.state === 'refused' || monitor.lease.state === 'lost') return;
    busy = true;
    try {
      const { plan } = monitor;
      const last = Math.min(plan.weekIndexAt(now()), plan.weeks.length); // weeks before the current one are finished
      if (last < 1) return;
      const stored = await storedCompleteness(monitor.clickhouse, plan.year);
      const weeks = weeksToProduce(last, stored, await weeksChangedSince(monitor.clickhouse, plan, stored));
      if (weeks.length === 0) return;
      const asked = now();
      const v = await verdict(10_000, plan.weeks[weeks[weeks.length - 1]! - 1]!.endMs);
      if (!v.store) {
        // a new install (nothing received yet) waiting for the stream to pass the week's end is
        // expected, not a warning; a bank whose intake stopped is warned, once for the same wait
        const fresh = v.reason === 'stream-before-week-end' && monitor.health.eventsReceived === 0 && monitor.health.rebuiltEvents === 0;
        const wait = `${weeks.join(',')}/${v.reason}`;
        const level = wait === lastWait ? 'debug' : fresh ? 'info' : 'warn';
        lastWait = wait;
        app.log[level]({ year: plan.year, weeks, behind: v.behind, reason: v.reason }, 'weekly review waits until the monitor has read the stream past the week\'s end');
        clearTimeout(retry);
        retry = setTimeout(() => void tick(), RETRY_MS);
        retry.unref();
        return;
      }
      for (const week of weeks) {
        await produceReview(monitor.clickhouse, plan, monitor.index, week, now(), asked);
        app.log.info({ year: plan.year, week, replaced: stored.has(week) }, stored.has(week) ? 'weekly review produced again: events for the week arrived after it was stored' : 'weekly review produced');
      }
    } catch (err) {
      app.log.warn({ err: (err as Error).message }, 'weekly review not produced; will retry');
    } finally {
      busy = false;
    }
  };
  const checkMs = monitor.config.weeklyReviewCheckMs;
  if (checkMs === 0) return;
  const timer = setInterval(() => void tick(), checkMs);
  timer.unref();
  const first = setTimeout(() => void tick(), Math.min(FIRST_CHECK_MS, checkMs));
  first.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    clearTimeout(first);
    clearTimeout(retry);
  });
}
