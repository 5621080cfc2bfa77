import type { ClickHouseClient } from '@clickhouse/client';
import type { MaskedEvent, Rejection } from '../model.ts';
import { eventsNative, NativeWriter } from './clickhouse-native.ts';
import { EVENT_COLUMNS, eventsTsv, tsvInserter, type TsvInserter } from './clickhouse-tsv.ts';
import type { LiveJournal } from './live-journal.ts';
import { chTime } from './clickhouse-time.ts';
import { maskText } from '../transforms/mask-text.ts';

// The durable sink. Writes are batched (one insert per table per batch) and idempotent: events
// are keyed by event_id and dead letters by stream sequence (and the stream's making: a stream
// made anew numbers from 1 again), so a redelivered batch folds away.

export interface StoredEvent {
  event: MaskedEvent;
  streamSeq: number;
  receivedAtMs: number;
}

export interface DeadLetter {
  rejection: Rejection;
  subject: string;
  streamSeq: number;
  /** the stream's making (Envelope.streamCreatedMs): with the sequence, which message this was */
  streamCreatedMs: number;
  receivedAtMs: number;
}

/** a block buffer kept between batches at most this big (a burst's huge batch is let go) */
const KEEP_WRITER_BYTES = 32 * 1024 * 1024;


export function eventRow({ event: e, streamSeq, receivedAtMs }: StoredEvent) {
  return {
    event_id: e.eventId,
    ticket_id: e.ticketId,
    kind: e.kind,
    occurred_at: chTime(e.occurredAtMs),
    occurred_at_text: e.occurredAt,
    branch: e.branch,
    complaint_type: e.complaintType,
    reported_type: e.reportedType,
    customer_hash: e.customerHash,
    customer_masked: JSON.stringify(e.customerMasked),
    channel: e.channel ?? '',
    outcome: e.outcome ?? '',
    escalation: e.escalation ?? '',
    text: e.text ?? '',
    satisfaction: e.satisfaction ?? null,
    tags: e.tags ?? {},
    classifier_model: e.classification?.modelVersion ?? '',
    classifier_confidence: e.classification?.confidence ?? null,
    needs_review: e.classification?.needsReview ? 1 : 0,
    stream_seq: streamSeq,
    received_at: chTime(receivedAtMs),
  };
}

export function deadLetterRow(d: DeadLetter) {
  return {
    received_at: chTime(d.receivedAtMs),
    code: d.rejection.code,
    // decode masks the keys its reasons quote; a stage's or the store's error message may quote
    // an event too (processing failed: …, the store refused …), and is masked here, where every
    // reason is kept
    reason: maskText(d.rejection.reason),
    subject: d.subject,
    stream_seq: d.streamSeq,
    stream_created: chTime(d.streamCreatedMs),
    payload: d.rejection.payload,
  };
}

export class ClickHouseSink {
  private readonly insertTsv: TsvInserter;
  /** the block buffer between batches: taken by a write, given back once the journal has the bytes */
  private spareWriter: NativeWriter | undefined;

  constructor(
    private readonly client: ClickHouseClient,
    /** the embedded engine's: event batches go there (see live-journal.ts) */
    private readonly journal?: LiveJournal,
  ) {
    this.insertTsv = tsvInserter(client);
  }

  /** Resolves only when every row of the batch is durable; rejects otherwise (nothing is acked). */
  async writeBatch(events: readonly StoredEvent[], deadLetters: readonly DeadLetter[]): Promise<void> {
    const writes: Promise<unknown>[] = [];
    if (events.length > 0) {
      writes.push(
        this.journal?.open
          ? this.writeJournal(this.journal, events)
          : this.insertTsv({ table: 'complaints.ticket_events', columns: EVENT_COLUMNS, body: eventsTsv(events) }),
      );
    }
    if (deadLetters.length > 0) {
      writes.push(this.client.insert({ table: 'complaints.dead_letters', values: deadLetters.map(deadLetterRow), format: 'JSONEachRow' }));
    }
    await Promise.all(writes);
  }

  private async writeJournal(journal: LiveJournal, events: readonly StoredEvent[]): Promise<void> {
    // A write in flight keeps its buffer; one started meanwhile gets a buffer of its own.
    const writer = this.spareWriter ?? new NativeWriter(0);
    this.spareWriter = undefined;
    try {
      await journal.write(events.length, eventsNative(events, writer));
    } finally {
      if (writer.capacity <= KEEP_WRITER_BYTES) this.spareWriter = writer;
    }
  }

}
