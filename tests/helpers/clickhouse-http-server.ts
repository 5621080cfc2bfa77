import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createChdbConnection } from 'chdb/connection';

// A ClickHouse HTTP endpoint over the real engine, for testing the monitor's server mode
// (`CLICKHOUSE_URL`) where no clickhouse-server binary can be installed (Debian ships v18, and
// there is no other source here). The engine is real — chdb, the ClickHouse engine as a library —
// and so is the network: this runs as its own process, so a test can kill it (connection refused,
// requests cut mid-flight) and start it again on the same port and data directory. What it
// speaks is the part of the HTTP interface @clickhouse/client uses: the SQL in the body, or in
// `?query=` with the rows in the body (inserts); `param_*` bound parameters; settings as URL
// parameters; user and password in X-ClickHouse-User/Key or Basic auth; gzip both ways; errors
// as `Code: N. DB::Exception: … (TYPE)` with X-ClickHouse-Exception-Code. Not covered: anything
// only a server has (users and grants beyond one account, replication, server-side sessions).
//
//   node --import tsx tests/helpers/clickhouse-http-server.ts <port> <dataDir>
//   env CH_USER, CH_PASSWORD (default: user "default", no password)

const [portArg, dataDir] = process.argv.slice(2);
if (!portArg || !dataDir) {
  process.stderr.write('usage: clickhouse-http-server.ts <port> <dataDir>\n');
  process.exit(2);
}
const USER = process.env.CH_USER || 'default';
const PASSWORD = process.env.CH_PASSWORD ?? '';

type Connection = ReturnType<typeof createChdbConnection>;

/**
 * A server applies a request's URL settings to that request only; the engine's connection turns
 * them into SETs that stay for its session (and once readonly = 1 is set, refuses any other
 * value: the analysts' read-only requests made every later write fail). So each distinct set of
 * settings gets a connection of its own, which always gets the same values: as if per request.
 */
const connections = new Map<string, Connection>();
function connectionFor(settings: Record<string, string>): { connection: Connection; settings: Record<string, string> } {
  // a server applies them all at once; the engine one SET at a time, and none after readonly
  const ordered = Object.entries(settings).sort(([a], [b]) => Number(a === 'readonly') - Number(b === 'readonly') || a.localeCompare(b));
  const key = JSON.stringify(ordered);
  let connection = connections.get(key);
  if (!connection) connections.set(key, (connection = createChdbConnection({ path: dataDir })));
  return { connection, settings: Object.fromEntries(ordered) };
}

/**
 * Every query runs alone, in arrival order: the engine runs one query at a time per connection,
 * and it leaves a failed query's partial answer (its JSON header, say) in the connection,
 * prepended to the next query's answer. After any failure a throwaway query takes those
 * leftovers, before the next request's query runs: the monitor's embedded mode does the same for
 * analysts (server/routes/sql.ts, AnalystLane). Without it a client's next request, from anyone,
 * read a corrupted answer, which a server never gives.
 */
let tail: Promise<unknown> = Promise.resolve();
function alone<T>(connection: Connection, query: () => Promise<T>): Promise<T> {
  const run = tail.then(() =>
    query().catch(async (err: unknown) => {
      await (async () => drain(connection.exec({ query: 'SELECT 1 FORMAT JSON' } as Parameters<Connection['exec']>[0])))().catch(() => undefined);
      throw err;
    }),
  );
  tail = run.catch(() => undefined);
  return run;
}

/** The whole answer of a query, read to its end (a failure while reading is the query's too). */
async function drain(pending: ReturnType<Connection['exec']>): Promise<{ out: Buffer; summary: Record<string, unknown> }> {
  const result = await pending;
  const chunks: Buffer[] = [];
  for await (const c of result.stream) chunks.push(Buffer.from(c as Uint8Array));
  return { out: Buffer.concat(chunks), summary: (result as { summary?: Record<string, unknown> }).summary ?? {} };
}

/** URL parameters that are protocol, not settings. */
const PROTOCOL_KEYS = new Set(['query', 'query_id', 'database', 'session_id', 'role', 'user', 'password', 'default_format']);

/** clickhouse-js sends parameter values in the escaped (TSV) form; the engine binder wants them plain. */
function unescapeParam(value: string): string {
  return value.replace(/\\(.)/gs, (_, c: string) => ({ t: '\t', n: '\n', r: '\r', b: '\b', f: '\f', '0': '\0' })[c] ?? c);
}

function credentials(req: IncomingMessage, url: URL): { user: string; password: string } {
  const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const [user, ...rest] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
    return { user: user ?? '', password: rest.join(':') };
  }
  return {
    user: String(req.headers['x-clickhouse-user'] ?? url.searchParams.get('user') ?? 'default'),
    password: String(req.headers['x-clickhouse-key'] ?? url.searchParams.get('password') ?? ''),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  return (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
}

function fail(res: ServerResponse, status: number, code: number, type: string, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Exception-Code': String(code) });
  res.end(`Code: ${code}. DB::Exception: ${message.replace(/\s+$/, '')}. (${type}) (version chdb)\n`);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/ping') return void res.end('Ok.\n');
  const { user, password } = credentials(req, url);
  if (user !== USER || password !== PASSWORD) {
    return fail(res, 516, 516, 'AUTHENTICATION_FAILED', `${user}: Authentication failed: password is incorrect, or there is no user with such name`);
  }
  const body = req.method === 'POST' ? await readBody(req) : '';
  const inUrl = url.searchParams.get('query');
  const query = inUrl ?? body;
  const values = inUrl !== null && body.length > 0 ? body : undefined;
  const query_params: Record<string, string> = {};
  const clickhouse_settings: Record<string, string> = {};
  for (const [k, v] of url.searchParams) {
    if (k.startsWith('param_')) query_params[k.slice(6)] = unescapeParam(v);
    else if (!PROTOCOL_KEYS.has(k)) clickhouse_settings[k] = v;
  }
  const gzip = clickhouse_settings.enable_http_compression === '1' && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  try {
    const { connection, settings } = connectionFor(clickhouse_settings);
    const { out, summary } = await alone(connection, async () =>
      drain(
        connection.exec({
          query,
          values,
          query_params,
          clickhouse_settings: settings,
          query_id: url.searchParams.get('query_id') ?? undefined,
        } as Parameters<Connection['exec']>[0]),
      ),
    );
    res.writeHead(200, {
      'Content-Type': 'text/plain; charset=UTF-8',
      'X-ClickHouse-Query-Id': url.searchParams.get('query_id') ?? '',
      'X-ClickHouse-Summary': JSON.stringify(Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, String(v)]))),
      ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    });
    res.end(gzip ? gzipSync(out) : out);
  } catch (err) {
    const e = err as { code?: string | number; type?: string; message?: string };
    const code = Number(e.code);
    fail(res, 500, Number.isInteger(code) && code > 0 ? code : 1001, e.type && /^[A-Z0-9_]+$/.test(e.type) ? e.type : 'STD_EXCEPTION', String(e.message ?? err));
  }
}

const server = createServer((req, res) => {
  handle(req, res).catch((err: Error) => fail(res, 500, 1001, 'STD_EXCEPTION', err.message));
});
server.keepAliveTimeout = 10_000;
server.listen(Number(portArg), '127.0.0.1', () => process.stdout.write(`clickhouse-http listening on ${portArg}\n`));
const stop = () => server.close(() => void Promise.all([...connections.values()].map((c) => c.close())).finally(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
