import type { FastifyInstance } from 'fastify';
import { authorize } from '../access.ts';
import { badRequest, HttpError } from '../errors.ts';
import type { Monitor } from '../monitor.ts';
import type { ClickHouseClient } from '@clickhouse/client';
import { analystClient } from '../store.ts';
import { readQuery } from './query.ts';
import { guardSql } from './sql-guard.ts';

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
