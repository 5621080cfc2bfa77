import { describe, expect, it } from 'vitest';
import { storeVerdict, weeksToProduce } from './store-rule.ts';

// When a finished week's review may be stored, and which weeks the monitor produces (again).

const END = Date.parse('2026-11-22T16:00:00Z'); // end of week 47 in Asia/Shanghai

describe('weekly review - store rule', () => {
  it('stores only when caught up and the stream has gone past the week\'s end', () => {
    expect(storeVerdict(0, END + 1, END)).toEqual({ store: true });
    expect(storeVerdict(0, END, END)).toEqual({ store: true });
    // a first start on an empty stream is caught up with nothing: not stored
    expect(storeVerdict(0, 0, END)).toEqual({ store: false, behind: 0, reason: 'stream-before-week-end' });
    expect(storeVerdict(0, END - 1, END)).toEqual({ store: false, behind: 0, reason: 'stream-before-week-end' });
    expect(storeVerdict(12, END + 1, END)).toEqual({ store: false, behind: 12, reason: 'behind' });
    expect(storeVerdict(null, END + 1, END)).toEqual({ store: false, behind: null, reason: 'broker' });
    expect(storeVerdict(0, Number.NaN, END)).toMatchObject({ store: false });
  });

  it('produces the last finished week once, and again the stored weeks later events changed', () => {
    const stored = new Map([[45, 1], [46, 2]]);
    expect(weeksToProduce(47, stored, [])).toEqual([47]);
    expect(weeksToProduce(47, new Map([...stored, [47, 3]]), [])).toEqual([]);
    expect(weeksToProduce(47, new Map([...stored, [47, 3]]), [47, 45])).toEqual([45, 47]);
    expect(weeksToProduce(47, stored, [46])).toEqual([46, 47]);
    // a week never stored is not "changed"; week 0 is before the year
    expect(weeksToProduce(47, stored, [30])).toEqual([47]);
    expect(weeksToProduce(0, new Map(), [])).toEqual([]);
  });
});
