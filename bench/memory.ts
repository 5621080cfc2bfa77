import { headers } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { readFileSync } from 'node:fs';
import type { MaskedEvent } from '../pipelines/model.ts';
import { TicketBook } from '../pipelines/rules/cases.ts';
import { ensureStream } from '../pipelines/sources/jetstream.ts';
import { CounterIndex } from '../pipelines/transforms/index.ts';
import { loadPlan } from '../server/plan-source.ts';
import { getJson, startMonitor } from '../tests/helpers/monitor-process.ts';
import { benchNats, emit, envInt, FULL } from './lib.ts';

// Memory (issue 6). 1) Bytes per ticket held, in this process after a GC (heap + array
// buffers): the counter index, and beside it the alert engine's per-ticket book (another holder
// of every ticket). 2) A monitor process (as operators run it) under live traffic through NATS:
// first new tickets (the slope per new ticket), then traffic that brings no new fact — escalations,
// resolutions and reopenings of existing tickets of the relative-mode types, and re-sent old events
// (duplicates from long ago, some without the broker's header) — where RSS must stay flat.
// What the counts must keep for the year grows with the year's facts: each ticket, each first
// contact, each event of a strict-type ticket (held per ticket, measured in part 1); nothing else
// may grow. BENCH_FULL=1: half an hour each (the hour-long run).

const TICKETS = envInt('BENCH_MEMORY_TICKETS', FULL ? 1_000_000 : 200_000);
const RATE = envInt('BENCH_MEMORY_RATE', 1_000);
const PHASE_S = envInt('BENCH_MEMORY_PHASE_S', FULL ? 1_800 : 40);
const plan = loadPlan(undefined, Date.now());
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const held = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const BRANCHES = ['BJ', 'BJ-HD', 'BJ-CY', 'SH', 'GZ', 'SZ'];
const hex = (i: number) => (Math.imul(i + 1, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0').repeat(8); // 64 chars, like an HMAC-SHA256

function ticketEvents(i: number): MaskedEvent[] {
  const t0 = plan.yearStartMs + ((i * 7919) % 300) * 86_400_000 + (i % 86_400_000);
  const base = { ticketId: `TK-${i}`, occurredAt: '', branch: BRANCHES[i % 6]!, complaintType: plan.types[i % plan.types.length]!.code, reportedType: '', customerHash: hex(i % Math.ceil(TICKETS / 3)), customerMasked: {} };
  return [
    { ...base, eventId: `ev-${i}-opened`, kind: 'opened', occurredAtMs: t0 },
    { ...base, eventId: `ev-${i}-first`, kind: 'first_contact', occurredAtMs: t0 + 3_600_000, outcome: i % 100 < 35 ? 'not_agreed' : 'agreed' },
    { ...base, eventId: `ev-${i}-resolved`, kind: 'resolved', occurredAtMs: t0 + 86_400_000, outcome: 'agreed' },
  ];
}

function bytesPerTicket(make: () => { apply(events: MaskedEvent[]): unknown }): number {
  const before = held();
  const holder = make();
  for (let from = 0; from < TICKETS; from += 1_000) {
    const batch: MaskedEvent[] = [];
    for (let i = from; i < Math.min(TICKETS, from + 1_000); i++) batch.push(...ticketEvents(i));
    holder.apply(batch);
  }
  const bytes = held() - before;
  if (!holder) throw new Error('unreachable'); // keeps the holder alive past the measurement
  return Math.round(bytes / TICKETS);
}

const index = bytesPerTicket(() => new CounterIndex(plan));
const alertBook = bytesPerTicket(() => new TicketBook());
console.log(`held per ticket (3 events, 64-char customer hashes, ${TICKETS} tickets): counter index ${index} B, alert engine's TicketBook ${alertBook} B`);

// Live traffic into a monitor process.
const nats = await benchNats();
const monitor = await startMonitor({ NATS_URL: nats.url, ALERT_TICK_MS: '600000' });
const rssMb = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${monitor.child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
const nc = await connect({ servers: nats.url });
await ensureStream(await jetstreamManager(nc));
let sent = 0;
const liveTickets = Math.max(1, RATE * PHASE_S / 2); // tickets opened in the first phase
function publish(e: Record<string, unknown>): void {
  const h = headers();
  if (sent % 50 !== 0) h.set('Nats-Msg-Id', String(e.eventId)); // some re-sends without the broker's header
  nc.publish(`complaints.tickets.${String(e.branch)}`, JSON.stringify(e), { headers: h });
  sent++;
}
// Types whose every not-agreed customer is a case: the alert engine keeps every event of their
// tickets (the escalation ladder), so their events are facts, like first contacts.
const STRICT = new Set(plan.types.filter((t) => t.mode === 'strict').map((t) => t.code));
/** when each event of the first phase happened, so that a re-sent one carries the same facts */
const newEventTimes = new Float64Array(2 * liveTickets + 10 * RATE);
function liveEvent(phase: 'new' | 'retouch', k: number): Record<string, unknown> {
  if (phase === 'new') {
    const i = Math.floor(k / 2);
    if (!newEventTimes[k]) newEventTimes[k] = Date.now();
    return { eventId: `m-${i}-${k % 2}`, ticketId: `m-t${i}`, kind: k % 2 ? 'first_contact' : 'opened', occurredAt: new Date(newEventTimes[k]!).toISOString(), branch: BRANCHES[i % 6], complaintType: plan.types[i % plan.types.length]!.code, customerId: `m-c${i % 5000}`, outcome: k % 2 ? (i % 3 ? 'agreed' : 'not_agreed') : undefined };
  }
  // a repeat of an event already sent (a duplicate from long ago, same facts) every 4th event
  if (k % 4 === 0) return liveEvent('new', (k * 7) % Math.max(1, newSent));
  let i = k % liveTickets;
  while (STRICT.has(plan.types[i % plan.types.length]!.code)) i = (i + 1) % liveTickets;
  const kind = (['escalated', 'resolved', 'reopened'] as const)[k % 3]!;
  return { eventId: `r-${k}`, ticketId: `m-t${i}`, kind, occurredAt: new Date().toISOString(), branch: BRANCHES[i % 6], complaintType: plan.types[i % plan.types.length]!.code, customerId: `m-c${i % 5000}`,
    outcome: kind === 'resolved' ? 'agreed' : undefined, escalation: kind === 'escalated' ? 'case_meeting' : undefined };
}


let newSent = 0;
const samples: Array<{ s: number; phase: string; rssMb: number; heapMb?: number; arrayBuffersMb?: number; events: number }> = [];
/** the monitor's JavaScript heap and typed arrays, from its /metrics */
async function jsMemory(): Promise<{ heapMb?: number; arrayBuffersMb?: number }> {
  try {
    const text = await (await fetch(`${monitor.baseUrl}/metrics`)).text();
    const mb = (name: string) => {
      const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
      return m ? Math.round(Number(m[1]) / 1048576) : undefined;
    };
    return { heapMb: mb('nodejs_heap_used_bytes'), arrayBuffersMb: mb('nodejs_array_buffers_bytes') };
  } catch {
    return {};
  }
}
const t0 = performance.now();
for (const phase of ['new', 'retouch'] as const) {
  const start = performance.now();
  let k = 0;
  while (performance.now() - start < PHASE_S * 1000) {
    const due = Math.floor(((performance.now() - start) / 1000) * RATE) - k;
    for (let j = 0; j < due; j++) publish(liveEvent(phase, k++));
    await new Promise((r) => setTimeout(r, 10));
    if (samples.length === 0 || performance.now() - t0 - samples.at(-1)!.s * 1000 >= 1000) {
      const at = { s: Math.round((performance.now() - t0) / 100) / 10, phase, rssMb: rssMb(), events: sent };
      samples.push(samples.length % 10 === 0 ? { ...at, ...(await jsMemory()) } : at);
    }
  }
  await nc.flush();
  if (phase === 'new') newSent = Math.min(k, newEventTimes.length);
}
const { body: health } = await getJson(monitor, '/api/health');
const stat = (phase: string, from: number, to: number) => {
  const xs = samples.filter((x) => x.phase === phase);
  const part = xs.slice(Math.floor(xs.length * from), Math.ceil(xs.length * to));
  return Math.max(...part.map((x) => x.rssMb));
};
const newFirst = stat('new', 0.25, 0.5), newLast = stat('new', 0.75, 1);
const reFirst = stat('retouch', 0.25, 0.5), reLast = stat('retouch', 0.75, 1);
const live = {
  rate: RATE, phaseS: PHASE_S, sent, stored: health.events?.stored, duplicates: health.events?.duplicates,
  newTickets: { rssMaxSecondQuarterMb: newFirst, rssMaxLastQuarterMb: newLast, bytesPerNewTicket: Math.round(((newLast - newFirst) * 1048576) / (RATE * PHASE_S * 0.5 / 2)) },
  retouch: { rssMaxSecondQuarterMb: reFirst, rssMaxLastQuarterMb: reLast, growthMb: reLast - reFirst },
};
console.log(`live @${RATE}/s: new tickets: RSS ${newFirst} → ${newLast} MB (≈${live.newTickets.bytesPerNewTicket} B per new ticket, whole monitor); traffic without new facts: RSS ${reFirst} → ${reLast} MB`);
await nc.close();
await monitor.kill();
await nats.cleanup();
emit({ name: 'memory', tickets: TICKETS, bytesPerTicket: { counterIndex: index, alertTicketBook: alertBook }, live, samples });
process.exit(0);
