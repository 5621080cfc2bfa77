// A quick yes for the common case: an event that plainly meets the ticket event schema. It says
// yes only where the schema certainly would; anything else (an error, a long string whose code
// points need counting, an unusual shape) is left to the schema validator, which also words the
// reasons. The compiled schema cost ~0.6 µs an event, a third of what decoding costs beyond
// JSON.parse; this check costs a fraction of that. decode.property.test.ts holds the two
// together: over hundreds of thousands of random and mutated events, never a yes the schema
// would refuse.

import { EVENT_KINDS } from '../model.ts';
import { parseDateTime } from './time.ts';

const KINDS: ReadonlySet<unknown> = new Set(EVENT_KINDS);
const OUTCOMES: ReadonlySet<unknown> = new Set(['agreed', 'not_agreed']);
const ESCALATIONS: ReadonlySet<unknown> = new Set(['case_meeting', 'mediation', 'management']);
const CUSTOMER_FIELDS = ['name', 'phone', 'idNumber', 'cardNumber'] as const;

/** true only if the ticket event schema accepts `e` (false: ask the schema). */
export function plainlyValid(e: Record<string, unknown>): boolean {
  const kind = e.kind;
  if (!KINDS.has(kind)) return false;
  if (!idLike(e.eventId) || !idLike(e.ticketId) || !idLike(e.customerId)) return false;
  const at = e.occurredAt;
  if (typeof at !== 'string' || parseDateTime(at) === null) return false;
  if (!codeLike(e.branch, true) || !codeLike(e.complaintType, false)) return false;

  const { channel, outcome, escalation, text, satisfaction, tags, customer } = e;
  if (channel !== undefined && !(typeof channel === 'string' && channel.length <= 64)) return false;
  if (outcome === undefined ? kind === 'first_contact' || kind === 'resolved' : !OUTCOMES.has(outcome)) return false;
  if (escalation === undefined ? kind === 'escalated' : !ESCALATIONS.has(escalation)) return false;
  if (text !== undefined && !(typeof text === 'string' && text.length <= 20_000)) return false;
  if (satisfaction !== undefined && !(Number.isInteger(satisfaction) && (satisfaction as number) >= 1 && (satisfaction as number) <= 5)) return false;
  if (tags !== undefined) {
    if (!isObject(tags)) return false;
    for (const k in tags) if (typeof tags[k] !== 'string') return false;
  }
  if (customer !== undefined) {
    if (!isObject(customer)) return false;
    for (const f of CUSTOMER_FIELDS) if (customer[f] !== undefined && typeof customer[f] !== 'string') return false;
  }
  return true;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** 1–128 characters: UTF-16 units bound code points from above, so ≤ 128 units is certain */
function idLike(v: unknown): boolean {
  return typeof v === 'string' && v.length >= 1 && v.length <= 128;
}

/** ^[A-Za-z0-9_-]{1,64}$ (branch) or ^[a-z0-9_]{1,64}$ (complaint type) */
function codeLike(v: unknown, branch: boolean): boolean {
  if (typeof v !== 'string' || v.length < 1 || v.length > 64) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || (branch && ((c >= 65 && c <= 90) || c === 45));
    if (!ok) return false;
  }
  return true;
}
