import { performance as nodePerformance } from 'node:perf_hooks';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { ensureStream } from '../pipelines/sources/jetstream.ts';
import { Monitor } from '../server/monitor.ts';
import { decodeEvent, maskEvent } from '../pipelines/transforms/index.ts';
import { ClickHouseSink } from '../pipelines/sinks/clickhouse.ts';
import type { MaskedEvent, TicketEvent } from '../pipelines/model.ts';
import { loadPlan } from '../server/plan-source.ts';
import { ticketStream } from '../tests/helpers/events.ts';
import { type CpuShare, benchConfig, benchNats, cpuMeter, emit, envInt, FULL, rssMb, silentLog, tempDataDir } from './lib.ts';
import { bareConsumer, type BareContext, type BareForm } from './bare-consumer.ts';

// Ingest throughput. The same N messages in one stream are read by a bare durable pull consumer
// that decodes the JSON and acks each message (the ceiling nats.js sets: consume() with a
// callback, pulling as the monitor does), and by the monitor's
// whole path in this process (decode, validate, mask, dedupe, counters, ClickHouse batch insert,
// ack), each timed from the start of consumption to the last ack (the monitor: to the last row in
// ticket_events). Each pass has a fresh consumer (and, for the monitor, a fresh data directory).
// The first pass of each side is cold (code not yet compiled by the JIT, heap still growing);
// then come warm passes in pairs (BENCH_INGEST_PAIRS, default 5), the steady state a monitor
// running for hours is in. The ratio reported is the median pair's; the cold one is printed too.
//
// The same bare consumer is also measured in the form nats.js documents (`for await (const m of
// await consumer.consume())`, `m.json()`, `m.ack()`): a quarter to a third as fast here, because
// each message goes through the async iterator's queue and promise; and in the callback form with
// the library's own pull options, about half as fast. The "roughly 50–65k msgs/s" lies
// between those two; the ratio the goal is judged by is to the fastest form.

const N = envInt('BENCH_INGEST_N', FULL ? 500_000 : 100_000);
const plan = loadPlan(undefined, Date.now());
const nats = await benchNats();
const nc = await connect({ servers: nats.url });
const jsm = await jetstreamManager(nc);
await ensureStream(jsm);
const js = jetstream(nc);

/** The bench's N events, the same on every call (ticketStream is seeded). */
function benchEvents(): TicketEvent[] {
  const events: TicketEvent[] = [];
  for (let seed = 1; events.length < N; seed++) {
    events.push(...ticketStream({ seed, tickets: 20_000, year: plan.year, prefix: `i${seed}` }));
  }
  events.length = N;
  return events;
}

// Published, then let go: a monitor's heap holds no test fixture, and 100k event objects kept
// alive through the passes made every old-generation collection of the pipeline's (which
// promotes a batch's worth of objects) mark them again: ~10 % of its rate (bench/RESULTS.md,
// tenth session). They are made again, from the same seeds, for the stage timings at the end.
let t = performance.now();
const inflight: Promise<unknown>[] = [];
for (const e of benchEvents()) {
  inflight.push(js.publish(`complaints.tickets.${e.branch}`, JSON.stringify(e), { msgID: e.eventId }));
  if (inflight.length >= 4_000) await Promise.all(inflight.splice(0));
}
await Promise.all(inflight);
const publishPerS = N / ((performance.now() - t) / 1000);
console.log(`published ${N} events at ${Math.round(publishPerS)}/s`);

const bareContext: BareContext = { nc, js, jsm, natsPid: nats.pid };
const bare = (name: string, form: BareForm) => bareConsumer(bareContext, name, N, form);

const showCpu = (c: CpuShare | undefined) => (c ? `cores in use: machine ${c.machine}; main thread ${c.mainThread} (waited for a core ${c.mainThreadWaitingForCpu}), other threads ${c.otherThreads} (${JSON.stringify(c.threads)}), nats-server ${c.natsServer}` : '');
const monitorEnv = Object.fromEntries(['MAX_ACK_PENDING', 'BATCH_MAX', 'BATCH_MS'].filter((k) => process.env[k]).map((k) => [k, process.env[k]!]));

/** One pass of the monitor over the N messages: its own consumer and data directory. */
async function pipelinePass(consumerName: string) {
  const monitor = await Monitor.start(benchConfig(tempDataDir(), nats.url, { ...monitorEnv, CONSUMER_NAME: consumerName }), plan, silentLog);
  const started = performance.now();
  const elu0 = nodePerformance.eventLoopUtilization();
  const meter = cpuMeter(nats.pid);
  // polled every 10 ms: a tighter loop costs the pipeline measurable time in this same thread
  while (monitor.health.eventsReceived < N) await new Promise((r) => setTimeout(r, 10));
  const ackedMs = performance.now() - started; // the bare consumer's end: every message acked
  await monitor.settleStore(); // counted and acked is not the end: every row in ticket_events is
  const ms = performance.now() - started;
  const elu = nodePerformance.eventLoopUtilization(elu0);
  return {
    monitor,
    perS: N / (ms / 1000),
    /** to the last ack, before the journal's last rows are moved into ticket_events */
    toAckPerS: N / (ackedMs / 1000),
    cpu: meter.stop(),
    mainThread: { busy: Number(elu.utilization.toFixed(2)), usPerEvent: Number(((elu.active * 1000) / N).toFixed(1)) },
  };
}

await bare('iterator-cold', 'iterator');
const iteratorPerS = (await bare('iterator', 'iterator')).perS;
console.log(`baseline as nats.js documents it (for await … of consume(), m.json(), m.ack()): ${Math.round(iteratorPerS)} msgs/s (warm pass)`);
await bare('callback-defaults-cold', 'callback-defaults');
const defaultCallbackPerS = (await bare('callback-defaults', 'callback-defaults')).perS;
console.log(`baseline in the callback form with nats.js's default pull options (m.json(), m.ack()): ${Math.round(defaultCallbackPerS)} msgs/s (warm pass)`);
const baselineColdPerS = (await bare('baseline-cold', 'fast')).perS;
const cold = await (async () => {
  const { monitor, perS } = await pipelinePass('monitor-cold');
  await monitor.stop();
  return { perS };
})();
console.log(`cold passes: bare consumer ${Math.round(baselineColdPerS)} msgs/s, pipeline ${Math.round(cold.perS)} events/s = ${(cold.perS / baselineColdPerS).toFixed(2)}`);

// Warm passes in pairs, bare consumer then pipeline, a few times over: on a shared machine one
// pair can land in a busy or a quiet minute, so the ratio reported is the median pair's.
const PAIRS = envInt('BENCH_INGEST_PAIRS', 5);
// A pair keeps its figures, not its monitor: a stopped monitor's counters (the index of N events)
// left reachable would weigh on every later pass's collections.
type PassFigures = Omit<Awaited<ReturnType<typeof pipelinePass>>, 'monitor'> & { batches: number };
const pairs: Array<{ baselinePerS: number; baselineCpu: CpuShare | undefined; baselineUsPerEvent: number } & PassFigures> = [];
let lastMonitor: Monitor | undefined;
for (let k = 0; k < PAIRS; k++) {
  const { perS: baselinePerS, cpu: baselineCpu, usPerMessage: baselineUsPerEvent } = await bare(`baseline-${k}`, 'fast');
  const { monitor: passMonitor, ...figures } = await pipelinePass(`monitor-${k}`);
  const pass = { ...figures, batches: passMonitor.health.batches };
  pairs.push({ baselinePerS, baselineCpu, baselineUsPerEvent, ...pass });
  console.log(
    `pair ${k + 1}: bare consumer ${Math.round(baselinePerS)} msgs/s (main thread ${baselineUsPerEvent} µs per message), pipeline ${Math.round(pass.perS)} events/s ` +
      `(${pass.batches} batches; main thread busy ${Math.round(pass.mainThread.busy * 100)} %, ${pass.mainThread.usPerEvent} µs per event) = ${(pass.perS / baselinePerS).toFixed(2)}` +
      ` (to the last ack, as the bare consumer is timed: ${Math.round(pass.toAckPerS)} events/s = ${(pass.toAckPerS / baselinePerS).toFixed(2)})`,
  );
  console.log(`  bare consumer ${showCpu(baselineCpu)}`);
  console.log(`  pipeline ${showCpu(pass.cpu)}`);
  if (k < PAIRS - 1) await passMonitor.stop();
  else lastMonitor = passMonitor;
}
const median = [...pairs].sort((a, b) => a.perS / a.baselinePerS - b.perS / b.baselinePerS)[Math.floor(pairs.length / 2)]!;
const { perS: pipelinePerS, mainThread } = median;
const baselinePerS = median.baselinePerS;
if (!lastMonitor) throw new Error('BENCH_INGEST_PAIRS must be at least 1');
const ratios = pairs.map((p) => Number((p.perS / p.baselinePerS).toFixed(2)));
console.log(
  `median pair: pipeline ${Math.round(pipelinePerS)} events/s vs bare consumer ${Math.round(baselinePerS)} msgs/s = ${(pipelinePerS / baselinePerS).toFixed(2)} ` +
    `(pairs ${ratios.join(', ')}); to the documented form ${(pipelinePerS / iteratorPerS).toFixed(2)}, ` +
    `to the callback form with default pulls ${(pipelinePerS / defaultCallbackPerS).toFixed(2)}`,
);
const rss = rssMb();

// Where the time goes: the same work stage by stage, in this process, on the same engine.
const enc = new TextEncoder();
const payloads = benchEvents().map((e) => enc.encode(JSON.stringify(e)));
t = performance.now();
const masked: MaskedEvent[] = [];
const hashKey = enc.encode('bench-key'); // one key, as in the monitor (its hash cache is per key)
for (const p of payloads) {
  const d = decodeEvent(p);
  if (d.ok) masked.push(maskEvent(d.event, { hashKey, plan }));
}
const prepareMs = performance.now() - t;
const batchSize = Math.ceil(N / Math.max(1, median.batches));
const sink = new ClickHouseSink(lastMonitor.clickhouse);
t = performance.now();
for (let i = 0; i < masked.length; i += batchSize) {
  // the same rows again: the table folds copies by event_id, so this changes no result
  await sink.writeBatch(masked.slice(i, i + batchSize).map((event, j) => ({ event, streamSeq: i + j, receivedAtMs: Date.now() })), []);
}
const writeMs = performance.now() - t;
const stages = {
  decodeMaskPerS: Math.round(N / (prepareMs / 1000)),
  clickhouseRowsPerS: Math.round(masked.length / (writeMs / 1000)),
  batchSize,
};
console.log(`stages alone: decode+validate+mask ${stages.decodeMaskPerS}/s; ClickHouse insert ${stages.clickhouseRowsPerS} rows/s in batches of ${batchSize}`);
await lastMonitor.stop();
await nc.close();
await nats.cleanup();
emit({
  name: 'ingest',
  n: N,
  publishPerS: Math.round(publishPerS),
  baselinePerS: Math.round(baselinePerS),
  baselineUsPerEvent: median.baselineUsPerEvent,
  pipelinePerS: Math.round(pipelinePerS),
  pairs: pairs.map((p) => ({
    baselinePerS: Math.round(p.baselinePerS),
    pipelinePerS: Math.round(p.perS),
    ratio: Number((p.perS / p.baselinePerS).toFixed(2)),
    toAckRatio: Number((p.toAckPerS / p.baselinePerS).toFixed(2)),
  })),
  ratio: Number((pipelinePerS / baselinePerS).toFixed(2)),
  iterator: { baselinePerS: Math.round(iteratorPerS), ratio: Number((pipelinePerS / iteratorPerS).toFixed(2)) },
  callbackDefaults: { baselinePerS: Math.round(defaultCallbackPerS), ratio: Number((pipelinePerS / defaultCallbackPerS).toFixed(2)) },
  cold: { baselinePerS: Math.round(baselineColdPerS), pipelinePerS: Math.round(cold.perS), ratio: Number((cold.perS / baselineColdPerS).toFixed(2)) },
  batches: median.batches,
  mainThread,
  cores: { baseline: median.baselineCpu, pipeline: median.cpu },
  rssAfterMb: rss,
  stages,
});
process.exit(0);
