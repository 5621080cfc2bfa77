import type { FastifyInstance } from 'fastify';
import { authorize } from '../access.ts';
import { badRequest, HttpError, storeAway } from '../errors.ts';
import type { Monitor } from '../monitor.ts';
import type { ClickHouseClient } from '@clickhouse/client';
import { analystClient } from '../store.ts';
import { readQuery } from './query.ts';
import { guardSql } from './sql-guard.ts';
import { runAnalystQuery, SQL_LIMITS } from './sql-run.ts';
import { excelCsv } from '../csv.ts';

// POST /api/sql — analysts' read-only SQL (supervisor or admin token).
//   body: {"query": "SELECT ...", "format"?: "json" | "csv" | "excel"}   or text/plain SQL with ?format=
//
// Three checks, each enough for what it covers: the guard (sql-guard.ts) reads the text as
// ClickHouse's lexer does and lets one plain SELECT through; the engine reads it once more
// (formatQuery, sql-run.ts) and the guard's checks run on that reading; and the query runs with
// readonly = 1 and the limits as the connection's settings for the whole request, so even a
// statement both missed can neither write nor reach a file or URL through a table function.

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
    const sql = guardSql(query);
    if (running >= SQL_LIMITS.maxConcurrent) {
      reply.header('retry-after', '5');
      throw new HttpError(429, 'SQL_BUSY', `${running} analyst queries are running (at most ${SQL_LIMITS.maxConcurrent} at once, SQL_MAX_CONCURRENT); retry when one has finished`);
    }
    running++;
    try {
      // the whole answer is read on the lane: a failure while reading is the query's too
      const answer = await lane().run((client) => runAnalystQuery(client, sql, format === 'csv' ? 'csv' : 'json'));
      if (answer.format === 'csv') return reply.type('text/csv; charset=utf-8').send(answer.text);
      if (format === 'json') return { columns: answer.meta, rows: answer.data, rowCount: answer.rows, limits: SQL_LIMITS };
      // For Excel: a byte-order mark (without it Excel on Windows garbles Chinese; pandas would take
      // it into the first column's name, hence a format of its own) and texts that would run as
      // formulas neutralised (server/csv.ts), so it is written here, not by the engine.
      const names = answer.meta.map((c) => c.name);
      const rows = (answer.data as Array<Record<string, unknown>>).map((row) => names.map((n) => row[n]));
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="query.csv"').send(excelCsv(names, rows));
    } catch (err) {
      if (err instanceof HttpError) throw err;
      const away = storeAway(err);
      if (away) throw away;
      // ClickHouse's own words (syntax, unknown column, limits exceeded, readonly): the analyst's to fix.
      const message = (err as Error).message ?? String(err);
      const tooMuch = /Limit for (rows|result)|TIMEOUT_EXCEEDED|Timeout exceeded|too many rows|MEMORY_LIMIT_EXCEEDED|Memory limit/i.test(message);
      throw new HttpError(tooMuch ? 422 : 400, tooMuch ? 'QUERY_LIMIT' : 'BAD_SQL', message.trim().slice(0, 2000));
    } finally {
      running--;
    }
  });
}
