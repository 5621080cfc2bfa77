import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MaskedEvent } from '../pipelines/model.ts';
import { DueChanges, type ChangedKey } from './due-changes.ts';

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
});
