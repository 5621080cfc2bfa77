import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FULL, machine, ROOT, runChild } from './lib.ts';

// `npm run bench`: every benchmark in its own process, in one run on this machine, each with its
// baseline or goal. Short by default (a few minutes on 2 cores); BENCH_FULL=1 for the real
// figures (500k ingest, 60 s per rate, 5 million stored events). Results also go to
// test-artifacts/bench-last-run.json (git-ignored); bench/RESULTS.md records figures by hand with the machine.

if (process.argv.slice(2).some((x) => x === '--help' || x === '-h')) {
  console.log(`usage: npm run bench
  every benchmark in its own process (a few minutes on 2 cores); results in test-artifacts/bench-last-run.json
  environment: BENCH_FULL=1 (the full-size run), BENCH_ONLY=ingest,flood,latency,rebuild,memory,fanout`);
  process.exit(0);
}

const only = process.env.BENCH_ONLY?.split(',');
const want = (name: string) => !only || only.includes(name);
const m = machine();
console.log(`machine: ${m.nproc} cores (${m.cpu}), ${m.ramGb} GB RAM, node ${m.node}, nats-server ${m.natsServer}, chdb ${m.chdb}, @nats-io/jetstream ${m.natsJs}${FULL ? ', FULL run' : ''}`);
const results: Record<string, unknown> = { machine: m, full: FULL, at: new Date().toISOString() };
const summary: string[] = [];

async function step(name: string, fn: () => Promise<void>): Promise<void> {
  if (!want(name)) return;
  console.log(`\n== ${name}`);
  try {
    await fn();
  } catch (err) {
    console.log(`${name} failed: ${(err as Error).message}`);
    summary.push(`${name}: FAILED (${(err as Error).message})`);
  }
}

await step('ingest', async () => {
  const r = (results.ingest = await runChild('ingest.ts')) as {
    n: number;
    baselinePerS: number;
    pipelinePerS: number;
    ratio: number;
    cold: { ratio: number };
    iterator: { baselinePerS: number; ratio: number };
    callbackDefaults: { baselinePerS: number; ratio: number };
  };
  summary.push(
    `ingest (${r.n} events, warm passes): pipeline ${r.pipelinePerS}/s vs bare consumer ${r.baselinePerS}/s = ${r.ratio} of baseline (goal ≥ 0.6); cold passes ${r.cold.ratio}; ` +
      `${r.iterator.ratio} of the bare consumer in the form nats.js documents (${r.iterator.baselinePerS}/s), ` +
      `${r.callbackDefaults.ratio} of the callback form with nats.js's default pulls (${r.callbackDefaults.baselinePerS}/s)`,
  );
});

await step('flood', async () => {
  const r = (results.flood = await runChild('flood.ts')) as { n: number; openAlerts: number; monitorPerS: number; baselinePerS: number; ratio: number };
  summary.push(`burst of ${r.n} events opening ${r.openAlerts} alerts: monitor process ${r.monitorPerS}/s vs bare consumer ${r.baselinePerS}/s = ${r.ratio}`);
});

await step('latency', async () => {
  const r = (results.latency = await runChild('latency.ts')) as {
    results: Array<{ rate: number; achievedPerS: number; p50Ms: number; p99Ms: number; live: { p50Ms: number; p99Ms: number } }>;
    memory: { rssFirstHalfMaxMb: number; rssSecondHalfMaxMb: number };
  };
  for (const x of r.results) {
    summary.push(
      `latency @${x.rate}/s (sent ${x.achievedPerS}/s): live client p50 ${x.live.p50Ms} ms, p99 ${x.live.p99Ms} ms (goal at 1000/s: p99 < 50 ms); ` +
        `wall screen (coalesced) p50 ${x.p50Ms} ms, p99 ${x.p99Ms} ms`,
    );
  }
  summary.push(`memory, live traffic: monitor RSS max ${r.memory.rssFirstHalfMaxMb} MB first half, ${r.memory.rssSecondHalfMaxMb} MB second half`);
});

await step('rebuild', async () => {
  const r = (results.rebuild = await runChild('rebuild.ts')) as {
    n: number;
    rebuildMs: number;
    readyMs: number;
    alerts: { derived: number; open: number };
    exact: boolean;
    rssAfterRebuildMb: number;
    peakRssMb: number;
    reads: { p50Ms: number; p99Ms: number };
    review: Record<'page' | 'count', { p50Ms: number; p99Ms: number; total: number }>;
  };
  summary.push(`rebuild of ${r.n} stored events: consuming after ${(r.rebuildMs / 1000).toFixed(1)} s, counters exact: ${r.exact} (goal for 5M: < 30 s)`);
  summary.push(`start over ${r.n} stored events: ready (/api/health 200) after ${(r.readyMs / 1000).toFixed(1)} s, ${r.alerts.derived} alerts derived (${r.alerts.open} open), peak RSS ${r.peakRssMb} MB`);
  summary.push(`reads /api/counters?asOf over ${r.n} events: p50 ${r.reads.p50Ms} ms, p99 ${r.reads.p99Ms} ms (goal p99 < 100 ms)`);
  summary.push(`reads of the classification review over ${r.n} events (${r.review.page.total} tickets waiting, polled once a minute per console): page p99 ${r.review.page.p99Ms} ms, count p99 ${r.review.count.p99Ms} ms`);
  summary.push(`memory after ${r.n} events: ${r.rssAfterRebuildMb} MB RSS`);
});

await step('memory', async () => {
  type Live = { rate: number; phaseS: number; newTickets: { rssMaxSecondQuarterMb: number; rssMaxLastQuarterMb: number; bytesPerNewTicket: number }; retouch: { rssMaxSecondQuarterMb: number; rssMaxLastQuarterMb: number; growthMb: number } };
  const r = (results.memory = await runChild('memory.ts')) as { tickets: number; bytesPerTicket: { counterIndex: number; alertTicketBook: number }; live: Live };
  summary.push(`memory per ticket (${r.tickets} tickets): counter index ${r.bytesPerTicket.counterIndex} B, alert engine's TicketBook ${r.bytesPerTicket.alertTicketBook} B`);
  summary.push(
    `memory, monitor under ${r.live.rate}/s for ${r.live.phaseS} s a phase: new tickets RSS ${r.live.newTickets.rssMaxSecondQuarterMb} → ${r.live.newTickets.rssMaxLastQuarterMb} MB ` +
      `(≈${r.live.newTickets.bytesPerNewTicket} B per new ticket); traffic without new facts RSS ${r.live.retouch.rssMaxSecondQuarterMb} → ${r.live.retouch.rssMaxLastQuarterMb} MB (must stay flat)`,
  );
});

await step('fanout', async () => {
  const file = join(ROOT, 'bench', 'fanout.ts');
  if (!existsSync(file)) {
    console.log('bench/fanout.ts is not there yet (the wall-board benchmark): skipped');
    summary.push('fan-out: skipped (bench/fanout.ts missing)');
    return;
  }
  type Side = { clients: number; eventsPerSec: number; deliveredEventsPerSec: number; deliveredFramesPerSec: number; p99Ms: number; serverRssMb: number; serverCpuPercent: number; clientsDropped: number };
  const mod = (await import(pathToFileURL(file).href)) as { run?: () => Promise<{ hub: Side; baseline: Side }> };
  if (typeof mod.run !== 'function') throw new Error('bench/fanout.ts exports no run()');
  const r = await mod.run();
  results.fanout = r;
  const side = (s: Side) =>
    `${s.eventsPerSec} events/s in, ${s.deliveredEventsPerSec} events/s reach each screen in ${Math.round(s.deliveredFramesPerSec / s.clients)} frames/s, ` +
    `p99 ${s.p99Ms} ms, server ${s.serverRssMb} MB RSS, ${s.serverCpuPercent}% CPU, ${s.clientsDropped} dropped`;
  summary.push(`fan-out, ${r.hub.clients} screens: hub ${side(r.hub)}; bare ws, a frame per event: ${side(r.baseline)}`);
});

console.log('\n== summary');
for (const line of summary) console.log(`- ${line}`);
mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
writeFileSync(join(ROOT, 'test-artifacts', 'bench-last-run.json'), `${JSON.stringify(results, null, 2)}\n`);
process.exit(summary.some((l) => l.includes('FAILED')) ? 1 : 0);
