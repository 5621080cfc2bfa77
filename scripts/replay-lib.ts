// Replay and rebuild, the logic: everything the monitor derives from events is a function of the
// set of distinct events (CounterIndex is order-independent and folds duplicates), so a replay
// that reads the same events gives the live result whatever their order or repetition. The
// counter history is rebuilt on event time, one row per (type, scope) at the end of every
// statistical week up to the replay's end, so two replays of the same events write the same rows.
import type { ClickHouseClient } from '@clickhouse/client';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { CounterRow, MaskedEvent } from '../pipelines/model.ts';
import type { CompiledPlan } from '../pipelines/plan/index.ts';
import { ClickHouseSink } from '../pipelines/sinks/clickhouse.ts';
import { chTime } from '../pipelines/sinks/clickhouse-time.ts';
import { writeCounterChanges } from '../pipelines/sinks/counter-history.ts';
import { storedEvents } from '../pipelines/sources/clickhouse-replay.ts';
import { STREAM } from '../pipelines/sources/jetstream.ts';
import { CounterIndex, decodeEvent } from '../pipelines/transforms/index.ts';
import type { StreamPreparer } from './replay-prepare.ts';

export const REPLAY_WORKER = 'replay';

/** Rows at the end of each week that has started by `untilMs` (the last one at untilMs). */
export function counterHistory(plan: CompiledPlan, index: CounterIndex, untilMs: number): Array<{ atMs: number; rows: CounterRow[] }> {
  const out: Array<{ atMs: number; rows: CounterRow[] }> = [];
  for (const w of plan.weeks) {
    if (w.startMs > untilMs) break;
    const atMs = Math.min(w.endMs - 1, untilMs);
    out.push({ atMs, rows: index.rows(atMs) });
  }
  return out;
}

/**
 * What a replay read, in distinct events: the plan year's events, and corrections dated in other
 * years, which are read too because a correction of any date can re-type or move a ticket of the
 * year (so a store holding only another year's corrections reads some events, none of the year's).
 */
export interface StoreRead {
  index: CounterIndex;
  eventsInYear: number;
  correctionsFromOtherYears: number;
}

export async function indexFromStore(ch: ClickHouseClient, plan: CompiledPlan): Promise<StoreRead> {
  const index = new CounterIndex(plan);
  let eventsInYear = 0;
  let correctionsFromOtherYears = 0;
  for await (const page of storedEvents(ch, { fromMs: plan.yearStartMs, toMs: plan.yearEndMs })) {
    index.apply(page);
    // Distinct events, not rows: copies of an event not yet merged by the engine are rows of
    // their own (a replay into a store that has the events doubles them until a merge). Copies
    // share occurred_at and event_id, so they are read in the same page.
    const ids = new Set<string>();
    for (const e of page) {
      if (ids.size === ids.add(e.eventId).size) continue;
      if (e.occurredAtMs >= plan.yearStartMs && e.occurredAtMs < plan.yearEndMs) eventsInYear++;
      else correctionsFromOtherYears++;
    }
  }
  return { index, eventsInYear, correctionsFromOtherYears };
}

export interface StreamStart { seq?: number; timeMs?: number }

/**
 * Reads the stream from a sequence or a time with an ordered consumer and stores its valid events
 * in ticket_events as the monitor did (scripts/replay-prepare.ts): in stream order, the first copy
 * of each event, unclassified tickets typed with the memory the monitor had. When the store holds
 * messages from before the first one read (a replay from a later sequence or a time into a
 * restored store), they are what the monitor knew then: the memory starts from their types, and
 * a message carrying one of their events again is a copy, dropped. Invalid messages are skipped
 * here: the monitor's dead-letter store already has them.
 */
export async function storeFromStream(nc: NatsConnection, ch: ClickHouseClient, preparer: StreamPreparer, plan: CompiledPlan, start: StreamStart): Promise<{ messages: number; stored: number; alreadyStored: number; duplicates: number }> {
  const js = jetstream(nc);
  const opts = start.seq !== undefined
    ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start.seq }
    : start.timeMs !== undefined
      ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(start.timeMs).toISOString() }
      : { deliver_policy: DeliverPolicy.All };
  const consumer = await js.consumers.get(STREAM, opts);
  const sink = new ClickHouseSink(ch);
  let messages = 0;
  let stored = 0;
  let storedEarlier = 0;
  let alreadyStored = 0;
  let firstSeq = 0;
  let storeHasEarlier = false;
  for (;;) {
    const batch = await consumer.fetch({ max_messages: 5000, expires: 2000 });
    let events: Array<{ event: MaskedEvent; streamSeq: number; receivedAtMs: number }> = [];
    let pending = 0;
    for await (const m of batch) {
      if (messages === 0) {
        firstSeq = m.seq;
        storeHasEarlier = (await storedBefore(ch, firstSeq)) > 0;
      }
      messages++;
      pending = m.info.pending;
      const e = preparer.prepare(decodeEvent(m.data));
      if (e) events.push({ event: e, streamSeq: m.seq, receivedAtMs: Math.floor(Number(m.info.timestampNanos) / 1e6) });
    }
    if (storeHasEarlier && events.length) {
      // a copy of an event the store has from earlier in the stream: the monitor dropped it
      const known = await storedIdsBefore(ch, events.map((x) => x.event.eventId), firstSeq);
      storedEarlier += known.size;
      if (known.size) events = events.filter((x) => !known.has(x.event.eventId));
    }
    // written again all the same (the table folds copies by event_id), but not counted as stored:
    // a replay over a store that had them said "stored: 40" for nothing new
    if (events.length) alreadyStored += (await storedIds(ch, events.map((x) => x.event.eventId))).size;
    if (events.length) await sink.writeBatch(events, []);
    stored += events.length;
    if (pending === 0) break;
  }
  return { messages, stored: stored - alreadyStored, alreadyStored, duplicates: preparer.duplicates + storedEarlier };
}

async function storedIds(ch: ClickHouseClient, ids: string[]): Promise<Set<string>> {
  const rs = await ch.query({ query: 'SELECT DISTINCT event_id FROM complaints.ticket_events WHERE event_id IN {ids:Array(String)}', query_params: { ids }, format: 'JSONEachRow' });
  return new Set((await rs.json<{ event_id: string }>()).map((x) => x.event_id));
}

async function storedBefore(ch: ClickHouseClient, seq: number): Promise<number> {
  const rs = await ch.query({ query: 'SELECT count() AS n FROM complaints.ticket_events WHERE stream_seq < {seq:UInt64}', query_params: { seq }, format: 'JSONEachRow' });
  return Number((await rs.json<{ n: string }>())[0]?.n ?? 0);
}

async function storedIdsBefore(ch: ClickHouseClient, ids: string[], seq: number): Promise<Set<string>> {
  const rs = await ch.query({
    query: 'SELECT DISTINCT event_id FROM complaints.ticket_events WHERE event_id IN {ids:Array(String)} AND stream_seq < {seq:UInt64}',
    query_params: { ids, seq },
    format: 'JSONEachRow',
  });
  return new Set((await rs.json<{ event_id: string }>()).map((x) => x.event_id));
}

/** Replaces the plan year's counter history with the replayed one (event-time rows). */
export async function rewriteCounterHistory(ch: ClickHouseClient, plan: CompiledPlan, history: Array<{ atMs: number; rows: CounterRow[] }>): Promise<number> {
  await ch.command({
    query: 'ALTER TABLE complaints.counter_changes DELETE WHERE plan_year = {year:UInt16}',
    query_params: { year: plan.year },
    clickhouse_settings: { mutations_sync: '2' },
  });
  let n = 0;
  for (const { atMs, rows } of history) {
    await writeCounterChanges(ch, rows, plan.year, atMs, REPLAY_WORKER);
    n += rows.length;
  }
  return n;
}

export { chTime };

/**
 * What a failed replay says: the error's message, or, where it has none (a ClickHouse server's
 * HTTP error with an empty body, such as a request too large for it), what is known of it.
 */
export function failureText(err: Error & { code?: unknown; type?: unknown }): string {
  if (err.message) return err.message;
  const known = [err.name, err.code !== undefined && `code ${String(err.code)}`, typeof err.type === 'string' && err.type].filter(Boolean).join(', ');
  return `${known || 'an error'} without a message (from a ClickHouse server: an HTTP error with an empty body, e.g. a request larger than it takes)`;
}
