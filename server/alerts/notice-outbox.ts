import type { ClickHouseClient } from '@clickhouse/client';
import { chTime } from '../../pipelines/sinks/clickhouse-time.ts';
import { tsvInserter, tsvString } from '../../pipelines/sinks/clickhouse-tsv.ts';
import type { GatewayMessage } from './gateway-notice.ts';
import { lateNoticeData, type LateNoticeContext } from './late-notice.ts';

// ClickHouse I/O of the gateway notices' outbox (sql/031_alert_notices.sql). The notices are
// written before the audit rows of the changes they announce, so a change the store holds always
// has its notice there too; a notice the broker took is marked sent. What is written and never
// marked is what a crash or a lost lease kept from the people on call.

/** how far back a start sends again what was never marked sent: a day-old notice still reaches the person on call */
export const RESEND_WITHIN_MS = 24 * 3600_000;
/** at most this many are sent again at one start (the oldest first); the rest at the next */
export const RESEND_AT_MOST = 10_000;

export interface OutboxRow {
  notice_id: string;
  state: 'written' | 'sent' | 'dropped';
  at: string;
  /** its place in its write: notices written together share `at` */
  seq: number;
  subject: string;
  message: string;
}

export const writtenRow = (m: GatewayMessage, atMs: number, seq = 0): OutboxRow => ({ notice_id: m.id, state: 'written', at: chTime(atMs), seq, subject: m.subject, message: m.data });
export const sentRow = (m: Pick<GatewayMessage, 'id'>, atMs: number, state: 'sent' | 'dropped' = 'sent'): OutboxRow => ({ notice_id: m.id, state, at: chTime(atMs), seq: 0, subject: '', message: '' });

const COLUMNS = ['notice_id', 'state', 'at', 'seq', 'subject', 'message'] as const satisfies ReadonlyArray<keyof OutboxRow>;
/** bytes of message text per insert: a start over millions of events writes thousands of notices */
const SLICE_BYTES = 1 << 20;

export function outboxTsv(rows: readonly OutboxRow[]): Buffer {
  let text = '';
  for (const r of rows) text += `${tsvString(r.notice_id)}\t${r.state}\t${r.at}\t${r.seq}\t${tsvString(r.subject)}\t${tsvString(r.message)}\n`;
  return Buffer.from(text, 'utf8');
}

export async function writeOutbox(client: ClickHouseClient, rows: readonly OutboxRow[]): Promise<void> {
  const insert = tsvInserter(client);
  for (let from = 0; from < rows.length; ) {
    let to = from;
    for (let bytes = 0; to < rows.length && bytes < SLICE_BYTES; to++) bytes += 100 + rows[to]!.message.length;
    await insert({ table: 'complaints.alert_notices', columns: COLUMNS, body: outboxTsv(rows.slice(from, to)) });
    from = to;
    if (from < rows.length) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A notice written and never marked, with when it was written. */
export interface UnsentNotice extends GatewayMessage {
  writtenAtMs: number;
}

export interface Unsent {
  messages: UnsentNotice[];
  /** written and never marked, beyond RESEND_AT_MOST: left for the next start */
  more: number;
}

/** What was written since `sinceMs` and never marked sent or dropped, oldest first. */
export async function loadUnsent(client: ClickHouseClient, sinceMs: number, atMost = RESEND_AT_MOST): Promise<Unsent> {
  const rs = await client.query({
    query: `SELECT notice_id, anyIf(subject, state = 'written'), anyIf(message, state = 'written'),
                   toString(toUnixTimestamp64Milli(min(at))), count() OVER () AS total
            FROM complaints.alert_notices
            WHERE at >= parseDateTime64BestEffort({since:String}, 3, 'UTC')
            GROUP BY notice_id
            HAVING countIf(state != 'written') = 0 AND countIf(state = 'written') > 0
            ORDER BY min(at), min(seq), notice_id
            LIMIT {atMost:UInt32}`,
    query_params: { since: chTime(sinceMs), atMost },
    format: 'JSONCompactEachRow',
  });
  const rows = await rs.json<[string, string, string, string, string]>();
  const messages = rows.map(([id, subject, data, atMs]) => ({ id, subject, data, writtenAtMs: Number(atMs) }));
  return { messages, more: rows.length ? Number(rows[0]![4]) - rows.length : 0 };
}

/** the alert a notice is of, and the history lines it announces */
function announced(m: GatewayMessage): { alertId: string; entryIds: string[] } {
  try {
    const body = JSON.parse(m.data) as { id?: unknown; change?: Array<{ id?: unknown }> };
    return { alertId: String(body.id ?? ''), entryIds: (body.change ?? []).map((c) => String(c.id ?? '')) };
  } catch {
    return { alertId: '', entryIds: [] };
  }
}

export interface Sorted {
  /** to send again, oldest first, each marked as a late copy */
  resend: GatewayMessage[];
  /** never to send: the change never reached alert_log */
  unlogged: UnsentNotice[];
  /** never to send: a later notice of the same alert was sent since */
  superseded: UnsentNotice[];
}

/**
 * Which unsent notices a start sends again. One whose change never reached the
 * audit log announces what did not happen (the outbox is written just before the audit rows: a
 * person's action whose row was never written was refused, a rule's change is derived again and
 * sent anew). One older than a notice of the same alert that was sent would page people for a
 * state already gone. The rest go out late (late-notice.ts): `resent: true`, 【补发】 before their
 * words, when they were written, and the people the plan in force has on call for their level.
 */
export async function sortUnsent(client: ClickHouseClient, messages: readonly UnsentNotice[], sinceMs: number, late?: LateNoticeContext): Promise<Sorted> {
  const facts = messages.map(announced);
  const alerts = [...new Set(facts.map((f) => f.alertId))];
  const entries = [...new Set(facts.flatMap((f) => f.entryIds))];
  const logged = new Set<string>();
  const rs = await client.query({
    query: `SELECT DISTINCT alert_id, entry_id FROM complaints.alert_log WHERE alert_id IN {alerts:Array(String)} AND entry_id IN {entries:Array(String)}`,
    query_params: { alerts, entries },
    format: 'JSONCompactEachRow',
  });
  for (const [alertId, entryId] of await rs.json<[string, string]>()) logged.add(`${alertId}\n${entryId}`);
  const sent = await client.query({
    query: `SELECT JSONExtractString(message, 'id') AS alert, toString(toUnixTimestamp64Milli(max(at)))
            FROM complaints.alert_notices
            WHERE state = 'written' AND at >= parseDateTime64BestEffort({since:String}, 3, 'UTC')
              AND notice_id IN (SELECT notice_id FROM complaints.alert_notices WHERE state = 'sent' AND at >= parseDateTime64BestEffort({since:String}, 3, 'UTC'))
              AND JSONExtractString(message, 'id') IN {alerts:Array(String)}
            GROUP BY alert`,
    query_params: { since: chTime(sinceMs), alerts },
    format: 'JSONCompactEachRow',
  });
  const lastSent = new Map((await sent.json<[string, string]>()).map(([alert, atMs]) => [alert, Number(atMs)]));
  const sorted: Sorted = { resend: [], unlogged: [], superseded: [] };
  messages.forEach((m, i) => {
    const { alertId, entryIds } = facts[i]!;
    if (entryIds.length === 0 || entryIds.some((id) => !logged.has(`${alertId}\n${id}`))) sorted.unlogged.push(m);
    else if ((lastSent.get(alertId) ?? -Infinity) > m.writtenAtMs) sorted.superseded.push(m);
    else sorted.resend.push({ id: m.id, subject: m.subject, data: lateNoticeData(m.data, m.writtenAtMs, late) });
  });
  return sorted;
}
