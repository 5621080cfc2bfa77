import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentIds } from './recent-ids.ts';
import { StringIds } from './string-ids.ts';

describe('transforms - string ids are exact like a Map', () => {
  it('random strings (short alphabet: many shared prefixes and hash-table collisions; wide characters)', () => {
    const str = fc.oneof(fc.string({ unit: fc.constantFrom('a', 'b', '\t', '\u00ff'), maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 4 }), fc.string({ maxLength: 130 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), str), { maxLength: 300 }), (ops) => {
        const ids = new StringIds();
        const plain = new Map<string, number>();
        for (const [add, s] of ops) {
          if (add) {
            if (!plain.has(s)) plain.set(s, plain.size);
            expect(ids.add(s)).toBe(plain.get(s));
          } else {
            expect(ids.find(s)).toBe(plain.get(s) ?? -1);
          }
        }
        expect(ids.size).toBe(plain.size);
        for (const [s, id] of plain) expect(ids.find(s)).toBe(id);
      }),
      { numRuns: 300 },
    );
  });

  it('a million ids grow the arena and table and stay exact', () => {
    const ids = new StringIds();
    let wrong = 0;
    for (let i = 0; i < 1_000_000; i++) if (ids.add(`T-${i}`) !== i) wrong++;
    expect(wrong).toBe(0);
    for (let i = 0; i < 1_000_000; i += 997) expect(ids.find(`T-${i}`)).toBe(i);
    expect(ids.find('T-1000000')).toBe(-1);
    expect(ids.bytesHeld / ids.size).toBeLessThan(40);
  });
});

describe('transforms - recent ids remember a bounded window', () => {
  it('knows at least the last `window` ids and at most 2 x window', () => {
    const recent = new RecentIds(100);
    for (let i = 0; i < 1000; i++) recent.add(`e${i}`);
    for (let i = 900; i < 1000; i++) expect(recent.has(`e${i}`)).toBe(true);
    expect(recent.has('e0')).toBe(false);
    expect(recent.size).toBeLessThanOrEqual(200);
    recent.add('e999');
    expect(recent.size).toBeLessThanOrEqual(200);
  });

  it('addIfNew says whether the id was new, in either generation, and remembers it', () => {
    const recent = new RecentIds(3);
    expect(['a', 'b', 'a', 'c', 'd', 'b', 'c', 'e', '万'].map((id) => recent.addIfNew(id))).toEqual([true, true, false, true, true, false, false, true, true]);
    expect(recent.has('万')).toBe(true);
    expect(recent.addIfNew('万')).toBe(false);
  });
});
