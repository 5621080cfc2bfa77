import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Rederivation } from './rederivation.ts';

// A plan change's derivation in slices: what arrives meanwhile waits for it, a second change
// supersedes the first, and the queued work runs once, after the last one.

/** A derivation of `slices` turns; it records its slices and stops when superseded. */
function slow(log: string[], name: string, slices: number) {
  return async (superseded: () => boolean) => {
    for (let i = 0; i < slices; i++) {
      log.push(`${name}${i}`);
      await nextTurn();
      if (superseded()) return void log.push(`${name} superseded`);
    }
    log.push(`${name} done`);
  };
}

describe('the plan change\'s derivation', () => {
  it('is under way at once, begins a turn later, and lets waiting work run after it, in order', async () => {
    const r = new Rederivation();
    const log: string[] = [];
    const done = r.start(slow(log, 'A', 3), () => log.push('settled'));
    expect(r.running).toBe(true);
    expect(log).toEqual([]); // the caller's turn carries none of it
    const acted = r.whenSettled(() => (log.push('action'), 42));
    await done;
    expect(await acted).toBe(42);
    expect(log).toEqual(['A0', 'A1', 'A2', 'A done', 'settled', 'action']);
    expect(r.running).toBe(false);
  });

  it('a second change supersedes the first: it stops at its next slice, and settles once, after the second', async () => {
    const r = new Rederivation();
    const log: string[] = [];
    const first = r.start(slow(log, 'A', 50), () => log.push('settled A'));
    const acted = r.whenSettled(() => log.push('action'));
    await nextTurn();
    await nextTurn();
    const second = r.start(slow(log, 'B', 3), () => log.push('settled B'));
    await Promise.all([first, second, acted]);
    expect(log.filter((l) => l.startsWith('A')).length).toBeLessThan(6);
    expect(log.indexOf('A superseded')).toBeLessThan(log.indexOf('B0')); // one after the other, never both
    expect(log.slice(-6)).toEqual(['B0', 'B1', 'B2', 'B done', 'settled B', 'action']);
    expect(log).not.toContain('settled A');
  });

  it('work asked when nothing derives runs in the same turn as it is seen; a failed derivation still settles', async () => {
    const r = new Rederivation();
    let ran = false;
    const now = r.whenSettled(() => (ran = true));
    await Promise.resolve();
    expect(ran).toBe(true);
    await now;
    const log: string[] = [];
    const failed = r.start(async () => {
      throw new Error('boom');
    }, () => log.push('settled'));
    const after = r.whenSettled(() => log.push('after'));
    await expect(failed).rejects.toThrow('boom');
    await after;
    expect(log).toEqual(['settled', 'after']);
  });
});
