import { describe, expect, it } from 'vitest';
import { DeadLetterWindow, lastHourView } from './dead-letter-window.ts';

const T0 = Date.parse('2026-11-27T08:00:00Z');
const MIN = 60_000;

describe('DeadLetterWindow', () => {
  it('sums the last hour and forgets what is older', () => {
    const w = new DeadLetterWindow();
    expect(w.view(T0)).toEqual({ received: 0, deadLetters: 0, lastAtMs: null });
    w.note(T0, 100, 0);
    w.note(T0 + 10 * MIN, 50, 5);
    w.note(T0 + 10 * MIN + 1_000, 50, 5);
    expect(w.view(T0 + 30 * MIN)).toEqual({ received: 200, deadLetters: 10, lastAtMs: T0 + 10 * MIN + 1_000 });
    expect(w.view(T0 + 60 * MIN)).toEqual({ received: 100, deadLetters: 10, lastAtMs: T0 + 10 * MIN + 1_000 });
    // the first minute's slot is taken over an hour later, not added to
    w.note(T0 + 60 * MIN, 7, 1);
    expect(w.view(T0 + 60 * MIN)).toEqual({ received: 107, deadLetters: 11, lastAtMs: T0 + 60 * MIN });
    expect(w.view(T0 + 200 * MIN)).toEqual({ received: 0, deadLetters: 0, lastAtMs: T0 + 60 * MIN });
  });

  it('ignores a slot of a later minute than asked (a clock that went back)', () => {
    const w = new DeadLetterWindow();
    w.note(T0 + 5 * MIN, 10, 10);
    expect(w.view(T0).deadLetters).toBe(0);
    expect(w.view(T0 + 5 * MIN).deadLetters).toBe(10);
  });

  // a restart empties the window: the wall must not call a few minutes "the last hour" (soak CE F4)
  it('says since when it counts while this run is less than an hour old', () => {
    const w = new DeadLetterWindow();
    w.note(T0 + MIN, 10, 3);
    expect(lastHourView(w, T0 + 5 * MIN, 'Asia/Shanghai', T0)).toMatchObject({ deadLetters: 3, since: '2026-11-27T16:00:00.000+08:00' });
    expect(lastHourView(w, T0 + 60 * MIN, 'Asia/Shanghai', T0)).toMatchObject({ deadLetters: 3, since: null });
    expect(lastHourView(w, T0 + 5 * MIN, 'Asia/Shanghai')).not.toHaveProperty('since');
  });
});
