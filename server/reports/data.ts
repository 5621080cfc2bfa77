// The weekly review's I/O: the week's cases and escalations out of ClickHouse (through the
// analyst views of sql/021, so dedupe and corrections match the counters), and the stored reviews.
import type { ClickHouseClient } from '@clickhouse/client';
import { chTime } from '../../pipelines/sinks/clickhouse-time.ts';
import { planHash } from '../plan-in-force.ts';
import type { CompiledPlan } from '../../pipelines/plan/index.ts';
import type { CounterIndex } from '../../pipelines/transforms/index.ts';
import { weeklyReview, type CaseFact, type WeekFacts, type WeeklyReview } from './weekly.ts';

/**
 * A case is closed at the week's end when its ticket's last turn by then (a resolution agreed, or
 * a reopening; ties by event id) was a resolution, as the case alerts decide (rules/cases.ts).
 */
export async function weekFacts(ch: ClickHouseClient, plan: CompiledPlan, week: number, asOfMs?: number): Promise<WeekFacts> {
  const w = plan.weeks[week - 1]!;
  const strict = plan.types.filter((t) => t.mode === 'strict').map((t) => t.code);
  // the week in progress as of then, as its counters are (audit CV2: a close read to the week's
  // end missed a re-open dated later in the week, and the case read still open against the board)
  const end = asOfMs === undefined ? w.endMs : Math.min(w.endMs, Math.floor(asOfMs) + 1);
  const params = { from: chTime(plan.yearStartMs), start: chTime(w.startMs), end: chTime(end), types: strict };
  const [cases, escalations, alerts] = await Promise.all([
    ch.query({
      query: `SELECT f.ticket_id AS ticket_id, any(f.complaint_type) AS complaint_type, any(f.branch) AS branch,
                     toString(toUnixTimestamp64Milli(min(f.occurred_at))) AS fc, toString(any(r.closed)) AS closed
              FROM complaints.first_contacts AS f
              LEFT JOIN (SELECT ticket_id, if(argMax(kind = 'resolved', (occurred_at, event_id)), toUnixTimestamp64Milli(max(occurred_at)), 0) AS closed
                         FROM complaints.events_dedup
                         WHERE ((kind = 'resolved' AND outcome = 'agreed') OR kind = 'reopened') AND occurred_at < {end:DateTime64(3, 'UTC')}
                         GROUP BY ticket_id) AS r ON r.ticket_id = f.ticket_id
              WHERE f.outcome = 'not_agreed' AND has({types:Array(String)}, f.complaint_type)
                AND f.occurred_at >= {from:DateTime64(3, 'UTC')} AND f.occurred_at < {end:DateTime64(3, 'UTC')}
              GROUP BY f.ticket_id`,
      query_params: params,
      format: 'JSONEachRow',
    }),
    ch.query({
      query: `SELECT if(c.ticket_id = '', e.complaint_type, c.corrected_type) AS complaint_type, e.escalation AS escalation, count() AS n
              FROM complaints.events_dedup AS e LEFT JOIN complaints.ticket_corrections AS c ON c.ticket_id = e.ticket_id
              WHERE e.kind = 'escalated' AND e.occurred_at >= {start:DateTime64(3, 'UTC')} AND e.occurred_at < {end:DateTime64(3, 'UTC')}
              GROUP BY complaint_type, escalation ORDER BY complaint_type, escalation`,
      query_params: params,
      format: 'JSONEachRow',
    }),
    ch.query({
      query: `SELECT complaint_type, what, count() AS n FROM complaints.v_alert_history
              WHERE at >= {start:DateTime64(3, 'UTC')} AND at < {end:DateTime64(3, 'UTC')}
              GROUP BY complaint_type, what ORDER BY complaint_type, what`,
      query_params: params,
      format: 'JSONEachRow',
    }),
  ]);
  type CaseRow = { ticket_id: string; complaint_type: string; branch: string; fc: string; closed: string };
  return {
    cases: (await cases.json<CaseRow>()).map((r): CaseFact => ({
      ticketId: r.ticket_id, complaintType: r.complaint_type, branch: r.branch, firstContactAtMs: Number(r.fc),
      ...(Number(r.closed) > 0 ? { closedAtMs: Number(r.closed) } : {}),
    })),
    escalations: (await escalations.json<{ complaint_type: string; escalation: string; n: string }>())
      .filter((r) => plan.typeByCode.has(r.complaint_type))
      .map((r) => ({ complaintType: r.complaint_type, escalation: r.escalation, n: Number(r.n) })),
    alerts: (await alerts.json<{ complaint_type: string; what: string; n: string }>()).map((r) => ({ complaintType: r.complaint_type, what: r.what, n: Number(r.n) })),
  };
}

export interface StoredReview { generatedAtMs: number; completeUntilMs?: number; review: WeeklyReview }

/** `completeUntilMs`: every event the monitor received before it is committed (a store read while the monitor is stopped: now) */
export async function produceReview(ch: ClickHouseClient, plan: CompiledPlan, index: CounterIndex, week: number, nowMs: number, completeUntilMs = nowMs): Promise<StoredReview> {
  const review = weeklyReview(plan, index, week, await weekFacts(ch, plan, week));
  await ch.insert({
    table: 'complaints.weekly_reports',
    format: 'JSONEachRow',
    values: [{ plan_year: plan.year, week, generated_at: chTime(nowMs), complete_until: chTime(completeUntilMs), plan_hash: review.planHash, body: JSON.stringify(review) }],
  });
  return { generatedAtMs: nowMs, review };
}

export async function storedReview(ch: ClickHouseClient, year: number, week: number): Promise<StoredReview | undefined> {
  const rs = await ch.query({
    query: `SELECT toString(toUnixTimestamp64Milli(generated_at)) AS at, toString(toUnixTimestamp64Milli(complete_until)) AS complete, body
            FROM complaints.weekly_reports FINAL
            WHERE plan_year = {year:UInt16} AND week = {week:UInt8} ORDER BY generated_at DESC LIMIT 1`,
    query_params: { year, week },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ at: string; complete: string; body: string }>();
  return row ? { generatedAtMs: Number(row.at), completeUntilMs: Number(row.complete), review: JSON.parse(row.body) as WeeklyReview } : undefined;
}

export async function storedWeeks(ch: ClickHouseClient, year: number): Promise<number[]> {
  const rs = await ch.query({
    query: 'SELECT DISTINCT week FROM complaints.weekly_reports WHERE plan_year = {year:UInt16} ORDER BY week',
    query_params: { year },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ week: number }>()).map((r) => Number(r.week));
}

/** week → the complete_until of its latest stored review (epoch ms), for the plan year */
export async function storedCompleteness(ch: ClickHouseClient, year: number): Promise<Map<number, number>> {
  const rs = await ch.query({
    query: `SELECT week, toString(toUnixTimestamp64Milli(argMax(complete_until, generated_at))) AS at FROM complaints.weekly_reports
            WHERE plan_year = {year:UInt16} GROUP BY week`,
    query_params: { year },
    format: 'JSONEachRow',
  });
  return new Map((await rs.json<{ week: number; at: string }>()).map((r) => [Number(r.week), Number(r.at)]));
}

/**
 * The stored weeks whose review is out of date: produced under another plan than `plan` (a plan
 * change, a start with another PLAN file; sql/036), or changed by a later event, one of the plan
 * year dated before the week's end and received at or after the review's complete_until
 * (`stored`: week → complete_until). One pass over the year's two time columns and one over the
 * year's stored reviews, whatever the number of weeks.
 */
export async function weeksChangedSince(ch: ClickHouseClient, plan: CompiledPlan, stored: ReadonlyMap<number, number>): Promise<number[]> {
  if (stored.size === 0) return [];
  const [byEvents, byPlan] = await Promise.all([weeksChangedByEvents(ch, plan, stored), weeksUnderOtherPlan(ch, plan, [...stored.keys()])]);
  return [...new Set([...byEvents, ...byPlan])].sort((a, b) => a - b);
}

/** Of `weeks`, those whose latest stored review names another plan than `plan` (or none: stored before sql/036). */
export async function weeksUnderOtherPlan(ch: ClickHouseClient, plan: CompiledPlan, weeks: readonly number[]): Promise<number[]> {
  if (weeks.length === 0) return [];
  const rs = await ch.query({
    query: `SELECT week FROM complaints.weekly_reports WHERE plan_year = {year:UInt16} AND has({weeks:Array(UInt8)}, week)
            GROUP BY week HAVING argMax(plan_hash, generated_at) != {hash:String} ORDER BY week`,
    query_params: { year: plan.year, weeks, hash: planHash(plan) },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ week: number }>()).map((r) => Number(r.week));
}

/**
 * Weeks with an event received after their stored review and dated before their end; or with a
 * correction received after it, whatever its date, of a ticket that had begun before their end (a
 * correction re-types or moves the ticket for all time: the counters at that week's end change).
 */
async function weeksChangedByEvents(ch: ClickHouseClient, plan: CompiledPlan, stored: ReadonlyMap<number, number>): Promise<number[]> {
  const weeks = [...stored.keys()];
  const since = weeks.map((w) => stored.get(w)!);
  const ends = weeks.map((w) => plan.weeks[w - 1]?.endMs ?? plan.yearEndMs);
  const rs = await ch.query({
    query: `SELECT w.1 AS week
            FROM (SELECT toUnixTimestamp64Milli(occurred_at) AS at, toUnixTimestamp64Milli(received_at) AS received FROM complaints.ticket_events
                  WHERE occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')} AND received_at >= {since:DateTime64(3, 'UTC')}
                  UNION ALL
                  SELECT toUnixTimestamp64Milli(t.began) AS at, toUnixTimestamp64Milli(c.received) AS received
                  FROM (SELECT ticket_id, max(received_at) AS received FROM complaints.ticket_events
                        WHERE kind = 'corrected' AND received_at >= {since:DateTime64(3, 'UTC')} GROUP BY ticket_id) AS c
                  INNER JOIN (SELECT ticket_id, min(occurred_at) AS began FROM complaints.ticket_events
                              WHERE ticket_id IN (SELECT ticket_id FROM complaints.ticket_events WHERE kind = 'corrected' AND received_at >= {since:DateTime64(3, 'UTC')})
                              GROUP BY ticket_id) AS t ON t.ticket_id = c.ticket_id)
            ARRAY JOIN arrayZip({weeks:Array(UInt8)}, {sinceMs:Array(UInt64)}, {endMs:Array(UInt64)}) AS w
            WHERE received >= w.2 AND at < w.3
            GROUP BY week ORDER BY week`,
    query_params: {
      from: chTime(plan.yearStartMs), to: chTime(ends.reduce((a, b) => Math.max(a, b))), since: chTime(since.reduce((a, b) => Math.min(a, b))),
      weeks, sinceMs: since, endMs: ends,
    },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ week: number }>()).map((r) => Number(r.week));
}
