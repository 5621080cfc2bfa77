import { redactNatsUrl } from '../nats-options.ts';
import type { FastifyInstance } from 'fastify';
import { ALL_SCOPE } from '../../pipelines/model.ts';
import { authorize, tokenBranchesNotInPlan } from '../access.ts';
import { badRequest, notFound } from '../errors.ts';
import type { Monitor } from '../monitor.ts';
import { parseQueryInstant, toZonedIso } from '../time.ts';
import { planView, seriesView } from '../views.ts';
import { intParam, readQuery } from './query.ts';
import { LagProbe } from '../metrics.ts';
import { readDeadLetters, StoredDeadLetterCount, summarizeDeadLetters } from '../dead-letters.ts';
import { lastHourView } from '../dead-letter-window.ts';
import { planStatus } from '../plan-status.ts';
import { brokerStoreProbe, brokerStoreView } from '../broker-store.ts';
import { consumingNow, healthStatus, intakeAwayReasons, storeUnanswered } from '../monitor-health.ts';
import { servedBuild } from '../web-build.ts';
import { schemaOf } from '../store.ts';

// Contract section 5 read surfaces (and the plan and series the wall-board draws from).

export function apiRoutes(app: FastifyInstance, monitor: Monitor, now: () => number): void {
  // The plan is read per request: PUT /api/plan swaps it on a running monitor.
  const { config } = monitor;

  const typeParam = (code: string | undefined) => {
    if (code !== undefined && !monitor.plan.typeByCode.has(code)) {
      throw badRequest(`unknown complaint type "${code}" (plan ${monitor.plan.year} has: ${monitor.plan.types.map((t) => t.code).join(', ')})`);
    }
    return code;
  };
  const scopeParam = (code: string | undefined) => {
    if (code !== undefined && !monitor.plan.scopes.includes(code)) {
      throw badRequest(`unknown scope "${code}" (plan ${monitor.plan.year} has: ${monitor.plan.scopes.join(', ')})`);
    }
    return code;
  };

  const lag = new LagProbe(monitor); // consumer lag: num_pending / num_ack_pending from the broker
  const deadLetterCount = new StoredDeadLetterCount(); // the store's dead letters, as /api/dead-letters counts them
  app.get('/api/health', async (req, reply) => {
    authorize(req, config, 'viewer');
    readQuery(req.query, []);
    const h = monitor.health;
    const open = config.tokens.size === 0;
    const plan = planStatus(monitor.plan, now());
    const lease = monitor.lease.view();
    // refused: another monitor counts on this consumer or store (lease.heldBy); this one exits soon
    // degraded: counting, but the broker's store refuses (or nearly) the intake's messages; still 200.
    // Also degraded: the lease held but unconfirmed (a hung or absent broker), nothing ticks or acts
    // meanwhile; the process stays and resumes by itself: no reason for a health check to restart it.
    const broker = await brokerStoreProbe(monitor).judge(now());
    const unconfirmed = monitor.lease.unconfirmed;
    const refused = h.noticeRefusals.reason(monitor.config.noticeRefusedRetryMs);
    const tokensAmiss = tokenBranchesNotInPlan(monitor.config, monitor.plan.scopes);
    const f = h.alertLogFailing;
    const logFailing = f && (f.fromEarlierRun ? `alert log rows an earlier run kept on disk: ${f.rows} rows wait for their write (kept since ${toZonedIso(f.sinceMs, monitor.plan.timezone)})` : `alert log writes failing since ${toZonedIso(f.sinceMs, monitor.plan.timezone)}: ${f.rows} rows wait, tried again (${f.error})${f.notOnDisk > 0 ? `; ${f.notOnDisk} of them not kept on disk (lost if the monitor stops first)` : ''}`);
    // the event store refusing writes: messages are taken and redelivered, nothing new is counted
    const storeFailing = h.writeFailingSinceMs !== undefined && `ClickHouse refuses the event writes since ${toZonedIso(h.writeFailingSinceMs, monitor.plan.timezone)}: nothing new is stored or counted until it takes them, the messages wait in the stream (${h.lastWriteError ?? 'write failed'})`;
    // counted and safe on disk, but reports, dead letters and analysts read ticket_events
    const moveError = monitor.journal?.lastMoveError;
    const journalStuck = moveError && `ClickHouse refuses the live journal's moves into ticket_events: ${monitor.journal!.pending} counted events wait on disk, and reads of the store (reports, dead letters, SQL) may fail (${moveError.message})`;
    const intakeAway = intakeAwayReasons(h, (ms) => toZonedIso(ms, monitor.plan.timezone));
    // server mode, no ticket coming (a night): only the presence check finds the store away
    const away = storeUnanswered(h, monitor.lease.guard?.storeAway?.());
    const storeAway = !storeFailing && away && `ClickHouse has not answered since ${toZonedIso(away.sinceMs, monitor.plan.timezone)} (the monitor's presence, written every 5 s, fails: ${away.error}): tickets that come cannot be stored or counted until it answers; they wait in the stream`;
    const reasons = [...intakeAway, ...(storeFailing ? [storeFailing] : []), ...(storeAway ? [storeAway] : []), ...(journalStuck ? [journalStuck] : []), ...(unconfirmed ? [unconfirmed] : []), ...(broker.status === 'degraded' ? broker.reasons : []), ...(refused ? [refused] : []), ...(logFailing ? [logFailing] : [])];
    const status = healthStatus(lease.status, Boolean(unconfirmed), h, reasons);
    const body = {
      status,
      startedAt: toZonedIso(h.startedAtMs, monitor.plan.timezone),
      // which version answers: after an upgrade, the pages' build and the store's schema say it moved
      version: { webBuild: servedBuild(), schema: schemaOf(monitor.clickhouse) ?? null },
      ...(status === 'degraded' ? { reasons } : {}),
      mode: open ? 'open-local' : 'tokens',
      open,
      ...(open ? { warning: 'open local mode: no tokens configured, reads from loopback only, actions refused' } : {}),
      planYear: monitor.plan.year,
      planStatus: plan.state,
      ...(plan.warning ? { planWarning: plan.warning } : {}),
      ...(monitor.planFileWarning ? { planFileWarning: monitor.planFileWarning } : {}),
      ...(tokensAmiss.length > 0 ? { tokenBranchesNotInPlan: tokensAmiss } : {}),
      nats: { status: h.nats, url: redactNatsUrl(h.natsUrl), error: h.natsError ?? null, ...(monitor.localBrokerRestarts === undefined ? {} : { localRestarts: monitor.localBrokerRestarts }) },
      lease,
      consumer: await lag.read(now()),
      broker: brokerStoreView(broker, (ms) => toZonedIso(ms, monitor.plan.timezone)),
      lastEventAt: h.lastBatchAtMs ? toZonedIso(h.lastBatchAtMs, monitor.plan.timezone) : null,
      clickhouse: { mode: h.clickhouse, lastWriteError: h.lastWriteError ?? null, writeFailingSince: h.writeFailingSinceMs === undefined ? null : toZonedIso(h.writeFailingSinceMs, monitor.plan.timezone), unansweredSince: away ? toZonedIso(away.sinceMs, monitor.plan.timezone) : null, journalRows: monitor.journal?.pending ?? 0 },
      alertLog: f
        ? { rowsWaiting: f.rows, failingSince: toZonedIso(f.sinceMs, monitor.plan.timezone), notOnDisk: f.notOnDisk }
        : { rowsWaiting: 0 },
      consuming: consumingNow(h, monitor.lease),
      events: {
        received: h.eventsReceived,
        stored: h.eventsStored,
        duplicates: h.duplicates,
        // all in the store, as /api/dead-letters lists them; and how many came since this start
        deadLetters: await deadLetterCount.read(monitor.clickhouse, h.deadLetters, h.deadLettersStored, now()),
        deadLettersSinceStart: h.deadLetters,
        rebuilt: h.rebuiltEvents,
        ...monitor.uncounted.view(),
        lastHour: lastHourView(monitor.deadLetterWindow, now(), monitor.plan.timezone),
      },
      batches: h.batches,
      writeFailures: h.writeFailures,
      lastBatchAt: h.lastBatchAtMs ? toZonedIso(h.lastBatchAtMs, monitor.plan.timezone) : null,
      rebuildMs: h.rebuildMs,
    };
    return reply.code(status === 'ok' || status === 'degraded' ? 200 : 503).send(body);
  });

  app.get('/api/counters', async (req) => {
    authorize(req, config, 'viewer');
    const q = readQuery(req.query, ['year', 'asOf', 'type', 'scope']);
    if (q.year !== undefined) {
      if (!/^\d{4}$/.test(q.year)) throw badRequest(`year must be four digits (got "${q.year}")`);
      if (Number(q.year) !== monitor.plan.year) throw notFound(`no plan for year ${q.year}; the loaded plan is for ${monitor.plan.year}`);
    }
    let asOfMs = now();
    if (q.asOf !== undefined) {
      const parsed = parseQueryInstant(q.asOf);
      if (parsed === undefined) {
        throw badRequest(`asOf must be an RFC 3339 date-time with a UTC offset, e.g. 2025-03-07T18:00:00%2B08:00 (+ written %2B in a URL) or 2025-03-07T10:00:00Z (got "${q.asOf}")`);
      }
      asOfMs = parsed;
    }
    const type = typeParam(q.type);
    const scope = scopeParam(q.scope);
    return { asOf: toZonedIso(asOfMs, monitor.plan.timezone), year: monitor.plan.year, rows: monitor.index.rows(asOfMs, { type, scope }) };
  });

  app.get('/api/plan', async (req) => {
    authorize(req, config, 'viewer');
    readQuery(req.query, []);
    return planView(monitor.plan);
  });

  app.get('/api/series', async (req) => {
    authorize(req, config, 'viewer');
    const q = readQuery(req.query, ['type', 'scope']);
    if (q.type === undefined) throw badRequest('type is required');
    return seriesView(monitor.plan, monitor.index, typeParam(q.type)!, scopeParam(q.scope) ?? ALL_SCOPE, now());
  });

  app.get('/api/dead-letters', async (req) => {
    authorize(req, config, 'viewer');
    const q = readQuery(req.query, ['limit', 'offset']);
    // the contract lists them without paging: a thousand by default (a flood's worth is summed
    // up by /api/dead-letters/summary), limit and offset for more
    const limit = intParam(q, 'limit', 1000, 1, 1000);
    const offset = intParam(q, 'offset', 0, 0, 10_000_000);
    return readDeadLetters(monitor.clickhouse, monitor.plan.timezone, limit, offset);
  });

  app.get('/api/dead-letters/summary', async (req) => {
    authorize(req, config, 'viewer');
    const q = readQuery(req.query, ['hours']);
    const hours = intParam(q, 'hours', 24, 1, 24 * 366);
    return summarizeDeadLetters(monitor.clickhouse, monitor.plan.timezone, hours, now());
  });
}
