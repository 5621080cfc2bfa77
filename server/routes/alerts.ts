import type { FastifyInstance } from 'fastify';
import { ActionRefused, type Action } from '../../pipelines/rules/index.ts';
import { authorize, authorizeScope, mayActOn } from '../access.ts';
import { AlertEngine } from '../alerts/engine.ts';
import { alertView } from '../alerts/view.ts';
import { badRequest, HttpError, notFound } from '../errors.ts';
import type { Monitor } from '../monitor.ts';
import { readQuery } from './query.ts';
import { alertsCsv } from '../alerts/csv.ts';
import { ALERT_QUERY, listAlerts, readAlertListQuery } from '../alerts/list.ts';
import { bodyOf, text, typed } from './body.ts';
import { correctionRoutes } from './corrections.ts';
import { toZonedIso } from '../time.ts';
import { pageWithBuild } from '../web-build.ts';
import { notCountingMessage } from '../lease-rules.ts';
import { ActionNotTaken, STOPPING_MESSAGE } from '../alerts/action-gate.ts';

// Alerts (contract sections 4 and 5) and the supervisors' actions on them. Reads need a viewer
// token; actions need a supervisor (limited to their branches) or an admin. Open local mode
// refuses every action.

const ACTIONS = ['ack', 'note', 'notice', 'assign', 'escalate', 'resolve', 'reopen'] as const;

export async function alertRoutes(app: FastifyInstance, monitor: Monitor, now: () => number): Promise<AlertEngine> {
  // The plan is read per use: PUT /api/plan swaps it on a running monitor.
  const { config } = monitor;
  const engine = await AlertEngine.start(monitor, app.log, now);
  app.addHook('onClose', async () => engine.stop());
  monitor.beforeRelease.push(() => engine.drain());

  // The supervisor console (web/console/); the page needs read access, its scripts are public.
  app.get('/console', async (req, reply) => reply.redirect(`/console/${req.url.slice('/console'.length)}`));
  app.get('/console/', async (req, reply) => {
    authorize(req, config, 'viewer');
    return reply.type('text/html; charset=utf-8').send(pageWithBuild('console/index.html'));
  });

  // Who the caller is, for the console: a supervisor limited to some branches sees first, and acts
  // only on, the alerts of those branches (the actions below check it again).
  app.get('/api/me', async (req) => {
    const access = authorize(req, config, 'viewer');
    readQuery(req.query, []);
    return { role: access.role, branches: access.branches ?? null, mayAct: access.role === 'supervisor' || access.role === 'admin' };
  });

  // A type or scope no plan code and no alert has is a typo, which would list nothing: 400, as
  // /api/counters says. An alert's own may be outside the plan: a type a plan change removed, a
  // case's branch the plan lacks.
  const refuseUnknownFilters = (q: { type?: string; scope?: string }) => {
    const { plan } = monitor;
    const known = (field: 'complaintType' | 'scope', value: string) => [...engine.records.values()].some((r) => r[field] === value);
    if (q.type !== undefined && !plan.typeByCode.has(q.type) && !known('complaintType', q.type)) {
      throw badRequest(`unknown complaint type "${q.type}" (plan ${plan.year} has: ${plan.types.map((t) => t.code).join(', ')})`);
    }
    if (q.scope !== undefined && !plan.scopes.includes(q.scope) && !known('scope', q.scope)) {
      throw badRequest(`unknown scope "${q.scope}" (plan ${plan.year} has: ${plan.scopes.join(', ')})`);
    }
  };

  app.get('/api/alerts', async (req, reply) => {
    const access = authorize(req, config, 'viewer');
    const q = readAlertListQuery(readQuery(req.query, ALERT_QUERY));
    refuseUnknownFilters(q);
    // mine=1: the caller's branches and their sub-branches, as the console's 只看我的机构 (a token of the whole bank: all)
    const records = q.mine && access.branches ? [...engine.records.values()].filter((r) => mayActOn(access, r.scope, monitor.plan.scopesOf)) : engine.records.values();
    if (q.format === 'csv') {
      // a spreadsheet row has the last change only: no whole histories rendered for it
      const { alerts } = listAlerts(records, { ...q, history: 'last' }, monitor.plan.timezone);
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="alerts-${q.status}.csv"`).send(alertsCsv(alerts, monitor.plan));
    }
    const { total, alerts } = listAlerts(records, q, monitor.plan.timezone);
    return { total, alerts, ackReasons: engine.cfg.ackReasons };
  });

  app.get('/api/alerts/:id', async (req) => {
    authorize(req, config, 'viewer');
    readQuery(req.query, []);
    const r = engine.get((req.params as { id: string }).id);
    if (!r) throw notFound('no such alert');
    return alertView(r, monitor.plan.timezone);
  });

  app.post('/api/alerts/:id/:action', async (req) => {
    const access = authorize(req, config, 'supervisor');
    const { id, action } = req.params as { id: string; action: string };
    if (!(ACTIONS as readonly string[]).includes(action)) throw notFound(`no action "${action}" (actions: ${ACTIONS.join(', ')})`);
    const r = engine.get(id);
    if (!r) throw notFound('no such alert');
    authorizeScope(access, r.scope, monitor.plan.scopesOf);
    // a stop under way says so, not "not counting" once it has released the lease (verify CW2)
    if (engine.halted) throw new HttpError(503, 'STOPPING', STOPPING_MESSAGE);
    // only the counting monitor keeps the alerts: an action taken on another would stay its own
    if (!(await monitor.lease.confirm())) throw new HttpError(503, 'NOT_COUNTING', notCountingMessage(monitor.lease.state, monitor.lease.unconfirmed));
    const allowed: Record<string, string[]> = { ack: ['by', 'reason', 'note'], note: ['by', 'text'], notice: ['by', 'to', 'text'], assign: ['by', 'to'], escalate: ['by', 'note'], resolve: ['by', 'note'], reopen: ['by', 'note'] };
    const body = bodyOf(req.body ?? {}, allowed[action]!);
    const by = typed(body, 'by', true, 80)!;
    const note = typed(body, 'note', false);
    let a: Action;
    switch (action) {
      case 'ack': a = { type: 'ack', by, ...(text(body, 'reason', false, 40) ? { reason: text(body, 'reason', false, 40)! } : {}), ...(note ? { note } : {}) }; break;
      case 'note': a = { type: 'note', by, text: typed(body, 'text', true, 2000)! }; break;
      case 'notice': a = { type: 'notice', by, to: typed(body, 'to', true, 120)!, text: typed(body, 'text', true, 4000)! }; break;
      case 'assign': a = { type: 'assign', by, to: typed(body, 'to', true, 80)! }; break;
      default: a = { type: action as 'escalate' | 'resolve' | 'reopen', by, ...(note ? { note } : {}) };
    }
    try {
      // during a plan change's derivation it waits for it (alerts/rederivation.ts)
      const next = (await engine.act(id, a, access.credential))!;
      // a person's action is in the audit log before it is confirmed: it cannot be derived again
      if (!(await engine.written())) {
        const failing = monitor.health.alertLogFailing;
        const kept = failing?.notOnDisk === 0 ? 'kept on this monitor\'s disk meanwhile, so a restart does not lose it' : 'the monitor\'s disk refused to keep it too: if the monitor stops before that it is lost, check the alert\'s history then';
        throw new HttpError(503, 'ALERT_LOG_UNAVAILABLE', `the ${action} took effect in this monitor but is not stored yet: ClickHouse refused its audit row (${failing?.error ?? 'write failed'}). It is written as soon as ClickHouse answers (tried again by itself), ${kept}`, { keptOnDisk: failing?.notOnDisk === 0, monitorStartedAt: toZonedIso(monitor.health.startedAtMs, monitor.plan.timezone) });
      }
      // the alert as it is now: the ticket's own events may have moved it while the row was written
      return alertView(engine.get(id) ?? next, monitor.plan.timezone);
    } catch (err) {
      if (err instanceof ActionRefused) throw new HttpError(err.status, err.code, err.message);
      // a stop began, or the lease went, while it waited for a derivation: nothing applied (verify CV1)
      if (err instanceof ActionNotTaken) throw new HttpError(503, err.code, err.code === 'STOPPING' ? err.message : notCountingMessage(monitor.lease.state, monitor.lease.unconfirmed));
      throw err;
    }
  });

  correctionRoutes(app, monitor, now);
  return engine;
}
