// The simulator's file output: a year's generated events as NDJSON, one contract ticket event per
// line in time order — the form `npm run plan -- build --history` reads (docs/PLANS.md), and a
// ticket system's export would have. The customers are synthetic (people.ts), never real people.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { TicketEvent } from '../../pipelines/model.ts';

/** lines per write: a few megabytes at most (texts reach 19,000 characters) */
const LINES_PER_WRITE = 500;

/** Writes the events to `path` (replacing it), one JSON object per line; returns how many. */
export function writeEventsNdjson(path: string, events: readonly TicketEvent[]): number {
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < events.length; i += LINES_PER_WRITE) {
      const chunk = events.slice(i, i + LINES_PER_WRITE).map((e) => `${JSON.stringify(e)}\n`).join('');
      writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
  return events.length;
}
