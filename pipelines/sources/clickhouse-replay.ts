import type { ClickHouseClient } from '@clickhouse/client';
import type { EventKind, MaskedEvent, Outcome } from '../model.ts';
import { chTime } from '../sinks/clickhouse.ts';

// The second source: events already stored, read back to rebuild the in-memory index at start
// (and by replay and the plan builder). Read partition by partition (months), each split into
// slices by a hash of event_id so that no page grows past what one V8 string holds — no sort and
// no server-side dedupe: the index folds duplicates itself, so the engine only scans.
// TabSeparated, not JSON: a rebuild of millions of rows is mostly parsing.

export interface ReplayWindow {
  /** events of the plan year; corrections of any time are always read (they rewrite history) */
  fromMs: number;
  toMs: number;
  /** rows per page at most (approximately) */
  pageSize?: number;
}

const COLUMNS = `event_id, ticket_id, kind, toUnixTimestamp64Milli(occurred_at), branch, complaint_type, customer_hash, outcome`;

export async function* storedEvents(client: ClickHouseClient, window: ReplayWindow): AsyncGenerator<MaskedEvent[]> {
  const pageSize = window.pageSize ?? 400_000;
  const params = { from: chTime(window.fromMs), to: chTime(window.toMs) };
  const inWindow = `occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}`;
  const counts = await client.query({
    query: `SELECT toYYYYMM(occurred_at) AS m, count() AS n FROM complaints.ticket_events WHERE ${inWindow} GROUP BY m ORDER BY m`,
    query_params: params,
    format: 'JSONEachRow',
  });
  for (const { m, n } of await counts.json<{ m: number; n: string }>()) {
    const slices = Math.max(1, Math.ceil(Number(n) / pageSize));
    for (let slice = 0; slice < slices; slice++) {
      yield await page(
        client,
        `toYYYYMM(occurred_at) = {m:UInt32} AND ${inWindow} AND cityHash64(event_id) % {slices:UInt32} = {slice:UInt32}`,
        { ...params, m: Number(m), slices, slice },
      );
    }
  }
  // Corrections dated outside the year still re-type or move the year's tickets.
  const outside = await page(client, `kind = 'corrected' AND NOT (${inWindow})`, params);
  if (outside.length > 0) yield outside;
}

async function page(client: ClickHouseClient, where: string, query_params: Record<string, unknown>): Promise<MaskedEvent[]> {
  const rs = await client.query({
    query: `SELECT ${COLUMNS} FROM complaints.ticket_events WHERE ${where}`,
    query_params,
    format: 'TabSeparated',
  });
  return parseRows(await rs.text());
}

/** TabSeparated rows of COLUMNS → events; exported for tests. */
export function parseRows(text: string): MaskedEvent[] {
  const out: MaskedEvent[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end > start) out.push(toMaskedEvent(text.slice(start, end).split('\t')));
    start = end + 1;
  }
  return out;
}

/** TabSeparated escapes \t, \n, \\ and a few more inside values; ids may contain them. */
function unescape(v: string): string {
  if (!v.includes('\\')) return v;
  return v.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r', '0': '\0', b: '\b', f: '\f' })[c] ?? c);
}

function toMaskedEvent(f: string[]): MaskedEvent {
  const outcome = f[7] ?? '';
  const complaintType = unescape(f[5] ?? '');
  return {
    eventId: unescape(f[0] ?? ''),
    ticketId: unescape(f[1] ?? ''),
    kind: f[2] as EventKind,
    occurredAt: '',
    occurredAtMs: Number(f[3]),
    branch: unescape(f[4] ?? ''),
    complaintType,
    reportedType: complaintType,
    customerHash: f[6] ?? '',
    customerMasked: {},
    outcome: outcome === '' ? undefined : (outcome as Outcome),
  };
}
