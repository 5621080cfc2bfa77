import { performance as nodePerformance } from 'node:perf_hooks';
import { AckPolicy, DeliverPolicy, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { pullSize, STREAM } from '../pipelines/sources/jetstream.ts';
import { type CpuShare, cpuMeter } from './lib.ts';

// The ingest bench's baseline: a bare durable pull consumer that decodes each message's JSON and
// acks it, timed from its first message to its last ack, in three forms (bench/ingest.ts says
// which one the goal is judged by, and why all three are printed):
// - 'fast': consume() with a callback, pulling as the monitor does (5,000 at a time, again at
//   half used), so the ratio compares the work per message, not the pull size: with nats.js's
//   1,000 at three quarters both sides ran 6–15 % slower (bench/RESULTS.md, ninth session);
// - 'callback-defaults': the same callback with the library's own pull options;
// - 'iterator': the form nats.js documents, `for await (const m of await consumer.consume())`.

export type BareForm = 'fast' | 'callback-defaults' | 'iterator';

export interface BareRun {
  perS: number;
  /** main-thread time per message (event-loop active time) */
  usPerMessage: number;
  cpu: CpuShare;
}

export interface BareContext {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  natsPid: number | undefined;
}

const dec = new TextDecoder();

/** Reads the stream's first n messages once with a fresh durable consumer named `name`. */
export async function bareConsumer({ nc, js, jsm, natsPid }: BareContext, name: string, n: number, form: BareForm): Promise<BareRun> {
  await jsm.consumers.add(STREAM, { durable_name: name, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, max_ack_pending: 20_000 });
  const consumer = await js.consumers.get(STREAM, name);
  let seen = 0;
  let first = 0;
  let decodedBytes = 0;
  /** true once the n-th message is acked */
  const take = (m: JsMsg): boolean => {
    if (seen === 0) first = performance.now();
    const event = form === 'fast' ? (JSON.parse(dec.decode(m.data)) as { eventId: string }) : m.json<{ eventId: string }>();
    decodedBytes += event.eventId.length;
    m.ack();
    return ++seen === n;
  };
  const elu0 = nodePerformance.eventLoopUtilization();
  const meter = cpuMeter(natsPid);
  let ms: number;
  if (form === 'iterator') {
    for await (const m of await consumer.consume({ max_messages: 1_000 })) if (take(m)) break;
    ms = performance.now() - first;
  } else {
    const { maxMessages, thresholdMessages } = pullSize(20_000);
    const pulls = form === 'fast' ? { max_messages: maxMessages, threshold_messages: thresholdMessages } : {};
    ms = await new Promise<number>((resolve) => {
      let messages: { stop(): void } | undefined;
      void consumer
        .consume({
          ...pulls,
          callback: (m) => {
            if (!take(m)) return;
            resolve(performance.now() - first);
            messages?.stop();
          },
        })
        .then((m) => (messages = m));
    });
  }
  const cpu = meter.stop();
  const usPerMessage = Number(((nodePerformance.eventLoopUtilization(elu0).active * 1000) / n).toFixed(1));
  await nc.flush();
  if (decodedBytes === 0) throw new Error('nothing decoded');
  return { perS: n / (ms / 1000), usPerMessage, cpu };
}
