import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { processAlive } from './natsd.ts';

// Audit Q: a monitor SIGKILLed and restarted at once on its own DATA_DIR was refused its own
// counting lease for a few seconds, while its parent had not reaped it: a zombie answers kill(0).

describe('processAlive', () => {
  it('a running process is alive; an exited one its parent has not reaped (a zombie) is not', async () => {
    // sh starts `sleep 2` and becomes `sleep 60`, which never reaps it: a zombie after 2 s, for as
    // long as a loaded machine takes to notice (the parent is killed at the end)
    const parent = spawn('sh', ['-c', 'sleep 2 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d) => resolve(String(d).trim()))));
      expect(processAlive(pid)).toBe(true);
      const deadline = Date.now() + 20_000;
      while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(processAlive(pid)).toBe(false);
      expect(processAlive(parent.pid!)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('a pid nobody has is not alive', () => {
    expect(processAlive(2 ** 22 + 12345)).toBe(false);
  });
});
