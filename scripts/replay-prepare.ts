// What the live monitor does to each message of the stream before it stores it, done again in
// stream order by a replay, so that the replay stores what the monitor stored (README: "the result
// equals the live one"). Each event is masked and classified on its own (a ticket's type is the
// counters' business: its most confident classification, whatever the order, docs/ALERTS.md), and
// the monitor keeps the first copy of an event and drops the later ones, while the store keeps the
// last row written for an eventId: so the replay keeps the first copy too.
import type { MaskedEvent } from '../pipelines/model.ts';
import { maskEvent, type DecodeResult, type PlanView } from '../pipelines/transforms/index.ts';
import { RecentIds } from '../pipelines/transforms/recent-ids.ts';

/** event ids remembered for dropping copies (at least this many, at most twice): the monitor's
 *  own window is smaller (tens of thousands), so every copy it dropped is dropped here too */
const SEEN_WINDOW = 1_000_000;

export class StreamPreparer {
  private readonly seen = new RecentIds(SEEN_WINDOW);
  duplicates = 0;

  constructor(private readonly plan: PlanView, private readonly hashKey: Uint8Array) {}

  /** The event to store for this message, or undefined: invalid (the dead-letter store has it) or a copy. */
  prepare(decoded: DecodeResult): MaskedEvent | undefined {
    if (!decoded.ok) return undefined;
    const event = maskEvent(decoded.event, { hashKey: this.hashKey, plan: this.plan });
    if (!this.seen.addIfNew(event.eventId)) {
      this.duplicates++;
      return undefined;
    }
    return event;
  }
}
