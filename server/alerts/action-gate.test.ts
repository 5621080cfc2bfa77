import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ActionNotTaken, actWhenSettled, refusedAction } from './action-gate.ts';
import { Rederivation } from './rederivation.ts';

// Verify CV1: a person's action waiting for a plan change's derivation was applied, and answered
// 200, after a stop had released the counting lease. A stop now refuses what still waits, and an
// action applies only if, in the turn it applies, no stop began and the lease is held.

/** a derivation that runs until told to stop (a stop ends it at its next slice) */
function endless(stopped: () => boolean) {
  return async (superseded: () => boolean) => {
    while (!superseded() && !stopped()) await nextTurn();
  };
}

describe('a person\'s action and the stop', () => {
  it('refuses at a stop, then without the lease; lets it through otherwise', () => {
    expect(refusedAction({ stopping: true, counting: true })?.code).toBe('STOPPING');
    expect(refusedAction({ stopping: true, counting: false })?.code).toBe('STOPPING');
    expect(refusedAction({ stopping: false, counting: false })?.code).toBe('NOT_COUNTING');
    expect(refusedAction({ stopping: false, counting: true })).toBeUndefined();
    expect(refusedAction({ stopping: true, counting: true })?.message).toMatch(/not applied.*Send it again to the monitor that counts next/);
  });

  it('an action waiting for a derivation is refused as soon as the stop begins, never applied', async () => {
    const r = new Rederivation();
    const at = { stopping: false, counting: true };
    let derivationStopped = false;
    void r.start(endless(() => derivationStopped), () => undefined);
    const applied: string[] = [];
    const acted = actWhenSettled(r, () => at, () => applied.push('ack'));
    const outcome = acted.then(() => 'applied', (err: unknown) => err);
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(applied, 'it waits for the derivation').toEqual([]);
    // the stop begins: the lease is still held (released only after the drain)
    at.stopping = true;
    r.halt();
    const err = await Promise.race([outcome, new Promise((r) => setTimeout(() => r('still waiting after 2 s'), 2_000))]);
    derivationStopped = true;
    expect(err).toBeInstanceOf(ActionNotTaken);
    expect((err as ActionNotTaken).code).toBe('STOPPING');
    expect(applied).toEqual([]);
  });

  it('the lease is checked after the wait, in the turn it would apply', async () => {
    const r = new Rederivation();
    const at = { stopping: false, counting: true };
    let end = false;
    const done = r.start(endless(() => end), () => undefined);
    const applied: string[] = [];
    const acted = actWhenSettled(r, () => at, () => applied.push('ack')).then(() => 'applied', (err: ActionNotTaken) => err.code);
    await nextTurn();
    at.counting = false; // confirmed before the wait (the route), lost during it
    end = true;
    await done;
    expect(await acted).toBe('NOT_COUNTING');
    expect(applied).toEqual([]);
    // with the lease held and no stop, it applies after the derivation
    expect(await actWhenSettled(r, () => ({ stopping: false, counting: true }), () => 'ack')).toBe('ack');
  });

  it('other work waiting for the derivation (a ticket\'s events read back) still waits for its end at a stop', async () => {
    const r = new Rederivation();
    let end = false;
    const done = r.start(endless(() => end), () => undefined);
    const log: string[] = [];
    const loaded = r.whenSettled(() => log.push('events applied'));
    r.halt();
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(log).toEqual([]);
    end = true;
    await done;
    await loaded;
    expect(log).toEqual(['events applied']);
  });
});
