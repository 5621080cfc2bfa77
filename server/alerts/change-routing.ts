import type { MaskedEvent } from '../../pipelines/model.ts';

// Where a pushed batch of counted events goes before the alert engine derives again: which of
// its events the case book keeps, which tickets are new to the book, and the reason the audit
// lines of the re-derivation give.

type Routed = Pick<MaskedEvent, 'ticketId' | 'complaintType'>;

/**
 * The book keeps only tickets that are, or were, of a strict type (a case can only come from
 * them): an event is kept when its ticket is in the book already, or arrives in this batch with
 * a strict type. `arriving` names the tickets new to the book, in the order they first appear;
 * their earlier stored events are to be read back, since an earlier event of another type was
 * not kept. A later event of an arriving ticket is kept whatever its type. `carried`: an event
 * that may bear on a case of the year before of a type strict then (carried-year.ts carriedEvent)
 * arrives as one of a strict type does.
 */
export function ticketsToKeep<E extends Routed>(
  inBook: (ticketId: string) => boolean,
  strict: ReadonlySet<string>,
  events: readonly E[],
  carried: (e: E) => boolean = () => false,
): { kept: E[]; arriving: Set<string> } {
  const arriving = new Set<string>();
  const kept = events.filter((e) => {
    if (inBook(e.ticketId) || arriving.has(e.ticketId)) return true;
    if (!strict.has(e.complaintType) && !carried(e)) return false;
    arriving.add(e.ticketId);
    return true;
  });
  return { kept, arriving };
}

/** Corrections named in the reason at most; more are shown as ' …'. */
const NAMED_CORRECTIONS = 5;

/**
 * Why a batch re-derives, as its audit lines say: the corrections it carries (their event ids,
 * the first few), else whether it changed the past (an event dated before the current week)
 * or is live.
 */
export function changeReason(
  events: readonly Pick<MaskedEvent, 'kind' | 'eventId'>[],
  retroactive: boolean,
): string {
  const corrections = events.filter((e) => e.kind === 'corrected').map((e) => e.eventId);
  if (corrections.length === 0) return retroactive ? 'late event' : 'events';
  const more = corrections.length > NAMED_CORRECTIONS ? ' …' : '';
  return `correction ${corrections.slice(0, NAMED_CORRECTIONS).join(', ')}${more}`;
}
