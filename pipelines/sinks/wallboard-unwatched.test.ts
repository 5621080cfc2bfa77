import { describe, expect, it } from 'vitest';
import { WallboardHub, type Screen } from './wallboard.ts';

// Frames nobody can ask for are not built: before any screen attaches (a start deriving the
// year's alerts, the port still at 503), a hub only numbers what it is given (audit CO1).

type Frame = Record<string, any>;

function fakeSocket() {
  const sent: Frame[] = [];
  const s = { OPEN: 1, readyState: 1, bufferedAmount: 0, send: (text: string) => void sent.push(JSON.parse(text)), terminate() {}, on: () => s };
  return { sent, screen: (): Screen => ({ socket: s as never, connectedAtMs: 0, remote: '' }) };
}
const opening = { snapshot: (seq: number) => ({ type: 'snapshot', seq }), resume: (seq: number) => ({ type: 'resume', seq }) };
const alert = (i: number) => ({ type: 'alert', id: `case.T${i}`, ticketId: `T${i}`, customerMasked: { name: '张*' }, history: [{ what: 'opened' }] });

describe('wallboard hub before any screen', () => {
  it('numbers the frames without building or keeping them, then serves the first screen as before', () => {
    const hub = new WallboardHub({ coalesceMs: 0, epoch: 'E' });
    hub.broadcast(Array.from({ length: 1_000 }, (_, i) => alert(i)));
    expect(hub.stats()).toMatchObject({ lastSeq: 1_000, ringFrames: 0 });

    const first = fakeSocket();
    expect(hub.attach(first.screen(), opening, { seq: 10, epoch: 'E' })).toBe('snapshot');
    expect(first.sent[0]).toMatchObject({ type: 'snapshot', seq: 1_000 });
    hub.broadcast([alert(1_000)]);
    expect(first.sent[1]).toMatchObject({ type: 'alert', seq: 1_001, id: 'case.T1000' });

    // from the first screen on, every frame is kept for a page that resumes
    hub.broadcast([alert(1_001), alert(1_002)]);
    expect(hub.stats()).toMatchObject({ lastSeq: 1_003, ringFrames: 3 });
    const again = fakeSocket();
    expect(hub.attach(again.screen(), opening, { seq: 1_001, epoch: 'E' })).toBe('replay');
    expect(again.sent.map((f) => [f.type, f.seq])).toEqual([['resume', 1_001], ['alert', 1_002], ['alert', 1_003]]);
  });
});
