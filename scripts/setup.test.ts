import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// scripts/setup.sh decides what to install. Audit V F7: with the CJK font installed it often
// decided the font was missing (`fc-list | grep -q` under pipefail: fc-list died of SIGPIPE) and
// ran apt-get again, which fails offline. Here fc-list is a stand-in that lists the font first
// and then more than a pipe holds, which made the old check fail every time.

const SETUP = join(import.meta.dirname, 'setup.sh');
const bin = mkdtempSync(join(tmpdir(), 'cewm-setup-'));
afterAll(() => rmSync(bin, { recursive: true, force: true }));

function checkWith(fcListOutput: string): string {
  writeFileSync(join(bin, 'fonts.txt'), fcListOutput);
  writeFileSync(join(bin, 'fc-list'), `#!/bin/sh\ncat "${join(bin, 'fonts.txt')}"\n`);
  chmodSync(join(bin, 'fc-list'), 0o755);
  return execFileSync('bash', [SETUP, '--check'], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' });
}

const manyFonts = Array.from({ length: 40_000 }, (_, i) => `/usr/share/fonts/truetype/other/Font${i}.ttf: Other Sans ${i}:style=Regular`).join('\n');

describe('setup - what is missing', () => {
  it('finds an installed CJK font however long the font list is, every time', () => {
    for (let run = 0; run < 5; run++) {
      expect(checkWith(`/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc: WenQuanYi Zen Hei:style=Regular\n${manyFonts}\n`)).not.toMatch(/fonts-wqy-zenhei/);
    }
  });

  it('asks for the font when none is installed, and installs nothing when only asked to check', () => {
    expect(checkWith(`${manyFonts}\n`)).toMatch(/missing Debian packages:.*fonts-wqy-zenhei/);
  });
});
