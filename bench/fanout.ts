// Fan-out benchmark: N WebSocket screens on loopback, events published at a fixed rate into the
// server, measured at the screens. Two servers in the same run, each in its own process (so RSS
// is the server's alone): the wall-board hub (coalescing, replay ring, seq numbering) and, as the
// baseline, a bare `ws` server that broadcasts every event as its own frame.
//   node --import tsx bench/fanout.ts            (BENCH_SECONDS=15 BENCH_CLIENTS=500 BENCH_RATE=1000)
// `run()` returns the figures for bench/run.ts.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { WebSocket, WebSocketServer } from 'ws';
import { WallboardHub } from '../pipelines/sinks/wallboard.ts';

const TYPES = ['mortgage_prepayment', 'insurance_dispute', 'auto_installment', 'credit_card'];
const SCOPES = ['ALL', 'BJ', 'BJ-HD', 'BJ-CY', 'SH', 'GZ'];
const clock = () => performance.timeOrigin + performance.now();

type Mode = 'hub' | 'bare';
interface ServerReport { rssPeakMb: number; rssEndMb: number; events: number; framesSent: number; cpuPercent: number }

export interface FanoutFigures {
  mode: Mode;
  clients: number;
  seconds: number;
  eventsPerSec: number;
  deliveredFramesPerSec: number;
  /** events whose value reached the screens, per second (a coalesced frame carries several) */
  deliveredEventsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  serverRssMb: number;
  /** the server process's CPU (user + system) over the run, in % of one core */
  serverCpuPercent: number;
  clientsDropped: number;
}

// ---- server process --------------------------------------------------------------------------
async function serve(mode: Mode, rate: number, seconds: number): Promise<void> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const hub = new WallboardHub({ coalesceMs: 250 });
  const bare = new Set<WebSocket>();
  let folded = new Map<string, { t0: number; n: number }>();
  if (mode === 'hub') {
    const flush = hub.flush.bind(hub);
    hub.flush = () => {
      folded = new Map();
      flush();
    };
  }
  wss.on('connection', (socket, req) => {
    if (mode === 'hub') hub.attach({ socket, connectedAtMs: Date.now(), remote: '', wire: req.socket }, { snapshot: () => ({ counters: [] }), resume: () => ({}) });
    else {
      bare.add(socket);
      socket.on('close', () => bare.delete(socket));
      socket.send(JSON.stringify({ type: 'snapshot', seq: 0 }));
    }
  });
  process.send!({ port: (wss.address() as { port: number }).port });
  await new Promise<void>((r) => process.once('message', () => r()));

  let events = 0, bareSeq = 0, framesSent = 0, rssPeak = 0;
  const perTick = rate / 100;
  const started = clock();
  const cpuBefore = process.cpuUsage();
  await new Promise<void>((done) => {
    const timer = setInterval(() => {
      // catch up to the schedule so a slow tick does not lower the rate
      const due = Math.floor(((clock() - started) / 1000) * rate);
      for (let i = 0; events < due && i < perTick * 10; i++, events++) {
        const type = TYPES[events % TYPES.length]!, scope = SCOPES[(events * 7) % SCOPES.length]!;
        const t = clock();
        if (mode === 'hub') {
          const key = `${type}:${scope}`;
          const f = folded.get(key) ?? { t0: t, n: 0 };
          f.n++;
          folded.set(key, f);
          hub.enqueue(key, { type: 'counter', complaintType: type, scope, unresolvedCustomers: events, t0: f.t0, n: f.n });
        } else {
          const text = JSON.stringify({ type: 'counter', complaintType: type, scope, unresolvedCustomers: events, t0: t, n: 1, seq: ++bareSeq });
          for (const s of bare) if (s.readyState === s.OPEN) s.send(text), framesSent++;
        }
      }
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      if (clock() - started >= seconds * 1000) {
        clearInterval(timer);
        done();
      }
    }, 10);
  });
  hub.flush();
  const cpu = process.cpuUsage(cpuBefore);
  const cpuPercent = ((cpu.user + cpu.system) / 1000 / (clock() - started)) * 100;
  await new Promise((r) => setTimeout(r, 1500)); // let the last frames drain
  const report: ServerReport = {
    cpuPercent,
    rssPeakMb: rssPeak / 2 ** 20,
    rssEndMb: process.memoryUsage().rss / 2 ** 20,
    events,
    framesSent: mode === 'hub' ? hub.stats().framesSent : framesSent,
  };
  process.send!(report);
  hub.closeAll();
  wss.close();
  process.exit(0);
}

// ---- client side (this process) --------------------------------------------------------------
async function measure(mode: Mode, clients: number, rate: number, seconds: number): Promise<FanoutFigures> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--server', mode, String(rate), String(seconds)], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  const { port } = await new Promise<{ port: number }>((r) => child.once('message', (m) => r(m as { port: number })));
  const latencies: number[] = [];
  let frames = 0, eventsSeen = 0, dropped = 0, measuring = false;
  const sockets: WebSocket[] = [];
  for (let i = 0; i < clients; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
    ws.on('message', (data) => {
      if (!measuring) return;
      const m = JSON.parse(String(data)) as { type: string; t0?: number; n?: number };
      if (m.type !== 'counter' || m.t0 === undefined) return;
      frames++;
      eventsSeen += m.n ?? 1;
      // sample every 10th screen's latencies: enough for percentiles, bounded memory
      if (i % 10 === 0) latencies.push(clock() - m.t0);
    });
    ws.on('close', () => measuring && dropped++);
    ws.on('error', () => {});
    sockets.push(ws);
    await new Promise<void>((r) => ws.once('open', () => r()));
  }
  measuring = true;
  const report = new Promise<ServerReport>((r) => child.once('message', (m) => r(m as ServerReport)));
  child.send('go');
  const started = clock();
  const server = await report;
  const elapsed = (clock() - started) / 1000;
  measuring = false;
  for (const s of sockets) s.terminate();
  await new Promise((r) => child.once('exit', r));
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN;
  return {
    mode,
    clients,
    seconds: Math.round(elapsed * 10) / 10,
    eventsPerSec: Math.round(server.events / seconds),
    deliveredFramesPerSec: Math.round(frames / elapsed),
    deliveredEventsPerSec: Math.round(eventsSeen / elapsed / clients),
    p50Ms: Math.round(pct(0.5) * 10) / 10,
    p99Ms: Math.round(pct(0.99) * 10) / 10,
    serverRssMb: Math.round(server.rssPeakMb),
    serverCpuPercent: Math.round(server.cpuPercent),
    clientsDropped: dropped,
  };
}

export async function run(opts: { seconds?: number; clients?: number; rate?: number } = {}) {
  const seconds = opts.seconds ?? (Number(process.env.BENCH_SECONDS) || 15);
  const clients = opts.clients ?? (Number(process.env.BENCH_CLIENTS) || 500);
  const rate = opts.rate ?? (Number(process.env.BENCH_RATE) || 1000);
  const hub = await measure('hub', clients, rate, seconds);
  const bare = await measure('bare', clients, rate, seconds);
  return {
    name: 'fanout',
    hub,
    baseline: bare,
    ratio: {
      /** events per second each server kept up with, hub / bare: what coalescing buys */
      sustainedEvents: Math.round((hub.eventsPerSec / Math.max(1, bare.eventsPerSec)) * 10) / 10,
      p99Latency: Math.round((hub.p99Ms / bare.p99Ms) * 100) / 100,
      framesPerScreen: Math.round((hub.deliveredFramesPerSec / Math.max(1, bare.deliveredFramesPerSec)) * 1000) / 1000,
      serverRss: Math.round((hub.serverRssMb / bare.serverRssMb) * 100) / 100,
      serverCpu: Math.round((hub.serverCpuPercent / Math.max(1, bare.serverCpuPercent)) * 100) / 100,
    },
  };
}

const self = process.argv[1] === fileURLToPath(import.meta.url);
if (self && process.argv[2] === '--server') {
  void serve(process.argv[3] as Mode, Number(process.argv[4]), Number(process.argv[5]));
} else if (self) {
  run()
    .then((r) => console.log(JSON.stringify(r, null, 2)))
    .catch((err: Error) => {
      console.error(err);
      process.exit(1);
    });
}
