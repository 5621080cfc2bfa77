import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { STREAM } from '../../pipelines/sources/jetstream.ts';

// A finished week's review is stored once and reopened as stored, so it must not be taken while
// the monitor still has that week's events to read: after downtime the stream holds a backlog,
// and a review stored from the first minutes would miss whatever the backlog brought. The review
// waits until the monitor has committed everything the stream held when it was asked for, and
// until the stream holds a message the broker stored after the week's end: caught up with an
// empty stream (a first start), or with a stream that has not seen the week end yet, says
// nothing about the week's events still to come (store-rule.ts).

/** Where the monitor's durable consumer stands in the stream, as the broker says. */
export interface StreamPosition {
  /** the stream's last sequence */
  lastSeq: number;
  /** every message up to this sequence is acknowledged (committed by the pipeline) */
  ackFloor: number;
  /** not given to the consumer yet */
  pending: number;
  /** given and not acknowledged yet */
  ackPending: number;
  /** when the broker stored the stream's last message (epoch ms); 0 for an empty stream */
  lastAtMs: number;
}

/** Messages up to `target` (a stream sequence) not committed yet at `pos`; 0 when caught up. */
export function behindBy(pos: StreamPosition, target: number): number {
  if (pos.pending === 0 && pos.ackPending === 0) return 0; // nothing left at all (also past deleted messages)
  return Math.max(0, Math.min(target, pos.lastSeq) - pos.ackFloor);
}

/** The consumer's position, or null when the broker cannot be asked. */
export async function streamPosition(nc: NatsConnection, consumer: string, timeoutMs = 2_000): Promise<StreamPosition | null> {
  try {
    const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
    const [s, c] = await Promise.all([jsm.streams.info(STREAM), jsm.consumers.info(STREAM, consumer)]);
    const lastAtMs = s.state.last_seq > 0 ? Date.parse(s.state.last_ts) : 0;
    return { lastSeq: s.state.last_seq, ackFloor: c.ack_floor.stream_seq, pending: c.num_pending, ackPending: c.num_ack_pending, lastAtMs: Number.isNaN(lastAtMs) ? 0 : lastAtMs };
  } catch {
    return null;
  }
}

/**
 * Waits (at most `timeoutMs`) until the monitor has committed every message the stream holds now.
 * Resolves to the messages still behind (0: caught up), or null when the broker cannot be asked
 * (then nobody can say whether the review would be complete).
 */
export async function awaitCaughtUp(nc: NatsConnection, consumer: string, timeoutMs: number, pollMs = 250): Promise<number | null> {
  let pos = await streamPosition(nc, consumer);
  if (!pos) return null;
  const target = pos.lastSeq;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const behind = behindBy(pos, target);
    if (behind === 0 || Date.now() >= deadline) return behind;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    pos = await streamPosition(nc, consumer);
    if (!pos) return null;
  }
}
