import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { TicketEvent } from '../../pipelines/model.ts';
import { ensureStream, STREAM } from '../../pipelines/sources/jetstream.ts';

// Publishing as a ticket system does: complaints.tickets.<branch>, header Nats-Msg-Id: <eventId>.

export async function publishEvents(nc: NatsConnection, events: readonly TicketEvent[], opts: { withHeader?: (e: TicketEvent, i: number) => boolean } = {}): Promise<number> {
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm);
  const js = jetstream(nc);
  const inflight: Promise<unknown>[] = [];
  let stored = 0;
  for (const [i, e] of events.entries()) {
    const msgID = opts.withHeader === undefined || opts.withHeader(e, i) ? e.eventId : undefined;
    const subject = `complaints.tickets.${/^[A-Za-z0-9_-]+$/.test(e.branch) ? e.branch : 'unknown'}`;
    inflight.push(js.publish(subject, JSON.stringify(e), msgID ? { msgID } : {}).then((ack) => (stored += ack.duplicate ? 0 : 1)));
    if (inflight.length >= 500) await Promise.all(inflight.splice(0));
  }
  await Promise.all(inflight);
  return stored;
}

export async function publishRaw(nc: NatsConnection, subject: string, payload: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm);
  await jetstream(nc).publish(subject, payload);
}

/** Resolves when the consumer has nothing pending and nothing unacknowledged. */
export async function waitConsumed(nc: NatsConnection, consumer = 'monitor', timeoutMs = 60_000): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const info = await jsm.consumers.info(STREAM, consumer);
      last = `pending ${info.num_pending}, ack pending ${info.num_ack_pending}`;
      if (info.num_pending === 0 && info.num_ack_pending === 0) return;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`consumer ${consumer} not drained after ${timeoutMs} ms (${last})`);
}
