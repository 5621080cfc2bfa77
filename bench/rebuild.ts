import { build } from '../server/app.ts';
import { Monitor } from '../server/monitor.ts';
import { loadPlan } from '../server/plan-source.ts';
import { benchConfig, benchNats, emit, envInt, FULL, percentile, rssMb, runChild, silentLog, tempDataDir } from './lib.ts';

// Rebuild and analyst reads: N events stored (bulk-loaded by bench/load.ts), then a monitor
// starts on that data directory. Timed from Monitor.start to consuming (the counters rebuilt),
// with every ALL counter checked against the engine's own count, and on to ready: the HTTP
// surfaces built and the year's alerts derived, where `npm start`'s /api/health turns 200 (the
// alert derivation was left out of this figure until audit CO1); then /api/counters?asOf=<random
// instant> over HTTP.

const N = envInt('BENCH_REBUILD_N', FULL ? 5_000_000 : 500_000);
const READS = envInt('BENCH_READS', 300);
const READS_REVIEW = envInt('BENCH_REVIEW_READS', 20);
const plan = loadPlan(undefined, Date.now());
const dataDir = tempDataDir();
const load = await runChild('load.ts', {}, [dataDir, String(N)]);
console.log(`loaded ${N} events in ${load.loadMs as number} ms (INSERT ... SELECT FROM numbers)`);
const expected = load.expected as Array<{ complaintType: string; unresolved: number; firstContact: number }>;

const nats = await benchNats();
const started = performance.now();
const monitor = await Monitor.start(benchConfig(dataDir, nats.url), plan, silentLog);
while (!monitor.health.consuming) await new Promise((r) => setTimeout(r, 5));
const rebuildMs = performance.now() - started;
const rows = monitor.index.rows(plan.yearEndMs - 1, { scope: 'ALL' });
const mismatches = expected.filter((e) => {
  const row = rows.find((r) => r.complaintType === e.complaintType);
  return !row || row.unresolvedCustomers !== e.unresolved || row.firstContactCustomers !== e.firstContact;
});
const exact = mismatches.length === 0 && expected.length === plan.types.length;
console.log(`rebuild: consuming after ${Math.round(rebuildMs)} ms (reading the store into the counters: ${monitor.health.rebuildMs} ms) with ${monitor.health.rebuiltEvents} events; counters exact: ${exact}`);
(globalThis as { gc?: () => void }).gc?.();
const rssAfterRebuild = rssMb();

// the rest of the start: the app (the alert engine reads its stored alerts and the strict
// tickets' events back) and the derivation of the year's alerts, as server/index.ts waits for it
let peakRssMb = rssMb();
const sampler = setInterval(() => (peakRssMb = Math.max(peakRssMb, rssMb())), 250);
const app = await build({ monitor });
await monitor.alertsDerived;
const readyMs = performance.now() - started;
clearInterval(sampler);
const rssAtReady = rssMb();
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const count = async (status: string) => ((await (await fetch(`${base}/api/alerts?status=${status}&limit=1&history=none`)).json()) as { total: number }).total;
const alerts = { derived: await count('all'), open: await count('open') };
console.log(`start: ready (alerts derived, where /api/health turns 200) after ${Math.round(readyMs)} ms with ${alerts.derived} alerts (${alerts.open} open); RSS ${rssAtReady} MB at ready, peak ${peakRssMb} MB (${rssAfterRebuild} MB after the rebuild)`);
const times: number[] = [];
let bad = 0;
for (let i = 0; i < READS; i++) {
  const asOf = new Date(plan.yearStartMs + Math.floor(((i * 7919) % READS) / READS * (plan.yearEndMs - plan.yearStartMs))).toISOString();
  const t = performance.now();
  const res = await fetch(`${base}/api/counters?year=${plan.year}&asOf=${encodeURIComponent(asOf)}`);
  await res.json();
  times.push(performance.now() - t);
  if (res.status !== 200) bad++;
}
times.sort((a, b) => a - b);
const reads = { n: READS, p50Ms: Number(percentile(times, 50).toFixed(1)), p99Ms: Number(percentile(times, 99).toFixed(1)), non200: bad };
console.log(`reads: /api/counters?asOf=… over ${N} events: p50 ${reads.p50Ms} ms, p99 ${reads.p99Ms} ms`);

// The classification review's queue (2 % of the tickets wait in it), as the console polls it once a
// minute: the page's 500 rows with the total, and the console link's count alone.
async function timed(path: string, n: number) {
  const ms: number[] = [];
  let body: { total?: number } = {};
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await fetch(`${base}${path}`);
    body = (await res.json()) as { total?: number };
    ms.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  }
  ms.sort((a, b) => a - b);
  return { n, p50Ms: Number(percentile(ms, 50).toFixed(1)), p99Ms: Number(percentile(ms, 99).toFixed(1)), total: body.total };
}
const review = {
  page: await timed('/api/classification/review?limit=500', READS_REVIEW),
  count: await timed('/api/classification/review?limit=1', READS_REVIEW),
};
console.log(`reads: the classification review over ${N} events (${review.page.total} tickets waiting): the page's 500 rows p50 ${review.page.p50Ms} ms, p99 ${review.page.p99Ms} ms; the count p50 ${review.count.p50Ms} ms, p99 ${review.count.p99Ms} ms`);
await app.close();
await monitor.stop();
await nats.cleanup();
emit({ name: 'rebuild', n: N, loadMs: load.loadMs, rebuildMs: Math.round(rebuildMs), readyMs: Math.round(readyMs), alerts, exact, mismatches, rssAfterRebuildMb: rssAfterRebuild, rssAtReadyMb: rssAtReady, peakRssMb, reads, review });
process.exit(exact ? 0 : 1);
