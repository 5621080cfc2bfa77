import type { ClickHouseClient } from '@clickhouse/client';
import type { EventKind, MaskedEvent, Outcome, Escalation } from '../../pipelines/model.ts';
import { DERIVED_WHATS, isDerivedLine, type AlertRecord, type HistoryEntry } from '../../pipelines/rules/index.ts';
import { chTime, chTimeMs } from '../../pipelines/sinks/clickhouse-time.ts';
import { tsvInserter, tsvString } from '../../pipelines/sinks/clickhouse-tsv.ts';
import { OCCURRED_MS } from '../../pipelines/sources/clickhouse-replay.ts';
import { storedClassification } from '../../pipelines/sources/stored-classification.ts';
import type { Logger } from '../monitor-types.ts';
import { parseLinesInTurns } from './turn-budget.ts';

// ClickHouse I/O of the alert engine: the append-only audit rows (sql/010_alerts.sql) and the
// ticket facts the case rule needs at start (the counters' replay does not carry escalations).

/**
 * The order the rows were written in, for rows of one alert in the same millisecond (sql/025):
 * each number is above the one before, in this process and in the previous run's, since it
 * starts from the wall clock in microseconds (a run would have to write more than a row per
 * microsecond for the whole time until the next start to get ahead of it). The clock is the
 * process's monotonic one anchored at its start, so a wall-clock step back while running cannot
 * reorder it.
 */
export class LogSequence {
  private last = 0;
  constructor(private readonly clockMicros: () => number = wallClockMicros) {}
  next(): number {
    this.last = Math.max(this.last + 1, this.clockMicros());
    return this.last;
  }
}

function wallClockMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

const writeOrder = new LogSequence();

/**
 * What a row keeps of the alert: the record with its rule lines only (a handful: the derivation
 * replaces them as a whole). Every other line (people's actions, on-call steps, amended,
 * withdrawn, reopened) is a row of its own, and a restart reads it back from there, so a row does
 * not repeat the alert's whole history and the log grows with the changes, not their square
 * (audit W F1: 565 MB of snapshots after 2 M events, 12.6 MB for one alert).
 */
export function snapshotOf(r: AlertRecord): string {
  return JSON.stringify({ ...r, history: r.history.filter(isDerivedLine) });
}

/** One audit row; `seq` is taken when the row is made, in the order the changes were made. */
export function logRow(r: AlertRecord, e: HistoryEntry, year: number, loggedAtMs: number, seq = writeOrder.next()) {
  return {
    logged_at: chTime(loggedAtMs),
    seq,
    at: chTime(Number.isFinite(e.atMs) ? e.atMs : loggedAtMs),
    plan_year: year,
    alert_id: r.id,
    entry_id: e.id,
    kind: r.kind,
    complaint_type: r.complaintType,
    scope: r.scope,
    ticket_id: r.ticketId ?? '',
    what: e.what,
    actor: e.by ?? '',
    reason: e.reason ?? '',
    before: e.before ?? '',
    after: e.after ?? '',
    status: r.status,
    level: r.level,
    detail: JSON.stringify(e.detail ?? {}),
    snapshot: snapshotOf(r),
  };
}

export type LogRow = ReturnType<typeof logRow>;

/** Bytes of JSON one slice may hold: building it blocks the event loop for ~10 ms. */
export const LOG_SLICE_BYTES = 1 << 20;

/**
 * Where to cut rows into inserts: at `maxRows`, or once a slice's JSON reaches about `maxBytes`
 * (estimated from its long texts). Alert rows carry the alert's snapshot, a few hundred bytes to
 * kilobytes each; slices of 5,000 rows built ~10 MB of JSON at a time, which held every HTTP
 * request back for ~120 ms while a start over millions of events wrote its audit rows.
 */
export function logSlices(rows: readonly LogRow[], maxBytes = LOG_SLICE_BYTES, maxRows = 5_000): Array<[number, number]> {
  const slices: Array<[number, number]> = [];
  let from = 0;
  let bytes = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    bytes += 200 + r.snapshot.length + r.detail.length + r.reason.length + r.before.length + r.after.length;
    if (i + 1 - from >= maxRows || bytes >= maxBytes) {
      slices.push([from, i + 1]);
      from = i + 1;
      bytes = 0;
    }
  }
  if (from < rows.length) slices.push([from, rows.length]);
  return slices;
}

const LOG_COLUMNS = [
  'logged_at', 'seq', 'at', 'plan_year', 'alert_id', 'entry_id', 'kind', 'complaint_type', 'scope', 'ticket_id',
  'what', 'actor', 'reason', 'before', 'after', 'status', 'level', 'detail', 'snapshot',
] as const satisfies ReadonlyArray<keyof LogRow>;

/** Rows as TabSeparated text: each field escaped (backslash, tab, newline, CR, NUL), no JSON. */
export function logTsv(rows: readonly LogRow[]): Buffer {
  let text = '';
  for (const r of rows) {
    for (let c = 0; c < LOG_COLUMNS.length; c++) {
      if (c > 0) text += '\t';
      text += tsvString(String(r[LOG_COLUMNS[c]!]));
    }
    text += '\n';
  }
  return Buffer.from(text, 'utf8');
}

/**
 * In slices (see logSlices), one insert each, with a turn of the event loop between them so
 * requests are answered while a start writes a year's audit rows. TabSeparated, not the
 * client's JSONEachRow: each row carries the alert's snapshot, itself JSON, which JSON escaped
 * again quote by quote, and the embedded engine took the whole text as one query string on this
 * thread; TabSeparated leaves the snapshot as it is, and a slice of a megabyte or more goes to the
 * engine as a file it reads on its own threads (server/clickhouse.ts).
 */
export async function writeLog(client: ClickHouseClient, rows: readonly LogRow[]): Promise<void> {
  const insert = tsvInserter(client);
  for (const [from, to] of logSlices(rows)) {
    await insert({ table: 'complaints.alert_log', columns: LOG_COLUMNS, body: logTsv(rows.slice(from, to)) });
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * The year an alert's rows are stored under: the plan's, except a case opened in the year before
 * (carried across the switch to the new plan, rules/cases.ts caseWindowStartMs): its rows stay
 * under the year it opened in, so the old year's history in SQL ends with its January close, and
 * a start on the new plan reads it back from there (OF_YEAR) instead of opening it anew.
 */
export function rowYear(r: Pick<AlertRecord, 'kind' | 'openedAtMs'>, plan: { year: number; yearStartMs: number }): number {
  return r.kind === 'case' && r.openedAtMs < plan.yearStartMs ? plan.year - 1 : plan.year;
}

/** The rows a start on the plan of `year` reads: that year's, and the year before's case alerts (rowYear). */
const OF_YEAR = `(plan_year = {year:UInt16} OR (plan_year = {year:UInt16} - 1 AND kind = 'case'))`;

/**
 * Every alert of the plan year (and the cases carried from the year before) as last written: the last snapshot (seq orders a millisecond's
 * rows) with its rule lines, and the alert's other lines from their own rows. A snapshot written
 * before snapshots were cut down holds those lines too; they are taken from the rows all the same.
 * `kept`: rows an earlier run kept on disk (log-spool.ts), taken in as if they were in alert_log,
 * whether or not they are yet.
 */
export async function loadRecords(client: ClickHouseClient, year: number, kept: readonly LogRow[] = [], log?: Pick<Logger, 'warn'>): Promise<AlertRecord[]> {
  const rs = await client.query({
    query: `SELECT alert_id AS id, argMax(snapshot, (logged_at, seq)) AS s, toString(toUnixTimestamp64Milli(max(logged_at))) AS ms,
                   toString(argMax(seq, (logged_at, seq))) AS last_seq
            FROM complaints.alert_log WHERE ${OF_YEAR} GROUP BY alert_id`,
    query_params: { year },
    format: 'JSONEachRow',
  });
  const latest = new Map<string, { s: string; ms: number; seq: number }>();
  for (const r of await rs.json<{ id: string; s: string; ms: string; last_seq: string }>()) latest.set(r.id, { s: r.s, ms: Number(r.ms), seq: Number(r.last_seq) });
  const lines = await loadOtherLines(client, year);
  const overtaken = new Set<string>();
  for (const row of kept) {
    if (!(row.plan_year === year || (row.plan_year === year - 1 && row.kind === 'case'))) continue;
    const ms = chTimeMs(row.logged_at);
    const known = latest.get(row.alert_id);
    if (!known || ms > known.ms || (ms === known.ms && row.seq >= known.seq)) latest.set(row.alert_id, { s: row.snapshot, ms, seq: row.seq });
    else overtaken.add(row.alert_id);
    const line = historyLine(row.entry_id, chTimeMs(row.at), row.what, row.actor, row.reason, row.before, row.after, row.detail);
    if (isDerivedLine(line)) continue;
    let list = lines.get(row.alert_id);
    if (!list) lines.set(row.alert_id, (list = []));
    if (!list.some((h) => h.id === line.id)) list.push(line);
  }
  if (overtaken.size > 0) {
    // a run that did not read the kept file (an earlier version put back, or another monitor) changed these alerts later
    log?.warn({ alerts: [...overtaken].slice(0, 50), count: overtaken.size }, 'alert log rows kept on disk are older than their alerts\' last stored change, made by a run that did not read them: their lines join the history, the alerts keep the later state');
  }
  const records = [...latest.values()].map((r) => JSON.parse(r.s) as AlertRecord);
  for (const r of records) {
    r.history = [...r.history.filter(isDerivedLine), ...(lines.get(r.id) ?? [])].sort((a, b) => a.atMs - b.atMs);
  }
  return records;
}


function historyLine(id: string, atMs: number, what: string, actor: string, reason: string, before: string, after: string, detail: string): HistoryEntry {
  const d = JSON.parse(detail || '{}') as Record<string, unknown>;
  return { id, atMs, what, ...(actor ? { by: actor } : {}), ...(reason ? { reason } : {}), ...(before ? { before } : {}), ...(after ? { after } : {}), ...(Object.keys(d).length ? { detail: d } : {}) };
}

type LineRow = [alertId: string, entryId: string, atMs: string, what: string, actor: string, reason: string, before: string, after: string, detail: string];

/** The lines that are not the rules' (isDerivedLine), by alert, each once, oldest first. */
async function loadOtherLines(client: ClickHouseClient, year: number): Promise<Map<string, HistoryEntry[]>> {
  const rs = await client.query({
    query: `SELECT alert_id, entry_id, toString(toUnixTimestamp64Milli(at)), what, actor, reason, before, after, detail
            FROM complaints.alert_log
            WHERE ${OF_YEAR} AND NOT (what IN {derived:Array(String)} AND actor = '')
            ORDER BY alert_id, at, logged_at, seq
            LIMIT 1 BY alert_id, entry_id`,
    query_params: { year, derived: [...DERIVED_WHATS] },
    format: 'JSONCompactEachRow',
  });
  const byAlert = new Map<string, HistoryEntry[]>();
  for (const [alertId, id, atMs, what, actor, reason, before, after, detail] of await rs.json<LineRow>()) {
    const h = historyLine(id, Number(atMs), what, actor, reason, before, after, detail);
    let list = byAlert.get(alertId);
    if (!list) byAlert.set(alertId, (list = []));
    list.push(h);
  }
  return byAlert;
}

type Row = [string, string, EventKind, string, string, string, string, string, string, number | null, string];

/** Every stored event of the tickets that ever carried a strict-mode type (cases need them all). */
export async function loadCaseEvents(client: ClickHouseClient, strictTypes: readonly string[]): Promise<MaskedEvent[]> {
  if (strictTypes.length === 0) return [];
  return loadEvents(client, 'ticket_id IN (SELECT ticket_id FROM complaints.ticket_events WHERE complaint_type IN {types:Array(String)})', { types: strictTypes });
}

/** Every stored event of these tickets. */
export async function loadTicketEvents(client: ClickHouseClient, ticketIds: readonly string[]): Promise<MaskedEvent[]> {
  if (ticketIds.length === 0) return [];
  return loadEvents(client, 'ticket_id IN {tickets:Array(String)}', { tickets: ticketIds });
}

async function loadEvents(client: ClickHouseClient, where: string, query_params: Record<string, unknown>): Promise<MaskedEvent[]> {
  const rs = await client.query({
    query: `SELECT event_id, ticket_id, kind, toString(${OCCURRED_MS}), branch, complaint_type, outcome, escalation, reported_type, classifier_confidence, classifier_model
            FROM complaints.ticket_events
            WHERE ${where}
            LIMIT 1 BY event_id`,
    query_params,
    format: 'JSONCompactEachRow',
  });
  return (await parseLinesInTurns<Row>(await rs.text())).map(([eventId, ticketId, kind, ms, branch, complaintType, outcome, escalation, reportedType, confidence, model]) => ({
    eventId,
    ticketId,
    kind,
    occurredAt: '',
    occurredAtMs: Number(ms),
    branch,
    complaintType,
    reportedType,
    customerHash: '',
    customerMasked: {},
    ...(outcome ? { outcome: outcome as Outcome } : {}),
    ...(escalation ? { escalation: escalation as Escalation } : {}),
    // the ticket's type when the intake left it `unclassified` (the case rule, cases.ts)
    classification: storedClassification(kind, reportedType, complaintType, confidence === null ? null : Number(confidence), model),
  }));
}
