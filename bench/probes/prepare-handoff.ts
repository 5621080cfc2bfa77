import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { decodeEvent, maskEvent } from '../../pipelines/transforms/index.ts';
import { loadPlan } from '../../server/plan-source.ts';
import { ticketStream } from '../../tests/helpers/events.ts';

// Probe (not part of `npm run bench`): would a worker thread that decodes, validates and masks
// take enough off the pipeline's main thread? The main thread's cost per event is measured three
// ways over the bench's 100k events: preparing them itself; copying the raw bytes to a worker and
// parsing the prepared events back from one JSON string per chunk; and taking them back by
// structured clone. Run: node --import tsx bench/probes/prepare-handoff.ts

const plan = loadPlan(undefined, Date.now());
const hashKey = new TextEncoder().encode('bench-key');
const prepare = (bytes: Uint8Array) => {
  const d = decodeEvent(bytes);
  return d.ok ? { ok: true, event: maskEvent(d.event, { hashKey, plan }) } : d;
};
type Chunk = { buf: ArrayBuffer; ends: Uint32Array; as: 'json' | 'clone' };

if (!isMainThread) {
  parentPort!.on('message', ({ buf, ends, as }: Chunk) => {
    const bytes = new Uint8Array(buf);
    const out = [];
    let start = 0;
    for (const end of ends) {
      out.push(prepare(bytes.subarray(start, end)));
      start = end;
    }
    parentPort!.postMessage(as === 'json' ? JSON.stringify(out) : out);
  });
} else {
  const N = 100_000;
  const CHUNK = 1_000;
  const encoder = new TextEncoder();
  const events = [];
  for (let seed = 1; events.length < N; seed++) events.push(...ticketStream({ seed, tickets: 20_000, year: plan.year, prefix: `i${seed}` }));
  events.length = N;
  const payloads = events.map((e) => encoder.encode(JSON.stringify(e)));
  const mainUs = (elu0: ReturnType<typeof performance.eventLoopUtilization>) => ((performance.eventLoopUtilization(elu0).active * 1000) / N).toFixed(2);

  for (let pass = 0; pass < 4; pass++) {
    const elu0 = performance.eventLoopUtilization();
    let ok = 0;
    for (const p of payloads) if (prepare(p).ok) ok++;
    console.log(`prepared on the main thread: ${mainUs(elu0)} µs per event (${ok} valid)`);
  }
  const worker = new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData: { entry: import.meta.url } });
  for (const as of ['json', 'json', 'json', 'clone', 'clone', 'clone'] as const) {
    const elu0 = performance.eventLoopUtilization();
    const started = performance.now();
    await new Promise<void>((resolve) => {
      let back = 0;
      worker.removeAllListeners('message');
      worker.on('message', (m: string | unknown[]) => {
        back += (typeof m === 'string' ? (JSON.parse(m) as unknown[]) : m).length;
        if (back === N) resolve();
      });
      for (let i = 0; i < N; i += CHUNK) {
        let total = 0;
        for (let j = i; j < i + CHUNK; j++) total += payloads[j]!.length;
        const buf = new Uint8Array(total);
        const ends = new Uint32Array(CHUNK);
        for (let j = i, at = 0; j < i + CHUNK; j++) {
          buf.set(payloads[j]!, at);
          ends[j - i] = at += payloads[j]!.length;
        }
        worker.postMessage({ buf: buf.buffer, ends, as } satisfies Chunk, [buf.buffer]);
      }
    });
    const wallUs = (((performance.now() - started) * 1000) / N).toFixed(2);
    console.log(`prepared in a worker, back by ${as}: main thread ${mainUs(elu0)} µs per event (wall ${wallUs} µs per event)`);
  }
  await worker.terminate();
}
