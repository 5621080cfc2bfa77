import { describe, expect, it } from 'vitest';
import { inChunks, parseFirstContacts } from './clickhouse-replay.ts';

// The rebuild's pages parsed in turns: a month's page of a 5 M-event year (~140k rows) parsed in
// one go held the event loop 0.1-0.3 s, at a runtime plan change too (PUT /api/plan reads the
// store back while the monitor serves).

describe('sources - a page parsed in turns', () => {
  it('hands a month-sized page over in whole lines, each once and in order, the loop turning between', async () => {
    const rows = Array.from({ length: 140_000 }, (_, i) => `bt-${i}\t${1767196800000 + i}\tc${i % 977}\tauto_installment\tSH\t${i % 3 ? 'agreed' : 'not_agreed'}`);
    const seen: string[] = [];
    const sink = { addFirstContact: (id: string, t: number, ...f: Array<string | undefined>) => void seen.push(`${id}\t${t}\t${f[3]}`) };
    const text = `${rows.join('\n')}\n`;
    let t = performance.now();
    parseFirstContacts(text, { addFirstContact() {} });
    const oneGo = performance.now() - t;
    let [gap, turns] = [0, 0];
    const timer = setInterval(() => ([gap, t, turns] = [Math.max(gap, performance.now() - t), performance.now(), turns + 1]), 1);
    t = performance.now();
    await inChunks(text, (chunk) => parseFirstContacts(chunk, sink));
    clearInterval(timer);
    expect(seen).toEqual(rows.map((r) => r.replace(/\tc.*\t/, '\t')));
    expect(turns).toBeGreaterThan(10);
    expect(gap).toBeLessThan(oneGo);
  });
});

