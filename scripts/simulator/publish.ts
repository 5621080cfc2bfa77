import { jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import type { TicketEvent } from '../../pipelines/model.ts';
import { intBetween, mulberry32 } from './prng.ts';

// Publishing as a ticket system would: one message per event on complaints.tickets.<branch>, the
// eventId as Nats-Msg-Id, and, on request, the redeliveries at-least-once delivery brings
// (re-published with the header, which the broker drops inside its window, and without it, which
// imitates a copy arriving after the window and must be deduplicated by the monitor).

export const SUBJECT_PREFIX = 'complaints.tickets';

export const STREAM_NAME = 'COMPLAINTS';

/**
 * Creates the COMPLAINTS stream when it is missing (the monitor does the same at start, with the
 * same subjects); an existing stream is left as it is. Returns whether it was created.
 */
export async function ensureComplaintsStream(nc: NatsConnection, opts: { duplicateWindowMs?: number } = {}): Promise<boolean> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(STREAM_NAME);
    return false;
  } catch {
    await jsm.streams.add({
      name: STREAM_NAME,
      subjects: [`${SUBJECT_PREFIX}.>`],
      duplicate_window: (opts.duplicateWindowMs ?? 120_000) * 1_000_000,
    });
    return true;
  }
}

export function subjectFor(event: Pick<TicketEvent, 'branch'>, prefix = SUBJECT_PREFIX): string {
  return `${prefix}.${event.branch}`;
}

export interface PublishStats {
  /** distinct events published (first copies) */
  published: number;
  duplicatesWithHeader: number;
  duplicatesWithoutHeader: number;
  /** acks the broker marked duplicate (dropped by its dedup window) */
  brokerDuplicates: number;
  bytes: number;
}

export interface PublishOptions {
  /** events per second; undefined = as fast as the broker acks */
  rate?: number;
  /** share of events published a second time, a little later, in [0, 1] */
  duplicates?: number;
  /** share of those duplicates sent without Nats-Msg-Id; default 0.5 */
  headerlessShare?: number;
  /** seeds which events are duplicated; default 1 */
  seed?: number;
  signal?: AbortSignal;
  /** publishes awaiting their ack; default 1000 */
  maxPending?: number;
  /** updated in place as acks arrive, for progress logs */
  stats?: PublishStats;
  subjectPrefix?: string;
}

/** tries after the first, ~25 s in all: longer than a broker takes to restart */
const PUBLISH_RETRIES = 8;

/** The broker did not answer, or was away: worth trying again. Anything else (no stream) is not. */
export function isTransient(err: unknown): boolean {
  const text = `${(err as Error)?.name ?? ''} ${(err as Error)?.message ?? String(err)}`;
  return /timeout|no responders|503|disconnect|connection closed|reconnect/i.test(text);
}

export function emptyStats(): PublishStats {
  return { published: 0, duplicatesWithHeader: 0, duplicatesWithoutHeader: 0, brokerDuplicates: 0, bytes: 0 };
}

interface Dup {
  due: number;
  subject: string;
  data: Uint8Array;
  msgID?: string;
}

/**
 * Publishes events in order (pacing by `rate`) and resolves once every publish is acked, or
 * after `signal` aborts (stopping early, pending acks still awaited). Rejects with the first
 * publish error, e.g. when no stream captures the subject.
 */
export async function publishEvents(
  js: JetStreamClient,
  events: Iterable<TicketEvent> | AsyncIterable<TicketEvent>,
  opts: PublishOptions = {},
): Promise<PublishStats> {
  const stats = opts.stats ?? emptyStats();
  const maxPending = opts.maxPending ?? 1000;
  const dupShare = opts.duplicates ?? 0;
  const headerless = opts.headerlessShare ?? 0.5;
  const rng = mulberry32((opts.seed ?? 1) ^ 0xd0b1e);
  const encoder = new TextEncoder();
  const pending = new Set<Promise<void>>();
  const dups: Dup[] = [];
  let failure: unknown;

  // A ticket system retries a publish the broker did not answer (restarting, a leader moving):
  // with the same Nats-Msg-Id, so a publish that did land is dropped as a duplicate.
  const publishOnce = (subject: string, data: Uint8Array, msgID: string | undefined, attempt: number): Promise<void> =>
    js.publish(subject, data, msgID ? { msgID } : {}).then(
      (ack) => {
        if (ack.duplicate) stats.brokerDuplicates++;
      },
      async (err: unknown) => {
        if (attempt >= PUBLISH_RETRIES || !isTransient(err) || opts.signal?.aborted) throw err;
        await sleep(Math.min(5_000, 250 * 2 ** attempt), opts.signal);
        return publishOnce(subject, data, msgID, attempt + 1);
      },
    );
  const send = async (subject: string, data: Uint8Array, msgID?: string) => {
    const p: Promise<void> = publishOnce(subject, data, msgID, 0)
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => pending.delete(p));
    pending.add(p);
    stats.bytes += data.byteLength;
    if (pending.size >= maxPending) await Promise.race(pending);
  };
  const flushDups = async (upTo: number) => {
    dups.sort((a, b) => a.due - b.due);
    while (dups.length > 0 && (dups[0] as Dup).due <= upTo && failure === undefined) {
      const d = dups.shift() as Dup;
      if (d.msgID) stats.duplicatesWithHeader++;
      else stats.duplicatesWithoutHeader++;
      await send(d.subject, d.data, d.msgID);
    }
  };

  const started = performance.now();
  let i = 0;
  for await (const event of events) {
    if (opts.signal?.aborted || failure !== undefined) break;
    if (opts.rate && opts.rate > 0) {
      const wait = started + (i * 1000) / opts.rate - performance.now();
      if (wait > 0) await sleep(wait, opts.signal);
      if (opts.signal?.aborted) break;
    }
    const subject = subjectFor(event, opts.subjectPrefix);
    const data = encoder.encode(JSON.stringify(event));
    await send(subject, data, event.eventId);
    stats.published++;
    if (dupShare > 0 && rng() < dupShare) {
      // Later, not right away: redeliveries interleave with other tickets' events.
      const dup: Dup = { due: i + intBetween(rng, 1, 200), subject, data };
      if (rng() >= headerless) dup.msgID = event.eventId;
      dups.push(dup);
    }
    await flushDups(i);
    i++;
  }
  if (!opts.signal?.aborted) await flushDups(Infinity);
  await Promise.all(pending);
  if (failure !== undefined) throw failure;
  return stats;
}

/**
 * Publishes one raw payload (e.g. a bad event). Through JetStream it waits for the stream's ack;
 * through a plain connection it only flushes, as a careless producer would.
 */
export async function publishRaw(
  target: JetStreamClient | NatsConnection,
  subject: string,
  payload: string | Uint8Array,
  opts: { msgID?: string } = {},
): Promise<void> {
  const data = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  if ('apiPrefix' in target) {
    await target.publish(subject, data, opts.msgID ? { msgID: opts.msgID } : {});
    return;
  }
  const h = headers();
  if (opts.msgID) h.set('Nats-Msg-Id', opts.msgID);
  target.publish(subject, data, opts.msgID ? { headers: h } : {});
  await target.flush();
}

/** Yields scheduled events at their wall-clock delay (see timeCompressed); stops on abort. */
export async function* paced<T extends { delayMs: number; event: TicketEvent }>(
  scheduled: Iterable<T>,
  signal?: AbortSignal,
): AsyncGenerator<TicketEvent> {
  const started = performance.now();
  for (const s of scheduled) {
    // in steps of at most an hour: a live phase at real time waits days, and a timer of more
    // than 2^31 ms fires at once
    for (let wait = started + s.delayMs - performance.now(); wait > 0 && !signal?.aborted; wait = started + s.delayMs - performance.now()) {
      await sleep(Math.min(wait, 3_600_000), signal);
    }
    if (signal?.aborted) return;
    yield s.event;
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal?.aborted) return done();
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      done();
    }
    signal?.addEventListener('abort', finish, { once: true });
  });
}
