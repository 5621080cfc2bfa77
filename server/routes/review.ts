import type { FastifyInstance } from 'fastify';
import { authorize } from '../access.ts';
import type { Monitor } from '../monitor.ts';
import { toZonedIso } from '../time.ts';
import { intParam, readQuery } from './query.ts';

// The queue of tickets the classifier typed with low confidence (contract section 1:
// `unclassified` tickets, e.g. transferred from the 12378 hotline). A person confirms or re-types
// one by issuing a correction (kind: corrected), which also takes it off this queue.

export function reviewRoutes(app: FastifyInstance, monitor: Monitor): void {
  app.get('/api/classification/review', async (req) => {
    authorize(req, monitor.config, 'viewer');
    const q = readQuery(req.query, ['limit']);
    const limit = intParam(q, 'limit', 100, 1, 1000);
    const rs = await monitor.clickhouse.query({
      query: `SELECT ticket_id, event_id, toUnixTimestamp64Milli(occurred_at) AS at, branch, complaint_type,
                     classifier_model, classifier_confidence, substring(text, 1, 300) AS text
              FROM complaints.ticket_events FINAL
              WHERE reported_type = 'unclassified' AND needs_review = 1
                AND ticket_id NOT IN (SELECT ticket_id FROM complaints.ticket_events WHERE kind = 'corrected')
              ORDER BY occurred_at DESC
              LIMIT {limit:UInt32}`,
      query_params: { limit },
      format: 'JSONEachRow',
    });
    type Row = { ticket_id: string; event_id: string; at: string; branch: string; complaint_type: string; classifier_model: string; classifier_confidence: number | null; text: string };
    const rows = await rs.json<Row>();
    return {
      items: rows.map((r) => ({
        ticketId: r.ticket_id,
        eventId: r.event_id,
        occurredAt: toZonedIso(Number(r.at), monitor.plan.timezone),
        branch: r.branch,
        assignedType: r.complaint_type,
        confidence: r.classifier_confidence,
        modelVersion: r.classifier_model,
        text: r.text,
      })),
    };
  });
}
