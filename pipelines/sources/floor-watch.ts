import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Acknowledger } from './envelope.ts';
import { brokerAckFloor, replaceConsumer, STREAM, type ConsumerSettings } from './jetstream-setup.ts';
import type { SourceStatus } from './jetstream.ts';

/** How often a stalled ack floor is checked against the broker. */
export const FLOOR_CHECK_MS = 2_000;

export interface FloorCheckDecision {
  /** whether the broker is asked this time */
  check: boolean;
  /** the floor that has not moved for a whole check while messages wait (undefined: it moved) */
  stalledFloor?: number;
  /** the floor the next check compares with: -1 after a stall, so one stall asks only once */
  nextLast: number;
}

/**
 * The watchdog's decision at one check, from the floor it saw at the check before (`lastFloor`,
 * -1 at first) and the floor now: the broker is asked when messages wait and the floor has not
 * moved since, or when a message is stuck below the broker's floor (see AckFloor.stuck).
 */
export function floorCheckDue(
  lastFloor: number,
  ackedThrough: number,
  unacked: number,
  stuck: number | undefined,
): FloorCheckDecision {
  const stalled = unacked > 0 && ackedThrough === lastFloor;
  const nextLast = stalled ? -1 : ackedThrough;
  if (stalled) return { check: true, stalledFloor: ackedThrough, nextLast };
  return { check: stuck !== undefined, nextLast };
}

/**
 * Every check: a message the broker keeps giving out below its ack floor (see ack-floor.ts) is
 * cleared by replacing the consumer with one that starts after the floor; the consume loop then
 * starts over on it. And when messages wait and the floor has not moved for a whole check, the
 * broker is asked: its ack floor wins (acks lost with a broker restart), and a sequence this
 * worker was never given is skipped if the stream no longer holds it. A delivery lost on the way
 * comes back when its ack wait runs out, and the floor goes on from there.
 */
export function watchFloor(
  nc: NatsConnection,
  settings: ConsumerSettings,
  current: () => Acknowledger | undefined,
  onStatus: (s: SourceStatus) => void,
): () => void {
  let lastFloor = -1;
  let checking = false;
  const check = async (a: Acknowledger, floor: number | undefined) => {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.consumers.info(STREAM, settings.name);
    const broker = brokerAckFloor(info);
    const stuck = a.floor.stuck();
    if (stuck !== undefined) {
      onStatus({
        type: 'restarting',
        reason: `message ${stuck} stuck below the ack floor ${broker.streamSeq}: consumer replaced after it`,
      });
      a.retire();
      await replaceConsumer(jsm, settings, broker.streamSeq + 1);
      return;
    }
    if (floor === undefined) return;
    if (a.floor.ackedThrough === floor && broker.streamSeq !== floor) a.floor.resync(broker);
    const gap = a.floor.missing();
    if (gap !== undefined && !(await jsm.streams.getMessage(STREAM, { seq: gap }).catch(() => null))) {
      a.floor.skip(gap);
    }
    a.flush();
  };
  const timer = setInterval(() => {
    const a = current();
    if (!a || checking) return;
    const due = floorCheckDue(lastFloor, a.floor.ackedThrough, a.floor.unacked, a.floor.stuck());
    lastFloor = due.nextLast;
    if (!due.check) return;
    checking = true;
    check(a, due.stalledFloor)
      .catch(() => {}) // the broker is away: the consume loop reports that
      .finally(() => (checking = false));
  }, FLOOR_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
