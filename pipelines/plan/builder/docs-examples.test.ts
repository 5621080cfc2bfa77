import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBranchSizes, parseForecast } from './inputs.ts';

// docs/PLANS.md shows the forecast format by example; the builder must accept the example as
// written (audit: the page never said the file is a mapping with "periods").

const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'PLANS.md'), 'utf8');

/** the fenced yaml blocks of the page, indentation removed */
function yamlBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^( *)```yaml\n([\s\S]*?)^ *```$/gm)].map(([, indent, body]) => body!.split('\n').map((l) => l.slice(indent!.length)).join('\n'));
}

describe('plan builder - docs/PLANS.md examples', () => {
  it('the forecast example parses as shown', () => {
    const example = yamlBlocks(doc).find((b) => b.startsWith('periods:'));
    expect(example, 'a ```yaml block starting with "periods:" in docs/PLANS.md').toBeDefined();
    expect(parseForecast(example!, 'docs/PLANS.md', 2026, new Set(['mortgage_prepayment', 'insurance_dispute']))).toEqual([
      { name: '一季度', months: [1, 2, 3], factor: 1.1 },
      { name: '降息窗口', from: '2026-05-20', to: '2026-06-30', factor: 1.5, types: ['mortgage_prepayment'] },
    ]);
  });

  it('a bare list of periods is refused as the page says', () => {
    expect(doc).toContain('expected a mapping with "periods"');
    expect(() => parseForecast('- { name: x, month: 1, factor: 2 }\n', 'f.yaml', 2026)).toThrow(/expected a mapping with "periods"/);
  });

  it('the quoted branch row of the page parses as shown', () => {
    const row = /`(BJ-HD,"Beijing, Haidian",BJ,300)`/.exec(doc)?.[1];
    expect(row, 'the quoted example row in docs/PLANS.md').toBeDefined();
    expect(parseBranchSizes(`code,name,parent,size\nBJ,北京分行,,1000\n${row}\n`, 'docs/PLANS.md')[1]).toEqual({ code: 'BJ-HD', name: 'Beijing, Haidian', parent: 'BJ', size: 300 });
  });
});
