import type { FastifyInstance } from 'fastify';
import { authorize } from '../access.ts';
import type { Monitor } from '../monitor.ts';
import { toZonedIso } from '../time.ts';
import { intParam, readQuery } from './query.ts';
import { LATEST } from './review-confirm.ts';
import { CONFIDENTLY_CLASSIFIED, MOST_CONFIDENT } from '../../pipelines/sources/stored-classification.ts';

// The queue of tickets the classifier typed with low confidence (contract section 1:
// `unclassified` tickets, e.g. transferred from the 12378 hotline). Such a ticket counts under the
// type it was given, often none the plan watches, so until a person types it no counter sees it.
// A person confirms or re-types one by issuing a correction (kind: corrected), which also takes it
// off this queue. One row per ticket: its latest event, and the text of its latest event with one;
// those whose first contact was not agreed first (typing them moves a not-agreed count), then
// agreed ones (they move the resolution rate), then the rest, newest first.

// The waiting events, each once: the filter first, then repeats of an event dropped among the few
// rows left. FINAL over the whole table cost a fifth of each poll (it merges every row it reads).
// A ticket waits while its most confident classification needs review, whatever event gave it
// (docs/ALERTS.md): one confidently classified event takes it off the queue.
const WAITING_EVENTS = `(SELECT * FROM complaints.ticket_events
  WHERE reported_type = 'unclassified' AND needs_review = 1
    AND ticket_id NOT IN (SELECT ticket_id FROM complaints.ticket_events WHERE kind = 'corrected')
    AND ticket_id NOT IN (SELECT ticket_id FROM complaints.ticket_events WHERE ${CONFIDENTLY_CLASSIFIED})
  LIMIT 1 BY event_id)`;

export function reviewRoutes(app: FastifyInstance, monitor: Monitor): void {
  // the console's review page (web/console/review.html): read access, like the console itself
  app.get('/console/review', async (req, reply) => {
    authorize(req, monitor.config, 'viewer');
    // a page with its token in its links: kept by no cache (security.ts), not a static file's caching (verify CK3)
    return reply.type('text/html; charset=utf-8').sendFile('console/review.html', { cacheControl: false });
  });

  app.get('/api/classification/review', async (req) => {
    authorize(req, monitor.config, 'viewer');
    const q = readQuery(req.query, ['limit']);
    const limit = intParam(q, 'limit', 100, 1, 1000);
    const [items, total] = await Promise.all([
      monitor.clickhouse.query({
        // the latest event by time then id, as a confirmation is checked (review-confirm.ts): two
        // events of one instant must not show one branch here and be compared with the other there
        // (not aliased `event_id`: the alias would stand for the column inside the other argMax)
        query: `SELECT ticket_id, argMax(event_id, ${LATEST}) AS latest_event_id, toUnixTimestamp64Milli(max(occurred_at)) AS at,
                       argMax(branch, ${LATEST}) AS branch, argMax(complaint_type, ${MOST_CONFIDENT}) AS complaint_type,
                       argMax(classifier_model, ${MOST_CONFIDENT}) AS classifier_model,
                       argMax(classifier_confidence, ${MOST_CONFIDENT}) AS assigned_confidence,
                       argMaxIf(substring(text, 1, 300), occurred_at, text != '') AS text, count() AS events,
                       argMaxIf(outcome, occurred_at, kind = 'first_contact') AS first_contact
                FROM ${WAITING_EVENTS}
                GROUP BY ticket_id
                ORDER BY first_contact = 'not_agreed' DESC, first_contact = 'agreed' DESC, at DESC, ticket_id
                LIMIT {limit:UInt32}`,
        query_params: { limit },
        format: 'JSONEachRow',
      }),
      monitor.clickhouse.query({
        query: `SELECT count() AS n, countIf(first_contact = 'not_agreed') AS not_agreed
                FROM (SELECT argMaxIf(outcome, occurred_at, kind = 'first_contact') AS first_contact
                      FROM ${WAITING_EVENTS} GROUP BY ticket_id)`,
        format: 'JSONEachRow',
      }),
    ]);
    type Row = { ticket_id: string; latest_event_id: string; at: string; branch: string; complaint_type: string; classifier_model: string; assigned_confidence: number | null; text: string; events: string; first_contact: string };
    const rows = await items.json<Row>();
    const totals = (await total.json<{ n: string; not_agreed: string }>())[0];
    return {
      total: Number(totals?.n ?? 0),
      /** of them, tickets whose first contact was not agreed: typing them moves a not-agreed count */
      notAgreed: Number(totals?.not_agreed ?? 0),
      items: rows.map((r) => ({
        ticketId: r.ticket_id,
        eventId: r.latest_event_id,
        occurredAt: toZonedIso(Number(r.at), monitor.plan.timezone),
        branch: r.branch,
        assignedType: r.complaint_type,
        confidence: r.assigned_confidence,
        modelVersion: r.classifier_model,
        text: r.text,
        events: Number(r.events),
        // what typing it will change: a not-agreed first contact counts against an allowance
        firstContact: r.first_contact === 'agreed' || r.first_contact === 'not_agreed' ? r.first_contact : null,
      })),
    };
  });
}
