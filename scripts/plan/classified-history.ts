// Tickets the intake left `unclassified` (12378 transfers) count in last year's history as the
// monitor counts them: a first contact reported `unclassified` takes its ticket's most confident
// classification among the ticket's own events (ties to the greater eventId; a correction's type
// still wins), by the monitor's own rule (pipelines/transforms/corrections.ts). The store keeps
// each event's classification; an NDJSON export has none, so its events are classified here with
// the monitor's classifier over their own text and tags, as the live pipeline does on arrival.
import type { Classification } from '../../pipelines/model.ts';
import type { HistoryEvent } from '../../pipelines/plan/builder/index.ts';
import { parseHistoryNdjson } from '../../pipelines/plan/builder/index.ts';
import { decodeEvent } from '../../pipelines/transforms/decode.ts';
import { classifyTicket, UNCLASSIFIED } from '../../pipelines/transforms/classify.ts';
import { isMoreConfident, thousandths, type Classified } from '../../pipelines/transforms/corrections.ts';
import type { PlanTypeView } from '../../pipelines/transforms/plan-view.ts';

/** A history event with what the intake reported and, for one reported `unclassified`, its own classification. */
export interface ReportedEvent extends HistoryEvent {
  reportedType: string;
  classification?: Pick<Classification, 'type' | 'confidence'>;
}

/** The events with each first contact reported `unclassified` typed by its ticket's most confident
 *  classification; `unclassified` still when no event of its ticket was typed. */
export function typedByClassification(events: readonly ReportedEvent[]): HistoryEvent[] {
  const best = new Map<string, Classified & { code: string }>();
  const seen = new Set<string>();
  for (const e of events) {
    if (seen.has(e.eventId)) continue; // the first copy of an eventId is the one counted
    seen.add(e.eventId);
    const c = e.classification;
    if (e.reportedType !== UNCLASSIFIED || e.kind === 'corrected' || !c || c.type === UNCLASSIFIED) continue;
    const confidence = thousandths(c.confidence);
    if (isMoreConfident(confidence, e.eventId, best.get(e.ticketId))) best.set(e.ticketId, { confidence, id: e.eventId, type: 0, code: c.type });
  }
  return events.map(({ reportedType, classification, ...e }) => {
    if (reportedType !== UNCLASSIFIED) return e;
    if (e.kind === 'first_contact') return { ...e, type: best.get(e.ticketId)?.code ?? UNCLASSIFIED };
    // a correction re-typing to `unclassified` re-types to its own classification, as the monitor
    // stores it (transforms/mask.ts: a function of the event): its text decides
    if (e.kind === 'corrected' && classification) return { ...e, type: classification.type };
    return e;
  });
}

/** Last year's events from an NDJSON export (checked line by line as parseHistoryNdjson does),
 *  the `unclassified` ones classified over the plan's types. */
export function classifiedHistoryNdjson(text: string, file: string, types: readonly PlanTypeView[]): HistoryEvent[] {
  const events = parseHistoryNdjson(text, file); // one per non-blank line, in order
  const encoder = new TextEncoder();
  const out: ReportedEvent[] = [];
  let i = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const e = events[i++]!;
    let classification: Classification | undefined;
    if (e.type === UNCLASSIFIED) {
      const decoded = decodeEvent(encoder.encode(line));
      if (decoded.ok) classification = classifyTicket(decoded.event.text, decoded.event.tags, types);
    }
    out.push({ ...e, reportedType: e.type, ...(classification ? { classification } : {}) });
  }
  return typedByClassification(out);
}
