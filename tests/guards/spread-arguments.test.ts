import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// `target.push(...items)` passes every item as an argument: past a few hundred thousand items it
// throws RangeError (Maximum call stack size exceeded). The alert engine's start did that over
// 5 million stored events. Production code appends in a loop; this guard keeps it so.

const ROOT = join(import.meta.dirname, '..', '..');
const SOURCES = ['server', 'pipelines', 'scripts'];
const SPREAD_CALL = /\.(push|unshift)\(\s*\.\.\.|Math\.(max|min)\(\s*\.\.\.|fromCharCode\(\s*\.\.\./;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/** Spreads over arrays whose length the code bounds itself, each with why. */
const BOUNDED = new Map([
  ['pipelines/plan/builder/table.ts', 'rows of a plan table: one per complaint type'],
  ['pipelines/plan/calendar.ts', 'the two candidate instants of one local midnight'],
]);

describe('no unbounded spread arguments in production code', () => {
  it('appends and folds large arrays without passing them as arguments', () => {
    const found: string[] = [];
    for (const file of SOURCES.flatMap((d) => sourceFiles(join(ROOT, d)))) {
      const rel = relative(ROOT, file);
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (SPREAD_CALL.test(line) && !BOUNDED.has(rel)) found.push(`${rel}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });

  it('is needed: a spread of a million items throws where a loop does not', () => {
    const items = new Array<number>(1_000_000).fill(1);
    expect(() => [].push(...(items as never[]))).toThrow(RangeError);
    const target: number[] = [];
    for (const x of items) target.push(x);
    expect(target).toHaveLength(1_000_000);
  });
});
