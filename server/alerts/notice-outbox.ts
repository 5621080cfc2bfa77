import type { ClickHouseClient } from '@clickhouse/client';
import { chTime } from '../../pipelines/sinks/clickhouse.ts';
import { tsvInserter, tsvString } from '../../pipelines/sinks/clickhouse-tsv.ts';
import type { GatewayMessage } from './gateway-notice.ts';

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
  state: 'written' | 'sent';
  at: string;
  subject: string;
  message: string;
}

export const writtenRow = (m: GatewayMessage, atMs: number): OutboxRow => ({ notice_id: m.id, state: 'written', at: chTime(atMs), subject: m.subject, message: m.data });
export const sentRow = (m: GatewayMessage, atMs: number): OutboxRow => ({ notice_id: m.id, state: 'sent', at: chTime(atMs), subject: '', message: '' });

const COLUMNS = ['notice_id', 'state', 'at', 'subject', 'message'] as const satisfies ReadonlyArray<keyof OutboxRow>;
/** bytes of message text per insert: a start over millions of events writes thousands of notices */
const SLICE_BYTES = 1 << 20;

export function outboxTsv(rows: readonly OutboxRow[]): Buffer {
  let text = '';
  for (const r of rows) text += `${tsvString(r.notice_id)}\t${r.state}\t${r.at}\t${tsvString(r.subject)}\t${tsvString(r.message)}\n`;
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

export interface Unsent {
  messages: GatewayMessage[];
  /** written and never marked, beyond RESEND_AT_MOST: left for the next start */
  more: number;
}

/** What was written since `sinceMs` and never marked sent, oldest first. */
export async function loadUnsent(client: ClickHouseClient, sinceMs: number, atMost = RESEND_AT_MOST): Promise<Unsent> {
  const rs = await client.query({
    query: `SELECT notice_id, anyIf(subject, state = 'written'), anyIf(message, state = 'written'), count() OVER () AS total
            FROM complaints.alert_notices
            WHERE at >= parseDateTime64BestEffort({since:String}, 3, 'UTC')
            GROUP BY notice_id
            HAVING countIf(state = 'sent') = 0 AND countIf(state = 'written') > 0
            ORDER BY min(at), notice_id
            LIMIT {atMost:UInt32}`,
    query_params: { since: chTime(sinceMs), atMost },
    format: 'JSONCompactEachRow',
  });
  const rows = await rs.json<[string, string, string, string]>();
  const messages = rows.map(([id, subject, data]) => ({ id, subject, data }));
  return { messages, more: rows.length ? Number(rows[0]![3]) - rows.length : 0 };
}
