import type { ClickHouseClient } from '@clickhouse/client';
import { badRequest, HttpError } from '../errors.ts';
import { CONFIDENTLY_CLASSIFIED, MOST_CONFIDENT } from '../../pipelines/sources/stored-classification.ts';

// A classification review's confirmation is a correction (POST /api/corrections) sent from a
// list read earlier, so it may come after the ticket changed: another person corrected it (it
// left the queue), or a newer event moved it to another branch or type. A correction always wins
// over the ones before it, so such a confirmation silently undid the newer decision (audit J,
// D3). A confirmation is therefore checked against the ticket as it is now, and refused (409
// REVIEW_STALE) naming what changed; a correction that is not a confirmation is never refused.

/** The reason the review page sends (docs/ALERTS.md): its corrections are confirmations. */
export const REVIEW_REASON = '分类复核';

/** What the reviewer's list showed of the ticket. */
export interface SeenInQueue {
  branch: string;
  /** the type the list showed (`assignedType`); not compared when the request does not say */
  complaintType?: string;
}

export interface CorrectionMade {
  by: string;
  branch: string;
  complaintType: string;
  atMs: number;
  /** its event's id, where known: a retry naming it is the same correction, not a newer one */
  eventId?: string;
  /** the outcome it sets ('' none) */
  outcome?: string;
  /** sent, the broker's answer never came: it may not have been taken */
  unconfirmed?: boolean;
}

/** The ticket as the store, and the corrections this monitor sent but has maybe not stored yet, have it. */
export interface TicketNow {
  /** events waiting for a person (typed with low confidence), each once */
  waitingEvents: number;
  /** branch and type of its latest waiting event: what the queue shows now */
  branch: string;
  complaintType: string;
  /** its latest correction, if any: a corrected ticket is off the queue for good */
  correction?: CorrectionMade;
}

/** Why a confirmation of what the reviewer saw no longer applies, or undefined when it does. */
export function staleConfirmation(ticketId: string, seen: SeenInQueue, now: TicketNow, timeOf: (ms: number) => string): string | undefined {
  const c = now.correction;
  if (c) {
    return `ticket ${ticketId} was corrected since the review list was loaded: it is now ${c.complaintType} at ${c.branch} (by ${c.by || 'another system'}, ${timeOf(c.atMs)}); reload the list`;
  }
  if (now.waitingEvents === 0) return `ticket ${ticketId} is not waiting for review; reload the list`;
  const changed: string[] = [];
  if (now.branch !== seen.branch) changed.push(`branch ${seen.branch} → ${now.branch}`);
  if (seen.complaintType !== undefined && now.complaintType !== seen.complaintType) changed.push(`type ${seen.complaintType} → ${now.complaintType}`);
  return changed.length ? `ticket ${ticketId} changed since the review list was loaded (${changed.join(', ')}); reload the list` : undefined;
}

export const reviewStale = (message: string) => new HttpError(409, 'REVIEW_STALE', message);

/** The request's `seen`: `{branch, complaintType?}` as the list showed them, or undefined. */
export function readSeen(raw: unknown): SeenInQueue | undefined {
  if (raw === undefined) return undefined;
  const fail = () => badRequest('seen must be {"branch", "complaintType"?}: the branch and type the review list showed');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw fail();
  const { branch, complaintType, ...rest } = raw as Record<string, unknown>;
  const code = (v: unknown) => typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v);
  if (Object.keys(rest).length > 0 || !code(branch) || (complaintType !== undefined && !code(complaintType))) throw fail();
  return { branch: branch as string, ...(complaintType !== undefined ? { complaintType: complaintType as string } : {}) };
}

/** Of two corrections, the one that decides the ticket now (contract §1: the latest). */
export function laterCorrection(a: CorrectionMade | undefined, b: CorrectionMade | undefined): CorrectionMade | undefined {
  if (!a || !b) return a ?? b;
  return b.atMs > a.atMs ? b : a;
}

/**
 * The corrections this monitor sent, by ticket, until the pipeline has surely stored them: a
 * confirmation checked between a correction's 202 and its row would not see it in the store. A
 * ticket's entry is taken before the correction is published, so of two confirmations of one
 * ticket at once only the first is sent.
 */
export class SentCorrections {
  private readonly byTicket = new Map<string, { made: CorrectionMade; eventId: string; sentAtMs: number }>();
  constructor(private readonly keepMs = 10 * 60_000) {}

  get(ticketId: string, nowMs: number): CorrectionMade | undefined {
    this.prune(nowMs);
    const sent = this.byTicket.get(ticketId);
    return sent && { ...sent.made, eventId: sent.eventId };
  }

  add(ticketId: string, eventId: string, made: CorrectionMade, nowMs: number): void {
    this.prune(nowMs);
    this.byTicket.delete(ticketId); // insertion order is age order: pruning stops at the first young one
    this.byTicket.set(ticketId, { made, eventId, sentAtMs: nowMs });
  }

  /** The correction sent with this id, and its ticket. */
  byEventId(eventId: string): (CorrectionMade & { ticketId: string }) | undefined {
    for (const [ticketId, c] of this.byTicket) if (c.eventId === eventId) return { ...c.made, eventId, ticketId };
    return undefined;
  }

  /** A correction whose publish got no answer: it may have been taken, or not. */
  unconfirmed(ticketId: string, eventId: string): void {
    const c = this.byTicket.get(ticketId);
    if (c?.eventId === eventId) c.made = { ...c.made, unconfirmed: true };
  }

  /** A correction that was not published after all. */
  forget(ticketId: string, eventId: string): void {
    if (this.byTicket.get(ticketId)?.eventId === eventId) this.byTicket.delete(ticketId);
  }

  private prune(nowMs: number): void {
    for (const [ticketId, c] of this.byTicket) {
      if (nowMs - c.sentAtMs < this.keepMs) break;
      this.byTicket.delete(ticketId);
    }
  }
}

/** The latest of a ticket's events (by time, then id, as corrections are ordered: contract §1). */
export const LATEST = '(occurred_at, event_id)';

/** The ticket's review state from the store (each event once). */
export async function readTicketNow(client: ClickHouseClient, ticketId: string): Promise<TicketNow> {
  const rs = await client.query({
    query: `SELECT if(countIf(${CONFIDENTLY_CLASSIFIED}) > 0, 0, countIf(waiting)) AS waiting_events,
                   argMaxIf(branch, ${LATEST}, waiting) AS waiting_branch,
                   argMaxIf(complaint_type, ${MOST_CONFIDENT}, waiting) AS waiting_type,
                   countIf(kind = 'corrected') AS corrections,
                   argMaxIf(branch, ${LATEST}, kind = 'corrected') AS corrected_branch,
                   argMaxIf(complaint_type, ${LATEST}, kind = 'corrected') AS corrected_type,
                   argMaxIf(tags['correctedBy'], ${LATEST}, kind = 'corrected') AS corrected_by,
                   argMaxIf(event_id, ${LATEST}, kind = 'corrected') AS corrected_event,
                   toUnixTimestamp64Milli(maxIf(occurred_at, kind = 'corrected')) AS corrected_at
            FROM (SELECT *, reported_type = 'unclassified' AND needs_review = 1 AS waiting
                  FROM complaints.ticket_events WHERE ticket_id = {ticket:String} LIMIT 1 BY event_id)`,
    query_params: { ticket: ticketId },
    format: 'JSONEachRow',
  });
  // (no alias is a column's name: it would stand for the column in the other aggregates)
  type Row = { waiting_events: string; waiting_branch: string; waiting_type: string; corrections: string; corrected_branch: string; corrected_type: string; corrected_by: string; corrected_event: string; corrected_at: string };
  const r = (await rs.json<Row>())[0];
  if (!r) return { waitingEvents: 0, branch: '', complaintType: '' };
  return {
    waitingEvents: Number(r.waiting_events),
    branch: r.waiting_branch,
    complaintType: r.waiting_type,
    ...(Number(r.corrections) > 0 ? { correction: { by: r.corrected_by, branch: r.corrected_branch, complaintType: r.corrected_type, atMs: Number(r.corrected_at), eventId: r.corrected_event } } : {}),
  };
}

/** A stored correction's ticket, branch and type by its event id (a retry must send the same one). */
export async function storedCorrection(client: ClickHouseClient, eventId: string): Promise<{ ticketId: string; branch: string; complaintType: string; outcome: string } | undefined> {
  const rs = await client.query({
    query: `SELECT ticket_id, branch, complaint_type, outcome FROM complaints.ticket_events WHERE event_id = {id:String} AND kind = 'corrected' LIMIT 1`,
    query_params: { id: eventId },
    format: 'JSONEachRow',
  });
  const r = (await rs.json<{ ticket_id: string; branch: string; complaint_type: string; outcome: string }>())[0];
  return r && { ticketId: r.ticket_id, branch: r.branch, complaintType: r.complaint_type, outcome: r.outcome };
}
