import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';

// An HTTP relay in front of a ClickHouse HTTP endpoint that lets a test hold or refuse chosen
// statements (by the SQL in the URL, as @clickhouse/client sends inserts) while every other
// request passes: "the store is slow / refuses this one insert", at a moment the test picks.

export interface GateRule {
  /** matched against the statement in `?query=` (an insert's `INSERT INTO table …`) */
  match: RegExp;
  /** hold: wait until release(); fail: answer as ClickHouse does when it refuses */
  action: 'hold' | 'fail';
  /** how many matching requests the rule takes before it lapses (default: all) */
  times?: number;
}

export interface ClickHouseGate {
  url: string;
  /** statements the rules took so far (held or refused), in arrival order */
  taken: string[];
  /** requests being held now */
  readonly holding: number;
  set(rule: GateRule | undefined): void;
  /** lets every held request through */
  release(): void;
  close(): Promise<void>;
}

export async function startClickHouseGate(targetUrl: string): Promise<ClickHouseGate> {
  const target = new URL(targetUrl);
  let rule: (GateRule & { left: number }) | undefined;
  let held: Array<() => void> = [];
  const taken: string[] = [];

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (err) => res.destroy(err));
    upstream.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const statement = new URL(req.url ?? '/', 'http://gate').searchParams.get('query') ?? '';
      if (!rule || rule.left <= 0 || !rule.match.test(statement)) return forward(req, body, res);
      rule.left--;
      taken.push(statement);
      if (rule.action === 'fail') {
        res.writeHead(500, { 'content-type': 'text/plain', 'x-clickhouse-exception-code': '241' });
        return void res.end('Code: 241. DB::Exception: Memory limit (total) exceeded: test gate refused this insert. (MEMORY_LIMIT_EXCEEDED)\n');
      }
      held.push(() => forward(req, body, res));
    });
  });
  const port = await new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port)));
  return {
    url: `http://127.0.0.1:${port}`,
    taken,
    get holding() {
      return held.length;
    },
    set(next) {
      rule = next && { ...next, left: next.times ?? Infinity };
    },
    release() {
      const waiting = held;
      held = [];
      for (const go of waiting) go();
    },
    close: () => new Promise<void>((r) => {
      for (const go of held) go();
      held = [];
      server.close(() => r());
      server.closeAllConnections();
    }),
  };
}
