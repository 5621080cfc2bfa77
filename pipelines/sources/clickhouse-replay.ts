import type { ClickHouseClient } from '@clickhouse/client';
import type { EventKind, MaskedEvent, Outcome } from '../model.ts';
import { chTime } from '../sinks/clickhouse.ts';

// The second source: events already stored, read back to rebuild the in-memory index at start
// (and by replay). Paged by event_id so no page grows past what V8 can hold in one string.

export interface ReplayWindow {
  /** events of the plan year; corrections of any time are always read (they rewrite history) */
  fromMs: number;
  toMs: number;
  pageSize?: number;
}

type Row = [string, string, EventKind, string, string, string, string, string, string];

export async function* storedEvents(client: ClickHouseClient, window: ReplayWindow): AsyncGenerator<MaskedEvent[]> {
  const pageSize = window.pageSize ?? 200_000;
  let after = '';
  for (;;) {
    const rs = await client.query({
      query: `SELECT event_id, ticket_id, kind, toString(toUnixTimestamp64Milli(occurred_at)), occurred_at_text,
                     branch, complaint_type, customer_hash, outcome
              FROM complaints.ticket_events
              WHERE event_id > {after:String}
                AND (kind = 'corrected' OR (occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}))
              ORDER BY event_id
              LIMIT 1 BY event_id
              LIMIT {n:UInt32}`,
      query_params: { after, from: chTime(window.fromMs), to: chTime(window.toMs), n: pageSize },
      format: 'JSONCompactEachRow',
    });
    const rows = await rs.json<Row>();
    if (rows.length === 0) return;
    yield rows.map(toMaskedEvent);
    after = rows[rows.length - 1]![0];
    if (rows.length < pageSize) return;
  }
}

function toMaskedEvent(r: Row): MaskedEvent {
  const [eventId, ticketId, kind, atMs, occurredAt, branch, complaintType, customerHash, outcome] = r;
  return {
    eventId,
    ticketId,
    kind,
    occurredAt,
    occurredAtMs: Number(atMs),
    branch,
    complaintType,
    reportedType: complaintType,
    customerHash,
    customerMasked: {},
    outcome: outcome === '' ? undefined : (outcome as Outcome),
  };
}
