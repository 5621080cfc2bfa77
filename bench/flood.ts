import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { join } from 'node:path';
import WebSocket from 'ws';
import { loadPlanFile } from '../pipelines/plan/index.ts';
import { ensureStream, pullSize, STREAM } from '../pipelines/sources/jetstream.ts';
import { ticketStream } from '../tests/helpers/events.ts';
import { getJson, ROOT, startMonitor } from '../tests/helpers/monitor-process.ts';
import { publishEvents, waitConsumed } from '../tests/helpers/publish.ts';
import { benchNats, emit, envInt } from './lib.ts';

// A burst that opens cases: N events of a past plan year (one type in eight is strict, so every
// not-agreed customer of it is a case alert, thousands in all) wait in the stream; the monitor
// process, as operators run it, with one wall screen reading and one stalled, drains them.
// Baseline: the bare pull consumer (JSON decode, ack each) over the same messages, in this run.
// The figure found a headline recomputed, with every open alert rendered, for each new alert.

const N = envInt('BENCH_FLOOD_N', 100_000);
const PLAN = join(ROOT, 'tests/fixtures/plan-2025.yaml');
const plan = loadPlanFile(PLAN);
const events = ticketStream({ seed: 31, tickets: 36_000, year: plan.year, customers: 5_000, prefix: 'fl' }).slice(0, N);
const nats = await benchNats();
const nc = await connect({ servers: nats.url });
const jsm = await jetstreamManager(nc);
await ensureStream(jsm);
await publishEvents(nc, events);

// the baseline over the same messages
await jsm.consumers.add(STREAM, { durable_name: 'baseline', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, max_ack_pending: 5_000 });
const bare = await jetstream(nc).consumers.get(STREAM, 'baseline');
let seen = 0;
let started = 0;
const dec = new TextDecoder();
const baselineMs = await new Promise<number>((resolve) => {
  void bare.consume({
    // pulls as the monitor does (its max-ack-pending here is 5,000)
    max_messages: pullSize(5_000).maxMessages,
    threshold_messages: pullSize(5_000).thresholdMessages,
    callback: (m) => {
      if (seen === 0) started = performance.now();
      JSON.parse(dec.decode(m.data));
      m.ack();
      if (++seen === N) resolve(performance.now() - started);
    },
  });
});
const baselinePerS = N / (baselineMs / 1000);

const monitor = await startMonitor({ NATS_URL: nats.url, PLAN, MAX_ACK_PENDING: '5000' });
const sockets = [0, 1].map(() => new WebSocket(`ws://127.0.0.1:${monitor.port}/ws?view=wall`));
await Promise.all(sockets.map((s) => new Promise((r) => s.once('open', r))));
(sockets[1] as unknown as { _socket: { pause(): void } })._socket.pause(); // a screen that stopped reading
const t = performance.now();
await waitConsumed(nc, 'monitor', 900_000);
const monitorMs = performance.now() - t;
const monitorPerS = N / (monitorMs / 1000);
// Consumed is not yet settled: tickets new to the case book have their earlier events read back
// a moment later. The count is taken once two reads half a second apart agree.
const openCount = async () => {
  const { body } = await getJson(monitor, '/api/alerts?status=open');
  return Array.isArray(body.alerts) ? body.alerts.length : NaN;
};
let openAlerts = await openCount();
for (let previous = NaN; openAlerts !== previous; ) {
  previous = openAlerts;
  await new Promise((r) => setTimeout(r, 500));
  openAlerts = await openCount();
}
const metrics = await (await fetch(`${monitor.baseUrl}/metrics`)).text();
const batches = Number(/^Batches_total (\d+)$/m.exec(metrics)?.[1] ?? NaN);
const journalMoves = Number(/^JournalMoves_total (\d+)$/m.exec(metrics)?.[1] ?? NaN);
console.log(
  `burst of ${N} events (${openAlerts} alerts open at the end): monitor drains ${Math.round(monitorPerS)} events/s in ${batches} batches, ${journalMoves} journal moves; ` +
    `bare consumer ${Math.round(baselinePerS)} msgs/s; ratio ${(monitorPerS / baselinePerS).toFixed(2)}`,
);
for (const s of sockets) s.terminate();
await monitor.kill();
await nc.close();
await nats.cleanup();
emit({ name: 'flood', n: N, openAlerts, batches, journalMoves, monitorPerS: Math.round(monitorPerS), baselinePerS: Math.round(baselinePerS), ratio: Number((monitorPerS / baselinePerS).toFixed(2)) });
process.exit(0);
