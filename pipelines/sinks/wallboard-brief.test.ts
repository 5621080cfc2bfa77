import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { WallboardHub } from './wallboard.ts';

// A wall draws an alert's case ladder steps and nothing else of its history, yet live alert frames
// went to walls with every note and action (a busy alert's frame passed 100 KB, to every wall at
// every change). Walls (`view=wall`) now take alert frames in the brief form, live and replayed;
// consoles keep the full one. Real sockets on loopback.

let wss: WebSocketServer | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await new Promise<void>((r) => (wss ? wss.close(() => r()) : r()));
  wss = undefined;
});

async function hubServer(hub: WallboardHub): Promise<string> {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss!.once('listening', () => r()));
  wss.on('connection', (socket, req) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const since = u.searchParams.get('since');
    hub.attach(
      { socket, connectedAtMs: 0, remote: '', masked: u.searchParams.has('masked'), briefSnapshot: u.searchParams.has('wall'), ...(u.searchParams.has('plain') ? { only: new Set(['counter', 'alert']) } : {}) },
      { snapshot: (seq) => ({ type: 'snapshot', seq, counters: [], alerts: [] }), resume: (seq) => ({ type: 'resume', seq }) },
      since ? { seq: Number(since), epoch: hub.epoch } : undefined,
    );
  });
  return `ws://127.0.0.1:${(wss.address() as { port: number }).port}/?`;
}

/** A screen's frames as they come; `frames(n)` waits until it has n. */
function screen(url: string) {
  const ws = new WebSocket(url);
  sockets.push(ws);
  const got: Array<Record<string, any>> = [];
  ws.on('message', (d) => got.push(JSON.parse(String(d))));
  return async (n: number) => {
    const end = Date.now() + 5_000;
    while (got.length < n) {
      if (Date.now() > end) throw new Error(`timed out: ${n} frames, got ${got.length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return got as [Record<string, any>, Record<string, any>];
  };
}

const notes = Array.from({ length: 40 }, (_, i) => ({ id: `n${i}`, what: 'note', by: '王主管', detail: { text: '客户情况说明'.repeat(40) } }));
const step = { id: 's1', what: 'case-escalated', detail: { escalation: 'mediation' } };
const alert = { type: 'alert', id: 'case.T-1', ticketId: 'T-1', status: 'acknowledged', history: [...notes, step] };

describe("wallboard - alert frames in the wall's brief form", () => {
  it('a wall gets the ladder steps and how many lines there are; a console the whole history; live and replayed alike', async () => {
    const hub = new WallboardHub({ coalesceMs: 0 });
    const url = await hubServer(hub);
    const [wall, console_, publicWall] = [screen(`${url}wall`), screen(url), screen(`${url}wall&masked`)];
    await Promise.all([wall(1), console_(1), publicWall(1)]); // each has its snapshot: attached
    hub.broadcast([alert]);
    const [w, c, p] = await Promise.all([wall(2), console_(2), publicWall(2)]);
    expect(w[1]).toMatchObject({ type: 'alert', id: 'case.T-1', ticketId: 'T-1', history: [step], historyLength: 41, seq: 1 });
    expect(c[1].history).toHaveLength(41);
    expect(JSON.stringify(w[1]).length * 20).toBeLessThan(JSON.stringify(c[1]).length);
    expect(p[1].history).toEqual([{ id: expect.stringMatching(/^case\./), what: 'case-escalated', detail: { escalation: 'mediation' } }]);
    expect(JSON.stringify(p[1])).not.toMatch(/T-1|王主管/);

    const replayed = await screen(`${url}wall&since=0`)(2);
    expect(replayed[0]).toMatchObject({ type: 'resume', seq: 0 });
    expect(replayed[1]).toEqual(w[1]);
    const replayedConsole = await screen(`${url}since=0`)(2);
    expect(replayedConsole[1]).toEqual(c[1]);
  });

  // Verify AT V1: a client naming no view, resuming, was replayed heartbeats and headlines it is never sent live
  it('a client naming no view is replayed, as it is sent live, the contract\'s frames only', async () => {
    const hub = new WallboardHub({ coalesceMs: 0 });
    const url = await hubServer(hub);
    const live = screen(`${url}plain`);
    await live(1);
    hub.broadcast([{ type: 'counter', complaintType: 't', scope: 'ALL' }, { type: 'heartbeat' }, { type: 'headline' }, alert]);
    const got = await live(3);
    const resumed = await screen(`${url}plain&since=0`)(3);
    expect(got.slice(1).map((f) => [f.type, f.seq])).toEqual([['counter', 1], ['alert', 4]]);
    expect(resumed.map((f) => [f.type, f.seq])).toEqual([['resume', 0], ['counter', 1], ['alert', 4]]);
  });
});
