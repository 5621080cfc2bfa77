import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { errors } from '@nats-io/nats-core';
import type { FastifyInstance } from 'fastify';
import { ActionRefused, type Action } from '../../pipelines/rules/index.ts';
import { authorize, authorizeScope } from '../access.ts';
import { AlertEngine } from '../alerts/engine.ts';
import { alertView } from '../alerts/view.ts';
import { badRequest, HttpError, notFound } from '../errors.ts';
import type { Monitor } from '../monitor.ts';
import { parseRfc3339, toZonedIso } from '../time.ts';
import { readQuery } from './query.ts';
import { alertsCsv } from '../alerts/csv.ts';
import { ALERT_QUERY, listAlerts, readAlertListQuery } from '../alerts/list.ts';
import { maskText } from '../../pipelines/transforms/mask.ts';
import { laterCorrection, readSeen, readTicketNow, REVIEW_REASON, reviewStale, SentCorrections, staleConfirmation, storedCorrection } from './review-confirm.ts';

// Alerts (contract sections 4 and 5) and the supervisors' actions on them. Reads need a viewer
// token; actions need a supervisor (limited to their branches) or an admin. Open local mode
// refuses every action.

const ACTIONS = ['ack', 'note', 'notice', 'assign', 'escalate', 'resolve', 'reopen'] as const;
const OUTCOMES = ['agreed', 'not_agreed'];
const CODE = /^[A-Za-z0-9_-]{1,64}$/;
/** a correction's id given again by a retry (the monitor makes corr-<uuid>) */
const RETRY_ID = /^corr-[A-Za-z0-9-]{8,64}$/;

/** A publish that got no answer (as against one the broker or the client refused): it may have been stored. */
function outcomeUnknown(err: unknown): boolean {
  if (err instanceof errors.TimeoutError) return true;
  return err instanceof Error && /timeout|disconnect|connection (closed|lost)/i.test(err.message) && !(err instanceof errors.PermissionViolationError);
}

function text(body: Record<string, unknown>, name: string, required: boolean, max = 500): string | undefined {
  const v = body[name];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.trim() === '' || v.length > max) throw badRequest(`${name} must be a non-empty string of at most ${max} characters`);
  return v.trim();
}

/** What a person typed (a note, a notice, a name): stored, shown, pushed and sent to gateways,
 *  so phone, ID-card and bank-card numbers in it are masked first, as in tickets' texts. */
function typed(body: Record<string, unknown>, name: string, required: boolean, max = 500): string | undefined {
  const v = text(body, name, required, max);
  return v === undefined ? undefined : maskText(v);
}

function bodyOf(raw: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('the body must be a JSON object');
  const body = raw as Record<string, unknown>;
  for (const k of Object.keys(body)) if (!allowed.includes(k)) throw badRequest(`unknown field "${k}" (allowed: ${allowed.join(', ')})`);
  return body;
}

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
    return reply.type('text/html; charset=utf-8').sendFile('console/index.html');
  });

  // Who the caller is, for the console: a supervisor limited to some branches sees first, and acts
  // only on, the alerts of those branches (the actions below check it again).
  app.get('/api/me', async (req) => {
    const access = authorize(req, config, 'viewer');
    readQuery(req.query, []);
    return { role: access.role, branches: access.branches ?? null, mayAct: access.role === 'supervisor' || access.role === 'admin' };
  });

  app.get('/api/alerts', async (req, reply) => {
    authorize(req, config, 'viewer');
    const q = readAlertListQuery(readQuery(req.query, ALERT_QUERY));
    if (q.format === 'csv') {
      // a spreadsheet row has the last change only: no whole histories rendered for it
      const { alerts } = listAlerts(engine.records.values(), { ...q, history: 'last' }, monitor.plan.timezone);
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="alerts-${q.status}.csv"`).send(alertsCsv(alerts, monitor.plan));
    }
    const { total, alerts } = listAlerts(engine.records.values(), q, monitor.plan.timezone);
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
    // only the counting monitor keeps the alerts: an action taken on another would stay its own
    if (!(await monitor.lease.confirm())) throw new HttpError(503, 'NOT_COUNTING', `this monitor does not hold the counting lease (${monitor.lease.state}); act on the monitor that counts`);
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
      const next = engine.act(id, a, access.credential)!;
      // a person's action is in the audit log before it is confirmed: it cannot be derived again
      if (!(await engine.written())) {
        const failing = monitor.health.alertLogFailing;
        throw new HttpError(503, 'ALERT_LOG_UNAVAILABLE', `the ${action} took effect in this monitor but is not stored yet: ClickHouse refused its audit row (${failing?.error ?? 'write failed'}). It is written as soon as ClickHouse answers (tried again by itself); if the monitor stops before that it is lost: check the alert's history then`);
      }
      // the alert as it is now: the ticket's own events may have moved it while the row was written
      return alertView(engine.get(id) ?? next, monitor.plan.timezone);
    } catch (err) {
      if (err instanceof ActionRefused) throw new HttpError(err.status, err.code, err.message);
      throw err;
    }
  });

  // A supervisor's correction enters the normal pipeline as a `kind: corrected` ticket event. A
  // classification review's confirmation (it says what the list showed in `seen`, or carries the
  // review page's reason) is refused when the ticket changed since (review-confirm.ts).
  const sent = new SentCorrections();
  app.post('/api/corrections', async (req, reply) => {
    const access = authorize(req, config, 'supervisor');
    const body = bodyOf(req.body, ['ticketId', 'branch', 'complaintType', 'outcome', 'by', 'reason', 'occurredAt', 'seen', 'eventId']);
    const by = typed(body, 'by', true, 80)!;
    const ticketId = text(body, 'ticketId', true, 128)!;
    const branch = text(body, 'branch', true, 64)!;
    const complaintType = text(body, 'complaintType', true, 64)!;
    if (!CODE.test(branch)) throw badRequest('branch must be a branch code');
    // `other`: a reviewer's word that the ticket is of no type the plan watches (it then counts nowhere)
    if (!monitor.plan.typeByCode.has(complaintType) && complaintType !== 'other') {
      throw badRequest(`unknown complaint type "${complaintType}" (the plan's types, or other for none of them)`);
    }
    const outcome = body.outcome;
    if (outcome !== undefined && !OUTCOMES.includes(outcome as string)) throw badRequest('outcome must be agreed or not_agreed');
    let atMs = now();
    if (body.occurredAt !== undefined) {
      const parsed = typeof body.occurredAt === 'string' ? parseRfc3339(body.occurredAt) : undefined;
      if (parsed === undefined) throw badRequest('occurredAt must be RFC 3339 with an offset');
      atMs = parsed;
    }
    authorizeScope(access, branch, monitor.plan.scopesOf);
    const reason = typed(body, 'reason', false, 500);
    await monitor.lease.confirm(); // a held-up process confirms its lease first, as an action does
    // a retry of a request whose outcome was unknown names the first's id: the broker's duplicate
    // window, and the counters beyond it, take the correction once
    const eventId = body.eventId === undefined ? `corr-${randomUUID()}` : typeof body.eventId === 'string' && RETRY_ID.test(body.eventId) ? body.eventId : undefined;
    if (eventId === undefined) throw badRequest('eventId must be corr- and 8 to 64 letters, digits or dashes (the id an earlier answer gave, to send the same correction again)');
    if (body.eventId !== undefined) {
      // with another correction's id it would be folded into that one, unseen (verify AJ N4)
      const first = sent.byEventId(eventId) ?? (await storedCorrection(monitor.clickhouse, eventId));
      if (first && (first.ticketId !== ticketId || first.branch !== branch || first.complaintType !== complaintType || (first.outcome ?? '') !== ((outcome as string | undefined) ?? ''))) {
        throw new HttpError(409, 'EVENT_ID_REUSED', `eventId ${eventId} is the correction of ${first.ticketId} to ${first.complaintType} at ${first.branch}${first.outcome ? ` (${first.outcome})` : ''}: send that one again with it, and a different correction without eventId`);
      }
    }
    const seen = readSeen(body.seen) ?? (reason?.startsWith(REVIEW_REASON) ? { branch } : undefined);
    const stored = seen && (await readTicketNow(monitor.clickhouse, ticketId));
    // from here to sent.add nothing awaits: of two confirmations of one ticket, one is sent
    if (seen && stored) {
      // one sent with no answer and the same decision is no reason to refuse it again under a new
      // id (a page reloaded lost the first id: refused for 10 minutes, verify AK K1)
      const pending = sent.get(ticketId, now());
      const sameUnanswered = pending?.unconfirmed === true && pending.by === by && pending.branch === branch && pending.complaintType === complaintType && pending.outcome === ((outcome as string | undefined) ?? '');
      const current = { ...stored, correction: laterCorrection(stored.correction, sameUnanswered ? undefined : pending) };
      // a retry of this very confirmation (its outcome was unknown) is not refused for itself (verify AJ N2)
      const itself = body.eventId !== undefined && current.correction?.eventId === body.eventId;
      const stale = itself ? undefined : staleConfirmation(ticketId, seen, current, (ms) => toZonedIso(ms, monitor.plan.timezone));
      if (stale) throw reviewStale(stale);
    }
    const event = {
      eventId,
      ticketId,
      kind: 'corrected',
      occurredAt: toZonedIso(atMs, monitor.plan.timezone),
      branch,
      complaintType,
      // The schema requires a customer; a correction does not count customers, so none is named.
      customerId: 'correction',
      ...(outcome !== undefined ? { outcome } : {}),
      text: `更正 by ${by}${reason ? `: ${reason}` : ''}`,
      // the name typed, and the token that sent it (as alert actions keep it)
      tags: { correctedBy: by.slice(0, 80), ...(access.credential ? { correctedWith: `${access.credential.role} ${access.credential.fingerprint}` } : {}) },
    };
    let nc;
    try {
      nc = monitor.nc;
    } catch {
      throw new HttpError(503, 'NATS_UNAVAILABLE', 'the broker is not reachable yet; the correction was not sent');
    }
    sent.add(ticketId, eventId, { by, branch, complaintType, atMs, outcome: (outcome as string | undefined) ?? '' }, now());
    let ack;
    try {
      ack = await jetstream(nc).publish(`complaints.tickets.${branch}`, JSON.stringify(event), { msgID: eventId });
    } catch (err) {
      // no answer (a hung broker, a cut connection): the broker may have stored it and apply it
      // when it resumes; "not sent" then made people send a second one (audit AI 2)
      if (outcomeUnknown(err)) {
        sent.unconfirmed(ticketId, eventId);
        const message = `the broker did not answer (${(err as Error).message}): the correction may have been taken. Send the same request again with "eventId": "${eventId}"; it then counts once, whatever happened`;
        return reply.code(503).send({ error: 'NATS_PUBLISH_UNCONFIRMED', message, eventId });
      }
      sent.forget(ticketId, eventId);
      // a refused publish (the monitor's NATS user may not publish tickets, docs/OPERATIONS.md)
      throw new HttpError(503, 'NATS_PUBLISH_FAILED', `the broker did not take the correction (${(err as Error).message}); it was not sent`);
    }
    return reply.code(202).send({ eventId, stream: ack.stream, seq: ack.seq, event });
  });
  return engine;
}
