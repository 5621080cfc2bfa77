import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pageWithBuild, servedBuild, webBuild } from './web-build.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('web build', () => {
  it('is the same for the same files and changes with any file, name or content', () => {
    const root = mkdtempSync(join(tmpdir(), 'cewm-web-'));
    dirs.push(root);
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'app.js'), 'a');
    writeFileSync(join(root, 'src', 'x.js'), 'x');
    const first = webBuild([root]);
    expect(first).toMatch(/^[0-9a-f]{12}$/);
    expect(webBuild([root])).toBe(first);
    writeFileSync(join(root, 'src', 'x.js'), 'y');
    const second = webBuild([root]);
    expect(second).not.toBe(first);
    writeFileSync(join(root, 'src', 'y.js'), '');
    expect(webBuild([root])).not.toBe(second);
  });

  it('puts the build in the pages it serves', () => {
    expect(pageWithBuild('index.html')).toContain(`<meta name="web-build" content="${servedBuild()}">`);
    expect(pageWithBuild('console/index.html')).toContain(`<meta name="web-build" content="${servedBuild()}">`);
  });
});
