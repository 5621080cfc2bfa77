// A runtime plan change derives the whole year again (every key of the new plan, every open
// alert, every ticket in the book). In one go that held the event loop as long as the start's
// derivation did (tens of seconds over a 5 M-event year): the port, the /ws pushes and the
// counting lease's renewals stalled. It now runs in slices (start-derivation.ts), and this is how
// what arrives meanwhile stays out of it. Chosen: queue, not re-evaluate afterwards. A slice
// commits into the same records a person acts on and the same book a batch feeds; letting them in
// between slices would make a derived alert's merge read a record or a book the one go never saw
// (an acknowledgement taken before its alert was merged under the new plan, a case derived from a
// book half a batch ahead). So, until the derivation ends:
//  - a live batch's counter change waits in the engine's queue and is derived after it, in order
//    (its keys and tickets at the instant it is taken: what the one go followed by the batch gives;
//    a counter it moved that a slice already read is derived again then);
//  - a person's action, and a ticket's events read back (the engine's loader), wait for it
//    (`whenSettled`) and then apply to the re-derived alert: as behind the one go, which made them
//    wait as long;
//  - a clock tick is skipped: the next one after it catches up (ticks are catch-ups by design);
//  - a second plan change supersedes it: the first stops at its next slice (what it committed
//    stands), then the second derives everything again over that, on the newer plan (types that
//    became strict under the first and whose tickets it had not read yet are read by the second);
//  - a stop ends it at its next slice; the next start derives everything again (derived lines
//    have deterministic ids and fold). A person's action still waiting is refused at once
//    (action-gate.ts, verify CV1): applied after the wait it came after the lease was released.

import { setImmediate as nextTurn } from 'node:timers/promises';

interface Run {
  superseded: boolean;
  done: Promise<void>;
}

/** One re-derivation of the whole year at a time; a new one supersedes the one under way. */
export class Rederivation {
  private current?: Run;
  private halted = false;
  private wakeHalted!: () => void;
  private readonly haltedNow = new Promise<void>((r) => (this.wakeHalted = r));

  /** a derivation is under way: changes wait, ticks are skipped */
  get running(): boolean {
    return this.current !== undefined;
  }

  /**
   * Starts `derive` (which stops between slices once told it is superseded), superseding the one
   * under way; `settled` runs when the last one ends, before anyone waiting in `whenSettled` goes
   * on. Resolves when this one is done or superseded; rejects with its error. Under way at once
   * (what arrives from now on waits), it begins a turn later: the caller's turn (the plan's swap,
   * the PUT's) carries none of it.
   */
  start(derive: (superseded: () => boolean) => Promise<void>, settled: () => void): Promise<void> {
    const previous = this.current;
    if (previous) previous.superseded = true;
    const run: Run = { superseded: false, done: Promise.resolve() };
    this.current = run;
    run.done = (async () => {
      try {
        // the superseded one ends first (at its next slice): never two over the same book
        await previous?.done.catch(() => undefined);
        await nextTurn();
        if (!run.superseded) await derive(() => run.superseded);
      } finally {
        if (this.current === run) {
          this.current = undefined;
          settled();
        }
      }
    })();
    return run.done;
  }

  /** Runs `fn` once no derivation is under way, in the same turn as that is seen; with
   *  `orHalted`, also as soon as a stop began (`fn` then refuses: it must not touch the alerts). */
  async whenSettled<T>(fn: () => T, orHalted = false): Promise<T> {
    while (this.current && !(orHalted && this.halted)) {
      await Promise.race([this.current.done.catch(() => undefined), ...(orHalted ? [this.haltedNow] : [])]);
    }
    return fn();
  }

  /** A stop began: what waits with `orHalted` goes on now (the derivation ends at its next slice). */
  halt(): void {
    this.halted = true;
    this.wakeHalted();
  }
}
