import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { errors } from '@nats-io/nats-core';
import type { FastifyInstance } from 'fastify';
import { authorize, authorizeScope } from '../access.ts';
import { ALL_SCOPE } from '../../pipelines/model.ts';
import { badRequest, HttpError } from '../errors.ts';
import type { Monitor } from '../monitor.ts';
import { parseRfc3339, toZonedIso } from '../time.ts';
import { bodyOf, text, typed } from './body.ts';
import { laterCorrection, readSeen, readTicketNow, REVIEW_REASON, reviewStale, SentCorrections, staleConfirmation, storedCorrection } from './review-confirm.ts';

// POST /api/corrections (docs/ALERTS.md): a supervisor's correction of a ticket, published as a
// ticket event. Needs a supervisor (limited to their branches) or an admin.

const OUTCOMES = ['agreed', 'not_agreed'];
/** clocks of the console's machine and the monitor's may differ by this much */
const FUTURE_SLACK_MS = 5 * 60_000;
const CODE = /^[A-Za-z0-9_-]{1,64}$/;
/** a correction's id given again by a retry (the monitor makes corr-<uuid>) */
const RETRY_ID = /^corr-[A-Za-z0-9-]{8,64}$/;

/** A publish that got no answer (as against one the broker or the client refused): it may have been stored. */
function outcomeUnknown(err: unknown): boolean {
  if (err instanceof errors.TimeoutError) return true;
  return err instanceof Error && /timeout|disconnect|connection (closed|lost)/i.test(err.message) && !(err instanceof errors.PermissionViolationError);
}

export function correctionRoutes(app: FastifyInstance, monitor: Monitor, now: () => number): void {
  const { config } = monitor;
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
    if (branch === ALL_SCOPE) throw badRequest(`branch must be a branch code, not ${ALL_SCOPE} (the whole bank is a scope, no ticket's branch)`);
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
      // the latest correction of a ticket wins: one dated ahead (a typed 9999) would outrank
      // every correction after it, and the ticket could not be corrected again
      if (parsed > atMs + FUTURE_SLACK_MS) throw badRequest(`occurredAt ${body.occurredAt} is in the future: a correction is dated when it is made or earlier`);
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
      // with another correction's id it would be folded into that one, unseen
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
      // a retry of this very confirmation (its outcome was unknown) is not refused for itself
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
      // when it resumes; "not sent" then made people send a second one
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
}
