// The wall-board's grid columns for a bank with more branches than fit (grid-columns.js),
// imported by a real Chromium page (split from wallboard-modules.test.ts).
import { describe, expect, it } from 'vitest';
import { modulePage } from './module-page.ts';

const { withModule } = modulePage();

describe('wall-board modules - grid columns', () => {
  it('grid columns - all branches in plan order when they fit; else the worst first and the rest summed up', async () => {
    const row = (scope: string, level: string, ratio: number) => ({ scope, level, ratio });
    const counters = {
      a: { B1: row('B1', 'ok', 0.2), B2: row('B2', 'watch', 0.85), B3: row('B3', 'ok', 0.5), B4: row('B4', 'critical', 2), B5: row('B5', 'ok', 0.1) },
      b: { B1: row('B1', 'breach', 1.2), B2: row('B2', 'ok', 0.1), B3: row('B3', 'watch', 0.9), B4: row('B4', 'ok', 0), B5: row('B5', 'ok', 0.6) },
    };
    const run = (room: number) => withModule<{ shown: string[]; hidden: string[]; others: unknown }>(
      '/src/grid-columns.js',
      `(() => { const r = m.pickColumns(['B1', 'B2', 'B3', 'B4', 'B5'], ${JSON.stringify(counters)}, ${room}); return { ...r, others: ${JSON.stringify(['a', 'b'])}.map((t) => m.othersOf(${JSON.stringify(counters)}[t], r.hidden)) }; })()`,
    );
    expect((await run(5)).shown).toEqual(['B1', 'B2', 'B3', 'B4', 'B5']);
    // three columns fit: two for the worst (B4 critical, B1 breach), one for the rest
    const three = await run(3);
    expect([three.shown, three.hidden]).toEqual([['B4', 'B1'], ['B3', 'B2', 'B5']]);
    expect(three.others).toEqual([{ notOk: 1, level: 'watch' }, { notOk: 1, level: 'watch' }]);
  });

  it('grid columns - ratios moving a little shuffle nothing; a level change moves a column at once', async () => {
    const row = (level: string, ratio: number) => ({ level, ratio });
    const pick = (rows: Record<string, [string, number]>, before: string[]) => withModule<{ shown: string[] }>(
      '/src/grid-columns.js',
      `m.pickColumns(['B1', 'B2', 'B3', 'B4'], { a: ${JSON.stringify(Object.fromEntries(Object.entries(rows).map(([k, [l, r]]) => [k, row(l, r)])))} }, 3, ${JSON.stringify(before)})`,
    );
    const first = await pick({ B1: ['watch', 0.85], B2: ['watch', 0.9], B3: ['watch', 0.82], B4: ['ok', 0.5] }, []);
    expect(first.shown).toEqual(['B2', 'B1']);
    // B1 passes B2 and B3 passes B1, each by less than the margin: the same columns, in the same places
    expect((await pick({ B1: ['watch', 0.93], B2: ['watch', 0.9], B3: ['watch', 0.88], B4: ['ok', 0.5] }, first.shown)).shown).toEqual(['B2', 'B1']);
    // a hidden branch far ahead takes the weakest shown column
    expect((await pick({ B1: ['watch', 0.85], B2: ['watch', 0.9], B3: ['watch', 0.99], B4: ['ok', 0.5] }, first.shown)).shown).toEqual(['B2', 'B3']);
    // a level change moves a branch at once, wherever it stood
    expect((await pick({ B1: ['watch', 0.85], B2: ['watch', 0.9], B3: ['watch', 0.82], B4: ['breach', 1.01] }, first.shown)).shown).toEqual(['B4', 'B2']);
  });
});
