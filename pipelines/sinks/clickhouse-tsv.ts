import type { ClickHouseClient } from '@clickhouse/client';
import { Readable } from 'node:stream';
import { ByteWriter } from './byte-writer.ts';
import type { StoredEvent } from './clickhouse.ts';

// The event rows as one TabSeparated text, built straight from the events: no row objects, no
// JSON, one string per batch. About a third of the main-thread time of the client's JSONEachRow
// encoder, and the engine parses it faster too. Round trip (tabs, newlines, backslashes,
// quotes, Chinese, NULLs, maps) is proven against the real engine in clickhouse-tsv.test.ts.

export const EVENT_COLUMNS = [
  'event_id', 'ticket_id', 'kind', 'occurred_at', 'occurred_at_text', 'branch', 'complaint_type',
  'reported_type', 'customer_hash', 'customer_masked', 'channel', 'outcome', 'escalation', 'text',
  'satisfaction', 'tags', 'classifier_model', 'classifier_confidence', 'needs_review', 'stream_seq',
  'received_at',
] as const;

const TSV_SPECIAL = /[\\\t\n\r\0]/;
const TSV_SPECIAL_ALL = /[\\\t\n\r\0]/g;
const TSV_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

/** A String field of TabSeparated: backslash, tab, newline, CR and NUL escaped. */
export function tsvString(s: string): string {
  return TSV_SPECIAL.test(s) ? s.replace(TSV_SPECIAL_ALL, (c) => TSV_ESCAPES[c]!) : s;
}

const QUOTED_SPECIAL = /[\\'\t\n\r\0]/;
const QUOTED_SPECIAL_ALL = /[\\'\t\n\r\0]/g;
const QUOTED_ESCAPES: Record<string, string> = { ...TSV_ESCAPES, "'": "\\'" };

/** A quoted string inside a composite value ('…' in a Map): quote and control characters escaped. */
function quoted(s: string): string {
  return `'${QUOTED_SPECIAL.test(s) ? s.replace(QUOTED_SPECIAL_ALL, (c) => QUOTED_ESCAPES[c]!) : s}'`;
}

/**
 * Map(String, String) in TabSeparated: the text form {'k':'v',…}. The engine parses the literal
 * straight from the field (no TSV unescaping first), and its quoted strings escape tab and
 * newline themselves, so the literal is written as it is.
 */
export function tsvMap(tags: Readonly<Record<string, string>> | undefined): string {
  if (tags === undefined) return '{}';
  let out = '{';
  for (const k in tags) {
    if (out.length > 1) out += ',';
    out += `${quoted(k)}:${quoted(tags[k]!)}`;
  }
  return `${out}}`;
}

/**
 * DateTime64(3) as epoch seconds with milliseconds (1740794400.123): no Date, no calendar.
 * Instants before 2001-09-09 (ten-digit seconds) are written as UTC text, where a short or
 * negative number could be read otherwise.
 */
export function tsvTime(ms: number): string {
  if (!(ms >= 1e12)) {
    const iso = new Date(ms).toISOString();
    return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
  }
  const s = Math.floor(ms / 1000);
  const frac = ms - s * 1000;
  return `${s}.${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}`;
}

/** The customer_masked column's JSON; the common case, nothing masked to show, without a JSON.stringify. */
export function customerMaskedJson(c: StoredEvent['event']['customerMasked']): string {
  for (const _ in c) return JSON.stringify(c);
  return '{}';
}

const maskedCustomer = (c: StoredEvent['event']['customerMasked']): string => tsvString(customerMaskedJson(c));

/** One row of EVENT_COLUMNS, newline-terminated. */
export function eventTsvRow({ event: e, streamSeq, receivedAtMs }: StoredEvent): string {
  const c = e.classification;
  return (
    `${tsvString(e.eventId)}\t${tsvString(e.ticketId)}\t${e.kind}\t${tsvTime(Math.floor(e.occurredAtMs))}\t${tsvString(e.occurredAt)}\t` +
    `${tsvString(e.branch)}\t${tsvString(e.complaintType)}\t${tsvString(e.reportedType)}\t${e.customerHash}\t` +
    `${maskedCustomer(e.customerMasked)}\t${tsvString(e.channel ?? '')}\t${e.outcome ?? ''}\t${e.escalation ?? ''}\t` +
    `${e.text === undefined ? '' : tsvString(e.text)}\t${e.satisfaction ?? '\\N'}\t${tsvMap(e.tags)}\t` +
    `${c ? tsvString(c.modelVersion) : ''}\t${c ? c.confidence : '\\N'}\t${c?.needsReview ? 1 : 0}\t${streamSeq}\t${tsvTime(receivedAtMs)}\n`
  );
}

/**
 * The rows as UTF-8 bytes, exactly `rows.map(eventTsvRow).join('')`, written field by field into
 * one growing buffer: building each row as a string first allocated ~1.7 KB per event (a rope of
 * forty pieces, then its flat copy), the largest share of the pipeline's garbage.
 */
export function eventsTsv(rows: readonly StoredEvent[]): Buffer {
  const w = new TsvWriter(Math.max(1024, rows.length * 320));
  for (const r of rows) w.row(r);
  return w.bytes();
}

const TAB = 9;
const NEWLINE = 10;
/** what follows the backslash for each ASCII byte tsvString escapes (0: none) */
const ESCAPED_BYTE = new Uint8Array(128);
ESCAPED_BYTE[92] = 92; // \\
ESCAPED_BYTE[9] = 116; // \t
ESCAPED_BYTE[10] = 110; // \n
ESCAPED_BYTE[13] = 114; // \r
ESCAPED_BYTE[0] = 48; // \0

class TsvWriter extends ByteWriter {
  row({ event: e, streamSeq, receivedAtMs }: StoredEvent): void {
    const c = e.classification;
    const masked = maskedCustomer(e.customerMasked);
    const tags = tsvMap(e.tags);
    const text = e.text ?? '';
    const model = c ? c.modelVersion : '';
    // an escaped character takes two UTF-16 units, each at most three UTF-8 bytes
    const longest =
      e.eventId.length + e.ticketId.length + e.occurredAt.length + e.branch.length + e.complaintType.length + e.reportedType.length +
      e.customerHash.length + (e.channel?.length ?? 0) + text.length + model.length;
    this.reserve(6 * longest + 3 * (masked.length + tags.length) + 256);
    this.text(e.eventId);
    this.tab();
    this.text(e.ticketId);
    this.tab();
    this.raw(e.kind);
    this.tab();
    this.time(Math.floor(e.occurredAtMs)); // milliseconds; finer times live in occurred_at_text
    this.tab();
    this.text(e.occurredAt);
    this.tab();
    this.text(e.branch);
    this.tab();
    this.text(e.complaintType);
    this.tab();
    this.text(e.reportedType);
    this.tab();
    this.raw(e.customerHash);
    this.tab();
    this.raw(masked);
    this.tab();
    this.text(e.channel ?? '');
    this.tab();
    this.raw(e.outcome ?? '');
    this.tab();
    this.raw(e.escalation ?? '');
    this.tab();
    this.text(text);
    this.tab();
    this.raw(e.satisfaction == null ? '\\N' : String(e.satisfaction));
    this.tab();
    this.raw(tags);
    this.tab();
    this.text(model);
    this.tab();
    this.raw(c ? String(c.confidence) : '\\N');
    this.tab();
    this.buf[this.used++] = c?.needsReview ? 49 : 48;
    this.tab();
    this.raw(String(streamSeq));
    this.tab();
    this.time(receivedAtMs);
    this.buf[this.used++] = NEWLINE;
  }

  private tab(): void {
    this.buf[this.used++] = TAB;
  }

  /**
   * Short ASCII strings (ids, codes, hashes: most fields) are copied byte by byte here, which
   * costs less than a call into the UTF-8 encoder each; anything else goes to the encoder.
   */
  private raw(s: string): void {
    const n = s.length;
    if (n > 64) {
      this.used += this.buf.write(s, this.used);
      return;
    }
    const b = this.buf;
    let at = this.used;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.used = at + b.write(i === 0 ? s : s.slice(i), at);
        return;
      }
      b[at++] = c;
    }
    this.used = at;
  }

  /** a String field: raw, with TabSeparated's escapes (as tsvString) */
  private text(s: string): void {
    const n = s.length;
    if (n > 64) {
      this.raw(tsvString(s));
      return;
    }
    const b = this.buf;
    let at = this.used;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.used = at;
        this.raw(tsvString(i === 0 ? s : s.slice(i)));
        return;
      }
      const escaped = ESCAPED_BYTE[c]!;
      if (escaped !== 0) {
        b[at++] = 92; // backslash
        b[at++] = escaped;
      } else {
        b[at++] = c;
      }
    }
    this.used = at;
  }

  /** tsvTime without its string: seconds, a dot, three digits of milliseconds */
  private time(ms: number): void {
    if (!(ms >= 1e12) || !Number.isSafeInteger(ms)) {
      this.raw(tsvTime(ms));
      return;
    }
    const seconds = Math.floor(ms / 1000);
    const frac = ms - seconds * 1000;
    this.digits(seconds);
    const b = this.buf;
    let at = this.used;
    b[at++] = 46; // .
    b[at++] = 48 + Math.floor(frac / 100);
    b[at++] = 48 + (Math.floor(frac / 10) % 10);
    b[at++] = 48 + (frac % 10);
    this.used = at;
  }

  private digits(n: number): void {
    let len = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) len++;
    let at = this.used + len;
    this.used = at;
    do {
      this.buf[--at] = 48 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
  }
}

export interface TsvInsert {
  table: string;
  columns: readonly string[];
  /** TabSeparated rows, UTF-8 */
  body: Buffer;
}

export type TsvInserter = (insert: TsvInsert) => Promise<void>;

/** The embedded engine's raw insert, registered by whoever opened it (server/clickhouse.ts). */
const rawInserters = new WeakMap<ClickHouseClient, TsvInserter>();

export function registerTsvInserter(client: ClickHouseClient, insert: TsvInserter): void {
  rawInserters.set(client, insert);
}

/**
 * How TabSeparated rows reach this client: the embedded engine's raw insert (the bytes go to
 * the engine as they are) when one is registered, else the client's ordinary insert (server).
 */
export function tsvInserter(client: ClickHouseClient): TsvInserter {
  return (
    rawInserters.get(client) ??
    (async ({ table, columns, body }) => {
      await client.insert({ table, columns: [...columns] as [string, ...string[]], values: Readable.from([body], { objectMode: false }), format: 'TabSeparated' });
    })
  );
}
