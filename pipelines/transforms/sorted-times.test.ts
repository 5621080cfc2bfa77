import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CustomerMinima, SortedTimes } from './sorted-times.ts';

describe('transforms - sorted times count like a plain list', () => {
  it('random adds, removes of present times and reads, interleaved', () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('add' as const), t: fc.integer({ min: 0, max: 50 }) }),
      fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }),
      fc.record({ op: fc.constant('count' as const), t: fc.integer({ min: -1, max: 51 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const times = new SortedTimes();
        const plain: number[] = [];
        for (const o of ops) {
          if (o.op === 'add') {
            times.add(o.t);
            plain.push(o.t);
          } else if (o.op === 'remove') {
            if (plain.length === 0) continue;
            const [t] = plain.splice(o.pick % plain.length, 1);
            times.remove(t as number);
          } else {
            expect(times.countAtOrBefore(o.t)).toBe(plain.filter((x) => x <= o.t).length);
          }
        }
        expect(times.length).toBe(plain.length);
      }),
      { numRuns: 500 },
    );
  });

  it('a bulk load of 200k times merges once and answers by binary search', () => {
    const times = new SortedTimes();
    for (let i = 0; i < 200_000; i++) times.add((i * 7919) % 200_000);
    expect(times.countAtOrBefore(-1)).toBe(0);
    expect(times.countAtOrBefore(99_999)).toBe(100_000);
    for (let i = 0; i < 1000; i++) times.remove(i);
    times.add(0.5);
    expect(times.countAtOrBefore(999)).toBe(1);
    expect(times.length).toBe(199_001);
  });
});

describe('transforms - customer minima count distinct customers by earliest time', () => {
  it('random adds and removes of contributions, as a plain list of (customer, t)', () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('add' as const), c: fc.integer({ min: 0, max: 40 }), t: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }),
      fc.record({ op: fc.constant('count' as const), t: fc.integer({ min: -1, max: 21 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const m = new CustomerMinima();
        const plain: Array<{ c: number; t: number }> = [];
        const minOf = (c: number) => Math.min(...plain.filter((x) => x.c === c).map((x) => x.t));
        for (const o of ops) {
          if (o.op === 'add') {
            m.add(o.c, o.t);
            plain.push({ c: o.c, t: o.t });
          } else if (o.op === 'remove') {
            if (plain.length === 0) continue;
            const [x] = plain.splice(o.pick % plain.length, 1) as [{ c: number; t: number }];
            m.remove(x.c, x.t, () => minOf(x.c));
          } else {
            const firsts = new Map<number, number>();
            for (const x of plain) firsts.set(x.c, Math.min(firsts.get(x.c) ?? Infinity, x.t));
            expect(m.countAtOrBefore(o.t)).toBe([...firsts.values()].filter((t) => t <= o.t).length);
          }
        }
        const customers = new Set(plain.map((x) => x.c));
        expect(m.customers).toBe(customers.size);
        for (const c of customers) expect(m.minOf(c)).toBe(minOf(c));
      }),
      { numRuns: 500 },
    );
  });
});
