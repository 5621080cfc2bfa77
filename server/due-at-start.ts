import type { ClickHouseClient } from '@clickhouse/client';
import type { CompiledPlan } from '../pipelines/plan/index.ts';
import { chTime } from '../pipelines/sinks/clickhouse-time.ts';
import { OWN_CLASSIFICATION } from '../pipelines/sources/stored-classification.ts';
import type { ChangedKey, DueChanges } from './due-changes.ts';

// The schedule of future-dated events (due-changes.ts) lives in memory, so after a restart or a
// plan swap the events stored dated after now would never come due: the screens kept the old
// figure and no level alert opened at their time. The store gives them back: each
// with the keys its ticket counts under (a correction also moves the ticket out of its old type
// and branch, so every type and branch the ticket's counting events name, and the types its
// events reported `unclassified` were classified as: a first contact without text is stored
// `unclassified` and counts under one of those, docs/ALERTS.md "Classification review").

const FUTURE_KEYS = `
  WITH future AS (
    SELECT ticket_id, occurred_at FROM complaints.ticket_events
    WHERE kind IN ('first_contact', 'corrected')
      AND occurred_at > {now:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}
  )
  SELECT DISTINCT toString(toUnixTimestamp64Milli(f.occurred_at)) AS at, t.complaint_type AS type, t.branch AS branch
  FROM future AS f
  INNER JOIN (
    SELECT DISTINCT ticket_id, complaint_type, branch FROM complaints.ticket_events
    WHERE (kind IN ('first_contact', 'corrected') OR (${OWN_CLASSIFICATION})) AND ticket_id IN (SELECT ticket_id FROM future)
  ) AS t ON f.ticket_id = t.ticket_id
  ORDER BY at LIMIT {limit:UInt32}`;

/** Notes the stored events of the plan year dated after nowMs in `due`; returns how many instants. */
export async function scheduleStoredFuture(client: ClickHouseClient, plan: CompiledPlan, nowMs: number, due: DueChanges, limit = 100_000): Promise<number> {
  const rs = await client.query({
    query: FUTURE_KEYS,
    query_params: { now: chTime(Math.max(nowMs, plan.yearStartMs - 1)), to: chTime(plan.yearEndMs), limit },
    format: 'JSONEachRow',
  });
  const byInstant = new Map<number, ChangedKey[]>();
  for (const r of await rs.json<{ at: string; type: string; branch: string }>()) {
    if (!plan.typeByCode.has(r.type)) continue;
    const at = Number(r.at);
    let keys = byInstant.get(at);
    if (!keys) byInstant.set(at, (keys = []));
    for (const scope of plan.scopesOf(r.branch)) keys.push({ complaintType: r.type, scope });
  }
  for (const [at, keys] of byInstant) due.noteKeys(at, keys);
  return byInstant.size;
}
