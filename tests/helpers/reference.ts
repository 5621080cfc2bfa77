import type { TicketEvent } from '../../pipelines/model.ts';
import type { CompiledPlan } from '../../pipelines/plan/index.ts';

// An independent, deliberately naive implementation of contract section 3 over raw events, for
// end-to-end assertions: recomputes everything from scratch, shares no code with the pipeline.

export interface RefCount {
  unresolved: number;
  firstContact: number;
}

function ancestorsOrSelf(plan: CompiledPlan, branch: string): Set<string> {
  const parentOf = new Map(plan.plan.branches.map((b) => [b.code, b.parent]));
  const out = new Set<string>(['ALL']);
  if (!parentOf.has(branch)) return out;
  let b: string | undefined = branch;
  while (b) {
    out.add(b);
    b = parentOf.get(b);
  }
  return out;
}

export function referenceCounts(plan: CompiledPlan, events: readonly TicketEvent[], asOfMs: number): Map<string, RefCount> {
  const unique = new Map<string, TicketEvent>();
  for (const e of events) if (!unique.has(e.eventId)) unique.set(e.eventId, e);
  const all = [...unique.values()];
  const t = (e: TicketEvent) => Date.parse(e.occurredAt);
  const latest = new Map<string, TicketEvent>();
  const latestWithOutcome = new Map<string, TicketEvent>();
  const later = (a: TicketEvent, b: TicketEvent | undefined) => !b || t(a) > t(b) || (t(a) === t(b) && a.eventId > b.eventId);
  for (const e of all) {
    if (e.kind !== 'corrected') continue;
    if (later(e, latest.get(e.ticketId))) latest.set(e.ticketId, e);
    if (e.outcome && later(e, latestWithOutcome.get(e.ticketId))) latestWithOutcome.set(e.ticketId, e);
  }
  const sets = new Map<string, { na: Set<string>; fc: Set<string> }>();
  for (const type of plan.types) for (const scope of plan.scopes) sets.set(`${type.code}|${scope}`, { na: new Set(), fc: new Set() });
  const end = Math.min(asOfMs, plan.yearEndMs - 1);
  for (const e of all) {
    if (e.kind !== 'first_contact') continue;
    const at = t(e);
    if (at < plan.yearStartMs || at > end) continue;
    const c = latest.get(e.ticketId);
    const type = c?.complaintType ?? e.complaintType;
    const branch = c?.branch ?? e.branch;
    const outcome = latestWithOutcome.get(e.ticketId)?.outcome ?? e.outcome;
    for (const scope of ancestorsOrSelf(plan, branch)) {
      const s = sets.get(`${type}|${scope}`);
      if (!s) continue;
      s.fc.add(e.customerId);
      if (outcome === 'not_agreed') s.na.add(e.customerId);
    }
  }
  return new Map([...sets].map(([k, s]) => [k, { unresolved: s.na.size, firstContact: s.fc.size }]));
}
