import { describe, expect, it } from 'vitest';
import type { Level } from '../model.ts';
import { levelOf, ratioOf } from './levels.ts';

// [unresolved, allowanceToDate, annualAllowance, watch, level, ratio]
const CASES: Array<[number, number, number, number, Level, number | null]> = [
  [0, 0, 4, 0.8, 'ok', null],
  [0, 10, 80, 0.8, 'ok', 0],
  [7, 10, 80, 0.8, 'ok', 0.7],
  [8, 10, 80, 0.8, 'watch', 0.8],
  [10, 10, 80, 0.8, 'watch', 1],
  [11, 10, 80, 0.8, 'breach', 1.1],
  [1, 0, 4, 0.8, 'breach', null],
  [4, 0.5, 4, 0.8, 'breach', 8],
  [5, 0.5, 4, 0.8, 'critical', 10],
  [81, 100, 80, 0.8, 'critical', 0.81],
  [3, 4, 80, 0.5, 'watch', 0.75],
];

describe('transforms - levels follow contract section 3', () => {
  it.each(CASES)('unresolved %d, to date %d, annual %d, watch %d -> %s', (u, atd, annual, watch, level, ratio) => {
    expect(levelOf(u, atd, annual, watch)).toBe(level);
    expect(ratioOf(u, atd)).toBe(ratio);
  });
});
