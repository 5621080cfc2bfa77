import { afterEach, describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebSocket, WebSocketServer } from 'ws';
import { ReplayRing, coalesce, resumeFrom } from './wallboard-core.ts';
import { WallboardHub } from './wallboard.ts';

type Frame = Record<string, any>;

describe('wallboard core', () => {
  it('wallboard - coalesce keeps the latest message per key in first-change order', () => {
    let p = new Map();
    p = coalesce(p, 'a', { type: 'counter', v: 1 });
    p = coalesce(p, 'b', { type: 'counter', v: 2 });
    p = coalesce(p, 'a', { type: 'counter', v: 3 });
    expect([...p.entries()]).toEqual([['a', { type: 'counter', v: 3 }], ['b', { type: 'counter', v: 2 }]]);
  });

  it('wallboard - the replay ring is bounded by frames and bytes', () => {
    const r = new ReplayRing(3, 1000);
    for (let s = 1; s <= 5; s++) r.push({ seq: s, text: 'x'.repeat(10) });
    expect(r.size).toBe(3);
    expect(r.oldestSeq).toBe(3);
    const b = new ReplayRing(100, 50); // bytes: two a character, as Chinese text takes
    for (let s = 1; s <= 5; s++) b.push({ seq: s, text: 'x'.repeat(10) });
    expect(b.after(0).map((e) => e.seq)).toEqual([4, 5]);
    expect(b.bytes).toBe(40);
  });

  it('wallboard - a frame the ring let go is not kept alive by it (the bound holds in memory, not only in its count)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const r = new ReplayRing(100, 3_000);
    const evicted: Array<WeakRef<object>> = [];
    for (let s = 1; s <= 50; s++) {
      const entry = { seq: s, text: '说明'.repeat(500) }; // 2,000 bytes: each push evicts the one before
      if (s < 50) evicted.push(new WeakRef(entry));
      r.push(entry);
    }
    expect(r.after(0).map((e) => e.seq)).toEqual([50]);
    await new Promise((resolve) => setImmediate(resolve)); // a WeakRef made in this turn holds its target until it ends
    gc();
    expect(evicted.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
  });

  it('wallboard - resume replays only when every missed frame is held and the epoch matches', () => {
    const r = new ReplayRing(3, 1e6);
    for (let s = 1; s <= 5; s++) r.push({ seq: s, text: String(s) });
    expect(resumeFrom(r, 5, 'e1', undefined)).toEqual({ kind: 'snapshot', reason: 'new' });
    expect(resumeFrom(r, 5, 'e1', { seq: 4, epoch: 'e0' })).toEqual({ kind: 'snapshot', reason: 'epoch' });
    expect(resumeFrom(r, 5, 'e1', { seq: 6, epoch: 'e1' })).toEqual({ kind: 'snapshot', reason: 'ahead' });
    expect(resumeFrom(r, 5, 'e1', { seq: 1, epoch: 'e1' })).toEqual({ kind: 'snapshot', reason: 'evicted' });
    const ok = resumeFrom(r, 5, 'e1', { seq: 2, epoch: 'e1' });
    expect(ok.kind === 'replay' && ok.entries.map((e) => e.seq)).toEqual([3, 4, 5]);
    const none = resumeFrom(r, 5, 'e1', { seq: 5, epoch: 'e1' });
    expect(none.kind === 'replay' && none.entries.length).toBe(0);
  });
});

// The hub against real sockets on loopback.
let wss: WebSocketServer | undefined;
const clients: WebSocket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  await new Promise<void>((r) => (wss ? wss.close(() => r()) : r()));
  wss = undefined;
});

async function serve(hub: WallboardHub, masked = false) {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss!.once('listening', () => r()));
  wss.on('connection', (socket, req) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const since = u.searchParams.get('since');
    hub.attach(
      { socket, connectedAtMs: 0, remote: '', masked: masked || u.searchParams.has('masked') },
      { snapshot: (seq) => ({ type: 'snapshot', seq, counters: [] }), resume: (seq) => ({ type: 'resume', seq }) },
      since ? { seq: Number(since), epoch: u.searchParams.get('epoch') ?? '' } : undefined,
    );
  });
  return `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
}

function connect(url: string): Promise<{ ws: WebSocket; frames: Frame[] }> {
  const ws = new WebSocket(url);
  clients.push(ws);
  const frames: Frame[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(String(d))));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, frames }));
    ws.once('error', reject);
  });
}

async function until(cond: () => boolean, what: string, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('wallboard hub', () => {
  it('wallboard - snapshot carries the last seq, the next live frame is seq + 1', async () => {
    const hub = new WallboardHub({ coalesceMs: 0, epoch: 'E' });
    hub.broadcast([{ type: 'alert', id: 'x' }, { type: 'alert', id: 'y' }]);
    const url = await serve(hub);
    const a = await connect(url);
    await until(() => a.frames.length === 1, 'snapshot');
    expect(a.frames[0]).toMatchObject({ type: 'snapshot', seq: 2, epoch: 'E' });
    hub.broadcast([{ type: 'heartbeat' }]);
    await until(() => a.frames.length === 2, 'live');
    expect(a.frames[1]).toMatchObject({ type: 'heartbeat', seq: 3 });
  });

  it('wallboard - a lone change goes out at once; one inside the window waits for the window', async () => {
    let clock = 10_000;
    const hub = new WallboardHub({ coalesceMs: 60_000, now: () => clock });
    const url = await serve(hub);
    const a = await connect(url);
    await until(() => a.frames.length === 1, 'snapshot');
    hub.enqueue('counter:m:ALL', { type: 'counter', v: 1 });
    hub.enqueue('counter:m:BJ', { type: 'counter', v: 2 });
    await until(() => a.frames.length === 3, 'leading edge: both changes of the batch at once');
    clock += 1_000; // inside the window
    hub.enqueue('counter:m:ALL', { type: 'counter', v: 3 });
    await new Promise((r) => setTimeout(r, 200));
    expect(a.frames.length).toBe(3);
    hub.flush(); // what the window's timer does when it ends
    await until(() => a.frames.length === 4, 'trailing edge');
    expect(a.frames.slice(1).map((f) => f.v)).toEqual([1, 2, 3]);
  });

  it('wallboard - a burst to one counter reaches a screen as one frame with the latest value', async () => {
    const hub = new WallboardHub({ coalesceMs: 100 });
    const url = await serve(hub);
    const a = await connect(url);
    await until(() => a.frames.length === 1, 'snapshot');
    for (let v = 1; v <= 200; v++) {
      hub.enqueue('counter:m:ALL', { type: 'counter', scope: 'ALL', v });
      hub.enqueue(`counter:m:B${v % 2}`, { type: 'counter', scope: `B${v % 2}`, v });
    }
    await until(() => a.frames.length === 4, 'flush', 3000);
    await new Promise((r) => setTimeout(r, 250));
    expect(a.frames.slice(1).map((f) => [f.scope, f.v, f.seq])).toEqual([['ALL', 200, 1], ['B1', 199, 2], ['B0', 200, 3]]);
    expect(a.frames.length).toBe(4);
  });

  it('wallboard - a flush of a bank\'s counter changes goes to a screen in one write, each frame still its own message', async () => {
    const hub = new WallboardHub({ coalesceMs: 50 });
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss!.once('listening', () => r()));
    let writes = 0;
    wss.on('connection', (socket, req) => {
      // what reaches the operating system: one _write or _writev per write to the TCP socket
      const raw = req.socket as unknown as { _write: (...a: unknown[]) => unknown; _writev: (...a: unknown[]) => unknown };
      for (const k of ['_write', '_writev'] as const) {
        const f = raw[k].bind(raw);
        raw[k] = (...a: unknown[]) => (writes++, f(...a));
      }
      hub.attach({ socket, connectedAtMs: 0, remote: '', wire: req.socket }, { snapshot: (seq) => ({ type: 'snapshot', seq, counters: [] }), resume: (seq) => ({ type: 'resume', seq }) });
    });
    const a = await connect(`ws://127.0.0.1:${(wss.address() as { port: number }).port}/`);
    await until(() => a.frames.length === 1, 'snapshot');
    hub.flush();
    writes = 0;
    // one window's changes on a plan with branches in three levels: 50 cells, 50 frames
    for (let i = 0; i < 50; i++) hub.enqueue(`counter:t${i % 25}:S${i}`, { type: 'counter', complaintType: `t${i % 25}`, scope: `S${i}`, v: i });
    hub.flush();
    await until(() => a.frames.length === 51, 'the flush');
    expect(a.frames.slice(1).map((f) => [f.type, f.v, f.seq])).toEqual(Array.from({ length: 50 }, (_, i) => ['counter', i, i + 1]));
    expect(writes).toBe(1);
  });

  it('wallboard - reconnect with since replays exactly the missed frames; unknown epoch gets a snapshot', async () => {
    const hub = new WallboardHub({ coalesceMs: 0, ringEntries: 10, epoch: 'E' });
    const url = await serve(hub);
    const a = await connect(url);
    hub.broadcast([{ type: 'counter', v: 1 }]);
    await until(() => a.frames.length === 2, 'first');
    a.ws.close();
    await until(() => hub.size === 0, 'closed');
    hub.broadcast([{ type: 'counter', v: 2 }, { type: 'counter', v: 3 }]);
    const b = await connect(`${url}?since=1&epoch=E`);
    hub.broadcast([{ type: 'counter', v: 4 }]);
    await until(() => b.frames.length === 4, 'replay');
    expect(b.frames.map((f) => [f.type, f.seq, f.v])).toEqual([['resume', 1, undefined], ['counter', 2, 2], ['counter', 3, 3], ['counter', 4, 4]]);
    const c = await connect(`${url}?since=1&epoch=OTHER`);
    await until(() => c.frames.length === 1, 'snapshot');
    expect(c.frames[0]).toMatchObject({ type: 'snapshot', seq: 4 });
    for (let v = 5; v <= 30; v++) hub.broadcast([{ type: 'counter', v }]);
    const d = await connect(`${url}?since=4&epoch=E`);
    await until(() => d.frames.length >= 1, 'evicted');
    expect(d.frames[0]).toMatchObject({ type: 'snapshot', seq: 30 });
  });

  it('wallboard - a screen that stops reading is dropped; the others get every frame', async () => {
    // stuckMs 0: a screen held back that drains nothing by the next frame is cut
    const hub = new WallboardHub({ coalesceMs: 0, maxBufferedBytes: 256 * 1024, stuckMs: 0 });
    const url = await serve(hub);
    const slow = await connect(url);
    const fast = await connect(url);
    await until(() => slow.frames.length === 1 && fast.frames.length === 1, 'snapshots');
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = 'x'.repeat(64 * 1024);
    let sent = 0;
    for (let i = 0; i < 2000 && hub.stats().slowDropped === 0; i++) {
      hub.broadcast([{ type: 'counter', big }]);
      sent++;
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    expect(hub.stats().slowDropped).toBe(1);
    expect(hub.size).toBe(1);
    await until(() => fast.frames.length === 1 + sent, 'fast got all', 20_000);
    const seqs = fast.frames.slice(1).map((f) => f.seq);
    expect(seqs).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
  });

  it('wallboard - a masked screen gets alerts without names or ticket ids', async () => {
    const hub = new WallboardHub({ coalesceMs: 0 });
    const url = await serve(hub);
    const open = await connect(url);
    const pub = await connect(`${url}?masked`);
    hub.broadcast([{ type: 'alert', id: 'level.2025.mp.BJ.1', ticketId: 'T-9', history: [{ by: '李四' }] }]);
    await until(() => open.frames.length === 2 && pub.frames.length === 2, 'alert');
    expect(open.frames[1]).toMatchObject({ ticketId: 'T-9', history: [{ by: '李四' }] });
    expect(pub.frames[1]).toEqual({ type: 'alert', id: 'level.2025.mp.BJ.1', history: [{}], seq: 1 });
  });

  // Audit G: a public screen still got the correcting event ids (which embed the ticket id) in a
  // history line's reason, the on-call names of escalation lines, who changed the plan, and the
  // network address of another screen.
  it('wallboard - a masked screen gets no event or ticket id, name or address in any frame, live or replayed', async () => {
    const hub = new WallboardHub({ coalesceMs: 0 });
    const url = await serve(hub);
    const pub = await connect(`${url}?masked`);
    const frames: Array<Record<string, unknown>> = [
      { type: 'alert', id: 'case.TK-2026-17430', ticketId: 'TK-2026-17430', history: [{ id: 'case.TK-2026-17430/withdrawn/1', what: 'withdrawn', reason: 'correction TK-2026-17430-2-s1', by: '王主管' }] },
      { type: 'alert', id: 'level.2026.rel.SH.1', onCall: { level: 2, notify: ['李四 139****5678'] }, history: [{ what: 'escalated', detail: { onCallLevel: 2, notify: ['李四 139****5678'] } }] },
      { type: 'plan', year: 2026, changedAt: 't', by: '李四 139****5678', hash: 'h' },
      { type: 'heartbeat', asOf: 't', pipeline: { consuming: true, writeError: 'connect ECONNREFUSED 10.1.2.3:8123' } },
      { type: 'screen', id: 'lobby-1', name: '大堂屏', remote: '192.168.7.21', status: 'silent', lastHeartbeat: 't' },
    ];
    hub.broadcast(frames.map((f) => ({ ...f, type: String(f.type) })));
    await until(() => pub.frames.length === 1 + frames.length, 'live frames');
    const again = await connect(`${url}?masked&since=0&epoch=${hub.epoch}`);
    await until(() => again.frames.length === 1 + frames.length, 'replayed frames');
    for (const seen of [pub.frames, again.frames]) {
      const text = JSON.stringify(seen);
      expect(text).not.toMatch(/TK-2026|17430|王主管|李四|139\*|10\.1\.2\.3|192\.168|大堂屏|lobby/);
      expect(seen.slice(1).map((f) => f.type)).toEqual(['alert', 'alert', 'plan', 'heartbeat', 'screen']);
    }
    expect(pub.frames[2]).toMatchObject({ onCall: { level: 2 }, history: [{ what: 'escalated', detail: { onCallLevel: 2 } }] });
  });
});
