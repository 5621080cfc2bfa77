// Personal data never leaves this stage in clear (contract section 1): customerId becomes a
// keyed hash, names and numbers become display masks (张*, 138****1234, 110***********1234,
// 6222 **** **** 1234), and numbers inside free text are masked the same way.

import type { Classification, MaskedEvent, TicketEvent } from '../model.ts';
import type { PlanView } from './plan-view.ts';
import { classifyTicket, UNCLASSIFIED } from './classify.ts';
import { hashCustomerCached, maskCardNumber, maskIdNumber, maskName, maskPhone } from './mask-values.ts';
import { maskText } from './mask-text.ts';
import { parseDateTime } from './time.ts';

export { hashCustomer, hashCustomerCached, maskCardNumber, maskIdNumber, maskName, maskPhone } from './mask-values.ts';
export { maskContacts, maskGrouped, maskSpacedDigits, maskText, TEXT_PATTERNS } from './mask-text.ts';

export interface MaskOptions {
  hashKey: Uint8Array;
  plan: PlanView;
  /** defaults to the keyword classifier */
  classify?: (text: string | undefined, tags: Record<string, string> | undefined, types: PlanView['types']) => Classification;
}

/** TicketEvent -> MaskedEvent; an event reported `unclassified` gets a plan type from its own text
 *  and tags only (a function of the event, as stored): which of its ticket's classifications the
 *  ticket counts under is the counters' rule (corrections.ts), not the order events came in.
 *  occurredAtMs is NaN if occurredAt is not a valid RFC 3339 instant (decodeEvent rejects those). */
export function maskEvent(event: TicketEvent, opts: MaskOptions): MaskedEvent {
  // Every optional field is set, undefined where the event has none: masked events then share
  // one hidden class, and every stage reading them (counters, rules, the journal writer) keeps
  // monomorphic property loads. Adding fields only when present made up to 2^7 shapes, and the
  // megamorphic loads that followed were ~10 % of the pipeline's main thread.
  const unclassified = event.complaintType === UNCLASSIFIED;
  const classification = unclassified ? (opts.classify ?? classifyTicket)(event.text, event.tags, opts.plan.types) : undefined;
  return {
    eventId: event.eventId,
    ticketId: event.ticketId,
    kind: event.kind,
    occurredAt: event.occurredAt,
    occurredAtMs: parseDateTime(event.occurredAt)?.ms ?? NaN,
    branch: event.branch,
    complaintType: classification ? classification.type : event.complaintType,
    reportedType: event.complaintType,
    customerHash: hashCustomerCached(opts.hashKey, event.customerId),
    customerMasked: maskCustomer(event.customer),
    channel: event.channel === undefined ? undefined : maskText(event.channel), // free text in practice ('phone 139…')
    outcome: event.outcome,
    escalation: event.escalation,
    text: event.text === undefined ? undefined : maskKnownPersonalData(maskText(event.text), event),
    satisfaction: event.satisfaction,
    // Tags are free-form strings too; a clerk may have typed a phone number into one.
    tags: event.tags === undefined ? undefined : Object.fromEntries(Object.entries(event.tags).map(([k, v]) => [maskKnownPersonalData(maskText(k), event), maskKnownPersonalData(maskText(v), event)])),
    classification,
  };
}

/**
 * Names cannot be found in free text by pattern, but the event tells us this customer's name and
 * id: wherever they appear in the text, they are replaced by their masked forms.
 */
function maskKnownPersonalData(text: string, event: TicketEvent): string {
  let out = text;
  const raw = event.customer?.name;
  // compared without invisible characters (Cf) on either side: maskText drops those that touch a
  // space or a letter, so a name typed with one (张伟\u200b) no longer matched the text it was
  // masked in, and stayed in clear there (verify CK1); the text loses its Cf only where it names them
  const name = typeof raw === 'string' ? raw.replace(ANY_INVISIBLE, '').trim() : '';
  if (name.length >= 2) {
    if (!out.includes(name) && HAS_INVISIBLE.test(out)) out = out.replace(ANY_INVISIBLE, '');
    if (out.includes(name)) out = out.split(name).join(maskName(name));
  }
  if (event.customerId.length >= 4 && out.includes(event.customerId)) out = out.split(event.customerId).join('***');
  return out;
}

const ANY_INVISIBLE = /\p{Cf}/gu;
const HAS_INVISIBLE = /\p{Cf}/u;

/** shared by every event without customer details: one object fewer for a batch to hold */
const NO_CUSTOMER: MaskedEvent['customerMasked'] = Object.freeze({});

function maskCustomer(customer: TicketEvent['customer']): MaskedEvent['customerMasked'] {
  if (!customer) return NO_CUSTOMER;
  const out: MaskedEvent['customerMasked'] = {};
  if (typeof customer.name === 'string') out.name = maskName(customer.name);
  if (typeof customer.phone === 'string') out.phone = maskPhone(customer.phone);
  if (typeof customer.idNumber === 'string') out.idNumber = maskIdNumber(customer.idNumber);
  if (typeof customer.cardNumber === 'string') out.cardNumber = maskCardNumber(customer.cardNumber);
  return out;
}
