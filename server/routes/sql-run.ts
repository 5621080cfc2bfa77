import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { HttpError, storeAway } from '../errors.ts';
import { checkEngineReading } from './sql-guard.ts';

// Runs one analyst query that passed the guard (sql-guard.ts) on the analysts' connection, with
// read-only and the limits for the whole request, and holds every format to the result limit.

function envInt(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Per query; SQL_MAX_ROWS_TO_READ etc. override them (a scan past max rows is a "long scan"). */
export const SQL_LIMITS = {
  maxResultRows: envInt('SQL_MAX_RESULT_ROWS', 100_000),
  maxRowsToRead: envInt('SQL_MAX_ROWS_TO_READ', 50_000_000),
  maxExecutionSeconds: envInt('SQL_MAX_EXECUTION_SECONDS', 20),
  /** the embedded engine runs in the monitor's process: one query must not take its memory */
  maxMemoryBytes: envInt('SQL_MAX_MEMORY_BYTES', 1_000_000_000),
  /** queries at once; more are answered 429 (each may use maxMemoryBytes) */
  maxConcurrent: envInt('SQL_MAX_CONCURRENT', 2),
};
export type SqlLimits = typeof SQL_LIMITS;

/**
 * The settings of every analyst request, given as the connection's settings rather than as a
 * SETTINGS clause after the query, so that they hold from the first statement of the text on,
 * whatever the text hides. Over HTTP (server mode) they are the request's URL parameters, for
 * that request only. The embedded engine's connection (chdb) sends them as SET statements before
 * the query, which stay in force on that connection: the analysts have one of their own
 * (server/store.ts), which nothing else writes through; once readonly is set there no setting
 * may change, so every request carries the same values (SQL_LIMITS, read once at start).
 * Measured on chdb 3.4: with readonly = 1 in force, INSERT, CREATE, SET and the table functions
 * file(), url(), remote(), executable() are refused, also as a second statement of one text; the
 * scalar function file('path') and INTO OUTFILE are not (the embedded engine runs them as
 * clickhouse-local does), which is why the engine's own reading of the text is checked too
 * (runAnalystQuery).
 */
export function analystSettings(limits: SqlLimits = SQL_LIMITS): ClickHouseSettings {
  return {
    max_result_rows: String(limits.maxResultRows),
    result_overflow_mode: 'throw',
    // the engine checks max_result_rows per block, and one block (an arrayJoin) passed 8 million
    // rows; `limit` stops the result one row past the limit, so no format holds more than that
    limit: String(limits.maxResultRows + 1),
    max_rows_to_read: String(limits.maxRowsToRead),
    read_overflow_mode: 'throw',
    max_execution_time: limits.maxExecutionSeconds,
    timeout_overflow_mode: 'throw',
    max_memory_usage: String(limits.maxMemoryBytes),
    // 64-bit and larger integers and decimals as JSON strings: JSON.parse rounds them past 2^53
    output_format_json_quote_64bit_integers: 1,
    output_format_json_quote_decimals: 1,
    // last: the embedded engine applies them in order, and once readonly is set none may change
    readonly: '1',
  };
}

/** The rows of a CSV the engine wrote: line ends outside a "…" field (a string's own line breaks are inside one). */
export function csvRecordCount(csv: string): number {
  let records = 0;
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const c = csv.charCodeAt(i);
    if (c === 34) quoted = !quoted; // a doubled "" inside a field flips twice
    else if (c === 10 && !quoted) records++;
  }
  return records + (csv.length > 0 && !csv.endsWith('\n') ? 1 : 0);
}

const sqlString = (text: string) => `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;

export type AnalystAnswer =
  | { format: 'json'; meta: Array<{ name: string; type: string }>; data: unknown[]; rows: number }
  | { format: 'csv'; text: string };

/**
 * The guarded text, checked once more as the engine itself reads it, then run. formatQuery()
 * parses exactly one statement with the engine's parser (a second statement is a syntax error
 * there) and gives it back canonical; the guard's checks run on that. So code the guard misread
 * as a comment or a string is still refused, scalar file() and INTO OUTFILE included.
 */
export async function runAnalystQuery(client: ClickHouseClient, sql: string, format: 'json' | 'csv', limits: SqlLimits = SQL_LIMITS): Promise<AnalystAnswer> {
  const clickhouse_settings = analystSettings(limits);
  let canonical: string;
  try {
    const reading = await client.query({ query: `SELECT formatQuery(${sqlString(sql)}) AS q`, format: 'JSONEachRow', clickhouse_settings });
    canonical = ((await reading.json<{ q: string }>())[0]?.q ?? '').trim();
  } catch (err) {
    const away = storeAway(err); // the store away is not the analyst's SQL
    if (away) throw away;
    // a syntax error: the engine's words, without the formatQuery() call they name as their scope
    const message = ((err as Error).message ?? String(err)).replace(/:?\s*In scope SELECT formatQuery\([\s\S]*$/, '').trim();
    throw new HttpError(400, 'BAD_SQL', message.slice(0, 2000));
  }
  checkEngineReading(canonical);
  const answer = await client.query({ query: sql, format: format === 'json' ? 'JSON' : 'CSVWithNames', clickhouse_settings });
  const text = await answer.text();
  const tooMany = () =>
    new HttpError(422, 'QUERY_LIMIT', `the result has more than the ${limits.maxResultRows} rows allowed (SQL_MAX_RESULT_ROWS); aggregate or add a LIMIT`);
  if (format === 'csv') {
    if (csvRecordCount(text) - 1 > limits.maxResultRows) throw tooMany(); // less its header
    return { format, text };
  }
  const body = JSON.parse(text) as { meta: Array<{ name: string; type: string }>; data: unknown[]; rows: number };
  if (body.rows > limits.maxResultRows) throw tooMany();
  return { format, meta: body.meta, data: body.data, rows: body.rows };
}
