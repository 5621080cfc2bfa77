import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allThreadsStopped, freeze } from './freeze.ts';

describe('freeze', () => {
  it('resolves only once every thread of the process has stopped, and SIGCONT lets it run again', async () => {
    // node itself: several threads (libuv's pool, V8's workers)
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await new Promise((r) => child.once('spawn', r));
      expect(allThreadsStopped(child.pid!)).toBe(false);
      await freeze(child.pid);
      expect(allThreadsStopped(child.pid!)).toBe(true);
      child.kill('SIGCONT');
      for (let i = 0; i < 200 && allThreadsStopped(child.pid!); i++) await new Promise((r) => setTimeout(r, 5));
      expect(allThreadsStopped(child.pid!)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses to freeze nothing', async () => {
    await expect(freeze(undefined)).rejects.toThrow('freeze: no process');
  });
});

describe('freeze - edges (verify AH 4)', () => {
  it('a process that is gone: a clear error, not a raw ENOENT', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((r) => child.once('exit', r));
    await expect(freeze(child.pid)).rejects.toThrow(/no such process|ESRCH|is gone/);
    expect(() => allThreadsStopped(child.pid!)).toThrow(`freeze: process ${child.pid} is gone`);
  });

  it('a killed process not yet reaped (a zombie) is gone, not stopped (verify AJ N6)', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    child.kill('SIGKILL');
    // the parent (this process) reaps it only when the loop turns: read /proc before that
    for (let i = 0; i < 1_000_000 && !/ Z /.test(readFileSync(`/proc/${child.pid}/stat`, 'utf8')); i++);
    expect(() => allThreadsStopped(child.pid!)).toThrow('is gone');
  });
});
