import { map, type Observable } from 'rxjs';
import { batchWhileBusy } from './batch.ts';
import type { MaskedEvent, Rejection } from './model.ts';
import type { DeadLetter, StoredEvent } from './sinks/clickhouse.ts';
import type { Envelope } from './sources/jetstream.ts';

// source → prepare (decode, validate, classify, mask: pure) → batch → dedupe → durable write →
// counters → ack. The ack travels with each message and is called only after the write resolved;
// a failed write naks the whole batch for redelivery and the stream goes on.

export type Prepared = { ok: true; event: MaskedEvent } | { ok: false; rejection: Rejection };

export interface TopologyDeps {
  prepare(data: Uint8Array): Prepared;
  isKnown(eventId: string): boolean;
  write(events: StoredEvent[], deadLetters: DeadLetter[]): Promise<void>;
  /** applies durable events to the counters; returns what it changed */
  apply(events: MaskedEvent[]): Array<{ complaintType: string; scope: string }>;
  now(): number;
  batchMs: number;
  batchMax: number;
  /** redelivery delay after a failed write */
  retryDelayMs?: number;
}

export interface BatchOutcome {
  received: number;
  stored: number;
  duplicates: number;
  deadLettered: number;
  changed: Array<{ complaintType: string; scope: string }>;
  /** the new events, durable and counted */
  events: MaskedEvent[];
  writeMs: number;
  committedAtMs: number;
}

export type BatchFailure = { failed: true; error: Error; size: number };

interface Item {
  env: Envelope;
  prepared: Prepared;
}

/** Stage wrapper: a stage that throws turns the message into a dead letter, never ends the stream. */
export function safePrepare(prepare: TopologyDeps['prepare'], data: Uint8Array): Prepared {
  try {
    return prepare(data);
  } catch (err) {
    return {
      ok: false,
      rejection: { code: 'stage_error', reason: `processing failed: ${(err as Error).message}`, payload: '' },
    };
  }
}

/** Splits a batch into new events and dead letters; duplicates (known or repeated) are dropped. */
export function planBatch(items: readonly Item[], isKnown: (id: string) => boolean, receivedAtMs: number) {
  const events: StoredEvent[] = [];
  const deadLetters: DeadLetter[] = [];
  const inBatch = new Set<string>();
  let duplicates = 0;
  for (const { env, prepared } of items) {
    if (!prepared.ok) {
      deadLetters.push({ rejection: prepared.rejection, subject: env.subject, streamSeq: env.streamSeq, receivedAtMs });
    } else if (isKnown(prepared.event.eventId) || inBatch.has(prepared.event.eventId)) {
      duplicates++;
    } else {
      inBatch.add(prepared.event.eventId);
      events.push({ event: prepared.event, streamSeq: env.streamSeq, receivedAtMs });
    }
  }
  return { events, deadLetters, duplicates };
}

async function commit(items: Item[], deps: TopologyDeps): Promise<BatchOutcome> {
  const started = deps.now();
  const { events, deadLetters, duplicates } = planBatch(items, deps.isKnown, started);
  await deps.write(events, deadLetters);
  const newEvents = events.map((e) => e.event);
  const changed = deps.apply(newEvents);
  for (const { env } of items) env.ack();
  const committedAtMs = deps.now();
  return {
    received: items.length,
    stored: events.length,
    duplicates,
    deadLettered: deadLetters.length,
    changed,
    events: newEvents,
    writeMs: committedAtMs - started,
    committedAtMs,
  };
}

export function monitorTopology(source$: Observable<Envelope>, deps: TopologyDeps): Observable<BatchOutcome | BatchFailure> {
  return source$.pipe(
    map((env): Item => ({ env, prepared: safePrepare(deps.prepare, env.data) })),
    batchWhileBusy(
      (batch: Item[]) =>
        commit(batch, deps).catch((error: Error): BatchFailure => {
          for (const { env } of batch) env.nak(deps.retryDelayMs ?? 1_000);
          return { failed: true, error, size: batch.length };
        }),
      { lingerMs: deps.batchMs, max: deps.batchMax },
    ),
  );
}
