import { describe, expect, it } from 'vitest';
import { LogSequence, logSlices, type logRow } from './store.ts';

// How the audit rows of a burst are cut into inserts: every row once, in order, no slice past
// the row limit, and big rows cut by their bytes (a slice's JSON is built in one go).

type Row = ReturnType<typeof logRow>;
const row = (snapshotBytes: number): Row =>
  ({ snapshot: 'x'.repeat(snapshotBytes), detail: '{}', reason: '', before: '', after: '' }) as Row;

function covered(slices: Array<[number, number]>): number[] {
  return slices.flatMap(([from, to]) => Array.from({ length: to - from }, (_, k) => from + k));
}

describe('alert log slices', () => {
  it('takes nothing from nothing', () => {
    expect(logSlices([])).toEqual([]);
  });

  it('cuts small rows at the row limit, every row once and in order', () => {
    const rows = Array.from({ length: 12_345 }, () => row(100));
    const slices = logSlices(rows, 4 << 20, 5_000);
    expect(slices).toEqual([[0, 5_000], [5_000, 10_000], [10_000, 12_345]]);
  });

  it('cuts big rows by their bytes', () => {
    const rows = Array.from({ length: 100 }, () => row(100_000));
    const slices = logSlices(rows, 1 << 20, 5_000);
    expect(covered(slices)).toEqual(rows.map((_, i) => i));
    for (const [from, to] of slices) {
      // a slice closes with the row that reaches the limit: at most ~1 MB plus one row
      expect(rows.slice(from, to).reduce((n, r) => n + r.snapshot.length, 0)).toBeLessThan((1 << 20) + 100_200);
      expect(to - from).toBeGreaterThanOrEqual(1);
    }
    expect(slices.length).toBeGreaterThanOrEqual(9);
  });

  it('gives a row larger than the limit a slice of its own', () => {
    const rows = [row(10), row(3 << 20), row(10)];
    expect(logSlices(rows, 1 << 20, 5_000)).toEqual([[0, 2], [2, 3]]);
  });
});

describe('alert log sequence', () => {
  it('grows with every row, also while the clock stands still', () => {
    const frozen = new LogSequence(() => 5_000);
    expect([frozen.next(), frozen.next(), frozen.next()]).toEqual([5_000, 5_001, 5_002]);
  });

  it('follows the clock when it is ahead, and never goes back when the clock does', () => {
    let clock = 10;
    const seq = new LogSequence(() => clock);
    expect(seq.next()).toBe(10);
    clock = 100;
    expect(seq.next()).toBe(100);
    clock = 50;
    expect(seq.next()).toBe(101);
  });

  it('starts a new run above the rows of the run before (wall clock in microseconds)', async () => {
    const earlier = new LogSequence();
    let last = 0;
    for (let i = 0; i < 10_000; i++) last = earlier.next();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(new LogSequence().next()).toBeGreaterThan(last);
    expect(last).toBeGreaterThan(Date.UTC(2024, 0) * 1000);
  });
});
