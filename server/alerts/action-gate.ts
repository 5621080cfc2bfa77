// Whether a person's action may apply now, asked in the very turn it would apply (verify CV1).
// During a plan change's derivation an action waits (rederivation.ts); the route had confirmed
// the counting lease before that wait only, so a SIGTERM meanwhile applied it, and answered 200,
// after the stop had released the lease: its notices were held back ("counting lease
// unconfirmed") and a successor may already have counted. Now a stop refuses what still waits,
// and what applies does so only while the lease is held. Nothing is applied or stored then: the
// person sends it again, to the monitor that counts next.

import type { Rederivation } from './rederivation.ts';

/** An action not taken because of this monitor's state (not the alert's): 503, try again elsewhere or later. */
export class ActionNotTaken extends Error {
  override readonly name = 'ActionNotTaken';
  constructor(readonly code: 'STOPPING' | 'NOT_COUNTING', message: string) {
    super(message);
  }
}

export const STOPPING_MESSAGE =
  '监测程序正在停止：此操作未执行，也未保存，请在监测恢复后（或接管的监测上）重新提交 · this monitor is stopping: the action was not applied and nothing was stored. Send it again to the monitor that counts next (this address once it is back, or the one that takes over)';

/** The refusal, if any, for an action about to apply: stopping first (it says more), then the lease. */
export function refusedAction(at: { stopping: boolean; counting: boolean }): ActionNotTaken | undefined {
  if (at.stopping) return new ActionNotTaken('STOPPING', STOPPING_MESSAGE);
  if (!at.counting) return new ActionNotTaken('NOT_COUNTING', 'the counting lease is not confirmed now');
  return undefined;
}

/** Runs `apply` once no derivation is under way (at once when a stop begins meanwhile), unless
 *  refused in that same turn: nothing in between can release the lease or begin a stop. */
export function actWhenSettled<T>(rederive: Rederivation, at: () => { stopping: boolean; counting: boolean }, apply: () => T): Promise<T> {
  return rederive.whenSettled(() => {
    const refused = refusedAction(at());
    if (refused) throw refused;
    return apply();
  }, true);
}
