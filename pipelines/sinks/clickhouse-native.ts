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
 * The rows as one Native block (an empty batch is no block at all).
 *
 * The rows are read once, row by row, each value appended to its column's own writer; the
 * columns are then joined into the block. Reading them column by column (a loop per column over
 * all rows) went through a batch's thousands of event objects 21 times, long after they had left
 * the processor's caches: 1.1–1.5 µs an event, against 0.76–0.84 this way (same bytes;
 * bench/RESULTS.md, tenth session). Each value is written inline, not through a field-picking helper, which the
 * compiler could not inline and which cost twice as much.
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
  const parts = columnParts();
  const { eventId, ticketId, kind, occurredAt, occurredAtText, branch, complaintType, reportedType, customerHash, customerMasked } = parts;
  const { channel, outcome, escalation, text, satisfactionNulls, satisfaction, tagOffsets, tagKeys, tagValues } = parts;
  const { model, confidenceNulls, confidence, needsReview, streamSeq, receivedAt } = parts;
  let tagEntries = 0;
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    const e = row.event;
    eventId.string(e.eventId);
    ticketId.string(e.ticketId);
    kind.string(e.kind);
    occurredAt.int64(Math.floor(e.occurredAtMs)); // the column keeps milliseconds; finer times live in occurred_at_text
    occurredAtText.string(e.occurredAt);
    branch.string(e.branch);
    complaintType.string(e.complaintType);
    reportedType.string(e.reportedType);
    customerHash.string(e.customerHash);
    customerMasked.string(customerMaskedJson(e.customerMasked));
    channel.string(e.channel ?? '');
    outcome.string(e.outcome ?? '');
    escalation.string(e.escalation ?? '');
    text.string(e.text ?? '');
    // Nullable: the null map (1 = NULL) for every row, then a value for every row
    satisfactionNulls.byte(e.satisfaction == null ? 1 : 0);
    satisfaction.byte(e.satisfaction ?? 0);
    // Map(String, String) is Array(Tuple(String, String)): cumulative entry counts, all keys, all values
    const tags = e.tags;
    for (const k in tags) {
      tagEntries++;
      tagKeys.string(k);
      tagValues.string(tags[k]!);
    }
    tagOffsets.int64(tagEntries);
    const c = e.classification;
    model.string(c?.modelVersion ?? '');
    confidenceNulls.byte(c ? 0 : 1);
    confidence.float32(c?.confidence ?? 0);
    needsReview.byte(c?.needsReview ? 1 : 0);
    streamSeq.int64(row.streamSeq);
    receivedAt.int64(row.receivedAtMs);
  }
  w.varUInt(EVENT_COLUMNS.length);
  w.varUInt(n);
  for (const column of EVENT_COLUMNS) {
    w.header(column, NATIVE_TYPES[column]);
    for (const part of COLUMN_PARTS[column]) w.append(parts[part].bytes());
  }
  keepPartsSmall(parts);
  return w.bytes();
}

/** each column's parts in block order: a Nullable has two (null map, values), the Map three */
const COLUMN_PARTS = {
  event_id: ['eventId'], ticket_id: ['ticketId'], kind: ['kind'], occurred_at: ['occurredAt'], occurred_at_text: ['occurredAtText'],
  branch: ['branch'], complaint_type: ['complaintType'], reported_type: ['reportedType'], customer_hash: ['customerHash'],
  customer_masked: ['customerMasked'], channel: ['channel'], outcome: ['outcome'], escalation: ['escalation'], text: ['text'],
  satisfaction: ['satisfactionNulls', 'satisfaction'], tags: ['tagOffsets', 'tagKeys', 'tagValues'], classifier_model: ['model'],
  classifier_confidence: ['confidenceNulls', 'confidence'], needs_review: ['needsReview'], stream_seq: ['streamSeq'], received_at: ['receivedAt'],
} as const satisfies Record<(typeof EVENT_COLUMNS)[number], readonly string[]>;
type ColumnParts = Record<(typeof COLUMN_PARTS)[keyof typeof COLUMN_PARTS][number], ColumnPart>;

/** a column part kept between blocks at most this big (a burst's long texts are let go) */
const KEEP_PART_BYTES = 4 * 1024 * 1024;

// Scratch for the one block being written: eventsNative runs to its end without yielding, and
// the block's bytes are copied out of the parts before it returns.
let scratch: ColumnParts | undefined;

function columnParts(): ColumnParts {
  scratch ??= Object.fromEntries(Object.values(COLUMN_PARTS).flat().map((name) => [name, new ColumnPart(1024)])) as ColumnParts;
  for (const part of Object.values(scratch)) part.reset(0);
  return scratch;
}

function keepPartsSmall(parts: ColumnParts): void {
  for (const name of Object.keys(parts) as Array<keyof ColumnParts>) if (parts[name].capacity > KEEP_PART_BYTES) parts[name] = new ColumnPart(1024);
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

  /** bytes as they are */
  append(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
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

/** One column's values (or one part of them) as rows append to it: every write makes its own room. */
class ColumnPart extends NativeWriter {
  override byte(n: number): void {
    this.reserve(1);
    super.byte(n);
  }

  override int64(n: number): void {
    this.reserve(8);
    super.int64(n);
  }

  override float32(x: number): void {
    this.reserve(4);
    super.float32(x);
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
