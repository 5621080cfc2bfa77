// Last year's ticket events from an NDJSON file (one contract event per line, as a ticket system
// publishes them). Each line is checked with the monitor's own decoder, so a line the monitor
// would dead-letter is refused here with its line number. Customer ids stay in memory only.

import { decodeEvent } from '../../transforms/decode.ts';
import { PlanError } from '../errors.ts';
import type { HistoryEvent } from './history.ts';

export function parseHistoryNdjson(text: string, file: string): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  const encoder = new TextEncoder();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const decoded = decodeEvent(encoder.encode(line));
    if (!decoded.ok) {
      throw new PlanError({ file, line: i + 1, field: decoded.rejection.code, reason: `not a ticket event: ${decoded.rejection.reason}` });
    }
    const e = decoded.event;
    out.push({
      eventId: e.eventId,
      ticketId: e.ticketId,
      kind: e.kind,
      atMs: Date.parse(e.occurredAt),
      type: e.complaintType,
      customer: e.customerId,
      ...(e.outcome ? { outcome: e.outcome } : {}),
    });
  });
  // Every build needs a history source, and an empty export is almost always the wrong file or a
  // failed export: building on it would quietly give every type a plan by days.
  if (out.length === 0) throw new PlanError({ file, reason: 'holds no ticket events (empty or blank): the builder needs last year\'s events; check the export' });
  return out;
}
