import type { Escalation, EventKind, Outcome, TicketEvent } from '../../pipelines/model.ts';
import type { CfpbComplaint } from './csv.ts';
import { branchOf, channelOf, drawOutcomes, outcomeEvidence, REGULATOR_CHANNEL, typeOf, UNCLASSIFIED } from './mapping.ts';
import { CustomerPool, withPersonalNumbers, type SyntheticCustomer } from './people.ts';
import { chance, intBetween, mulberry32, pick, rngFor, type Rng } from './prng.ts';
import { formatRfc3339, mapToYear, parseCfpbDate, yearBounds, zonedToUtc } from './time.ts';

// Ticket lifecycles from CFPB complaints: pure and seeded. One complaint becomes one ticket whose
// events follow a bank's complaint process: opened → first contact → (escalations) → resolved,
// with the odd reopening and manual correction. Events that would fall after the year are left
// out (they belong to next year's stream).

export interface GenerateOptions {
  seed: number;
  year: number;
  /** IANA zone of the plan; default Asia/Shanghai */
  timezone?: string;
  /** share of complaints kept, (0, 1]; default 1 */
  sample?: number;
  /** appended to ticket ids, so a later round replays the same complaints as new tickets */
  idSuffix?: string;
  /** not-agreed probability by type when CFPB's fields do not tell; see mapping.ts */
  notAgreedRates?: Readonly<Record<string, number>>;
  /** extra share of narrated complaints transferred by the 12378 hotline; default 0.08 */
  unclassifiedShare?: number;
  /** share of tickets from a customer seen before; default 0.12 */
  repeatCustomerShare?: number;
}

/** A ticket with the truth behind its events, for tests and benchmarks that need an oracle. */
export interface SimTicket {
  ticketId: string;
  complaintId: string;
  customerId: string;
  /** the type from the mapping table; what a perfect classifier gives an unclassified ticket */
  trueType: string;
  /** the type the intake sent: trueType or 'unclassified' */
  reportedType: string;
  /** after corrections (reported 'unclassified' resolves to the corrected or true type) */
  finalType: string;
  finalBranch: string;
  /** after corrections; undefined when first contact falls outside the year */
  firstContact?: Outcome;
  openedAtMs: number;
  events: TicketEvent[];
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const TEXT_LIMIT = 19_000;
/** Intake hours: office peak, evening app traffic, a little at night. */
const HOURS = [8, 9, 9, 10, 10, 10, 11, 11, 11, 14, 14, 15, 15, 15, 16, 16, 17, 18, 19, 20, 21, 22, 23, 7];
const RETYPE: Readonly<Record<string, string[]>> = {
  mortgage_prepayment: ['personal_loan'],
  auto_installment: ['personal_loan'],
  insurance_dispute: ['auto_installment'],
  personal_loan: ['auto_installment', 'mortgage_prepayment'],
  credit_card: ['debt_collection', 'deposit_account'],
  debt_collection: ['credit_card', 'credit_report'],
  credit_report: ['debt_collection', 'credit_card'],
  deposit_account: ['payment_transfer', 'credit_card'],
};
const MOVE: Readonly<Record<string, string[]>> = {
  BJ: ['BJ-HD', 'BJ-CY'],
  'BJ-HD': ['BJ-CY', 'BJ'],
  'BJ-CY': ['BJ-HD', 'BJ'],
  SH: ['GZ'],
  GZ: ['SZ', 'SH'],
  SZ: ['GZ'],
};

interface Step {
  kind: EventKind;
  t: number;
  outcome?: Outcome;
  escalation?: Escalation;
  satisfaction?: number;
  retype?: string;
  move?: string;
}

export function generateTickets(complaints: readonly CfpbComplaint[], opts: GenerateOptions): SimTicket[] {
  const tz = opts.timezone ?? 'Asia/Shanghai';
  const { endMs } = yearBounds(opts.year, tz);
  const sample = opts.sample ?? 1;
  const arrivals: Array<{ c: CfpbComplaint; t: number }> = [];
  for (const c of complaints) {
    const src = parseCfpbDate(c.dateReceived);
    if (!src) continue;
    const r = rngFor(opts.seed, 'arrival', c.complaintId, opts.idSuffix ?? '');
    if (sample < 1 && r() >= sample) continue;
    const day = mapToYear(src, opts.year);
    const t = zonedToUtc(day.y, day.m, day.d, pick(r, HOURS), intBetween(r, 0, 59), intBetween(r, 0, 59), tz);
    arrivals.push({ c, t });
  }
  arrivals.sort((a, b) => a.t - b.t || (a.c.complaintId < b.c.complaintId ? -1 : 1));
  const pool = new CustomerPool(mulberry32(opts.seed ^ 0x5eed), opts.repeatCustomerShare ?? 0.12);
  const drawnNotAgreed = drawOutcomes(arrivals.map((a) => a.c), opts.seed, opts.notAgreedRates, opts.idSuffix);
  const seen = new Set<string>();
  const tickets: SimTicket[] = [];
  for (const { c, t } of arrivals) {
    const ticketId = `CFPB-${c.complaintId}${opts.idSuffix ? `-${opts.idSuffix}` : ''}`;
    if (seen.has(ticketId)) continue; // the sample has no repeated ids, but a merged file might
    seen.add(ticketId);
    const customer = pool.next(branchOf(c.state));
    tickets.push(lifecycle(c, ticketId, t, customer, drawnNotAgreed.has(c), opts, tz, endMs));
  }
  return tickets;
}

/** All events of the year, ordered by time (ties by eventId). */
export function generateLifecycles(complaints: readonly CfpbComplaint[], opts: GenerateOptions): TicketEvent[] {
  return sortEvents(generateTickets(complaints, opts).flatMap((t) => t.events));
}

export function sortEvents(events: TicketEvent[]): TicketEvent[] {
  const ms = new Map(events.map((e) => [e, Date.parse(e.occurredAt)] as const));
  return events.sort((a, b) => (ms.get(a) ?? 0) - (ms.get(b) ?? 0) || (a.eventId < b.eventId ? -1 : 1));
}

function lifecycle(
  c: CfpbComplaint, ticketId: string, t0: number, customer: SyntheticCustomer, drawnNotAgreed: boolean,
  opts: GenerateOptions, tz: string, endMs: number,
): SimTicket {
  const r = rngFor(opts.seed, 'ticket', ticketId);
  const trueType = typeOf(c);
  const branch = branchOf(c.state);
  const transferred = c.submittedVia === 'Referral' || (c.narrative !== '' && chance(r, opts.unclassifiedShare ?? 0.08));
  const channel = transferred ? REGULATOR_CHANNEL : channelOf(c.submittedVia);
  const reportedType = transferred ? UNCLASSIFIED : trueType;
  const strict = trueType === 'insurance_dispute';

  const steps: Step[] = [{ kind: 'opened', t: t0 }];
  const evidence = outcomeEvidence(c);
  const outcome: Outcome = evidence.outcome === 'unknown' ? (drawnNotAgreed ? 'not_agreed' : 'agreed') : evidence.outcome;
  let t = t0 + (c.timely ? intBetween(r, HOUR / 2, 48 * HOUR) : intBetween(r, 3 * DAY, 12 * DAY));
  steps.push({ kind: 'first_contact', t, outcome });
  const firstContactAt = t;
  if (outcome === 'not_agreed') {
    // Strict types always go to a case meeting; each further level is reached by fewer tickets.
    const levels: Escalation[] = ['case_meeting', 'mediation', 'management'];
    const odds = strict ? [1, 0.5, 0.3] : [0.35, 0.4, 0.3];
    for (let k = 0; k < levels.length && chance(r, odds[k] ?? 0); k++) {
      t += intBetween(r, DAY, 7 * DAY);
      steps.push({ kind: 'escalated', t, escalation: levels[k] as Escalation });
    }
  }
  if (evidence.rule !== 'in_progress') {
    const agreed = outcome === 'agreed' ? chance(r, 0.97) : chance(r, 0.65);
    t += outcome === 'agreed' ? intBetween(r, HOUR, 3 * DAY) : intBetween(r, 5 * DAY, 40 * DAY);
    steps.push(resolvedStep(r, t, agreed));
    if (chance(r, 0.05)) {
      t += intBetween(r, 3 * DAY, 25 * DAY);
      steps.push({ kind: 'reopened', t });
      if (chance(r, 0.8)) {
        t += intBetween(r, 2 * DAY, 15 * DAY);
        steps.push(resolvedStep(r, t, chance(r, 0.6)));
      }
    }
  }
  if (reportedType !== UNCLASSIFIED && chance(r, 0.04)) {
    const roll = r();
    const step: Step = { kind: 'corrected', t: firstContactAt + intBetween(r, HOUR, 10 * DAY) };
    if (roll < 0.4 && RETYPE[trueType]) step.retype = pick(r, RETYPE[trueType] as string[]);
    else if (roll < 0.8) step.move = pick(r, MOVE[branch] ?? ['BJ']);
    else step.outcome = outcome === 'agreed' ? 'not_agreed' : 'agreed';
    steps.push(step);
  }

  const kept = steps.filter((s) => s.t < endMs).sort((a, b) => a.t - b.t);
  let type = reportedType;
  let br = branch;
  let finalOutcome: Outcome | undefined;
  const events = kept.map((s, k): TicketEvent => {
    if (s.retype) type = s.retype;
    if (s.move) br = s.move;
    const e: TicketEvent = {
      eventId: `${ticketId}-${k + 1}-s${opts.seed}`,
      ticketId,
      kind: s.kind,
      occurredAt: formatRfc3339(s.t, tz),
      branch: br,
      complaintType: type,
      customerId: customer.customerId,
      channel,
    };
    if (s.outcome) e.outcome = s.outcome;
    if (s.escalation) e.escalation = s.escalation;
    if (s.satisfaction) e.satisfaction = s.satisfaction;
    if (s.kind === 'first_contact' || (s.kind === 'corrected' && s.outcome)) finalOutcome = s.outcome;
    if (s.kind === 'opened') {
      const { name, phone, idNumber, cardNumber } = customer;
      e.customer = { name, phone, idNumber, cardNumber };
      e.tags = tagsOf(c, channel, transferred);
      const text = textOf(c, transferred);
      if (text) e.text = withPersonalNumbers(text, customer, r);
    }
    return e;
  });
  return {
    ticketId, complaintId: c.complaintId, customerId: customer.customerId, trueType, reportedType,
    finalType: type === UNCLASSIFIED ? trueType : type, finalBranch: br, firstContact: finalOutcome, openedAtMs: t0, events,
  };
}

function resolvedStep(r: Rng, t: number, agreed: boolean): Step {
  return { kind: 'resolved', t, outcome: agreed ? 'agreed' : 'not_agreed', satisfaction: agreed ? intBetween(r, 3, 5) : intBetween(r, 1, 3) };
}

/** The narrative (already redacted by CFPB with XXXX); hotline transfers without one get a summary. */
function textOf(c: CfpbComplaint, transferred: boolean): string | undefined {
  const narrative = c.narrative.trim();
  if (narrative) return narrative.length > TEXT_LIMIT ? `${narrative.slice(0, TEXT_LIMIT)}…` : narrative;
  if (!transferred) return undefined;
  return `12378热线转办。Issue: ${c.issue}.${c.subIssue ? ` Sub-issue: ${c.subIssue}.` : ''}`;
}

/** Transfers carry the regulator's reason but not the bank's product, so typing them is real work. */
function tagsOf(c: CfpbComplaint, channel: string, transferred: boolean): Record<string, string> {
  const tags: Record<string, string> = { source: 'cfpb', channel };
  if (!transferred) {
    tags.product = c.product;
    if (c.subProduct) tags.subProduct = c.subProduct;
  }
  if (c.issue) tags.reason = c.issue;
  if (c.subIssue) tags.subReason = c.subIssue;
  if (c.tags) tags.segment = c.tags;
  return tags;
}
