// Last year's events out of the monitor's own ClickHouse (embedded data directory — the monitor
// must be stopped, chdb opens a directory from one process only — or a server URL). The reading
// is the monitor's own replay source, so dedupe by event_id and corrections behave the same, and
// a ticket reported `unclassified` counts under its stored classifications as the counters count it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openClickHouse } from '../../server/clickhouse.ts';
import { storedEvents } from '../../pipelines/sources/clickhouse-replay.ts';
import { zonedStartOfDayMs } from '../../pipelines/plan/index.ts';
import type { HistoryEvent } from '../../pipelines/plan/builder/index.ts';
import { typedByClassification, type ReportedEvent } from './classified-history.ts';

/** Why a directory is not a monitor's embedded store, or undefined when it is one (opening a
 *  wrong one would make an empty store there, and name only a missing database). */
export function notAStore(dir: string): string | undefined {
  if (existsSync(join(dir, 'metadata'))) return undefined;
  if (existsSync(join(dir, 'clickhouse', 'metadata'))) return `${dir} is a data directory: give --clickhouse ${join(dir, 'clickhouse')}`;
  return `${dir} holds no monitor store (no metadata/): give --clickhouse DATA_DIR/clickhouse of a stopped monitor`;
}

export async function clickhouseHistory(o: { dataDir?: string; url?: string; lastYear: number; timeZone: string }): Promise<HistoryEvent[]> {
  const client = await openClickHouse({ url: o.url, dataDir: o.dataDir ?? '', username: process.env.CLICKHOUSE_USER, password: process.env.CLICKHOUSE_PASSWORD, quiet: true });
  try {
    const out: ReportedEvent[] = [];
    const window = { fromMs: zonedStartOfDayMs(o.lastYear, 1, 1, o.timeZone), toMs: zonedStartOfDayMs(o.lastYear + 1, 1, 1, o.timeZone) };
    for await (const page of storedEvents(client, window)) {
      for (const e of page) {
        out.push({
          eventId: e.eventId, ticketId: e.ticketId, kind: e.kind, atMs: e.occurredAtMs, type: e.complaintType, customer: e.customerHash,
          ...(e.outcome ? { outcome: e.outcome } : {}), reportedType: e.reportedType, ...(e.classification ? { classification: e.classification } : {}),
        });
      }
    }
    return typedByClassification(out);
  } finally {
    await client.close();
  }
}
