import { filter, map, mergeMap, type Observable } from 'rxjs';
import { batchWhileBusy } from './batch.ts';
import type { MaskedEvent, Rejection } from './model.ts';
import type { DeadLetter, StoredEvent } from './sinks/clickhouse.ts';
import { NO_BYTES, type Envelope } from './sources/jetstream.ts';
import { classifyWriteFailure } from './sinks/store-errors.ts';

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
  /**
   * Deliveries after which a message that still makes a stage throw, or whose row alone still
   * makes the write fail, is dead-lettered with the reason instead of redelivered (default 5).
   */
  maxDeliveries?: number;
}

export interface BatchOutcome {
  received: number;
  stored: number;
  duplicates: number;
  deadLettered: number;
  /** the dead letters' stream sequences (a redelivered one has the sequence it had before) */
  deadLetterSeqs: number[];
  changed: Array<{ complaintType: string; scope: string }>;
  /** the new events, durable and counted */
  events: MaskedEvent[];
  writeMs: number;
  committedAtMs: number;
  /** from the oldest message's arrival in the stream to its counters being durable */
  lagMs: number;
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

/**
 * Splits a batch into new events and dead letters; duplicates (known or repeated) are dropped.
 * Also what the commit needs of every message (the new events alone, the oldest arrival), in the
 * same pass: a batch's thousands of messages have left the processor's caches by its commit, and
 * each extra pass over them costs a cache miss or more per message.
 */
export function planBatch(items: readonly Item[], isKnown: (id: string) => boolean, receivedAtMs: number) {
  const events: StoredEvent[] = [];
  const newEvents: MaskedEvent[] = [];
  const deadLetters: DeadLetter[] = [];
  const inBatch = new Set<string>();
  let duplicates = 0;
  let oldestPublishedAtMs = Infinity;
  for (const { env, prepared } of items) {
    if (env.publishedAtMs < oldestPublishedAtMs) oldestPublishedAtMs = env.publishedAtMs;
    if (!prepared.ok) {
      deadLetters.push({ rejection: prepared.rejection, subject: env.subject, streamSeq: env.streamSeq, streamCreatedMs: env.streamCreatedMs, receivedAtMs });
      continue;
    }
    const id = prepared.event.eventId;
    const before = inBatch.size;
    if (isKnown(id) || inBatch.add(id).size === before) duplicates++; // add: one lookup where has + add made two
    else {
      events.push({ event: prepared.event, streamSeq: env.streamSeq, receivedAtMs });
      newEvents.push(prepared.event);
    }
  }
  return { events, newEvents, deadLetters, duplicates, oldestPublishedAtMs };
}

async function commit(items: Item[], deps: TopologyDeps): Promise<BatchOutcome> {
  const started = deps.now();
  const { events, newEvents, deadLetters, duplicates, oldestPublishedAtMs } = planBatch(items, deps.isKnown, started);
  await deps.write(events, deadLetters);
  const changed = deps.apply(newEvents);
  for (const { env } of items) env.ack();
  const committedAtMs = deps.now();
  return {
    received: items.length,
    stored: events.length,
    duplicates,
    deadLettered: deadLetters.length,
    deadLetterSeqs: deadLetters.map((d) => d.streamSeq),
    changed,
    events: newEvents,
    writeMs: committedAtMs - started,
    committedAtMs,
    lagMs: committedAtMs - oldestPublishedAtMs,
  };
}

const maxDeliveries = (deps: TopologyDeps) => deps.maxDeliveries ?? 5;

/**
 * A stage that threw may have met a passing condition: the message is redelivered until its
 * last allowed delivery, and only then dead-lettered (with the reason and the attempts).
 */
function retryStageError(item: Item, deps: TopologyDeps): boolean {
  const { prepared, env } = item;
  if (prepared.ok || prepared.rejection.code !== 'stage_error') return false;
  if (env.deliveries < maxDeliveries(deps)) {
    env.nak(deps.retryDelayMs ?? 1_000);
    return true;
  }
  prepared.rejection.reason = `${prepared.rejection.reason} (after ${env.deliveries} deliveries)`;
  return false;
}

/**
 * Writes a batch; when it fails, finds out whether one message is the cause. Fresh messages are
 * all redelivered (the store is most likely down: nothing is dead-lettered for an outage), and so
 * is every message when the error says the store takes no writes at all (store-errors.ts: down,
 * full, read-only, too many parts) — splitting then would only multiply failing inserts. A batch
 * that fails again with redelivered messages in it is split in halves and each half written on
 * its own, so the good rows go through and the poison one is isolated; that one is redelivered
 * until its last delivery and then dead-lettered with the write error, when the error says the
 * store refused the row's content, or else when the store took other writes in the same pass
 * (the row alone fails while the store works). The dead-letter write must succeed too; if it
 * fails, the message is redelivered.
 */
async function commitIsolating(items: Item[], deps: TopologyDeps): Promise<Array<BatchOutcome | BatchFailure>> {
  const pass: IsolationPass = { storeTookWrites: false, lastDeliveries: [] };
  const results = await isolate(items, deps, pass);
  for (const { item, error } of pass.lastDeliveries) results.push(await deadLetterOrRetry(item, error, pass.storeTookWrites, deps));
  return results;
}

interface IsolationPass {
  storeTookWrites: boolean;
  /** messages that failed alone at their last delivery: decided once the whole batch was tried */
  lastDeliveries: Array<{ item: Item; error: Error }>;
}

function failed(batch: Item[], error: Error, deps: TopologyDeps): BatchFailure {
  // back off while the store stays unreachable: 1, 2, 4 … 30 s by delivery count
  for (const { env } of batch) env.nak(Math.min(30_000, (deps.retryDelayMs ?? 1_000) * 2 ** Math.min(5, env.deliveries - 1)));
  return { failed: true, error, size: batch.length };
}

async function isolate(items: Item[], deps: TopologyDeps, pass: IsolationPass): Promise<Array<BatchOutcome | BatchFailure>> {
  try {
    const outcome = await commit(items, deps);
    pass.storeTookWrites = true;
    return [outcome];
  } catch (err) {
    const error = err as Error;
    if (!items.some(({ env }) => env.deliveries > 1) || classifyWriteFailure(error) === 'store_unavailable') return [failed(items, error, deps)];
    if (items.length > 1) {
      const mid = items.length >> 1;
      return [...(await isolate(items.slice(0, mid), deps, pass)), ...(await isolate(items.slice(mid), deps, pass))];
    }
    const item = items[0]!;
    if (item.env.deliveries < maxDeliveries(deps)) return [failed(items, error, deps)];
    pass.lastDeliveries.push({ item, error });
    return [];
  }
}

async function deadLetterOrRetry(item: Item, error: Error, storeTookWrites: boolean, deps: TopologyDeps): Promise<BatchOutcome | BatchFailure> {
  if (!storeTookWrites && classifyWriteFailure(error) !== 'rows_refused') return failed([item], error, deps);
  const payload = item.prepared.ok ? JSON.stringify(item.prepared.event).slice(0, 64 * 1024) : item.prepared.rejection.payload;
  const rejection = { code: 'write_failed', reason: `the store refused this event after ${item.env.deliveries} deliveries: ${error.message}`, payload };
  try {
    return await commit([{ env: item.env, prepared: { ok: false, rejection } }], deps);
  } catch {
    return failed([item], error, deps);
  }
}

export function monitorTopology(source$: Observable<Envelope>, deps: TopologyDeps): Observable<BatchOutcome | BatchFailure> {
  return source$.pipe(
    map((env): Item => {
      const prepared = safePrepare(deps.prepare, env.data);
      env.data = NO_BYTES; // read: what the batch holds until its write is only what it needs
      return { env, prepared };
    }),
    filter((item) => !retryStageError(item, deps)),
    batchWhileBusy((batch: Item[]) => commitIsolating(batch, deps), { lingerMs: deps.batchMs, max: deps.batchMax }),
    mergeMap((results) => results),
  );
}
