// What the live monitor does to each message of the stream before it stores it, done again in
// stream order by a replay, so that the replay stores what the monitor stored (README: "the result
// equals the live one"). Two things the monitor remembers between messages matter:
// - the type an unclassified ticket was given (pipelines/transforms/ticket-types.ts): a 12378
//   transfer often carries its text only on its first event, and its first contact, the event
//   that counts, takes the ticket's type. Masked alone, that first contact stays `unclassified`
//   and its not-agreed customer stops counting under the type (an audit: mortgage 42 replayed
//   against 48 live);
// - the events already read: the monitor keeps the first copy of an event and drops the later
//   ones, and a later copy may be classified otherwise (the memory has learnt since), while the
//   store keeps the last row written for an eventId. So the replay keeps the first copy too.
import type { MaskedEvent } from '../pipelines/model.ts';
import { maskEvent, type DecodeResult, type PlanView } from '../pipelines/transforms/index.ts';
import { RecentIds } from '../pipelines/transforms/recent-ids.ts';
import { TicketTypes } from '../pipelines/transforms/ticket-types.ts';

/** event ids remembered for dropping copies (at least this many, at most twice): the monitor's
 *  own window is smaller (tens of thousands), so every copy it dropped is dropped here too */
const SEEN_WINDOW = 1_000_000;

export class StreamPreparer {
  /** the monitor's ticket-type memory; seeded, before the first message, with what the store
   *  knew of the tickets from earlier in the stream (a replay that starts after seq 1) */
  readonly ticketTypes = new TicketTypes();
  private readonly seen = new RecentIds(SEEN_WINDOW);
  duplicates = 0;

  constructor(private readonly plan: PlanView, private readonly hashKey: Uint8Array) {}

  /** The event to store for this message, or undefined: invalid (the dead-letter store has it) or a copy. */
  prepare(decoded: DecodeResult): MaskedEvent | undefined {
    if (!decoded.ok) return undefined;
    // masked before the copy check, as the monitor does: a copy's text still teaches the memory
    const event = maskEvent(decoded.event, { hashKey: this.hashKey, plan: this.plan, ticketTypes: this.ticketTypes });
    if (!this.seen.addIfNew(event.eventId)) {
      this.duplicates++;
      return undefined;
    }
    return event;
  }
}
