import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import WebSocket from 'ws';
import { ensureStream } from '../pipelines/sources/jetstream.ts';
import { readFileSync } from 'node:fs';
import { headers } from '@nats-io/nats-core';
import { loadPlan } from '../server/plan-source.ts';
import { startMonitor } from '../tests/helpers/monitor-process.ts';
import { benchNats, emit, envInt, FULL, percentile, processCpuMeter } from './lib.ts';

// Publish-to-screen latency: from js.publish to the counter message on a /ws client. Every event
// is a not-agreed first contact of a new customer of one type, so the ALL counter of that type
// on screen says how many events are shown: event k is on screen at the first counter message
// whose unresolvedCustomers reaches k. The monitor runs as its own process, as operators run it,
// so the publisher and the screen in this process do not share its event loop; its RSS is
// sampled throughout (the live-traffic plateau). From 1,000/s on, js.publish (one ack round trip
// each) caps below the rate on 2 cores, so those rates use the direct path: a core publish with
// the Nats-Msg-Id header, captured by the same stream.

const SECONDS = envInt('BENCH_LATENCY_S', FULL ? 60 : 10);
const RATES = (process.env.BENCH_RATES ?? '100,1000,10000').split(',').map(Number);
const plan = loadPlan(undefined, Date.now());
const type = plan.types[0]!.code;
const nats = await benchNats();
const monitor = await startMonitor({ NATS_URL: nats.url });
const port = monitor.port;
const rssMb = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${monitor.child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);

const nc = await connect({ servers: nats.url });
await ensureStream(await jetstreamManager(nc));
const js = jetstream(nc);

// Two screens: a wall screen (/ws?view=wall, bursts coalesced to a few frames a second, issue 4) and
// a live client (/ws?live=1, every change framed as soon as it is durable).
type Shown = Array<{ at: number; count: number }>;
async function screen(path: string): Promise<{ shown: Shown; ws: WebSocket }> {
  const shown: Shown = [];
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  ws.on('message', (raw) => {
    const at = performance.now();
    const m = JSON.parse(raw.toString()) as { type: string; complaintType?: string; scope?: string; unresolvedCustomers?: number };
    if (m.type === 'counter' && m.complaintType === type && m.scope === 'ALL') shown.push({ at, count: m.unresolvedCustomers! });
  });
  await new Promise((r) => ws.once('open', r));
  return { shown, ws };
}
const wall = await screen('/ws?view=wall');
const live = await screen('/ws?live=1');

function latencies(shown: Shown, sent: readonly number[], from: number): number[] {
  const lat: number[] = [];
  let j = 0;
  for (let i = 0; i < sent.length; i++) {
    const k = from + i + 1;
    while (j < shown.length && shown[j]!.count < k) j++;
    if (j < shown.length) lat.push(shown[j]!.at - sent[i]!);
  }
  return lat.sort((a, b) => a - b);
}

const rss: number[] = [];
const sampler = setInterval(() => rss.push(rssMb()), 1000);
let published = 0;
const results = [];
for (const rate of RATES) {
  const sent: number[] = [];
  const from = published;
  const t0 = performance.now();
  const inflight = new Set<Promise<unknown>>();
  let failed = 0;
  const monitorCpu = processCpuMeter(monitor.child.pid);
  const natsCpu = processCpuMeter(nats.pid);
  while (performance.now() - t0 < SECONDS * 1000) {
    const due = Math.floor(((performance.now() - t0) / 1000) * rate) - sent.length;
    for (let i = 0; i < due; i++) {
      const k = ++published;
      const e = {
        eventId: `lat-${k}`,
        ticketId: `lat-t${k}`,
        kind: 'first_contact',
        occurredAt: new Date().toISOString(),
        branch: 'BJ',
        complaintType: type,
        customerId: `lat-c${k}`,
        outcome: 'not_agreed',
      };
      sent.push(performance.now());
      if (rate >= 1_000) {
        const h = headers();
        h.set('Nats-Msg-Id', e.eventId);
        nc.publish('complaints.tickets.BJ', JSON.stringify(e), { headers: h });
        continue;
      }
      const p = js.publish('complaints.tickets.BJ', JSON.stringify(e), { msgID: e.eventId }).catch(() => failed++);
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(inflight);
  await nc.flush();
  const cores = { monitor: monitorCpu.stop(), natsServer: natsCpu.stop() };
  const deadline = performance.now() + 30_000;
  const behind = () => Math.min(wall.shown.at(-1)?.count ?? 0, live.shown.at(-1)?.count ?? 0) < published;
  while (behind() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const lat = latencies(wall.shown, sent, from);
  const liveLat = latencies(live.shown, sent, from);
  const r = {
    rate,
    path: rate >= 1_000 ? 'core publish + Nats-Msg-Id' : 'js.publish',
    achievedPerS: Math.round(sent.length / SECONDS),
    events: sent.length,
    onScreen: lat.length,
    publishFailed: failed,
    p50Ms: Number(percentile(lat, 50).toFixed(1)),
    p99Ms: Number(percentile(lat, 99).toFixed(1)),
    live: {
      onScreen: liveLat.length,
      p50Ms: Number(percentile(liveLat, 50).toFixed(1)),
      p99Ms: Number(percentile(liveLat, 99).toFixed(1)),
    },
    rssMb: rssMb(),
    cores,
  };
  console.log(
    `latency at ${rate}/s (achieved ${r.achievedPerS}/s): live client p50 ${r.live.p50Ms} ms, p99 ${r.live.p99Ms} ms (${r.live.onScreen}/${r.events}); ` +
      `wall screen p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms (${r.onScreen}/${r.events}); RSS ${r.rssMb} MB; cores: monitor ${cores.monitor}, nats-server ${cores.natsServer}`,
  );
  results.push(r);
}
clearInterval(sampler);
wall.ws.close();
live.ws.close();
await nc.close();
await monitor.kill();
await nats.cleanup();
const half = Math.floor(rss.length / 2);
const memory = {
  liveSeconds: rss.length,
  rssFirstHalfMaxMb: Math.max(...rss.slice(0, half)),
  rssSecondHalfMaxMb: Math.max(...rss.slice(half)),
  rssEndMb: rss.at(-1),
};
emit({ name: 'latency', seconds: SECONDS, results, memory: { ...memory, process: 'monitor (own process)' } });
process.exit(0);
