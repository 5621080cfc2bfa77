import type { ClickHouseClient } from '@clickhouse/client';
import { maskText } from '../pipelines/transforms/mask-text.ts';
import { toZonedIso } from './time.ts';

// GET /api/dead-letters reads the dead-letter store directly: newest first, with the total.
// Payloads and reasons are stored masked, so payloads are shown as stored; reasons are masked
// again on the way out, for rows kept before reasons were (audit CI C2).

/**
 * The dead letters, each once: FINAL folds a message dead-lettered again (same stream, same
 * sequence), and a row written before sql/035 (stream_created 1970) is left out where the same
 * message was dead-lettered again after it, under the stream's real making (a redelivery across
 * the upgrade would otherwise count twice).
 */
export const DEAD_LETTERS = `(SELECT * FROM complaints.dead_letters FINAL
  WHERE NOT (toUnixTimestamp64Milli(stream_created) = 0
             AND (stream_seq, subject, payload) IN (SELECT stream_seq, subject, payload FROM complaints.dead_letters FINAL WHERE toUnixTimestamp64Milli(stream_created) != 0)))`;

/** How many dead letters the store holds, and the highest stream sequence among them (health's
 *  total starts from these, and counts only new sequences after them). */
export async function storedDeadLetters(clickhouse: ClickHouseClient): Promise<{ count: number; maxSeq: number }> {
  const [row] = await (await clickhouse.query({ query: `SELECT count() AS n, max(stream_seq) AS seq FROM ${DEAD_LETTERS}`, format: 'JSONEachRow' })).json<{ n: string; seq: string }>();
  return { count: Number(row?.n ?? 0), maxSeq: Number(row?.seq ?? 0) };
}

/**
 * Health's dead-letter total: the store's own count (FINAL: a message dead-lettered again after a
 * crash is one row), read again when this process has dead-lettered since, or after a minute;
 * the monitor's running estimate while the store does not answer.
 */
export class StoredDeadLetterCount {
  private cached?: { count: number; sinceStart: number; atMs: number };

  async read(clickhouse: ClickHouseClient, sinceStart: number, estimate: number, nowMs: number): Promise<number> {
    const c = this.cached;
    if (c && c.sinceStart === sinceStart && nowMs - c.atMs < 60_000) return c.count;
    try {
      const { count } = await storedDeadLetters(clickhouse);
      this.cached = { count, sinceStart, atMs: nowMs };
      return count;
    } catch {
      return estimate;
    }
  }
}

export async function readDeadLetters(clickhouse: ClickHouseClient, timezone: string, limit: number, offset: number) {
  const [items, total] = await Promise.all([
    clickhouse.query({
      query: `SELECT toUnixTimestamp64Milli(received_at) AS at, code, reason, subject, stream_seq, payload
              FROM ${DEAD_LETTERS}
              ORDER BY received_at DESC, stream_seq DESC
              LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
      query_params: { limit, offset },
      format: 'JSONEachRow',
    }),
    clickhouse.query({ query: `SELECT count() AS n FROM ${DEAD_LETTERS}`, format: 'JSONEachRow' }),
  ]);
  type Row = { at: string; code: string; reason: string; subject: string; stream_seq: string; payload: string };
  const rows = await items.json<Row>();
  const [{ n }] = (await total.json<{ n: string }>()) as [{ n: string }];
  return {
    total: Number(n),
    items: rows.map((r) => ({
      receivedAt: toZonedIso(Number(r.at), timezone),
      reason: maskText(r.reason),
      code: r.code,
      subject: r.subject,
      streamSeq: Number(r.stream_seq),
      payload: r.payload,
    })),
  };
}

/**
 * GET /api/dead-letters/summary: what went wrong in the last `hours`, grouped, for triage when
 * the wall's dead-letter pill turns red — which reasons (by code, with one reason as worded),
 * and which subjects (the intake behind complaints.tickets.<branch>), since when.
 */
export async function summarizeDeadLetters(clickhouse: ClickHouseClient, timezone: string, hours: number, nowMs: number) {
  const params = { since: nowMs - hours * 3_600_000 };
  const where = 'received_at >= fromUnixTimestamp64Milli(toInt64({since:Int64}))';
  const [byCode, bySubject] = await Promise.all([
    clickhouse.query({
      query: `SELECT code, count() AS n, any(reason) AS example, toUnixTimestamp64Milli(min(received_at)) AS first, toUnixTimestamp64Milli(max(received_at)) AS last
              FROM ${DEAD_LETTERS} WHERE ${where} GROUP BY code ORDER BY n DESC, code`,
      query_params: params,
      format: 'JSONEachRow',
    }),
    clickhouse.query({
      query: `SELECT subject, count() AS n, toUnixTimestamp64Milli(max(received_at)) AS last
              FROM ${DEAD_LETTERS} WHERE ${where} GROUP BY subject ORDER BY n DESC, subject LIMIT 100`,
      query_params: params,
      format: 'JSONEachRow',
    }),
  ]);
  const at = (ms: string) => toZonedIso(Number(ms), timezone);
  const codes = await byCode.json<{ code: string; n: string; example: string; first: string; last: string }>();
  const subjects = await bySubject.json<{ subject: string; n: string; last: string }>();
  return {
    hours,
    total: codes.reduce((n, c) => n + Number(c.n), 0),
    byCode: codes.map((c) => ({ code: c.code, count: Number(c.n), example: maskText(c.example), first: at(c.first), last: at(c.last) })),
    bySubject: subjects.map((s) => ({ subject: s.subject, count: Number(s.n), last: at(s.last) })),
  };
}
