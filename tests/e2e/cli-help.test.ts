import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/monitor-process.ts';

/**
 * A PATH with nothing on it (and no benchmark chosen): a tool that ignored the flag would go on to
 * its work (npm install, nats-server, the benchmarks) and fail at the first program it looks up.
 */
const EMPTY_PATH = mkdtempSync(join(tmpdir(), 'cewm-cli-help-path-'));
const BASH = ['/bin/bash', '/usr/bin/bash'].find(existsSync)!;

// Every tool behind `npm run` answers `--help` and `-h` with its usage on stdout and exit 0, and
// does nothing else (an audit: `npm run replay -- --help` was "error: Unknown option", exit 2;
// `npm run bench -- --help` would have run the benchmarks, `npm run setup -- --help` npm install).
// The tools are read from package.json, so a new one is held to this too.

const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** the command behind an npm script as [program, ...args], for the scripts that are our own tools */
function ownTool(command: string): string[] | undefined {
  const node = /^node --import tsx (\S+)$/.exec(command);
  if (node) return [process.execPath, '--import', 'tsx', node[1]!];
  const bash = /^bash (\S+)$/.exec(command);
  return bash ? [BASH, bash[1]!] : undefined;
}

const tools = Object.entries(scripts)
  .map(([name, command]) => [name, ownTool(command)] as const)
  .filter((t): t is readonly [string, string[]] => t[1] !== undefined);
tools.push(['simulator (scripts/simulator/cli.ts)', [process.execPath, '--import', 'tsx', 'scripts/simulator/cli.ts']]);

afterAll(() => rmSync(EMPTY_PATH, { recursive: true, force: true }));

describe('cli - help', () => {
  it('finds every tool of package.json (only tsc and vitest are not ours)', () => {
    expect(tools.map(([name]) => name)).toEqual(expect.arrayContaining(['start', 'plan', 'replay', 'demo', 'bench', 'setup']));
  });

  it.each(tools.flatMap(([name, cmd]) => ['--help', '-h'].map((flag) => [name, flag, cmd] as const)))('%s %s prints the usage and exits 0', (name, flag, [program, ...args]) => {
    // and it does nothing else: the DATA_DIR it would use stays unmade
    const dataDir = join(tmpdir(), `cewm-cli-help-${process.pid}-${name.replace(/\W+/g, '_')}${flag}`);
    try {
      const run = spawnSync(program!, [...args, flag], { cwd: ROOT, encoding: 'utf8', timeout: 30_000, env: { ...process.env, PATH: EMPTY_PATH, DATA_DIR: dataDir, PORT: '0', BENCH_ONLY: 'none' } });
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
      expect(run.stdout).toMatch(/^usage:/);
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 40_000);
});
