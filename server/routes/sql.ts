import type { FastifyInstance } from 'fastify';
import { authorize } from '../access.ts';
import { badRequest, HttpError } from '../errors.ts';
import type { Monitor } from '../monitor.ts';
import type { ClickHouseClient } from '@clickhouse/client';
import { analystClient } from '../store.ts';
import { readQuery } from './query.ts';

// POST /api/sql — analysts' read-only SQL (supervisor or admin token).
//   body: {"query": "SELECT ...", "format"?: "json" | "csv"}   or text/plain SQL with ?format=
//
// Read-only is enforced by ClickHouse: the query runs with a query-level SETTINGS clause
// (readonly=1 and row, result and time limits). Why a clause and not the client's
// clickhouse_settings: the embedded engine's connection (chdb) turns clickhouse_settings into
// session-wide `SET`s that stay in force for the monitor's own later writes (readonly=1 there
// would stop the pipeline), and runs several `;`-separated statements. So a strict guard comes
// first: one statement, SELECT or WITH only, no SETTINGS/FORMAT/INTO OUTFILE of its own, no
// system tables, no table functions that reach files, URLs or other servers.

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

const TABLE_FUNCTIONS = [
  'file', 'url', 's3', 's3cluster', 'gcs', 'azureblobstorage', 'hdfs', 'remote', 'remotesecure', 'cluster', 'clusterallreplicas',
  'mysql', 'postgresql', 'sqlite', 'mongodb', 'redis', 'jdbc', 'odbc', 'input', 'executable', 'iceberg', 'deltalake', 'hudi',
  'numbers', 'numbers_mt', 'zeros', 'zeros_mt', 'generaterandom', 'merge', 'dictionary', 'view', 'format', 'values', 'null',
  'fuzzjson', 'loop', 'urlcluster', 'filecluster', 'hdfscluster',
];

/** Strips comments and the contents of string literals; unquotes quoted identifiers. */
function skeleton(sql: string): string {
  let out = '';
  for (let i = 0; i < sql.length; ) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
      out += ' ';
    } else if (c === '#' && (next === ' ' || next === '!')) {
      while (i < sql.length && sql[i] !== '\n') i++;
      out += ' ';
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      // unterminated, it would swallow the SETTINGS clause appended after the query
      if (end < 0) throw badRequest('unterminated /* comment in the query');
      i = end + 2;
      out += ' ';
    } else if (c === '$') {
      // A heredoc ($$…$$, $tag$…$tag$) is a string to ClickHouse; a guard that read it as code
      // could be led to take the rest of the query for a string. Analysts quote with '…'.
      throw badRequest("heredoc strings ($$…$$) are not allowed in an analyst query; quote strings with '…'");
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      let body = '';
      while (j < sql.length) {
        if (sql[j] === '\\') { body += sql.slice(j, j + 2); j += 2; continue; }
        if (sql[j] === c) {
          if (sql[j + 1] === c) { body += c; j += 2; continue; }
          break;
        }
        body += sql[j];
        j++;
      }
      if (j >= sql.length) throw badRequest('unterminated quote in the query');
      out += c === "'" ? "''" : body; // identifiers are compared unquoted
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Throws 400 with a reason unless the text is one plain SELECT; returns it without a trailing `;`. */
export function guardSql(sql: string): string {
  if (typeof sql !== 'string' || sql.trim() === '') throw badRequest('the query is empty');
  if (sql.length > 20_000) throw badRequest('the query is longer than 20000 characters');
  const bare = skeleton(sql);
  const body = bare.replace(/;\s*$/, '');
  if (body.includes(';')) throw badRequest('one statement only');
  const lower = body.toLowerCase();
  if (!/^\s*(select|with)\b/.test(lower)) throw badRequest('only SELECT (or WITH … SELECT) queries are allowed');
  const banned = /\b(insert|alter|drop|create|truncate|delete|update|rename|attach|detach|optimize|grant|revoke|kill|system|set|settings|format|outfile|into|exchange|move|undrop|backup|restore)\b/.exec(lower);
  if (banned) throw badRequest(`"${banned[1]!.toUpperCase()}" is not allowed in an analyst query (read-only SELECT; the endpoint sets its own limits and format)`);
  if (/\b(system|information_schema)\s*\./.test(lower)) throw badRequest('system tables are not available');
  const fn = new RegExp(`(^|[^.\\w])(${TABLE_FUNCTIONS.join('|')})\\s*\\(`).exec(lower);
  if (fn) throw badRequest(`the table function ${fn[2]}() is not available`);
  return sql.trim().replace(/;\s*$/, '').replace(/(--[^\n]*|#[ !][^\n]*)$/, '$1\n');
}

const SETTINGS_CLAUSE = [
  `max_result_rows = ${SQL_LIMITS.maxResultRows}`,
  "result_overflow_mode = 'throw'",
  `max_rows_to_read = ${SQL_LIMITS.maxRowsToRead}`,
  "read_overflow_mode = 'throw'",
  `max_execution_time = ${SQL_LIMITS.maxExecutionSeconds}`,
  "timeout_overflow_mode = 'throw'",
  `max_memory_usage = ${SQL_LIMITS.maxMemoryBytes}`,
  // last: once readonly is set no later setting may change
  'readonly = 1',
].join(', ');

/**
 * The analysts' queries, one at a time on their connection. The embedded engine leaves a failed
 * query's partial output (a JSON header, say) in its connection, prepended to the next answer:
 * after a failure a throwaway query takes it, before the next analyst's query runs.
 */
class AnalystLane {
  private tail: Promise<unknown> = Promise.resolve();
  constructor(private readonly clickhouse: ClickHouseClient) {}

  run<T>(op: (client: ClickHouseClient) => Promise<T>): Promise<T> {
    const { client, embedded } = analystClient(this.clickhouse);
    const run = this.tail.then(() =>
      op(client).catch(async (err: unknown) => {
        if (embedded) await client.query({ query: 'SELECT 1', format: 'JSON' }).then((r) => r.text()).catch(() => undefined);
        throw err;
      }),
    );
    this.tail = run.catch(() => undefined);
    return run;
  }
}

export function sqlRoutes(app: FastifyInstance, monitor: Monitor): void {
  let running = 0;
  const lanes = new WeakMap<ClickHouseClient, AnalystLane>();
  const lane = () => {
    let l = lanes.get(monitor.clickhouse);
    if (!l) lanes.set(monitor.clickhouse, (l = new AnalystLane(monitor.clickhouse)));
    return l;
  };
  app.addContentTypeParser(['text/plain', 'application/sql'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.post('/api/sql', async (req, reply) => {
    authorize(req, monitor.config, 'supervisor', 'reads');
    const q = readQuery(req.query, ['format']);
    let query: unknown;
    let format: unknown = q.format;
    if (typeof req.body === 'string') query = req.body;
    else if (req.body && typeof req.body === 'object' && !Array.isArray(req.body)) {
      const b = req.body as Record<string, unknown>;
      for (const k of Object.keys(b)) if (!['query', 'format'].includes(k)) throw badRequest(`unknown field "${k}" (allowed: query, format)`);
      query = b.query;
      format = b.format ?? format;
    }
    if (typeof query !== 'string') throw badRequest('send the SQL as {"query": "..."} or as text/plain');
    format ??= 'json';
    if (format !== 'json' && format !== 'csv' && format !== 'excel') throw badRequest(`format must be json, csv or excel (got ${JSON.stringify(format)})`);
    const sql = `${guardSql(query)}\nSETTINGS ${SETTINGS_CLAUSE}`;
    if (running >= SQL_LIMITS.maxConcurrent) {
      reply.header('retry-after', '5');
      throw new HttpError(429, 'SQL_BUSY', `${running} analyst queries are running (at most ${SQL_LIMITS.maxConcurrent} at once, SQL_MAX_CONCURRENT); retry when one has finished`);
    }
    running++;
    try {
      // the whole answer is read on the lane: a failure while reading is the query's too
      type Answer = { meta: Array<{ name: string; type: string }>; data: unknown[]; rows: number };
      const { text, body } = await lane().run(async (client) => {
        const answer = await (await client.query({ query: sql, format: format === 'json' ? 'JSON' : 'CSVWithNames' })).text();
        return { text: answer, body: format === 'json' ? (JSON.parse(answer) as Answer) : undefined };
      });
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(text);
      // Excel on Windows reads a CSV without a byte-order mark as the local code page and garbles
      // Chinese; pandas and most tools take the mark into the first column's name, hence a format.
      if (format === 'excel') return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="query.csv"').send(`\uFEFF${text}`);
      // the engine checks the result limit per block: one block (an arrayJoin) can pass it
      if (body!.rows > SQL_LIMITS.maxResultRows) throw new HttpError(422, 'QUERY_LIMIT', `the result has ${body!.rows} rows, more than the ${SQL_LIMITS.maxResultRows} allowed (SQL_MAX_RESULT_ROWS); aggregate or add a LIMIT`);
      return { columns: body!.meta, rows: body!.data, rowCount: body!.rows, limits: SQL_LIMITS };
    } catch (err) {
      if (err instanceof HttpError) throw err;
      // ClickHouse's own words (syntax, unknown column, limits exceeded, readonly): the analyst's to fix.
      const message = (err as Error).message ?? String(err);
      const tooMuch = /Limit for (rows|result)|TIMEOUT_EXCEEDED|Timeout exceeded|too many rows|MEMORY_LIMIT_EXCEEDED|Memory limit/i.test(message);
      throw new HttpError(tooMuch ? 422 : 400, tooMuch ? 'QUERY_LIMIT' : 'BAD_SQL', message.trim().slice(0, 2000));
    } finally {
      running--;
    }
  });
}
