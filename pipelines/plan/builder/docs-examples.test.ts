import { spawnSync } from 'node:child_process';
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

  it('the build command can be pasted into a shell as one command (audit: comments after the arguments ended it at line 2)', () => {
    const block = /^```sh\n(npm run plan -- build[\s\S]*?)^```$/m.exec(doc)?.[1];
    expect(block, 'a ```sh block with the build command in docs/PLANS.md').toBeDefined();
    // npm stood in for by a function that prints the arguments it was given, one per line
    const run = spawnSync('bash', ['-c', `set -e; npm() { printf '%s\\n' "$@"; }; ${block}`], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual(['run', 'plan', '--', 'build', '--base', 'plan-2025.yaml', '--year', '2026', '--history', 'events-2025.ndjson',
      '--forecast', 'forecast-2026.yaml', '--branches', 'branches.csv', '--floor', '0.2', '--out', 'plan-2026.yaml']);
  });
});
