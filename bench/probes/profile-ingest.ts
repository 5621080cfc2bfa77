import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { ensureStream } from '../../pipelines/sources/jetstream.ts';
import { Monitor } from '../../server/monitor.ts';
import { loadPlan } from '../../server/plan-source.ts';
import { ticketStream } from '../../tests/helpers/events.ts';
import { benchConfig, benchNats, envInt, silentLog, tempDataDir } from '../lib.ts';

// Probe (not part of `npm run bench`): where the ingest pipeline's main thread goes. The bench's
// events are published once; the monitor's whole path reads them in PASSES passes (the first
// unprofiled, to warm the JIT), each with a fresh consumer and data directory, under the
// inspector's sampling profiler. Prints the self time by function and by area (the client, the
// decoder, masking, counters, the Native block, the collector…) as shares of the busy time, and
// writes the profile for Chrome's DevTools. Run: node --import tsx bench/probes/profile-ingest.ts

const N = envInt('BENCH_INGEST_N', 100_000);
const PASSES = envInt('PROFILE_PASSES', 3);
const plan = loadPlan(undefined, Date.now());
const nats = await benchNats();
const nc = await connect({ servers: nats.url });
await ensureStream(await jetstreamManager(nc));
const js = jetstream(nc);
const inflight: Promise<unknown>[] = [];
for (let seed = 1, sent = 0; sent < N; seed++) {
  for (const e of ticketStream({ seed, tickets: 20_000, year: plan.year, prefix: `i${seed}` })) {
    if (sent++ >= N) break;
    inflight.push(js.publish(`complaints.tickets.${e.branch}`, JSON.stringify(e), { msgID: e.eventId }));
    if (inflight.length >= 4_000) await Promise.all(inflight.splice(0));
  }
}
await Promise.all(inflight);

async function pass(name: string): Promise<number> {
  const monitor = await Monitor.start(benchConfig(tempDataDir(), nats.url, { CONSUMER_NAME: name }), plan, silentLog);
  const t = performance.now();
  while (monitor.health.eventsReceived < N) await new Promise((r) => setTimeout(r, 10));
  await monitor.settleStore();
  const ms = performance.now() - t;
  await monitor.stop();
  return N / (ms / 1000);
}

console.log(`warm-up pass: ${Math.round(await pass('profile-warm'))} events/s`);
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');
for (let k = 0; k < PASSES - 1; k++) console.log(`profiled pass ${k + 1}: ${Math.round(await pass(`profile-${k}`))} events/s`);
const { profile } = await session.post('Profiler.stop');
writeFileSync('test-artifacts/ingest.cpuprofile', JSON.stringify(profile));

// self time per node, from the samples' time deltas
const self = new Map<number, number>();
profile.samples!.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas![i] ?? 0)));
const byFunction = new Map<string, number>();
const byArea = new Map<string, number>();
let busy = 0;
for (const node of profile.nodes) {
  const us = self.get(node.id) ?? 0;
  const { functionName, url, lineNumber } = node.callFrame;
  if (functionName === '(idle)' || us === 0) continue;
  busy += us;
  const file = url.replace(/^.*\/(node_modules\/(@[^/]+\/)?[^/]+|work\/main)\//, '$1/').replace(/^work\/main\//, '');
  const key = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  byArea.set(area(functionName, url), (byArea.get(area(functionName, url)) ?? 0) + us);
}
function area(fn: string, url: string): string {
  if (fn === '(garbage collector)') return 'collector';
  if (fn === '(program)') return 'program (V8 itself)';
  if (url.includes('@nats-io')) return 'nats client';
  if (url.includes('@clickhouse') || url.includes('chdb')) return 'clickhouse client';
  if (url.includes('node_modules/rxjs')) return 'rxjs';
  if (url.includes('/pipelines/transforms/decode') || fn === 'parse' && !url) return 'decoder';
  if (url.includes('/pipelines/transforms/mask')) return 'masking';
  if (url.includes('/pipelines/transforms/')) return `transforms: ${url.replace(/^.*\/transforms\//, '')}`;
  if (url.includes('/pipelines/sinks/')) return `sinks: ${url.replace(/^.*\/sinks\//, '')}`;
  if (url.includes('/pipelines/sources/')) return `sources: ${url.replace(/^.*\/sources\//, '')}`;
  if (url.includes('/pipelines/')) return `pipelines: ${url.replace(/^.*\/pipelines\//, '')}`;
  if (url.includes('/server/')) return `server: ${url.replace(/^.*\/server\//, '')}`;
  if (url.startsWith('node:')) return `node: ${url.slice(5)}`;
  return fn ? `native: ${fn}` : 'native';
}
const top = (m: Map<string, number>, n: number) =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `  ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${k}`).join('\n');
console.log(`busy ${(busy / 1000).toFixed(0)} ms over ${PASSES - 1} passes (${(busy / ((PASSES - 1) * N)).toFixed(2)} µs an event, profiler included)`);
console.log(`by area:\n${top(byArea, 25)}`);
console.log(`by function (self):\n${top(byFunction, 40)}`);
await nc.close();
await nats.cleanup();
process.exit(0);
