import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { BRIEF_ALERTS, briefSnapshot } from './wallboard-brief.ts';
import { WallboardHub, backlogAfterSnapshot, type Screen } from './wallboard.ts';

// Audit W F4: a snapshot bigger than the slow-reader bound, on a link slower than the frames
// behind it, was cut by the next frame, and the screen reconnected into the same cut for ever.

type Frame = Record<string, any>;

/** A socket whose send buffer the test sets: what the hub sees of a slow link. */
function fakeSocket() {
  const sent: Frame[] = [];
  const s = {
    OPEN: 1,
    readyState: 1,
    bufferedAmount: 0,
    terminated: false,
    send(text: string) {
      sent.push(JSON.parse(text));
      s.bufferedAmount += Buffer.byteLength(text);
    },
    terminate() {
      s.terminated = true;
      s.readyState = 3;
    },
    on() {
      return s;
    },
  };
  return { s, sent, screen: (extra: Partial<Screen> = {}): Screen => ({ socket: s as never, connectedAtMs: 0, remote: '', ...extra }) };
}

const opening = (alerts: Frame[] = []) => ({ snapshot: (seq: number) => ({ type: 'snapshot', seq, alerts }), resume: (seq: number) => ({ type: 'resume', seq }) });

describe('wallboard slow screens', () => {
  it('wallboard - the backlog counts only what was sent after the snapshot', () => {
    expect(backlogAfterSnapshot(5_000_000, 0)).toBe(0); // the snapshot alone
    expect(backlogAfterSnapshot(5_000_000, 300)).toBe(300); // the snapshot and 300 bytes behind it
    expect(backlogAfterSnapshot(200, 300)).toBe(200); // the snapshot gone, part of what followed too
  });

  it('wallboard - a big snapshot still in the buffer does not cut the screen; frames follow it', () => {
    const hub = new WallboardHub({ coalesceMs: 0, maxBufferedBytes: 1000 });
    const { s, sent, screen } = fakeSocket();
    hub.attach(screen(), opening([{ id: 'a', pad: 'x'.repeat(50_000) }]));
    expect(s.bufferedAmount).toBeGreaterThan(50_000);
    hub.broadcast([{ type: 'heartbeat' }]);
    expect(s.terminated).toBe(false);
    expect(sent.map((f) => [f.type, f.seq])).toEqual([['snapshot', 0], ['heartbeat', 1]]);
  });

  it('wallboard - a screen that falls behind gets no more frames, then a fresh snapshot once its link drained', () => {
    let clock = 0;
    const hub = new WallboardHub({ coalesceMs: 0, maxBufferedBytes: 1000, now: () => clock });
    const { s, sent, screen } = fakeSocket();
    hub.attach(screen(), opening());
    for (let i = 0; i < 20; i++) hub.broadcast([{ type: 'counter', pad: 'x'.repeat(200) }]);
    const held = sent.length;
    expect(held).toBeLessThan(20);
    expect(s.terminated).toBe(false);
    clock += 60_000;
    s.bufferedAmount = 100; // the link caught up
    hub.broadcast([{ type: 'counter', v: 'last' }, { type: 'heartbeat' }]);
    const after = sent.slice(held);
    // the snapshot is numbered as the hub's last frame: nothing of this batch follows it
    expect(after.map((f) => [f.type, f.seq])).toEqual([['snapshot', 22]]);
    expect(hub.stats().catchUps).toBe(1);
    hub.broadcast([{ type: 'heartbeat' }]);
    expect(sent.at(-1)).toMatchObject({ type: 'heartbeat', seq: 23 });
  });

  it('wallboard - a screen held back is cut only when it drains nothing for stuckMs', () => {
    let clock = 0;
    const hub = new WallboardHub({ coalesceMs: 0, maxBufferedBytes: 1000, stuckMs: 120_000, now: () => clock });
    const { s, screen } = fakeSocket();
    hub.attach(screen(), opening());
    for (let i = 0; i < 20; i++) hub.broadcast([{ type: 'counter', pad: 'x'.repeat(200) }]);
    clock += 100_000;
    s.bufferedAmount -= 100; // slow, but moving: the wait starts again
    hub.broadcast([{ type: 'heartbeat' }]);
    clock += 100_000;
    hub.broadcast([{ type: 'heartbeat' }]);
    expect(s.terminated).toBe(false);
    clock += 30_000;
    hub.broadcast([{ type: 'heartbeat' }]);
    expect(s.terminated).toBe(true);
    expect(hub.stats().slowDropped).toBe(1);
    expect(hub.size).toBe(0);
  });

  it('wallboard - a snapshot to every screen gives each its own form; a page resuming across it takes a snapshot', () => {
    const hub = new WallboardHub({ coalesceMs: 0, epoch: 'E' });
    const wall = fakeSocket(), consoleSide = fakeSocket(), masked = fakeSocket();
    hub.attach(wall.screen({ briefSnapshot: true }), opening());
    hub.attach(consoleSide.screen(), opening());
    hub.attach(masked.screen({ briefSnapshot: true, masked: true }), opening());
    hub.broadcast([{ type: 'heartbeat' }]);
    const alerts = Array.from({ length: 80 }, (_, i) => ({ id: `case.T${i}`, ticketId: `T${i}`, history: [{ what: 'opened' }, { what: 'case-escalated', detail: { escalation: 'mediation' } }] }));
    hub.resnapshot((seq) => ({ seq, alerts, reason: 'week' }));
    const [w, c, m] = [wall, consoleSide, masked].map((x) => x.sent.at(-1)!) as [Frame, Frame, Frame];
    expect([w.type, w.seq, w.reason, c.seq, m.seq]).toEqual(['snapshot', 2, 'week', 2, 2]);
    expect(c.alerts).toHaveLength(80);
    expect(c.alerts[0].history).toHaveLength(2);
    expect(w.alerts).toHaveLength(BRIEF_ALERTS);
    expect(w.alertsOpen).toBe(80);
    expect(w.alerts[0]).toMatchObject({ id: 'case.T0', ticketId: 'T0', history: [{ what: 'case-escalated' }], historyLength: 2 });
    expect(JSON.stringify(m)).not.toContain('T0');
    const again = fakeSocket();
    expect(hub.attach(again.screen(), opening(), { seq: 1, epoch: 'E' })).toBe('snapshot');
  });

  it('wallboard - the brief snapshot passes other messages unchanged', () => {
    const counter = { type: 'counter', history: [1] };
    expect(briefSnapshot(counter)).toBe(counter);
  });
});

// The same through a real socket behind a throttling relay, as a branch's screen on a slow line.
let wss: WebSocketServer | undefined;
let relay: Server | undefined;
const open: Array<WebSocket | Socket> = [];
afterEach(async () => {
  for (const c of open.splice(0)) (c instanceof WebSocket ? c.terminate() : c.destroy());
  relay?.close();
  await new Promise<void>((r) => (wss ? wss.close(() => r()) : r()));
  wss = relay = undefined;
});

/** A TCP relay that hands the client at most `bytesPerSecond` of what the server sends. */
async function throttledRelay(target: number, bytesPerSecond: number): Promise<number> {
  relay = createServer((client) => {
    const up = tcpConnect(target, '127.0.0.1');
    open.push(client, up);
    client.pipe(up);
    up.on('data', (chunk: Buffer) => {
      up.pause();
      client.write(chunk);
      setTimeout(() => up.resume(), (chunk.length / bytesPerSecond) * 1000);
    });
    const end = () => { client.destroy(); up.destroy(); };
    client.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
  });
  return new Promise((r) => relay!.listen(0, '127.0.0.1', () => r((relay!.address() as { port: number }).port)));
}

describe('wallboard slow screens on a real socket', () => {
  it('wallboard - a screen on a slow link gets its whole snapshot and the frames after it, uncut', async () => {
    // a snapshot well over the bound and over what the kernel's buffers on both sides hold
    const hub = new WallboardHub({ coalesceMs: 0, maxBufferedBytes: 256 * 1024 });
    const pad = 'x'.repeat(12 * 1024 * 1024);
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss!.once('listening', () => r()));
    wss.on('connection', (socket) => hub.attach({ socket, connectedAtMs: 0, remote: '' }, opening([{ id: 'a', pad }])));
    const port = await throttledRelay((wss.address() as { port: number }).port, 8 * 1024 * 1024);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { maxPayload: 64 * 1024 * 1024 });
    open.push(ws);
    const frames: Frame[] = [];
    let closed = false;
    ws.on('message', (d) => frames.push(JSON.parse(String(d))));
    ws.on('close', () => (closed = true));
    await new Promise((r) => ws.once('open', r));
    // live frames every 20 ms while the snapshot is on its way, until the page has it and more
    for (let i = 0; i < 1000 && !closed && !(frames.length > 5); i++) {
      hub.broadcast([{ type: 'heartbeat', i }]);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(closed).toBe(false);
    expect(hub.stats().slowDropped).toBe(0);
    expect(frames[0]).toMatchObject({ type: 'snapshot', seq: 0 });
    expect(frames[0]!.alerts[0].pad.length).toBe(pad.length);
    expect(frames.slice(1).map((f) => f.seq)).toEqual(frames.slice(1).map((_, i) => i + 1));
  }, 30_000);
});
