import type { ClickHouseClient } from '@clickhouse/client';
import { toZonedIso } from './time.ts';

// GET /api/dead-letters reads the dead-letter store directly: newest first, with the total.
// Payloads are stored masked, so they are shown as stored.

export async function readDeadLetters(clickhouse: ClickHouseClient, timezone: string, limit: number, offset: number) {
  const [items, total] = await Promise.all([
    clickhouse.query({
      query: `SELECT toUnixTimestamp64Milli(received_at) AS at, code, reason, subject, stream_seq, payload
              FROM complaints.dead_letters FINAL
              ORDER BY received_at DESC, stream_seq DESC
              LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
      query_params: { limit, offset },
      format: 'JSONEachRow',
    }),
    clickhouse.query({ query: 'SELECT count() AS n FROM complaints.dead_letters FINAL', format: 'JSONEachRow' }),
  ]);
  type Row = { at: string; code: string; reason: string; subject: string; stream_seq: string; payload: string };
  const rows = await items.json<Row>();
  const [{ n }] = (await total.json<{ n: string }>()) as [{ n: string }];
  return {
    total: Number(n),
    items: rows.map((r) => ({
      receivedAt: toZonedIso(Number(r.at), timezone),
      reason: r.reason,
      code: r.code,
      subject: r.subject,
      streamSeq: Number(r.stream_seq),
      payload: r.payload,
    })),
  };
}
