import { ByteWriter } from './byte-writer.ts';
import type { StoredEvent } from './clickhouse.ts';
import { customerMaskedJson, EVENT_COLUMNS } from './clickhouse-tsv.ts';

// The event rows as one block of ClickHouse's Native format: the live journal's file format.
// Native is columnar and binary, so the engine reads it without parsing text: moving a journal
// file of 20,000 rows into ticket_events cost the embedded engine ~2.5 µs of CPU per row against
// ~6–7 µs from TabSeparated (bench/RESULTS.md, sixth session). Writing it costs the pipeline no
// more than TabSeparated did: no escapes, times and numbers as plain little-endian integers.
//
// A block is: column count and row count (unsigned LEB128), then per column its name, its type
// and its values. LowCardinality columns are sent as String, which the engine converts on insert
// (a LowCardinality dictionary is not worth building here). Round trip of every column against
// the real engine: clickhouse-native.test.ts.

/** The types the block declares, in EVENT_COLUMNS order. */
export const NATIVE_TYPES: Readonly<Record<(typeof EVENT_COLUMNS)[number], string>> = {
  event_id: 'String',
  ticket_id: 'String',
  kind: 'String',
  occurred_at: "DateTime64(3, 'UTC')",
  occurred_at_text: 'String',
  branch: 'String',
  complaint_type: 'String',
  reported_type: 'String',
  customer_hash: 'String',
  customer_masked: 'String',
  channel: 'String',
  outcome: 'String',
  escalation: 'String',
  text: 'String',
  satisfaction: 'Nullable(UInt8)',
  tags: 'Map(String, String)',
  classifier_model: 'String',
  classifier_confidence: 'Nullable(Float32)',
  needs_review: 'UInt8',
  stream_seq: 'UInt64',
  received_at: "DateTime64(3, 'UTC')",
};

/**
 * The rows as one Native block (an empty batch is no block at all). Each column is a loop of its
 * own over the rows, reading one field: a shared helper taking a field-picking function made
 * every pick a call the compiler could not inline, and cost twice as much.
 *
 * With `reuse`, the block is written into that writer's buffer (and is valid until its next
 * use): a fresh buffer of a megabyte or more per batch cost ~0.3 µs an event in page faults.
 */
export function eventsNative(rows: readonly StoredEvent[], reuse?: NativeWriter): Buffer {
  const n = rows.length;
  const size = Math.max(1024, n * 400);
  const w = reuse ?? new NativeWriter(size);
  w.reset(size);
  if (n === 0) return w.bytes();
  w.varUInt(EVENT_COLUMNS.length);
  w.varUInt(n);
  w.header('event_id', 'String');
  for (let i = 0; i < n; i++) w.string(rows[i]!.event.eventId);
  w.header('ticket_id', 'String');
  for (let i = 0; i < n; i++) w.string(rows[i]!.event.ticketId);
  w.header('kind', 'String');
  for (let i = 0; i < n; i++) w.string(rows[i]!.event.kind);
  w.header('occurred_at', NATIVE_TYPES.occurred_at);
  w.reserve(8 * n);
  for (let i = 0; i < n; i++) w.int64(rows[i]!.event.occurredAtMs);
  w.header('occurred_at_text', 'String');
  for (let i = 0; i < n; i++) w.string(rows[i]!.event.occurredAt);
  w.header('branch', 'String');
  for (let i = 0; i < n; i++) w.string(rows[i]!.event.branch);
  w.header('complaint_type', 'String');
  for (let i = 0; i < n; i++) w.string(rows[i]!.event.complaintType);
  w.header('reported_type', 'String');
  for (let i = 0; i < n; i++) w.string(rows[i]!.event.reportedType);
  w.header('customer_hash', 'String');
  for (let i = 0; i < n; i++) w.string(rows[i]!.event.customerHash);
  w.header('customer_masked', 'String');
  for (let i = 0; i < n; i++) w.string(customerMaskedJson(rows[i]!.event.customerMasked));
  w.header('channel', 'String');
  for (let i = 0; i < n; i++) w.string(rows[i]!.event.channel ?? '');
  w.header('outcome', 'String');
  for (let i = 0; i < n; i++) w.string(rows[i]!.event.outcome ?? '');
  w.header('escalation', 'String');
  for (let i = 0; i < n; i++) w.string(rows[i]!.event.escalation ?? '');
  w.header('text', 'String');
  for (let i = 0; i < n; i++) w.string(rows[i]!.event.text ?? '');

  // Nullable: the null map (1 = NULL) for every row, then a value for every row
  w.header('satisfaction', NATIVE_TYPES.satisfaction);
  w.reserve(2 * n);
  for (let i = 0; i < n; i++) w.byte(rows[i]!.event.satisfaction == null ? 1 : 0);
  for (let i = 0; i < n; i++) w.byte(rows[i]!.event.satisfaction ?? 0);

  // Map(String, String) is Array(Tuple(String, String)): cumulative entry counts, all keys, all values
  w.header('tags', NATIVE_TYPES.tags);
  w.reserve(8 * n);
  let entries = 0;
  for (let i = 0; i < n; i++) {
    for (const _ in rows[i]!.event.tags) entries++;
    w.int64(entries);
  }
  for (let i = 0; i < n; i++) for (const k in rows[i]!.event.tags) w.string(k);
  for (let i = 0; i < n; i++) {
    const tags = rows[i]!.event.tags!;
    for (const k in tags) w.string(tags[k]!);
  }

  w.header('classifier_model', 'String');
  for (let i = 0; i < n; i++) w.string(rows[i]!.event.classification?.modelVersion ?? '');
  w.header('classifier_confidence', NATIVE_TYPES.classifier_confidence);
  w.reserve(5 * n);
  for (let i = 0; i < n; i++) w.byte(rows[i]!.event.classification ? 0 : 1);
  for (let i = 0; i < n; i++) w.float32(rows[i]!.event.classification?.confidence ?? 0);
  w.header('needs_review', NATIVE_TYPES.needs_review);
  w.reserve(n);
  for (let i = 0; i < n; i++) w.byte(rows[i]!.event.classification?.needsReview ? 1 : 0);
  w.header('stream_seq', NATIVE_TYPES.stream_seq);
  w.reserve(8 * n);
  for (let i = 0; i < n; i++) w.int64(rows[i]!.streamSeq);
  w.header('received_at', NATIVE_TYPES.received_at);
  w.reserve(8 * n);
  for (let i = 0; i < n; i++) w.int64(rows[i]!.receivedAtMs);
  return w.bytes();
}

const TWO_TO_32 = 2 ** 32;

export class NativeWriter extends ByteWriter {
  header(name: string, type: string): void {
    this.string(name);
    this.string(type);
  }

  /** unsigned LEB128, as the engine writes sizes */
  varUInt(n: number): void {
    this.reserve(10);
    const b = this.buf;
    let at = this.used;
    while (n >= 0x80) {
      b[at++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    b[at++] = n;
    this.used = at;
  }

  /** length in UTF-8 bytes, then the bytes; ASCII (ids, codes, hashes: most fields) copied byte by byte */
  string(s: string): void {
    const n = s.length;
    if (n < 128) {
      this.reserve(1 + 3 * n);
      const b = this.buf;
      let at = this.used + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[at++] = c;
      }
      if (i === n) {
        b[this.used] = n;
        this.used = at;
        return;
      }
    }
    const bytes = Buffer.byteLength(s);
    this.varUInt(bytes);
    this.reserve(bytes);
    this.used += this.buf.write(s, this.used);
  }

  byte(n: number): void {
    this.buf[this.used++] = n;
  }

  /** a safe integer as Int64 (also UInt64 below 2^53), little-endian, without a BigInt */
  int64(n: number): void {
    const high = Math.floor(n / TWO_TO_32);
    this.buf.writeUInt32LE(n - high * TWO_TO_32, this.used);
    this.buf.writeInt32LE(high, this.used + 4);
    this.used += 8;
  }

  float32(x: number): void {
    this.buf.writeFloatLE(x, this.used);
    this.used += 4;
  }
}

/**
 * The length of the whole Native blocks at the start of `buf`: a write cut short (a crash, a
 * full disk) leaves part of a block at the end, which the journal cuts off. Walks only the types
 * eventsNative writes; anything else ends the whole part there.
 */
export function wholeNativeBlocks(buf: Uint8Array): number {
  let whole = 0;
  const r = new BlockReader(buf);
  try {
    while (r.at < buf.length) {
      const columns = r.varUInt();
      const rows = r.varUInt();
      for (let c = 0; c < columns; c++) {
        r.string();
        r.skipColumn(r.string(), rows);
      }
      whole = r.at;
    }
  } catch (err) {
    if (!(err instanceof CutShort)) throw err;
  }
  return whole;
}

class CutShort extends Error {}

class BlockReader {
  at = 0;
  private readonly decoder = new TextDecoder();
  constructor(private readonly buf: Uint8Array) {}

  private need(bytes: number): void {
    if (this.at + bytes > this.buf.length) throw new CutShort();
  }

  varUInt(): number {
    let n = 0;
    for (let scale = 1; ; scale *= 0x80) {
      this.need(1);
      const b = this.buf[this.at++]!;
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      if (scale > 2 ** 49) throw new CutShort();
    }
  }

  string(): string {
    const n = this.varUInt();
    this.need(n);
    const s = this.decoder.decode(this.buf.subarray(this.at, this.at + n));
    this.at += n;
    return s;
  }

  private skipStrings(count: number): void {
    for (let i = 0; i < count; i++) {
      const n = this.varUInt();
      this.need(n);
      this.at += n;
    }
  }

  private skip(bytes: number): void {
    this.need(bytes);
    this.at += bytes;
  }

  skipColumn(type: string, rows: number): void {
    const fixed: Record<string, number> = { UInt8: 1, UInt64: 8, Float32: 4, [NATIVE_TYPES.occurred_at]: 8 };
    if (type === 'String') return this.skipStrings(rows);
    if (fixed[type] !== undefined) return this.skip(fixed[type]! * rows);
    const nullable = /^Nullable\((.+)\)$/.exec(type);
    if (nullable) {
      this.skip(rows);
      return this.skipColumn(nullable[1]!, rows);
    }
    if (type === NATIVE_TYPES.tags) {
      this.skip(8 * rows);
      const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.at - 8, 8);
      const entries = rows === 0 ? 0 : view.getUint32(0, true) + view.getUint32(4, true) * TWO_TO_32;
      this.skipStrings(entries);
      return this.skipStrings(entries);
    }
    throw new CutShort();
  }
}
