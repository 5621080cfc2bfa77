import type { ClickHouseClient } from '@clickhouse/client';
import type { EventKind, MaskedEvent, Outcome, Escalation } from '../../pipelines/model.ts';
import type { AlertRecord, HistoryEntry } from '../../pipelines/rules/index.ts';
import { chTime } from '../../pipelines/sinks/clickhouse.ts';

// ClickHouse I/O of the alert engine: the append-only audit rows (sql/010_alerts.sql) and the
// ticket facts the case rule needs at start (the counters' replay does not carry escalations).

export function logRow(r: AlertRecord, e: HistoryEntry, year: number, loggedAtMs: number) {
  return {
    logged_at: chTime(loggedAtMs),
    at: chTime(Number.isFinite(e.atMs) ? e.atMs : loggedAtMs),
    plan_year: year,
    alert_id: r.id,
    entry_id: e.id,
    kind: r.kind,
    complaint_type: r.complaintType,
    scope: r.scope,
    ticket_id: r.ticketId ?? '',
    what: e.what,
    actor: e.by ?? '',
    reason: e.reason ?? '',
    before: e.before ?? '',
    after: e.after ?? '',
    status: r.status,
    level: r.level,
    detail: JSON.stringify(e.detail ?? {}),
    snapshot: JSON.stringify(r),
  };
}

/**
 * In slices: a re-derivation at start can write one row per alert of the year, and one insert
 * of all of them would be a single JSON text past what V8 can build.
 */
export async function writeLog(client: ClickHouseClient, rows: object[], slice = 5_000): Promise<void> {
  for (let i = 0; i < rows.length; i += slice) {
    await client.insert({ table: 'complaints.alert_log', values: rows.slice(i, i + slice), format: 'JSONEachRow' });
  }
}

/** The latest snapshot of every alert of the plan year. */
export async function loadRecords(client: ClickHouseClient, year: number): Promise<AlertRecord[]> {
  const rs = await client.query({
    query: `SELECT argMax(snapshot, logged_at) AS s FROM complaints.alert_log
            WHERE plan_year = {year:UInt16} GROUP BY alert_id`,
    query_params: { year },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ s: string }>()).map((r) => JSON.parse(r.s) as AlertRecord);
}

type Row = [string, string, EventKind, string, string, string, string, string];

/** Every stored event of the tickets that ever carried a strict-mode type (cases need them all). */
export async function loadCaseEvents(client: ClickHouseClient, strictTypes: readonly string[]): Promise<MaskedEvent[]> {
  if (strictTypes.length === 0) return [];
  return loadEvents(client, 'ticket_id IN (SELECT ticket_id FROM complaints.ticket_events WHERE complaint_type IN {types:Array(String)})', { types: strictTypes });
}

/** Every stored event of these tickets. */
export async function loadTicketEvents(client: ClickHouseClient, ticketIds: readonly string[]): Promise<MaskedEvent[]> {
  if (ticketIds.length === 0) return [];
  return loadEvents(client, 'ticket_id IN {tickets:Array(String)}', { tickets: ticketIds });
}

async function loadEvents(client: ClickHouseClient, where: string, query_params: Record<string, unknown>): Promise<MaskedEvent[]> {
  const rs = await client.query({
    query: `SELECT event_id, ticket_id, kind, toString(toUnixTimestamp64Milli(occurred_at)), branch, complaint_type, outcome, escalation
            FROM complaints.ticket_events
            WHERE ${where}
            LIMIT 1 BY event_id`,
    query_params,
    format: 'JSONCompactEachRow',
  });
  return (await rs.json<Row>()).map(([eventId, ticketId, kind, ms, branch, complaintType, outcome, escalation]) => ({
    eventId,
    ticketId,
    kind,
    occurredAt: '',
    occurredAtMs: Number(ms),
    branch,
    complaintType,
    reportedType: complaintType,
    customerHash: '',
    customerMasked: {},
    ...(outcome ? { outcome: outcome as Outcome } : {}),
    ...(escalation ? { escalation: escalation as Escalation } : {}),
  }));
}
