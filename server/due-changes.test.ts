import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MaskedEvent } from '../pipelines/model.ts';
import { DueChanges, LONGEST_TIMER_MS, type ChangedKey } from './due-changes.ts';

// Audit G1: an event dated after the moment it was counted changed no pushed counter, then or
// later; its counters are now pushed again when its time comes.

const at = (ms: number) => ({ occurredAtMs: ms }) as MaskedEvent;
const key = (complaintType: string, scope: string): ChangedKey => ({ complaintType, scope });
const YEAR_END = 10_000_000;

afterEach(() => void vi.useRealTimers());

describe('due changes - counters of future-dated events pushed when they come due', () => {
  it('keeps the batch\'s keys for each future event, by second; nothing for events in the past or after the year', () => {
    const due = new DueChanges(() => 0, () => {});
    due.note([at(500), at(1_500), at(1_700), at(YEAR_END + 1)], [key('x', 'ALL'), key('x', 'BJ')], 1_000, YEAR_END);
    expect(due.size).toBe(1); // 1,500 and 1,700 share second 2
    expect(due.nextDueMs()).toBe(2_000);
    expect(due.takeDue(1_999)).toEqual([]);
    expect(due.takeDue(2_000)).toEqual([key('x', 'ALL'), key('x', 'BJ')]);
    expect(due.nextDueMs()).toBeUndefined();
    due.stop();
  });

  it('pushes each due key once, at its time, and arms for the next', () => {
    vi.useFakeTimers({ now: 0 });
    const pushed: Array<[string[], number]> = [];
    const due = new DueChanges(() => Date.now(), (keys, atMs) => pushed.push([keys.map((k) => `${k.complaintType}|${k.scope}`), atMs]));
    due.note([at(3_000)], [key('x', 'ALL')], 0, YEAR_END);
    due.note([at(1_200), at(3_000)], [key('y', 'SH'), key('x', 'ALL')], 0, YEAR_END);
    vi.advanceTimersByTime(1_999);
    expect(pushed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(pushed).toEqual([[['y|SH', 'x|ALL'], 2_000]]);
    vi.advanceTimersByTime(1_000);
    expect(pushed).toEqual([[['y|SH', 'x|ALL'], 2_000], [['x|ALL', 'y|SH'], 3_000]]);
    expect(due.size).toBe(0);
    due.stop();
  });

  it('a clock hours ahead costs one entry a second of skew, not one a batch', () => {
    const due = new DueChanges(() => 0, () => {});
    for (let batch = 0; batch < 1_000; batch++) due.note([at(8 * 3_600_000 + batch)], [key('x', 'ALL')], batch, YEAR_END * 10);
    expect(due.size).toBe(2);
    due.stop();
  });

  // Audit W F3: setTimeout fires at once for more than 2^31 - 1 ms, so an event a month ahead spun
  // a 1 ms timer until its date came within 24.8 days.
  it('an event more than 24.8 days ahead is waited for in steps, never with a timer Node cannot hold', () => {
    vi.useFakeTimers({ now: 0 });
    const delays: number[] = [];
    const realSetTimeout = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      delays.push(ms ?? 0);
      if (delays.length > 1_000) throw new Error('the timer spins');
      return realSetTimeout(fn, ms);
    }) as typeof setTimeout);
    const pushed: number[] = [];
    const due = new DueChanges(() => Date.now(), (_keys, atMs) => pushed.push(atMs));
    const DAY = 86_400_000;
    due.note([at(40 * DAY)], [key('x', 'ALL')], 0, 400 * DAY);
    vi.advanceTimersByTime(40 * DAY - 1_000);
    expect(pushed).toEqual([]);
    vi.advanceTimersByTime(1_000);
    expect(pushed).toEqual([40 * DAY]);
    expect(Math.max(...delays)).toBeLessThanOrEqual(LONGEST_TIMER_MS);
    expect(delays.length).toBeLessThanOrEqual(45); // a step a day, not a spin
    spy.mockRestore();
    due.stop();
  });

  it('keys read back from the store at start come due like a live batch\'s', () => {
    vi.useFakeTimers({ now: 0 });
    const pushed: Array<[string[], number]> = [];
    const due = new DueChanges(() => Date.now(), (keys, atMs) => pushed.push([keys.map((k) => `${k.complaintType}|${k.scope}`), atMs]));
    due.noteKeys(2_500, [key('x', 'ALL'), key('x', 'BJ')]);
    due.noteKeys(2_900, [key('x', 'ALL')]);
    vi.advanceTimersByTime(3_000);
    expect(pushed).toEqual([[['x|ALL', 'x|BJ'], 3_000]]);
    due.stop();
  });
});
